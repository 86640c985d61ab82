"""The benchmarks' figures: kept in the order they were measured, printed as a table and
then as ``name: value`` lines (the lines are what README tables and scripts read).

Progress goes to stderr as it happens, with the seconds since the run started.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    target: str = "-"
    ok: bool | None = None

    def shown(self) -> str:
        if abs(self.value) >= 100:
            return f"{self.value:,.0f}"
        return f"{self.value:.1f}" if abs(self.value) >= 10 else f"{self.value:.3g}"


class Report:
    """Figures in the order they were measured; printed as a table, then as lines."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []
        self.started = time.perf_counter()

    def add(self, name: str, value: float, target: str = "-", ok: bool | None = None) -> None:
        self.figures.append(Figure(name, value, target, ok))
        self.progress(f"{name} = {value:.4g}")

    def progress(self, message: str) -> None:
        print(
            f"[{time.perf_counter() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True
        )

    def print(self) -> None:
        rows = [("measure", "value", "target", "ok")]
        for f in self.figures:
            verdict = "-" if f.ok is None else ("ok" if f.ok else "MISS")
            rows.append((f.name, f.shown(), f.target, verdict))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for n, row in enumerate(rows):
            print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
            if n == 0:
                print("  ".join("-" * w for w in widths))
        print()
        for f in self.figures:
            print(f"{f.name}: {round(f.value, 3)}")
