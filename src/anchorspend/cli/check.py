"""``anchorspend check``: validate files against the bundled schemas and print the findings,
as text, as GitHub annotations, or as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from anchorspend import console
from anchorspend.cli.guard import guard
from anchorspend.cli.params import CheckFormat, DebugOpt, EncodingOpt, MapOpt, SheetOpt

if TYPE_CHECKING:
    from anchorspend.check import CheckReport


def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="Spend exports or supplier lookup files, or folders of them."),
    ],
    schema: Annotated[
        str | None,
        typer.Option(
            help="Schema name (spend, payments, suppliers) or a Table Schema .json file. Default: "
            "detected (a spend file with invoice received, due or invoice dates is payments)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Every finding as JSON on stdout.")
    ] = False,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", help="text, or github for ::error annotations.")
    ] = CheckFormat.text,
    map_: MapOpt = None,
    encoding: EncodingOpt = None,
    sheet: SheetOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Validate files against the bundled schemas. Exit 0 clean, 1 errors found, 3 unreadable."""

    def body() -> int:
        from anchorspend.check import check as run_check
        from anchorspend.check import document
        from anchorspend.ingest.sources import ReadOptions

        report = run_check(
            list(files),
            schema=schema,
            column_map=list(map_ or ()),
            options=ReadOptions(encoding=encoding, sheet=sheet),
        )
        if as_json:
            sys.stdout.write(json.dumps(document(report), indent=2, ensure_ascii=False) + "\n")
        elif fmt is CheckFormat.github:
            _print_github(document(report)["findings"])
        else:
            _print_text(report)
        return 1 if report.errors else 0

    guard(debug, body)


def _gh(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _print_github(findings: list[dict[str, Any]]) -> None:
    """Warnings and errors as GitHub ``::error``/``::warning`` annotations, on stdout."""
    for rec in findings:
        if rec["severity"] == "info":
            continue
        level = "error" if rec["severity"] == "error" else "warning"
        loc = f"file={_gh(rec['path'].split('!')[0])}"
        if rec["row"] is not None and not rec["sheet"]:
            loc += f",line={rec['row']}"
        col = f" in {rec['column']}" if rec["column"] else ""
        val = f" (value: {rec['value']!r})" if rec["value"] is not None else ""
        console.line(f"::{level} {loc}::{_gh(rec['code'] + col + ': ' + rec['message'] + val)}")


def _print_text(report: CheckReport) -> None:
    """Each file as read, each kind of finding once with its count, then the verdict."""
    from anchorspend.check import grouped

    for f in report.files:
        read = ", ".join(
            f"{field} ← {m['header']!r} ({m['column']}, {m['basis']})"
            for field, m in f.mapping.items()
        )
        console.line(f"{f.path}: {f.schema}, {f.rows:,} rows; columns: {read}")
    for rec in grouped(report):
        col = f" in {rec['column']}" if rec["column"] else ""
        rows = ", ".join(str(r) for r in rec["rows"])
        eg = f", e.g. rows {rows}" if rows else ""
        console.line(
            f"{rec['path']}: {rec['severity']}: {rec['code']}{col}: {rec['count']} "
            f"{'row' if rec['count'] == 1 else 'rows'}{eg} — {rec['message']}"
        )
    errors = report.errors
    console.line(
        f"{len(report.files)} file(s) checked: {errors} error(s)" + ("" if errors else ", valid")
    )
