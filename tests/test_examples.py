"""The bundled example data is reproducible from examples/generate.py, and the totals the
generator prints agree with an independent parse of the committed files."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "spend"
CSV_NAME = "northborough-council-2026-27.csv"
XLSX_NAME = "riverside-nhs-trust-2026-27.xlsx"
SUMMARY = re.compile(r"^(?P<file>\S+): (?P<rows>\d+) rows, total (?P<total>-?\d+\.\d{2})\b")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[int, str]]]:
    """Run the generator once into a fresh folder: (folder, {file: (rows, total text)})."""
    out = tmp_path_factory.mktemp("examples")
    done = subprocess.run(
        [sys.executable, str(EXAMPLES.parent / "generate.py"), str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    summary = {}
    for line in done.stdout.splitlines():
        m = SUMMARY.match(line)
        assert m, f"unexpected generator output: {line!r}"
        summary[m["file"]] = (int(m["rows"]), m["total"])
    assert set(summary) == {CSV_NAME, XLSX_NAME}
    return out, summary


def parse_amount(text: str) -> Decimal:
    """Council amount text: ``£``, thousands commas, ``(…)`` and ``CR`` credits, ``-``."""
    s = text.strip().replace("£", "").replace(",", "")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        s, negative = s[1:-1], True
    elif s.upper().endswith("CR"):
        s, negative = s[:-2].strip(), True
    value = Decimal(s)
    return -value if negative else value


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def spend_values(path: Path) -> list[tuple[object, ...]]:
    wb = load_workbook(path, read_only=True)
    try:
        return list(wb["Spend"].iter_rows(values_only=True))
    finally:
        wb.close()


def xlsx_data_rows(path: Path) -> tuple[list[tuple[object, ...]], tuple[object, ...]]:
    """(data rows below the header, footer row) from the Spend sheet."""
    values = spend_values(path)
    start = next(i for i, row in enumerate(values) if row and row[0] == "Departmental Family")
    body = [row for row in values[start + 1 :] if any(v is not None for v in row)]
    footer = [row for row in body if row[0] == "Total"]
    assert len(footer) == 1 and footer[0] is body[-1], "one Total footer row, at the end"
    return body[:-1], footer[0]


def test_csv_is_byte_identical(generated: tuple[Path, dict[str, tuple[int, str]]]) -> None:
    out, _ = generated
    assert (out / CSV_NAME).read_bytes() == (EXAMPLES / CSV_NAME).read_bytes()


def test_xlsx_has_same_cell_values(generated: tuple[Path, dict[str, tuple[int, str]]]) -> None:
    out, _ = generated
    committed = load_workbook(EXAMPLES / XLSX_NAME, read_only=True)
    try:
        assert committed.sheetnames == ["Notes", "Spend"]
    finally:
        committed.close()
    assert spend_values(out / XLSX_NAME) == spend_values(EXAMPLES / XLSX_NAME)


def test_printed_csv_total_matches_independent_sum(
    generated: tuple[Path, dict[str, tuple[int, str]]],
) -> None:
    _, summary = generated
    rows = csv_rows(EXAMPLES / CSV_NAME)
    amounts = [parse_amount(r["Net Amount"]) for r in rows]
    assert summary[CSV_NAME] == (len(rows), str(sum(amounts, Decimal("0.00"))))
    assert len(rows) == 60
    assert sum(a < 0 for a in amounts) == 3
    assert [r["Supplier Name"] for r in rows].count("REDACTED PERSONAL DATA") == 1


def test_printed_xlsx_total_matches_independent_sum(
    generated: tuple[Path, dict[str, tuple[int, str]]],
) -> None:
    _, summary = generated
    rows, footer = xlsx_data_rows(EXAMPLES / XLSX_NAME)
    amounts = [Decimal(str(row[7])) for row in rows]
    total = sum(amounts, Decimal("0.00"))
    assert summary[XLSX_NAME] == (len(rows), str(total))
    assert footer[2] is None and Decimal(str(footer[7])) == total  # excluded, not added
    assert len(rows) == 31
    assert sum(a < 0 for a in amounts) == 2
    assert [row[5] for row in rows].count("Redacted") == 1
