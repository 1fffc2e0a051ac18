"""``make fuzz``: run each fuzz target under atheris (libFuzzer) for a share of a time budget.

    python -m tests.fuzz.run [--seconds 120] [csv xlsx amount date]

Each target runs in its own child process (libFuzzer ends the process when its time is up).
The invariant is that of :mod:`tests.fuzz.targets`: a clean result or an AnchorspendError.
Any other exception — or a hang, or a hard crash that libFuzzer catches — is saved as
``tests/fuzz_regressions/<target>-<sha1>.bin``, which ``make test`` replays from then on.
Prints executions and crashes per target; exits 1 if anything crashed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = ROOT / "tests" / "fuzz_regressions"
SEEDS: dict[str, list[bytes]] = {
    "amount": [
        "1,234.56\n£1,234.56\n(12.00)\n12.00-\n12.00 CR\n-12\n12.5\nGBP 3\n.5\n\u22127".encode(),
    ],
    "date": [b"01/04/2026\n2026-04-01\n01-Apr-2026\n1 April 2026\n45383\nApr 2026 - Jun 2026"],
    "xlsx": [
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>'
        b'Payment Date</t></is></c><c r="C1" t="inlineStr"><is><t>Amount</t></is></c></row>'
        b'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>46113</v></c><c r="C2"><v>12.5'
        b'</v></c></row></sheetData><mergeCells><mergeCell ref="A1:A2"/></mergeCells>'
        b'</worksheet>\x00<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>Supplier Name</t></si><si><t>Acme Ltd</t></si></sst>",
    ],
}
SEED_GLOBS = {"csv": ["tests/fixtures/*.csv", "tests/hostile/files/*.csv"]}


def _seed(target: str, corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(SEEDS.get(target, [])):
        (corpus / f"seed{i}").write_bytes(data)
    for pattern in SEED_GLOBS.get(target, []):
        for p in sorted(ROOT.glob(pattern)):
            if p.stat().st_size < 20_000:
                shutil.copy(p, corpus / p.name)
    for p in sorted(REGRESSIONS.glob(f"{target}-*.bin")):
        shutil.copy(p, corpus / p.name)


def save_crash(target: str, data: bytes) -> Path:
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    path = REGRESSIONS / f"{target}-{hashlib.sha1(data).hexdigest()[:16]}.bin"
    path.write_bytes(data)
    return path


def child(target: str, seconds: int, stats_path: Path, work: Path) -> None:
    import atheris

    with atheris.instrument_imports(include=["anchorspend", "tests.fuzz"]):
        from anchorspend.errors import AnchorspendError
        from tests.fuzz.targets import TARGETS

    fn = TARGETS[target]
    stats = {"target": target, "executions": 0, "crashes": 0, "saved": []}
    last = time.monotonic()

    def write_stats() -> None:
        stats_path.write_text(json.dumps(stats))

    def one(data: bytes) -> None:
        nonlocal last
        stats["executions"] += 1
        try:
            fn(data)
        except AnchorspendError:
            pass
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # Polars panics are BaseException
            stats["crashes"] += 1
            path = save_crash(target, data)
            if str(path) not in stats["saved"]:
                stats["saved"].append(str(path))
                print(f"\nCRASH in {target}: {type(exc).__name__}: {exc}", file=sys.stderr)
                traceback.print_exc()
            write_stats()
        if time.monotonic() - last > 1:
            last = time.monotonic()
            write_stats()

    corpus = work / "corpus"
    _seed(target, corpus)
    argv = [
        sys.argv[0],
        f"-max_total_time={seconds}",
        "-timeout=30",
        "-rss_limit_mb=3000",
        "-max_len=65536",
        f"-artifact_prefix={work}/",
        "-print_final_stats=0",
        str(corpus),
    ]
    write_stats()
    atheris.Setup(argv, one)
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=["csv", "xlsx", "amount", "date"])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", 120)))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--stats", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seconds, args.stats, args.work)
        return 0
    share = max(1, args.seconds // len(args.targets))
    print(f"fuzzing {', '.join(args.targets)} for {share} s each (FUZZ_SECONDS={args.seconds})")
    rows, failed = [], False
    for target in args.targets:
        with tempfile.TemporaryDirectory(prefix="anchorspend-fuzz-") as tmp:
            work, stats_path = Path(tmp), Path(tmp) / "stats.json"
            start = time.monotonic()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tests.fuzz.run",
                    "--child",
                    target,
                    "--seconds",
                    str(share),
                    "--stats",
                    str(stats_path),
                    "--work",
                    str(work),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            elapsed = time.monotonic() - start
            stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
            # libFuzzer's own artifacts: a hang, an out-of-memory, a hard crash
            for art in sorted(work.glob("*-*")):
                if art.name.split("-")[0] in ("crash", "timeout", "oom", "leak"):
                    saved = save_crash(target, art.read_bytes())
                    stats.setdefault("saved", []).append(f"{saved} ({art.name.split('-')[0]})")
                    stats["crashes"] = stats.get("crashes", 0) + 1
            crashes = int(stats.get("crashes", 0))
            if crashes or proc.returncode not in (0,):
                failed = True
                sys.stderr.write(proc.stderr[-4000:])
            execs = int(stats.get("executions", 0))
            rows.append((target, elapsed, execs, crashes, proc.returncode, stats.get("saved", [])))
    print(f"{'target':<8} {'seconds':>8} {'executions':>11} {'exec/s':>8} {'crashes':>8}")
    for target, elapsed, execs, crashes, code, saved in rows:
        print(f"{target:<8} {elapsed:8.1f} {execs:11,} {execs / elapsed:8.1f} {crashes:8}")
        for s in saved:
            print(f"  saved {s}")
        if code:
            print(f"  (libFuzzer exited {code})")
    print(
        "crashes are kept in tests/fuzz_regressions/ and replayed by make test"
        if failed
        else "no crashes"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
