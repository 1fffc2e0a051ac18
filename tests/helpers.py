"""Helpers and paths the tests share: import them from here (``conftest.py`` keeps only pytest
fixtures and the Hypothesis profiles)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from anchorspend.cli import app

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent / "shared" / "data" / "public"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def invoke(*args: str) -> Any:
    """Run the CLI in-process; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def analyse_json(*args: str) -> dict[str, Any]:
    result = invoke("analyse", *args, "--json")
    assert result.exit_code == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def run_keeping_rows(config: Any) -> Any:
    """``pipeline.run``, but the Result keeps every row read in ``rows`` (a Result keeps only
    the rows not analysed: the analysed ones live on in its facts)."""
    from anchorspend.pipeline import analyse_ingested, ingest

    data = ingest(config)
    rows = data.rows
    result = analyse_ingested(data, config)
    result.rows = rows
    return result


def assert_sheets_frozen_and_filtered(wb: Any) -> None:
    """Every sheet of a report workbook: header row frozen, bold, and filtering the table."""
    from openpyxl.utils import get_column_letter

    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        last = get_column_letter(ws.max_column)
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", ws.title
        assert all(c.font.b for c in ws[1]), ws.title
