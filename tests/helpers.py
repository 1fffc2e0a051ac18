"""Helpers and paths the tests share: import them from here (``conftest.py`` keeps only pytest
fixtures and the Hypothesis profiles)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
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
    from anchorspend.gather.inputs import ingest
    from anchorspend.pipeline import analyse_ingested

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


class Tags(HTMLParser):
    """Every element and attribute, and the page's text, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._in_style = False
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    p.close()
    return p
