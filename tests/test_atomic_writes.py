"""``--out DIR`` is replaced whole or not at all, leaves no temporary files, and repeats exactly.

The kill tests run the real CLI in a child process whose XLSX writer (the last file written)
writes half a workbook, says where, and blocks: the parent then signals it while the other files
sit fully written in the staging folder, which is as "halfway" as a write gets.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from anchorspend import outputs
from anchorspend.errors import Terminated
from tests.helpers import FIXTURES, ROOT, invoke

HOSTILE = FIXTURES / "hostile_names.csv"
HOSTILE_LOOKUP = FIXTURES / "hostile_names_lookup.csv"
EXAMPLES = ROOT / "examples" / "spend"

CHILD = """
import sys, time
from pathlib import Path
import anchorspend.outputs, anchorspend.report

def stuck(document, path):
    Path(path).write_bytes(b"PK\\x03\\x04 half a workbook")
    print(path, flush=True)
    time.sleep(600)

anchorspend.outputs.write_xlsx = stuck
anchorspend.outputs.write_compare_xlsx = stuck
from anchorspend.cli import app
app(sys.argv[1:], prog_name="anchorspend")
"""


def args(command: str, inputs: Path, out: Path) -> list[str]:
    lookup = HOSTILE_LOOKUP if inputs == HOSTILE else EXAMPLES.parent / "lookups" / "suppliers.csv"
    return [command, str(inputs), "--lookup", str(lookup), "--out", str(out), "-q"]


def run(command: str, inputs: Path, out: Path) -> None:
    result = invoke(*args(command, inputs, out))
    assert result.exit_code == 0, result.stderr


def snapshot(out: Path) -> dict[str, bytes | None]:
    """Every entry under DIR, hidden ones included: files with their bytes, folders as None."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(out.rglob("*"))
    }


def start_stuck_writer(command: str, out: Path) -> tuple[subprocess.Popen[str], Path]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args(command, HOSTILE, out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], 180)
    if not ready:
        child.kill()
        pytest.fail(f"the writer never reached report.xlsx: {child.communicate()[1]}")
    staged = Path(child.stdout.readline().strip())
    return child, staged


@pytest.mark.parametrize("command", ["analyse", "compare"])
def test_sigkill_mid_write_keeps_previous_outputs_and_the_next_run_sweeps(
    tmp_path: Path, command: str
) -> None:
    out = tmp_path / "out"
    run(command, EXAMPLES, out)
    before = snapshot(out)
    child, staged = start_stuck_writer(command, out)
    try:
        staging = staged.parent
        assert staging.parent == out and staging.name.startswith(outputs.STAGING_PREFIX)
        # halfway: every other file written in full in staging, the workbook half-written
        assert sorted(p.name for p in staging.iterdir()) == sorted(
            n for n in before if not n.startswith(".")
        )
        assert (staging / "metrics.json").read_bytes() != before["metrics.json"]
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == -signal.SIGKILL
    after = snapshot(out)
    left = {n for n in after if n not in before}
    assert left and all(n.startswith(staging.name) for n in left)  # SIGKILL allows no clean-up
    assert {n: after[n] for n in before} == before  # the previous outputs, byte for byte

    run(command, HOSTILE, out)  # the next write removes the dead run's staging folder
    fresh = tmp_path / "fresh"
    run(command, HOSTILE, fresh)
    assert snapshot(out) == snapshot(fresh)
    assert [n for n in snapshot(out) if n.startswith(".")] == [outputs.MANIFEST]


@pytest.mark.parametrize("command", ["analyse", "compare"])
def test_sigterm_mid_write_cleans_up_at_once(tmp_path: Path, command: str) -> None:
    out = tmp_path / "out"
    run(command, EXAMPLES, out)
    before = snapshot(out)
    child, staged = start_stuck_writer(command, out)
    try:
        assert staged.parent.is_dir()
        child.send_signal(signal.SIGTERM)
        _, stderr = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 143
    assert stderr == "error: terminated\n"  # no traceback
    assert snapshot(out) == before  # nothing changed, nothing left behind


@pytest.mark.parametrize("command", ["analyse", "compare"])
def test_same_inputs_same_bytes_for_every_file_even_over_old_outputs(
    tmp_path: Path, command: str
) -> None:
    run(command, HOSTILE, tmp_path / "a")
    first = snapshot(tmp_path / "a")
    names = [n for n in first if first[n] is not None]
    # the outputs and the manifest naming them
    assert len(names) == (12 if command == "compare" else 11) and len(names) == len(first)
    run(command, HOSTILE, tmp_path / "a")  # over its own outputs
    run(command, EXAMPLES, tmp_path / "b")  # over other outputs
    run(command, HOSTILE, tmp_path / "b")
    assert snapshot(tmp_path / "a") == first
    assert snapshot(tmp_path / "b") == first


# ---------------------------------------------------------------- the writer itself


