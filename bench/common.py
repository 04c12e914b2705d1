"""Shared benchmark plumbing: timing, the RESULT line, the JSON file."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def best_of(function: Callable[[], object], repeat: int = 7) -> float:
    """Median wall time of `repeat` runs, in seconds (the median resists the shared machine's noise)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, figures: dict[str, float | int | str]) -> None:
    """One line `RESULT name key=value ...` (ratios first, as given) and bench/results/NAME.json."""
    text = " ".join(
        f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}" for key, value in figures.items()
    )
    print(f"RESULT {name} {text}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=1) + "\n")
