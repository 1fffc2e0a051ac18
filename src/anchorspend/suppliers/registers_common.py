"""What every register reader shares: the claims columns, header checks, JSON loading and the
identifier expressions. The rules themselves are documented in :mod:`.registers`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.errors import AnchorspendError
from anchorspend.normalise import company_number, is_missing

CLAIM_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "supplier_name": pl.String(),
    "company_number": pl.String(),
    "charity_number": pl.String(),
    "postcode": pl.String(),
    "status": pl.String(),
    "dissolved": pl.Boolean(),
    "is_sme": pl.Boolean(),
    "is_sme_evidence": pl.String(),
    "is_sme_confidence": pl.String(),
    "is_vcse": pl.Boolean(),
    "is_vcse_evidence": pl.String(),
    "is_vcse_confidence": pl.String(),
    "as_of": pl.String(),
}
CLAIM_COLUMNS: tuple[str, ...] = tuple(CLAIM_SCHEMA)

MAX_JSON_BYTES = 2 * 1024**3
"""JSON is parsed whole with the stdlib; refuse anything larger than this (2 GB)."""


def text(expr: pl.Expr) -> pl.Expr:
    """Stripped text; blank and spreadsheet placeholders (``N/A``…) → null."""
    return pl.when(is_missing(expr)).then(None).otherwise(expr.str.strip_chars())


def charity_number(expr: pl.Expr) -> pl.Expr:
    """A charity number as registered: digits lose their leading zeros (``0512710`` →
    ``512710``); anything else (``SC012345``) is kept, upper-cased without spaces."""
    s = expr.str.to_uppercase().str.replace_all(r"\s", "")
    digits = s.str.contains(r"^\d+$")
    stripped = s.str.strip_chars_start("0")
    return (
        pl.when(is_missing(expr))
        .then(None)
        .when(digits)
        .then(pl.when(stripped != "").then(stripped))
        .otherwise(s)
    )


def _org_id(expr: pl.Expr, prefix: str) -> pl.Expr:
    s = expr.str.strip_chars().str.to_uppercase()
    return s.str.extract(rf"^{prefix}-\s*(\S.*)$", 1).str.replace_all(r"\s", "")


def company_from_org_id(expr: pl.Expr) -> pl.Expr:
    """``GB-COH-<n>`` → the normalised company number; any other org-id → null."""
    return company_number(_org_id(expr, "GB-COH"))


def charity_from_org_id(expr: pl.Expr) -> pl.Expr:
    """``GB-CHC-<n>`` → ``n`` without leading zeros; ``GB-SC-SC012345`` → ``SC012345`` (bare
    digits gain the ``SC``); ``GB-NIC-<n>`` → ``NIC<n>``; any other org-id → null."""
    chc = _org_id(expr, "GB-CHC")
    sc = _org_id(expr, "GB-SC")
    nic = _org_id(expr, "GB-NIC").str.strip_prefix("NIC")
    return (
        pl.when(chc.is_not_null())
        .then(charity_number(chc))
        .when(sc.str.contains(r"^\d+$"))
        .then("SC" + sc)
        .when(sc.is_not_null() & (sc != ""))
        .then(sc)
        .when(nic.is_not_null() & (nic != ""))
        .then("NIC" + nic)
    )


def iso_day(expr: pl.Expr) -> pl.Expr:
    """The ``yyyy-mm-dd`` at the start of a date or timestamp text, else null."""
    return expr.str.strip_chars().str.extract(r"^(\d{4}-\d{2}-\d{2})", 1)


def finish(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Exactly the claims columns, in order, with their types."""
    return frame.select(pl.col(name).cast(dtype) for name, dtype in CLAIM_SCHEMA.items())


def scan_columns(
    path: Path,
    *,
    register: str,
    required: tuple[str, ...],
    hint: str,
    separator: str = ",",
    quote_char: str | None = '"',
) -> tuple[pl.LazyFrame, dict[str, str]]:
    """Scan a delimited register lazily (every column as text) and check its header. Returns the
    scan and a map from each header, stripped of stray spaces, to its name in the file."""
    try:
        frame = pl.scan_csv(
            path,
            separator=separator,
            quote_char=quote_char,
            infer_schema=False,
            encoding="utf8-lossy",
        )
        names = frame.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise AnchorspendError(
            f"cannot read this {register} file: {_short(exc)}", path=str(path), hint=hint
        ) from exc
    columns = {n.strip().lstrip("\ufeff").strip(): n for n in names}
    missing = [c for c in required if c not in columns]
    if missing:
        raise AnchorspendError(
            f"not a {register} file: missing column(s) {', '.join(missing)}",
            path=str(path),
            hint=hint,
            details=["headers found: " + ", ".join(repr(n) for n in names)],
        )
    return frame, columns


def load_json(path: Path, *, register: str, hint: str) -> Any:
    """Parse a JSON file with the stdlib, refusing files over :data:`MAX_JSON_BYTES`."""
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise AnchorspendError(
                f"{path.name} is {size / 1024**3:.1f} GB: {register} JSON over 2 GB is not read",
                path=str(path),
                hint="split the file into smaller packages",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise AnchorspendError(
            f"cannot read {path.name}: {_short(exc)}", path=str(path), hint=hint
        ) from exc
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise AnchorspendError(
            f"{path.name} is not valid {register} JSON: {_short(exc)}", path=str(path), hint=hint
        ) from exc


def json_text(value: object) -> str | None:
    """A JSON scalar as the text a CSV would hold (``True``/``False`` as the registers spell
    them; whole numbers without ``.0``); objects and arrays → null."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _short(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    first = message[0] if message else type(exc).__name__
    return first if len(first) <= 200 else first[:199] + "…"
