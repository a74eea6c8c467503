"""swfobjects.testing: run workflows without AWS (SerialExecutor) and serve SWF locally."""

from ..local import LocalSWF
from ._serial import SerialExecutor

__all__ = ["LocalSWF", "SerialExecutor"]
