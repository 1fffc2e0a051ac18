"""Which cells hold no value: blank, or a spreadsheet's placeholder for one."""

from __future__ import annotations

import re

import polars as pl

MISSING_TEXT = ("", "#N/A", "N/A", "NA", "#VALUE!", "#REF!", "-", "NULL", "NONE", "NAN")
_MISSING = r"(?i)^\s*(?:" + "|".join(re.escape(t) for t in MISSING_TEXT if t) + r")?\s*$"


def is_missing(expr: pl.Expr) -> pl.Expr:
    """Blank, or one of the spreadsheet placeholders for 'no value' (:data:`MISSING_TEXT`),
    whatever its case and surrounding whitespace. One anchored regex, so most cells fail it at
    their first letter and none is copied, as stripping and upper-casing each cell would copy
    it twice; tests/test_parsing.py checks it answers as that reading does."""
    return expr.is_null() | expr.str.contains(_MISSING)
