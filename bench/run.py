"""Every benchmark in bench/, one after another, then one table of their figures.

    .venv/bin/python bench/run.py          (what `make bench` runs)

Each benchmark prints its own report as it goes and, for this table, one line per figure:
`bench-figure {"benchmark": ..., "figure": ..., "value": ..., "unit": ..., "baseline": ...}`.
The baseline is what the figure is set beside (a bare library doing the same work, or a budget);
the ratio is figure / baseline. The live benchmark runs at a moderate size here so the whole run
takes a few minutes; run bench/live.py by itself for its full size.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PREFIX = "bench-figure "

# Scripts and their arguments; sse_baseline.py and rating_floor.py are the apps bench/live.py and
# bench/rating.py compare against.
RUNS: list[tuple[str, list[str]]] = [
    ("export.py", []),
    ("study.py", []),
    ("phone_weight.py", []),
    ("rating.py", []),
    ("live.py", ["--listeners", "300", "--rate", "200", "--seconds", "10"]),
]


def figure_line(benchmark: str, figure: str, value: float, unit: str, baseline: float | None) -> str:
    """The line a benchmark prints for each figure of the final table."""
    record = {"benchmark": benchmark, "figure": figure, "value": value, "unit": unit, "baseline": baseline}
    return PREFIX + json.dumps(record)


def number(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if unit == "bytes" or (isinstance(value, int) and not isinstance(value, bool)):
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def table(figures: list[dict[str, object]], failed: list[str]) -> str:
    header = ("benchmark", "figure", "value", "unit", "baseline", "ratio")
    rows = [header]
    for record in figures:
        value, baseline, unit = record["value"], record["baseline"], str(record["unit"])
        ratio = (
            value / baseline  # type: ignore[operator]
            if isinstance(value, int | float) and isinstance(baseline, int | float) and baseline
            else None
        )
        rows.append(
            (
                str(record["benchmark"]),
                str(record["figure"]),
                number(value, unit),  # type: ignore[arg-type]
                unit,
                number(baseline, unit),  # type: ignore[arg-type]
                "-" if ratio is None or math.isnan(ratio) else f"{ratio:.2f}",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if column < 2 or column == 3 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines += [f"{name}: FAILED, no figures" for name in failed]
    return "\n".join(lines)


def main() -> int:
    figures: list[dict[str, object]] = []
    failed: list[str] = []
    started = time.monotonic()
    for script, args in RUNS:
        print(f"== bench/{script} {' '.join(args)}".rstrip(), flush=True)
        process = subprocess.Popen(
            [sys.executable, str(HERE / script), *args], stdout=subprocess.PIPE, text=True, bufsize=1
        )
        assert process.stdout is not None
        found = 0
        for line in process.stdout:
            if line.startswith(PREFIX):
                figures.append(json.loads(line[len(PREFIX) :]))
                found += 1
            else:
                print(line, end="", flush=True)
        if process.wait() != 0 or not found:
            failed.append(script)
        print(flush=True)
    print(f"== all benchmarks, {time.monotonic() - started:.0f} s; ratio = value / baseline")
    print(table(figures, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
