"""Identifiers: company and VAT numbers, other ids, postcodes."""

from __future__ import annotations

import polars as pl

from anchorspend.normalise.missing import is_missing


def _compact(expr: pl.Expr) -> pl.Expr:
    """An identifier in upper case without the spaces, full stops and hyphens it is written with."""
    return expr.str.to_uppercase().str.replace_all(r"[\s.\-]", "")


def company_number(expr: pl.Expr) -> pl.Expr:
    """Companies House numbers: digits zero-padded to 8; two-letter prefixes (SC, NI, OC…) kept
    with the digits padded to 6. Anything else is kept upper-cased without spaces."""
    s = _compact(expr)
    digits = s.str.extract(r"^(\d{1,8})$", 1)
    prefixed = s.str.extract(r"^([A-Z]{2})(\d{1,6})$", 0)
    return (
        pl.when(is_missing(expr))
        .then(None)
        .when(digits.is_not_null())
        .then(digits.str.zfill(8))
        .when(prefixed.is_not_null())
        .then(s.str.slice(0, 2) + s.str.slice(2).str.zfill(6))
        .otherwise(s)
    )


def vat_number(expr: pl.Expr) -> pl.Expr:
    """VAT numbers: nine or twelve digits get the ``GB`` prefix; others kept as written,
    upper-cased without spaces, full stops or hyphens."""
    s = _compact(expr)
    return (
        pl.when(is_missing(expr))
        .then(None)
        .when(s.str.contains(r"^\d{9}(\d{3})?$"))
        .then("GB" + s)
        .otherwise(s)
    )


def plain_id(expr: pl.Expr) -> pl.Expr:
    s = expr.str.strip_chars().str.replace_all(r"\s+", " ")
    return pl.when(is_missing(expr)).then(None).otherwise(s.str.to_uppercase())


POSTCODE_RE = r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$"


def normalise_postcode(expr: pl.Expr) -> pl.Expr:
    """``m154ab``, ``M15  4AB`` → ``M15 4AB``. Where the text is not a valid postcode but becomes
    one by reading O as 0 in the inward code's digit, or 0 as O in the area letters, that is
    done (``M15 OAB`` → ``M15 0AB``); nothing else is guessed. Invalid text gives null."""
    s = expr.str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")
    inward_fixed = s.str.slice(0, s.str.len_chars() - 3) + (
        s.str.slice(-3, 1).str.replace("O", "0") + s.str.slice(-2, 2).str.replace_all("0", "O")
    )
    fixed = inward_fixed.str.slice(0, 1).str.replace("0", "O") + inward_fixed.str.slice(1)
    ok = (
        pl.when(s.str.contains(POSTCODE_RE))
        .then(s)
        .when(fixed.str.contains(POSTCODE_RE))
        .then(fixed)
    )
    return ok.str.slice(0, ok.str.len_chars() - 3) + " " + ok.str.slice(-3)
