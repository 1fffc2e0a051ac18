"""The hostile corpus: every attack ends in exit 3 (or, for a directory loop, a clean result)
through both `analyse` and `check`, quickly, naming the file and the fix, without a traceback.
The large attacks run in a child process whose peak memory is read with ``os.wait4``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from anchorspend import check
from anchorspend.gather import inputs as gather_inputs
from anchorspend.ingest import sources
from tests.helpers import invoke
from tests.hostile import build

FILES = Path(__file__).with_name("files")
COMMANDS = ("analyse", "check")
SECONDS = 5.0  # in-process bound per run; the slowest small case takes well under a second
CHILD_SECONDS = 20.0  # child bound: interpreter start-up, Polars import and the attack
CHILD_MB = 300  # peak RSS bound per child; measured peaks are 82-148 MB (see README.md)

# file name -> fragments the message must hold (besides the name, "fix:" and no traceback)
EXPECTED: dict[str, tuple[str, ...]] = {
    "empty.csv": ("the file is empty",),
    "blank_lines.csv": ("the file is empty",),
    "header_only.csv": ("has a header (row 1) but no data rows",),
    "nul_bytes.csv": ("line 3 holds NUL bytes", "--encoding utf-16"),
    "binary_junk.csv": ("line 1: byte 0x81 is neither UTF-8 nor Windows-1252", "--encoding"),
    "text_junk.csv": ("no recognisable header row", "--map"),
    "unterminated_quote.csv": (
        "line 3, column 1: a quoted cell ('\"Open Quote Ltd,01/04/2026,5'…) is never closed",
    ),
    "billion_laughs.xlsx": ("part 'xl/worksheets/sheet1.xml' declares an XML DTD",),
    "billion_laughs_strings.xlsx": ("part 'xl/sharedStrings.xml' declares an XML DTD",),
    "external_entity.xlsx": ("part 'xl/workbook.xml' declares an XML DTD",),
    "huge_range.xlsx": ("sheet 'Spend': its cells span up to 1048576 rows x 16384 columns",),
    "missing_shared_strings.xlsx": (
        "sheet 'Spend'",
        "Cell string index not found in shared strings table",
        "the workbook is damaged: open and save it again in a spreadsheet, or export CSV",
    ),
    "truncated.xlsx": ("not a readable XLSX workbook: not a zip archive",),
    "csv_named.xlsx": ("not a readable XLSX workbook: not a zip archive", "rename it to .csv"),
    "truncated.xls": (
        "not a readable XLS workbook: a stream declares 4,096 bytes but the whole file has 3,754",
        "cut short",
        "download or export it again",
    ),
    "csv_named.xls": ("it is text (CSV?) named .xls, not a workbook", "fix: rename it to .csv"),
    "web_page.xls": ("it is a web page (HTML) saved as .xls", "export the data again as CSV"),
    "huge_dimensions.xls": ("sheet 'Spend': it declares 4,294,967,295 rows x 16,384 columns",),
    "huge_range.xls": ("sheet 'Spend': its cells span up to 65536 rows x 65536 columns",),
    "sector_loop.xls": ("a sector chain points past the end of the file, or loops",),
    "billion_laughs.ods": ("part 'content.xml' declares an XML DTD",),
    "repeated_cells.ods": ("sheet 'Spend': its cells span up to 1048576 rows x 16384 columns",),
    "truncated.zip": ("not a readable zip archive", "cut short"),
    "corrupt_member.zip": ("cannot extract 'spend.csv': Bad CRC-32",),
    "nested.zip": ("holds another archive, 'level2.zip'",),
    "declared_huge.zip": ("the archive would expand to 6,442,450,944 bytes",),
    "zip_bomb.zip": ("refusing to open 'spend.csv': it expands", "times (zip bomb?)"),
    "zip_bomb.xlsx": ("the workbook would expand to", "(zip bomb?)", "sheet1.xml"),
    "long_line.csv": ("line 1 is longer than 16 MB",),
    "unclosed_quote_large.csv": (
        "line 3, column 1: a quoted cell ('\"Open Quote Ltd,01/04/2026,5'…) is never closed",
    ),
    "wide.csv": ("row 1 has more than 4,096 cells",),
    "many_members.zip": ("the archive holds 20,000 files; anchorspend reads at most 1,000",),
}


def assert_refused(code: int, stderr: str, path: Path, elapsed: float, bound: float) -> None:
    assert code == 3, stderr
    assert f"{path.name}: " in stderr
    for fragment in EXPECTED[path.name]:
        assert fragment in stderr
    assert "fix: " in stderr
    assert "Traceback" not in stderr and "unexpectedly" not in stderr
    assert elapsed < bound, f"{path.name} took {elapsed:.1f}s"


def filename(builder: build.Builder) -> str:
    stem, _, suffix = builder.__name__.rpartition("_")
    return f"{stem}.{suffix}"


def test_every_file_in_the_corpus_is_tested_and_documented() -> None:
    small = {filename(b) for b in build.SMALL}
    assert small == {p.name for p in FILES.iterdir()}
    assert set(EXPECTED) == small | {filename(b) for b in build.LARGE}
    readme = Path(__file__).with_name("README.md").read_text(encoding="utf-8")
    for name in [*EXPECTED, "directory loop", "pipe or device", "vanishing file"]:
        assert f"`{name}`" in readme, name
    for p in FILES.iterdir():
        assert p.stat().st_size < 20_000, p.name


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("builder", build.SMALL, ids=lambda b: b.__name__)
def test_small_hostile_file(tmp_path: Path, builder: build.Builder, command: str) -> None:
    committed = FILES / builder(tmp_path).name
    assert committed.read_bytes() == (tmp_path / committed.name).read_bytes()
    start = time.monotonic()
    r = invoke(command, str(committed))
    assert_refused(r.exit_code, r.stderr, committed, time.monotonic() - start, SECONDS)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    folder = tmp_path_factory.mktemp("large")
    built = {b.__name__: b(folder) for b in build.LARGE}
    yield built
    for p in built.values():
        p.unlink()


def run_child(*args: str) -> tuple[int, str, float, int]:
    """Run the CLI in a child process: exit code, stderr, seconds, peak RSS in MB."""
    start = time.monotonic()
    with subprocess.Popen(
        [sys.executable, "-m", "anchorspend", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200"},
    ) as child:
        assert child.stderr is not None
        stderr = child.stderr.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    return child.returncode, stderr, time.monotonic() - start, usage.ru_maxrss // 1024


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "name",
    [b.__name__ for b in build.LARGE]
    + ["billion_laughs_xlsx", "huge_range_xlsx"]
    + ["huge_dimensions_xls", "huge_range_xls", "repeated_cells_ods"],
)
def test_large_hostile_file_in_bounded_time_and_memory(
    large: dict[str, Path], name: str, command: str
) -> None:
    path = large.get(name) or FILES / getattr(build, name)(FILES).name
    code, stderr, seconds, peak_mb = run_child(command, str(path))
    assert_refused(code, stderr, path, seconds, CHILD_SECONDS)
    assert peak_mb < CHILD_MB, f"{path.name}: peak RSS {peak_mb} MB"


def test_directory_loop_is_read_once(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    (folder / "q1").mkdir(parents=True)
    (folder / "q1" / "spend.csv").write_bytes((build.HEADER + build.ROW).encode())
    (folder / "q1" / "up").symlink_to("..")  # exports/q1/up/q1/up/... for ever
    (folder / "q1" / "self").symlink_to(".")
    start = time.monotonic()
    r = invoke("analyse", str(folder), "--json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [i["path"] for i in doc["inputs"]] == [str(folder / "q1" / "spend.csv")]
    assert (doc["reconciliation"]["rows_read"], doc["reconciliation"]["amount_read"]) == (
        1,
        "12.50",
    )
    r = invoke("check", str(folder))
    assert r.exit_code == 0, r.stderr
    assert time.monotonic() - start < SECONDS


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_pipe_or_device_named_csv_is_refused_not_read(
    tmp_path: Path, kind: str, command: str
) -> None:
    path = tmp_path / f"{kind}.csv"
    if kind == "fifo":
        os.mkfifo(path)  # opening it to read would block for ever
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    for arg in (path, tmp_path):  # named, and found in a folder
        r = invoke(command, str(arg))
        assert r.exit_code == 3, r.stderr
        assert f"{path}: not a regular file" in r.stderr
        assert "fix: " in r.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_file_that_vanishes_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    path = tmp_path / "spend.csv"
    path.write_bytes((build.HEADER + build.ROW).encode())
    real_expand = sources.expand

    def expand_then_delete(inputs: list[Path]) -> list[Path]:
        found = real_expand(inputs)
        for p in found:
            p.unlink()  # gone between being listed and being read
        return found

    monkeypatch.setattr(gather_inputs, "expand", expand_then_delete)
    monkeypatch.setattr(check, "expand", expand_then_delete)
    r = invoke(command, str(tmp_path))
    assert r.exit_code == 3, r.stderr
    assert f"{path}: cannot read the file: No such file or directory" in r.stderr
    assert "fix: " in r.stderr and "unexpectedly" not in r.stderr
