"""Files written by ``--out DIR``: all or nothing, byte-identical for the same inputs.

Each file is written beside its final name under a temporary name and moved into place only
when every file is ready, so an interrupted run leaves the previous outputs as they were.
Text cells that a spreadsheet would run as a formula (``= + - @``, tab, CR first) are prefixed
with an apostrophe in CSV files meant for people.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.compare import CompareResult
from anchorspend.pipeline import Result
from anchorspend.report import render_html, write_xlsx

FORMULA_START = r"^[=+\-@\t\r\x00]"
# Text columns that hold money we formatted ourselves ("-150.00"): numbers, never formulas.
MONEY_COLUMNS = frozenset({"total_spend", "spend", "known_spend", "network_spend", "member_spend"})


def neutralise(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Defuse formula-looking text (CWE-1236) in the named text columns."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in columns
    )


def for_people(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column neutralised but our own money: a new column is safe by default."""
    text = [c for c, t in frame.schema.items() if t == pl.String and c not in MONEY_COLUMNS]
    return neutralise(frame, text)


def write_atomically(out: Path, files: dict[str, Callable[[Path], object]]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, writer in files.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            staged.append((Path(tmp_name), out / name))
            writer(Path(tmp_name))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [final for _, final in staged]


def document_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def rejected_rows(result: Result) -> pl.DataFrame:
    cols = [
        "_source",
        "_sheet",
        "_row",
        "_reason",
        "organisation",
        "supplier_name",
        "_amount_text",
        "_date_text",
        "transaction_id",
    ]
    frame = result.rejected.select(
        *(pl.col(c) if c in result.rows.columns else pl.lit(None, pl.String).alias(c) for c in cols)
    ).rename(
        {
            "_source": "file",
            "_sheet": "sheet",
            "_row": "row",
            "_reason": "reason",
            "_amount_text": "amount",
            "_date_text": "payment_date",
        }
    )
    return for_people(frame)


def conflicts_csv(result: Result) -> pl.DataFrame:
    """One row per supplier, flag and source: who says what."""
    frame = result.conflicts
    if not frame.height:
        return pl.DataFrame(
            schema={
                "supplier": pl.String,
                "field": pl.String,
                "source": pl.String,
                "value": pl.Boolean,
                "spend": pl.String,
            }
        )
    flat = (
        frame.explode("values")
        .unnest("values")
        .select("supplier", "field", "source", "value", "spend")
    )
    return for_people(flat)


def write_outputs(
    result: Result, out: Path, markdown: str, templates: Path | None = None
) -> list[Path]:
    files = _data_files(result)
    files.update({
        "metrics.json": lambda p: p.write_text(document_json(result.document), encoding="utf-8"),
        "report.md": lambda p: p.write_text(markdown, encoding="utf-8"),
        "report.html": lambda p: p.write_text(
            render_html(result.document, templates=templates), encoding="utf-8"
        ),
        "report.xlsx": lambda p: write_xlsx(result.document, p),
    })  # fmt: skip
    return write_atomically(out, files)


def _data_files(result: Result) -> dict[str, Callable[[Path], object]]:
    return {
        "metrics.csv": lambda p: for_people(result.metrics).write_csv(p),
        "rejected_rows.csv": lambda p: rejected_rows(result).write_csv(p),
        "findings.csv": lambda p: for_people(result.findings).write_csv(p),
        "unmatched_suppliers.csv": lambda p: for_people(result.unmatched).write_csv(p),
        "conflicts.csv": lambda p: conflicts_csv(result).write_csv(p),
    }


def shared_suppliers_csv(document: dict[str, Any]) -> pl.DataFrame:
    """One row per shared supplier and member."""
    rows = [
        {
            "supplier": s["supplier"],
            "members": s["members"],
            "network_spend": s["spend"],
            "member": b["member"],
            "member_spend": b["spend"],
        }
        for s in document["network"]["shared_suppliers"]
        for b in s["by_member"]
    ]
    schema = {"supplier": pl.String, "members": pl.Int64, "network_spend": pl.String,
              "member": pl.String, "member_spend": pl.String}  # fmt: skip
    return for_people(pl.DataFrame(rows, schema=schema))


def write_compare_outputs(
    compared: CompareResult, out: Path, templates: Path | None = None
) -> list[Path]:
    from anchorspend.report import render_compare_html, render_compare_md, write_compare_xlsx

    doc = compared.document
    files = _data_files(compared.result)
    files.update({
        "metrics.json": lambda p: p.write_text(document_json(doc), encoding="utf-8"),
        "shared_suppliers.csv": lambda p: shared_suppliers_csv(doc).write_csv(p),
        "report.md": lambda p: p.write_text(render_compare_md(doc), encoding="utf-8"),
        "report.html": lambda p: p.write_text(
            render_compare_html(doc, templates=templates), encoding="utf-8"
        ),
        "report.xlsx": lambda p: write_compare_xlsx(doc, p),
    })  # fmt: skip
    return write_atomically(out, files)
