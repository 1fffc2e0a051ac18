"""Amounts as integer pence.

Money is held as integer pence (Int64) from the moment it is parsed: exact, fast to sum, and
formatted back to two-place decimal strings only for output. An amount with more than two
decimal places is rounded half away from zero to the penny and the row says so.
"""

from __future__ import annotations

import polars as pl

from anchorspend.normalise.missing import is_missing

_AMOUNT_SHAPE = r"^(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d*)?$|^\.\d+$"


def parse_amount(expr: pl.Expr) -> pl.Expr:
    """Text → struct{pence: Int64, status: str}: status ``ok``, ``missing``, ``invalid`` or
    ``rounded`` (more than two decimal places, rounded to the penny). Scientific notation
    (``-6.82121E-13``) is read as the exact decimal it states (:func:`_from_scientific`)."""
    # the written-out decimal goes through the same parser, in a branch of its own: parsing
    # the conversion's output everywhere would put it into every use of the text in the common
    # case's expression, making that about 15 times slower
    scientific = expr.str.contains(_SCIENTIFIC_IN).fill_null(False)
    return (
        pl.when(scientific)
        .then(_parse_amount(_from_scientific(expr)))
        .otherwise(_parse_amount(expr))
    )


def _parse_amount(expr: pl.Expr) -> pl.Expr:
    s = (
        expr.str.strip_chars()
        .str.replace_all(r"[£\s\u00a0]|GBP", "")
        .str.replace_all("\u2212", "-")  # a typeset minus sign
        .str.to_uppercase()
    )
    paren = s.str.starts_with("(") & s.str.ends_with(")")
    credit = s.str.ends_with("CR")
    trailing_minus = s.str.ends_with("-")
    leading_minus = s.str.starts_with("-")
    core = (
        s.str.strip_prefix("(")
        .str.strip_suffix(")")
        .str.replace(r"(?:CR|DR)$", "")
        .str.strip_suffix("-")
        .str.replace(r"^[+-]", "")
        .str.replace(r"^£", "")
    )
    ok_shape = core.str.contains(_AMOUNT_SHAPE)
    digits = core.str.replace_all(",", "")
    whole = digits.str.extract(r"^(\d*)", 1)
    frac = digits.str.extract(r"\.(\d*)$", 1).fill_null("")
    cents = (frac + "00").str.slice(0, 2)
    third = (frac + "000").str.slice(2, 1)
    beyond = frac.str.slice(2).str.replace_all("0", "")
    magnitude = (
        pl.when(whole == "").then(pl.lit("0")).otherwise(whole).cast(pl.Int64, strict=False) * 100
        + cents.cast(pl.Int64, strict=False)
        + (third.cast(pl.Int64, strict=False) >= 5).cast(pl.Int64)
    )
    negative = paren | credit | trailing_minus | leading_minus
    signs = (
        paren.cast(pl.Int8)
        + credit.cast(pl.Int8)
        + trailing_minus.cast(pl.Int8)
        + leading_minus.cast(pl.Int8)
    )
    valid = ok_shape & (signs <= 1)
    pence = pl.when(valid).then(pl.when(negative).then(-magnitude).otherwise(magnitude))
    status = (
        pl.when(is_missing(expr))
        .then(pl.lit("missing"))
        .when(~valid)
        .then(pl.lit("invalid"))
        .when(beyond.str.len_chars() > 0)
        .then(pl.lit("rounded"))
        .otherwise(pl.lit("ok"))
    )
    return pl.struct(
        pl.when(is_missing(expr)).then(None).otherwise(pence).alias("pence"),
        status.alias("status"),
    )


_SCIENTIFIC_IN = r"\d[eE][+-]?\d"
_SCIENTIFIC = r"^([^\d]*)(\d+)(?:\.(\d*))?[eE]([+-]?\d{1,2})([^\d]*)$"


def _from_scientific(text: pl.Expr) -> pl.Expr:
    """``6.82121E-13`` or ``(1.5E3)`` (a spreadsheet's float written out) as the exact decimal
    it stands for (``0.000000000000682121``, ``(1500)``), signs and symbols around it kept;
    other text unchanged. The amount parser then rounds it to the penny like any long decimal,
    with its finding."""
    before = text.str.extract(_SCIENTIFIC, 1)
    whole = text.str.extract(_SCIENTIFIC, 2)
    digits = whole + text.str.extract(_SCIENTIFIC, 3).fill_null("")
    point = whole.str.len_chars().cast(pl.Int64) + text.str.extract(_SCIENTIFIC, 4).cast(
        pl.Int64, strict=False
    )
    n = digits.str.len_chars().cast(pl.Int64)
    # every branch is evaluated on every value: lengths are kept in range for all of them
    cut = point.clip(0, n)
    plain = (
        pl.when(point <= 0)
        .then("0." + digits.str.zfill((n - point).clip(0, 64)))
        .when(point >= n)
        .then(digits.str.pad_end(point.clip(0, 64), "0"))
        .otherwise(digits.str.slice(0, cut) + "." + digits.str.slice(cut))
    )
    after = text.str.extract(_SCIENTIFIC, 5)
    return pl.when(whole.is_not_null()).then(before + plain + after).otherwise(text)


_PLAIN_AMOUNT = r"^-?(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d{1,2})?$"


def plain_amount(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The common case, cheaply: ``-1,234.5`` style text (no symbols, at most two decimals).
    Returns (is plain, pence); pence is exact where the text is plain. Everything else goes
    through :func:`parse_amount`."""
    is_plain = expr.str.contains(_PLAIN_AMOUNT).fill_null(False)
    value = expr.str.replace_all(",", "", literal=True).cast(pl.Decimal(20, 2), strict=False)
    return is_plain, (value * 100).cast(pl.Int64)


def pence_to_text(pence: int) -> str:
    """Exact two-place decimal text for integer pence (``-12345`` → ``"-123.45"``)."""
    sign = "-" if pence < 0 else ""
    whole, cents = divmod(abs(pence), 100)
    return f"{sign}{whole}.{cents:02d}"


def pence_text_expr(expr: pl.Expr) -> pl.Expr:
    """The same as :func:`pence_to_text`, as an expression."""
    a = expr.abs()
    return pl.concat_str(
        pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        (a // 100).cast(pl.String),
        pl.lit("."),
        (a % 100).cast(pl.String).str.zfill(2),
    )