def writers(failing: str | None = None) -> dict[str, Callable[[Path], object]]:
    def write(name: str) -> Callable[[Path], object]:
        def go(path: Path) -> None:
            if name == failing:
                path.write_text("partial", encoding="utf-8")
                raise OSError(28, "No space left on device")
            path.write_text(f"new {name}\n", encoding="utf-8")

        return go

    return {n: write(n) for n in ("a.csv", "b.html", "c.xlsx")}


def test_a_failing_writer_changes_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    outputs.write_atomically(tmp_path, writers())
    (tmp_path / "a.csv").write_text("old a\n", encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(OSError, match="No space left"):
        outputs.write_atomically(tmp_path, writers(failing="c.xlsx"))
    assert snapshot(tmp_path) == before
    written = outputs.write_atomically(tmp_path, writers())
    assert written == [tmp_path / n for n in ("a.csv", "b.html", "c.xlsx")]
    assert snapshot(tmp_path) == {
        outputs.MANIFEST: b"a.csv\nb.html\nc.xlsx\n",
        **{n: f"new {n}\n".encode() for n in ("a.csv", "b.html", "c.xlsx")},
    }


def test_only_staging_folders_of_dead_runs_on_this_machine_are_swept(tmp_path: Path) -> None:
    host, me = outputs._host(), os.getpid()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {
        "dead": f"{outputs.STAGING_PREFIX}{host}-{int(dead.stdout)}-abc",
        "earlier_me": f"{outputs.STAGING_PREFIX}{host}-{me}-old",  # an earlier process, same id
        "alive": f"{outputs.STAGING_PREFIX}{host}-{os.getppid()}-xyz",
        "other_host": f"{outputs.STAGING_PREFIX}0000abcd-{int(dead.stdout)}-abc",
        "not_ours": ".anchorspend-staging-notes",
    }
    for name in names.values():
        (tmp_path / name).mkdir()
        (tmp_path / name / "metrics.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "report.html").write_text("keep\n", encoding="utf-8")
    removed = outputs.sweep_stale(tmp_path)
    assert sorted(removed) == sorted([tmp_path / names["dead"], tmp_path / names["earlier_me"]])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [names["alive"], names["other_host"], names["not_ours"], "report.html"]
    )


@pytest.mark.parametrize(
    ("signum", "raised"), [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)]
)
def test_signals_wait_while_files_are_moved_then_end_the_run(
    signum: int, raised: type[BaseException]
) -> None:
    before = signal.getsignal(signum)
    moved = False
    with pytest.raises(raised), outputs._interruptible() as signals:
        with signals.hold():
            os.kill(os.getpid(), signum)
            for _ in range(1000):  # bytecodes enough for Python to run the handler
                pass
            moved = True  # still running: the signal waits for the moves to finish
        pytest.fail("the signal should end the write once the moves are done")
    assert moved
    assert signal.getsignal(signum) is before
    with pytest.raises(raised), outputs._interruptible():
        os.kill(os.getpid(), signum)  # outside hold: at once
        for _ in range(1000):
            pass
        pytest.fail("the signal should end the write at once")


def test_outputs_of_an_earlier_run_that_this_run_does_not_write_are_removed(
    tmp_path: Path,
) -> None:
    """compare then analyse into one DIR: compare's shared_suppliers.csv would sit beside
    analyse's metrics.json as if they belonged together. The manifest of the last run names what
    anchorspend wrote; what it did not write (the user's notes, a folder) is left alone, and
    a manifest naming paths outside DIR removes nothing."""
    out = tmp_path / "out"
    run("compare", EXAMPLES, out)
    assert (out / "shared_suppliers.csv").is_file()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "archive").mkdir()
    run("analyse", EXAMPLES, out)
    analysed = sorted(p.name for p in out.iterdir())
    assert analysed == [
        outputs.MANIFEST,
        "archive",
        "conflicts.csv",
        "findings.csv",
        "metrics.csv",
        "metrics.json",
        "notes.txt",
        "payees.csv",
        "rejected_rows.csv",
        "report.html",
        "report.md",
        "report.xlsx",
        "unmatched_suppliers.csv",
    ]
    assert (out / outputs.MANIFEST).read_text(encoding="utf-8").splitlines() == [
        n for n in analysed if n not in (outputs.MANIFEST, "archive", "notes.txt")
    ]
    # a tampered manifest cannot reach outside DIR, nor remove a folder or hidden file
    outside = tmp_path / "outside.csv"
    outside.write_text("keep", encoding="utf-8")
    (out / ".hidden").write_text("keep", encoding="utf-8")
    (out / outputs.MANIFEST).write_text(
        f"../outside.csv\n{outside}\narchive\n.hidden\n", encoding="utf-8"
    )
    run("analyse", EXAMPLES, out)
    assert outside.read_text(encoding="utf-8") == "keep"
    assert (out / ".hidden").is_file() and (out / "archive").is_dir()
