"""Parsing as Polars expressions: amounts, dates, identifiers, flags, redaction.

Money is held as integer pence (Int64) from the moment it is parsed: exact, fast to sum, and
formatted back to two-place decimal strings only for output. An amount with more than two
decimal places is rounded half away from zero to the penny and the row says so.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import polars as pl

# ---------------------------------------------------------------------------------------------
# Amounts

_AMOUNT_SHAPE = r"^(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d*)?$|^\.\d+$"
MISSING_TEXT = ("", "#N/A", "N/A", "NA", "#VALUE!", "#REF!", "-", "NULL", "NONE", "NAN")


_MISSING = r"(?i)^\s*(?:" + "|".join(re.escape(t) for t in MISSING_TEXT if t) + r")?\s*$"


def is_missing(expr: pl.Expr) -> pl.Expr:
    """Blank, or one of the spreadsheet placeholders for 'no value' (:data:`MISSING_TEXT`),
    whatever its case and surrounding whitespace. One anchored regex: most cells fail it at
    their first letter, where stripping and upper-casing every cell copied it twice (2x
    quicker on supplier names; tests/test_parsing.py checks it against that reading)."""
    return expr.is_null() | expr.str.contains(_MISSING)


def parse_amount(expr: pl.Expr) -> pl.Expr:
    """Text → struct{pence: Int64, status: str}: status ``ok``, ``missing``, ``invalid`` or
    ``rounded`` (more than two decimal places, rounded to the penny). Scientific notation
    (``-6.82121E-13``) is read as the exact decimal it states (:func:`_from_scientific`)."""
    # the written-out decimal goes through the same parser; kept apart from the common case,
    # whose expression would otherwise carry the conversion into every use of its text (15x
    # slower, measured)
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


# ---------------------------------------------------------------------------------------------
# Dates

DAY_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%B-%Y",
    "%d/%m/%y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
    "%d/%b/%Y",
    "%d %b %y",
    "%Y%m%d",
)
_MONTH_FORMATS = ("%d %B %Y", "%d %b %Y", "%d %m %Y")
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 18264, 73415  # 1950-01-01 … 2100-12-31
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$"
_RANGE = r"^\s*(.+?)\s*(?:\s-\s|–|—|-|\sto\s)\s*(.+?)\s*$"

DateRange = Literal["start", "end"]


def _plausible(date: pl.Expr) -> pl.Expr:
    return pl.when(date.dt.year().is_between(1900, 2200)).then(date)


def _day(text: pl.Expr, first_format: str | None) -> pl.Expr:
    t = text.str.replace(_TIME, "").str.strip_chars().str.to_titlecase()
    formats = ((first_format,) if first_format else ()) + DAY_FORMATS
    # %Y happily reads "11" as the year 11: a parse only counts with a plausible year.
    parsed = [_plausible(t.str.strptime(pl.Date, f, strict=False)) for f in formats]
    serial = t.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int32, strict=False)
    from_serial = (
        pl.when(serial.is_between(SERIAL_MIN, SERIAL_MAX))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial))
        .cast(pl.Date)
    )
    return pl.coalesce(*parsed, from_serial)


def _month(text: pl.Expr) -> pl.Expr:
    """``July 2010``, ``Jul 2010``, ``07/2010``, ``2010-07`` → the first day of that month."""
    t = text.str.strip_chars().str.to_titlecase()
    iso = t.str.extract(r"^(\d{4})-(\d{1,2})$", 0)
    numeric = t.str.replace(r"^(\d{1,2})[/-](\d{4})$", "1 $1 $2")
    tries = [("1 " + t).str.strptime(pl.Date, f, strict=False) for f in _MONTH_FORMATS[:2]]
    tries.append(numeric.str.strptime(pl.Date, "%d %m %Y", strict=False))
    tries.append((iso + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False))
    return pl.coalesce(*(_plausible(x) for x in tries))


def parse_date(
    expr: pl.Expr, *, date_range: DateRange | None = None, date_format: str | None = None
) -> pl.Expr:
    """Text → struct{date: Date, status: str}: ``ok``, ``missing``, ``invalid``, ``month`` (a
    month, ``2015-08`` or ``Aug 2015``: its quarter is certain, its day is not, so it reads as
    the first of the month), ``period`` (a range of months or days; with ``date_range`` one end
    is taken, of a range or a month, and the status is ``period-start``/``period-end``)."""
    day = _day(expr, date_format)
    left = expr.str.extract(_RANGE, 1)
    right = expr.str.extract(_RANGE, 2)
    left_start = pl.coalesce(_day(left, date_format), _month(left))
    right_day = _day(right, date_format)
    right_end = pl.coalesce(right_day, _month(right).dt.month_end())
    single_month = _month(expr)
    is_range = day.is_null() & left_start.is_not_null() & right_end.is_not_null()
    is_month = day.is_null() & ~is_range & single_month.is_not_null()
    chosen: pl.Expr
    if date_range == "start":
        chosen = pl.when(is_range).then(left_start).when(is_month).then(single_month)
    elif date_range == "end":
        chosen = pl.when(is_range).then(right_end).when(is_month).then(single_month.dt.month_end())
    else:
        # a month is exact to its period: read as its first day, marked so
        chosen = pl.when(is_month).then(single_month)
    is_period = is_range | is_month
    date = pl.when(day.is_not_null()).then(day).when(is_period).then(chosen)
    status = (
        pl.when(is_missing(expr))
        .then(pl.lit("missing"))
        .when(day.is_not_null())
        .then(pl.lit("ok"))
        .when(is_period & (pl.lit(date_range is not None) | is_range))
        .then(pl.lit(f"period-{date_range}" if date_range else "period"))
        .when(is_month)
        .then(pl.lit("month"))
        .otherwise(pl.lit("invalid"))
    )
    return pl.struct(
        pl.when(is_missing(expr)).then(None).otherwise(date).cast(pl.Date).alias("date"),
        status.alias("status"),
    )


# ---------------------------------------------------------------------------------------------
# Identifiers, flags, names


def company_number(expr: pl.Expr) -> pl.Expr:
    """Companies House numbers: digits zero-padded to 8; two-letter prefixes (SC, NI, OC…) kept
    with the digits padded to 6. Anything else is kept upper-cased without spaces."""
    s = expr.str.to_uppercase().str.replace_all(r"[\s.\-]", "")
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
    s = expr.str.to_uppercase().str.replace_all(r"[\s.\-]", "")
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


TRUE_TEXT = ("YES", "Y", "TRUE", "T", "1")
FALSE_TEXT = ("NO", "N", "FALSE", "F", "0")


def flag(expr: pl.Expr) -> pl.Expr:
    """Yes/Y/True/1 → true, No/N/False/0 → false, blank → null; other text → null too (the
    caller reports it)."""
    s = expr.str.strip_chars().str.to_uppercase()
    return pl.when(s.is_in(TRUE_TEXT)).then(True).when(s.is_in(FALSE_TEXT)).then(False)


def flag_is_unknown_text(expr: pl.Expr) -> pl.Expr:
    s = expr.str.strip_chars().str.to_uppercase()
    return ~is_missing(expr) & ~s.is_in(TRUE_TEXT) & ~s.is_in(FALSE_TEXT)


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


def redaction_marker(expr: pl.Expr) -> pl.Expr:
    """A redaction column: a yes-like value, or text naming a redaction."""
    s = expr.str.strip_chars().str.to_uppercase()
    return (s.is_in(TRUE_TEXT) | is_redacted_name(expr)).fill_null(False)


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


# ---------------------------------------------------------------------------------------------
# A register's size/sector column, in words

FLAG_SME_WORDS = ("sme", "smes", "micro", "small", "medium")
FLAG_LARGE_WORDS = ("large",)
FLAG_VCSE_WORDS = (
    "vcse",
    "vcfse",
    "vcs",
    "vsce",  # a real misspelling
    "charity",
    "charitable",
    "cio",
    "socialenterprise",
    "cic",
)
_CHARITY_NUMBER_WORDS = ("vcse", "vcfse", "vcs", "vsce", "charity", "charitable", "cio")
_COMPANY_NUMBER_WORDS = (*FLAG_SME_WORDS, *FLAG_LARGE_WORDS, "cic", "ltd", "limited", "company")
_FILLER_WORDS = ("and", "reg", "registered", "registration", "business", "enterprise", "sized")
_NUMBER_TOKEN = r"[a-z]*\d[a-z0-9]*"


def _any_word(words: tuple[str, ...]) -> str:
    return r"\b(?:" + "|".join(words) + r")\b"


def flag_header_names(header: str) -> tuple[bool, bool]:
    """Which flags a register column's header asks about, by its words: (SME, VCSE).
    ``SME or VSCE (inc. Reg. No.)`` names both; ``SME Supplier?`` only SME."""
    text = re.sub(r"social\s+enterprise", "socialenterprise", header.lower())
    words = set(re.findall(r"[a-z]+", text))
    return bool(words & {"sme", "smes"}), bool(words & {*FLAG_VCSE_WORDS, "voluntary"})


def flag_words(expr: pl.Expr, *, sme: bool, vcse: bool) -> pl.Expr:
    """A register's size/sector answer, read as a person would → struct{is_sme, is_vcse: bool,
    company_number, charity_number, problem: str}. ``sme``/``vcse``: what the column's header
    asks (:func:`flag_header_names`).

    * ``Yes``/``No`` (and the other :func:`flag` spellings) answer the header's question: under
      a header naming one flag they set that flag; under one naming both (``SME or VCSE``),
      ``No`` is neither and ``Yes`` is *one of them, not which*: both stay unknown (problem
      ``either``).
    * Words: ``SME``, ``Micro``, ``Small``, ``Medium`` → SME; ``Large`` → not SME; ``VCSE``,
      ``VCS``, ``Charity``, ``CIO``, ``Social enterprise``, ``CIC`` → VCSE, with SME left unknown
      (a charity may be of any size) unless a size word is there too (``Small charity``).
      ``Ltd``, ``Company``, ``Reg.``, ``No.`` before a number, ``and`` carry no answer.
    * A number after the words is evidence: 6–7 digits beside a charity word (not CIC or social
      enterprise) is a charity number; 8 characters (``07654321``, ``SC123456``) beside SME,
      a size word, CIC, Ltd or Company a company number. Any other number is not used
      (problem ``number``; the words still count).
    * Anything else (``TBC``, ``Various``, ``N/A``, ``Not SME``, ``Small/Large``, a value naming
      a number but no answer): both unknown, problem ``unknown``. Blank: all null, no problem.
    """
    s = expr.str.strip_chars()
    blank = s.is_null() | (s == "")
    yn = flag(s.str.replace(r"[.!]+$", ""))
    low = (
        s.str.to_lowercase()
        .str.replace_all(r"social\s+enterprise", "socialenterprise")
        .str.replace_all(r"community\s+interest\s+company", "cic")
        .str.replace_all(r"\b(?:no|num|number)\b\.?\s*[:#]?\s*([a-z]{0,3}\d)", " ${1}")
    )
    numbers = low.str.extract_all(_NUMBER_TOKEN)
    words = low.str.replace_all(_NUMBER_TOKEN, " ")
    vocabulary = (*FLAG_SME_WORDS, *FLAG_LARGE_WORDS, *FLAG_VCSE_WORDS, *_COMPANY_NUMBER_WORDS)
    rest = words.str.replace_all(_any_word((*vocabulary, *_FILLER_WORDS)), " ")
    says_sme = words.str.contains(_any_word(FLAG_SME_WORDS))
    says_large = words.str.contains(_any_word(FLAG_LARGE_WORDS))
    says_vcse = words.str.contains(_any_word(FLAG_VCSE_WORDS))
    understood = ~rest.str.contains(r"[^\W\d_]") & ~(says_sme & says_large)
    words_sme = pl.when(says_sme).then(True).when(says_large).then(False)
    words_vcse = pl.when(says_vcse).then(True)

    one = understood & (numbers.list.len() == 1)
    number = numbers.list.first().str.to_uppercase()
    charity = pl.when(
        one
        & words.str.contains(_any_word(_CHARITY_NUMBER_WORDS))
        & number.str.contains(r"^\d{6,7}$")
    ).then(number)
    company = pl.when(
        one
        & words.str.contains(_any_word(_COMPANY_NUMBER_WORDS))
        & number.str.contains(r"^(?:\d{8}|[A-Z]{2}\d{6})$")
    ).then(number)

    no_answer = pl.lit(None, pl.Boolean)
    yn_sme = yn if sme and not vcse else pl.when(yn.not_()).then(False) if sme else no_answer
    yn_vcse = yn if vcse and not sme else pl.when(yn.not_()).then(False) if vcse else no_answer
    is_yn = ~blank & yn.is_not_null()
    is_words = ~blank & yn.is_null() & understood

    problem = (
        pl.when(blank)
        .then(None)
        .when(is_yn)
        .then(pl.when(yn_sme.is_null() & yn_vcse.is_null()).then(pl.lit("either")))
        .when(~understood | (words_sme.is_null() & words_vcse.is_null()))
        .then(pl.lit("unknown"))
        .when((numbers.list.len() > 0) & charity.is_null() & company.is_null())
        .then(pl.lit("number"))
    )
    return pl.struct(
        pl.when(is_yn).then(yn_sme).when(is_words).then(words_sme).alias("is_sme"),
        pl.when(is_yn).then(yn_vcse).when(is_words).then(words_vcse).alias("is_vcse"),
        pl.when(is_words).then(company).alias("company_number"),
        pl.when(is_words).then(charity).alias("charity_number"),
        problem.cast(pl.String).alias("problem"),
    )


# ---------------------------------------------------------------------------------------------
# Postcodes

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
