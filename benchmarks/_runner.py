"""What every benchmark here shares: time a whole command several times, report the peak."""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def anchorspend() -> str:
    """The console script of the environment running the benchmark."""
    return str(Path(sys.executable).with_name("anchorspend"))


GNU_TIME = "/usr/bin/time"
# Where GNU time is missing (macOS, BusyBox): a small process that does what it does
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)))
sys.exit(os.waitstatus_to_exitcode(status))
"""


@functools.cache
def gnu_time() -> bool:
    try:
        probe = [GNU_TIME, "-f", "%M", "-o", os.devnull, "true"]
        return subprocess.run(probe, capture_output=True).returncode == 0
    except OSError:
        return False


def measure(command: list[str]) -> tuple[float, float, int, str]:
    """Run ``command`` as a process: (wall s, its peak RSS in MB, exit code, stderr tail).

    The peak is the process's own maximum resident set, as ``/usr/bin/time -f %M`` reports it.
    Not ``getrusage(RUSAGE_CHILDREN)`` (the maximum over every child so far), nor ``wait4`` on
    a child of this process: Linux starts a child's peak at its parent's size when it forks,
    and this process is not small. GNU time (or LAUNCHER) is small and forks the command.
    """
    with tempfile.TemporaryDirectory() as tmp:
        rss, err = Path(tmp) / "rss", Path(tmp) / "stderr"
        if gnu_time():
            wrapped = [GNU_TIME, "-f", "%M", "-o", str(rss), *command]
        else:
            wrapped = [sys.executable, "-c", LAUNCHER, str(rss), *command]
        with err.open("wb") as fh:
            t = time.perf_counter()
            code = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=fh).returncode
            wall = time.perf_counter() - t
        tail = err.read_bytes()[-2000:].decode("utf-8", "replace")
        lines = rss.read_text().split() if rss.exists() else []
        # GNU time writes "Command exited with non-zero status N" before the figure
        kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return wall, kib / 1024, code, tail


def time_runs(command: list[str], runs: int) -> tuple[float, list[float], float]:
    """Run ``command`` ``runs`` times as a process: (median s, each run s, peak RSS MB of the
    largest run, measured per process)."""
    times, peaks = [], []
    for _ in range(runs):
        wall, peak, code, tail = measure(command)
        if code != 0:
            raise SystemExit(f"{command[0]} failed (exit {code}):\n{tail}")
        times.append(wall)
        peaks.append(peak)
    return statistics.median(times), times, max(peaks)


def report(median: float, times: list[float], peak: float) -> None:
    print(f"  median {median:.2f} s  (runs: " + ", ".join(f"{t:.2f}" for t in times) + ")")
    print(f"  peak memory {peak:,.0f} MB (max RSS of any run)")


def arguments(doc: str, rows: int) -> argparse.Namespace:
    """``--rows``, ``--runs`` and ``--keep`` (the cache folder), as every benchmark takes them."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--rows", type=int, default=rows)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "anchorspend-bench")
    args = ap.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    return args


def spend_data(rows: int, keep: Path, version: int) -> tuple[Path, Path]:
    """The spend export and lookup of ``generate.py`` at ``rows``, generated once into ``keep``
    (in its own process: the benchmark's stays small while others are measured)."""
    folder = keep / f"analyse-v{version}"
    spend, lookup = folder / f"spend-{rows}.csv", folder / f"lookup-{rows}.csv"
    if not (spend.exists() and lookup.exists()):
        t = time.perf_counter()
        make = [sys.executable, str(Path(__file__).with_name("generate.py")), "--rows", str(rows)]
        subprocess.run([*make, "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
        print(
            f"generated {spend} ({spend.stat().st_size / 1e6:,.0f} MB) and {lookup} in "
            f"{time.perf_counter() - t:.1f} s"
        )
    return spend, lookup
