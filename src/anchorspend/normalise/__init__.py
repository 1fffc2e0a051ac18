"""Parsing as pure Polars expressions, one module per subject.

``money`` (amounts as integer pence), ``dates``, ``identifiers`` (company and VAT numbers,
postcodes), ``names`` (matching keys, redactions), ``flags`` (yes/no columns and a register's
size/sector words) and ``missing`` (which cells hold no value). The names other modules use are
importable from here.
"""

from __future__ import annotations

from anchorspend.normalise.dates import DateRange, parse_date
from anchorspend.normalise.flags import (
    flag,
    flag_header_names,
    flag_is_unknown_text,
    flag_words,
    redaction_marker,
)
from anchorspend.normalise.identifiers import (
    company_number,
    normalise_postcode,
    plain_id,
    vat_number,
)
from anchorspend.normalise.missing import MISSING_TEXT, is_missing
from anchorspend.normalise.money import parse_amount, pence_text_expr, pence_to_text, plain_amount
from anchorspend.normalise.names import is_redacted_name, name_key, plain_name

__all__ = [
    "MISSING_TEXT",
    "DateRange",
    "company_number",
    "flag",
    "flag_header_names",
    "flag_is_unknown_text",
    "flag_words",
    "is_missing",
    "is_redacted_name",
    "name_key",
    "normalise_postcode",
    "parse_amount",
    "parse_date",
    "pence_text_expr",
    "pence_to_text",
    "plain_amount",
    "plain_id",
    "plain_name",
    "redaction_marker",
    "vat_number",
]
