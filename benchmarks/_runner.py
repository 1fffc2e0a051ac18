"""What every benchmark here shares: time a whole command several times, report the peak."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def anchorspend() -> str:
    """The console script of the environment running the benchmark."""
    return str(Path(sys.executable).with_name("anchorspend"))


def time_runs(command: list[str], runs: int) -> tuple[float, list[float], float]:
    """Run ``command`` ``runs`` times as a process: (median s, each run s, peak RSS MB)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return statistics.median(times), times, peak


def report(median: float, times: list[float], peak: float) -> None:
    print(f"  median {median:.2f} s  (runs: " + ", ".join(f"{t:.2f}" for t in times) + ")")
    print(f"  peak memory {peak:,.0f} MB (max RSS of any run)")
