"""Shared bits of the benchmark scripts: machine description, tables, JSON output."""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["machine", "print_table", "parser", "finish", "exponent"]


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
    }


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain-text table."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print(
            "  " + "  ".join(value.rjust(width) for value, width in zip(row, widths, strict=True))
        )
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 10 else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with ``--json FILE`` and ``--quick`` (tiny sizes, for smoke tests)."""
    result = argparse.ArgumentParser(description=description)
    result.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    result.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    return result


def finish(args: argparse.Namespace, name: str, results: dict[str, Any]) -> None:
    """Print the machine line and write JSON if asked."""
    info = machine()
    print(
        f"\nmachine: {info['cpu']}, {info['cores']} cores, Python {info['python']} "
        f"({info['platform']})"
    )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"benchmark": name, "machine": info, "results": results}, handle, indent=2)
        print(f"wrote {args.json}")


def exponent(small: tuple[float, float], large: tuple[float, float]) -> float:
    """Growth exponent k in cost ~ n**k between two (n, cost) points."""
    (n1, t1), (n2, t2) = small, large
    if t1 <= 0 or t2 <= 0:
        return float("nan")
    return math.log(t2 / t1) / math.log(n2 / n1)
