"""Shared pytest setup: make tests/ importable helpers (histories) available."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
