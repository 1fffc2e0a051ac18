"""Supplier names: the plain form and matching key, and text that stands for a redaction."""

from __future__ import annotations

import polars as pl

REDACTED_PATTERN = (
    r"(?i)^\W*(?:"
    r"redacted.*|.*\bredacted\W*$|.*\bredaction\b.*"
    r"|(?:name\s+)?withheld.*|.*\bwithheld\W*$"
    r"|.*personal\s+(?:data|information|details)\b.*"
    r"|.*data\s+protection.*|(?:private\s+)?individual\W*|private\s+person\W*"
    r"|commercial(?:ly)?\s+(?:in\s+)?confidential.*|confidential\W*|not\s+disclosed.*"
    r")$"
)


def is_redacted_name(expr: pl.Expr) -> pl.Expr:
    """Supplier text that stands for a redaction ("REDACTED PERSONAL DATA", "Redacted", "Personal
    Data", "Name withheld", "Private individual", "Commercially confidential"…)."""
    return expr.str.contains(REDACTED_PATTERN).fill_null(False)


_LEGAL_SUFFIX = (
    r"\s+(?:LTD|LIMITED|PLC|LLP|CIC|CIO|LLC|INC|"
    r"LIMITED LIABILITY PARTNERSHIP|COMMUNITY INTEREST COMPANY|PUBLIC LIMITED COMPANY)$"
)


def plain_name(expr: pl.Expr) -> pl.Expr:
    """A name in plain words: upper case; ``&`` and ``+`` read as AND; "T/A" and "trading as"
    dropped; full stops and apostrophes removed (``A.B.C.`` = ``ABC``, ``Children's`` =
    ``CHILDRENS``); other punctuation read as a space; whitespace collapsed. Legal suffixes
    stay (see :func:`name_key`)."""
    s = expr.str.to_uppercase()
    s = s.str.replace_all(r"\bT\s*/\s*A\b|\bTRADING\s+AS\b", " ")
    s = s.str.replace_all(r"\s*[&+]\s*", " AND ")
    s = s.str.replace_all(r"[.'’`]", "")
    return s.str.replace_all(r"[^0-9A-Z]+", " ").str.strip_chars()


def name_key(expr: pl.Expr) -> pl.Expr:
    """The normalised supplier name that names are matched on: :func:`plain_name` with legal
    suffixes (LTD, LIMITED, PLC, LLP, CIC…) removed from the end. Apply it to distinct names,
    not rows."""
    s = plain_name(expr)
    for _ in range(2):  # "… LIMITED LLP", "… CIC LTD"
        s = s.str.replace(_LEGAL_SUFFIX, "")
    return pl.when(s != "").then(s)
