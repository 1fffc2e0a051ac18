"""Yes/no flags, redaction columns, and a register's size/sector column read in words."""

from __future__ import annotations

import re

import polars as pl

from anchorspend.normalise.missing import is_missing
from anchorspend.normalise.names import is_redacted_name

TRUE_TEXT = ("YES", "Y", "TRUE", "T", "1")
FALSE_TEXT = ("NO", "N", "FALSE", "F", "0")


def _answer(expr: pl.Expr) -> pl.Expr:
    """The text as :data:`TRUE_TEXT` and :data:`FALSE_TEXT` spell it: trimmed, upper case."""
    return expr.str.strip_chars().str.to_uppercase()


def flag(expr: pl.Expr) -> pl.Expr:
    """Yes/Y/True/1 → true, No/N/False/0 → false, blank → null; other text → null too (the
    caller reports it)."""
    s = _answer(expr)
    return pl.when(s.is_in(TRUE_TEXT)).then(True).when(s.is_in(FALSE_TEXT)).then(False)


def flag_is_unknown_text(expr: pl.Expr) -> pl.Expr:
    """Text that is neither blank nor one of :func:`flag`'s answers."""
    s = _answer(expr)
    return ~is_missing(expr) & ~s.is_in(TRUE_TEXT) & ~s.is_in(FALSE_TEXT)


def redaction_marker(expr: pl.Expr) -> pl.Expr:
    """A redaction column: a yes-like value, or text naming a redaction."""
    return (_answer(expr).is_in(TRUE_TEXT) | is_redacted_name(expr)).fill_null(False)


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
