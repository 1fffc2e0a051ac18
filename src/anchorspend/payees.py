"""Who is paid: each supplier's *payee kind*, and so which spend is addressable.

A procurement team can move spend between market suppliers; it cannot move a levy to its
combined authority, tax to HMRC or contributions to a pension fund. Every supplier gets one
kind:

- ``public``: UK local authorities of every tier, combined and regional authorities, NHS
  bodies, police, fire, central government departments and agencies;
- ``tax``: HM Revenue and Customs;
- ``pension``: pension funds and superannuation schemes;
- ``individual``: redacted or withheld payees;
- ``market``: everyone else, including whatever the rules below are not sure of
  (council-owned companies, joint ventures, academies, a school's name alone).

The kind comes from the lookup where it has a ``payee_kind`` column, else from built-in
knowledge, in this order (the first that decides wins; ``payee_rule`` says which):

1. ``redacted``: the export withheld the payee's name.
2. ``table``: the plain name is exactly one in the reviewed table shipped with the package
   (``knowledge/public_bodies.csv``: government departments and agencies, regional
   authorities, HMRC; built by ``data/public_bodies/build.py``), or is a name cut short by the
   export (30 characters or more) that begins one. Local authorities are named by the rules,
   from the package's table of districts (``geodata/local_authorities.csv``) and the county
   councils in the table.
3. Name rules (:data:`RULES`), read on the plain name (upper case, punctuation as spaces, ``&``
   as AND). None applies to a name with a company's legal form in it (Ltd, Limited, PLC, LLP,
   CIC…): a company is a market supplier unless a lookup says otherwise, whoever owns it.

Nothing here is fuzzy: a rule is a pattern a public body's own name takes, tested on the false
friends it must not catch (``tests/test_payees.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import polars as pl

from anchorspend.areas import local_authorities
from anchorspend.config import PAYEE_KINDS as KINDS
from anchorspend.config import SET_ASIDE, Member
from anchorspend.errors import AnchorspendError
from anchorspend.normalise import company_number, plain_id, plain_name, vat_number

__all__ = [
    "KINDS",
    "KNOWLEDGE_SOURCE",
    "RULES",
    "SET_ASIDE",
    "knowledge",
    "member_payees",
    "paid_within",
    "payee_kinds",
]

KNOWLEDGE = "public_bodies.csv"
KNOWLEDGE_SOURCE = (
    "anchorspend public_bodies.csv 2026-12-05 (a reviewed list of public bodies), the local "
    "authority districts of geodata/local_authorities.csv (ONS, Open Government Licence v3.0) "
    "and the name rules of anchorspend.payees.RULES"
)
"""What the built-in knowledge is, for the document: change the date when the table changes."""
TRUNCATED_MIN = 30
"""A name this long or longer that begins a table name is taken as that name cut short."""

_COMPANY_FORM = (
    r"\b(LTD|LIMITED|PLC|LLP|LP|CIC|CIO|LLC|INC|GMBH|COMPANY|CO|INCORPORATED|PARTNERSHIP)\b"
)
# "Council for Voluntary Service" is a charity; "The Council of the City of …" is a council
_COUNCIL_NOT = r"\bCOUNCIL (FOR|OF|ON)\b"
_COUNCIL_OF_PLACE = (
    r"^(THE )?COUNCIL OF THE (CITY|COUNTY|BOROUGH|ROYAL BOROUGH|LONDON BOROUGH|DISTRICT|"
    r"CITY AND COUNTY) OF\b"
)
_LA_FORMS = (
    r"((CITY |COUNTY |BOROUGH |DISTRICT |METROPOLITAN BOROUGH |METROPOLITAN DISTRICT |"
    r"CITY AND COUNTY |COUNTY BOROUGH )?(COUNCIL|MBC|M B C|MDC|LBC|CBC|MB)|"
    r"METROPOLITAN (BOROUGH|DISTRICT))"
)
# a department's own name: "Department for/of" and one of the subjects UK departments have had
_DEPARTMENTS = (
    r"^(THE )?(DEPARTMENT (FOR|OF)|MINISTRY (OF|FOR)) (THE )?(WORK|HEALTH|EDUCATION|TRANSPORT|"
    r"JUSTICE|DEFENCE|ENVIRONMENT|LEVELLING|COMMUNITIES|BUSINESS|ENERGY|CULTURE|DIGITAL|"
    r"SCIENCE|INTERNATIONAL|TRADE|HOUSING|SOCIAL|EXITING)\b"
)
_LEADING_NOTE = r"^\s*\([^)]*\)\s*"  # "(DD) …", "(DD ONLY) …": the export's note, not the name


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str
    pattern: str  # a regular expression over the plain name
    means: str  # in words, for the README and the review list


RULES: tuple[Rule, ...] = (
    Rule(
        "tax:hmrc",
        "tax",
        r"\bHMRC\b|\bH M R C\b|\bREVENUE AND CUSTOMS\b|^INLAND REVENUE\b",
        "HMRC, HM Revenue and Customs, Inland Revenue",
    ),
    Rule(
        "pension:fund",
        "pension",
        r"\bPENSIONS? (FUND|SCHEME|AUTHORITY)\b|\bSUPERANN|\bGMPF\b|\bLGPS\b|"
        r"\bLOCAL GOVERNMENT PENSION|^TEACHERS PENSIONS?\b|^NHS PENSIONS?\b|"
        r"^CIVIL SERVICE PENSION",
        "a pension fund or scheme, superannuation, LGPS, Teachers' or NHS Pensions",
    ),
    Rule(
        "public:local-authority",
        "public",
        r"^(THE )?(CITY OF |(LONDON |ROYAL )?BOROUGH OF )?({places}) " + _LA_FORMS + r"\b|"
        r"^(THE )?(LONDON |ROYAL |METROPOLITAN )?BOROUGH OF ({places})\b|"
        + _COUNCIL_OF_PLACE
        + r" ({places})\b",
        "a UK local authority's name (ONS list) followed by Council, MBC…",
    ),
    Rule(
        "public:council",
        "public",
        r"\b(CITY|COUNTY|BOROUGH|DISTRICT|METROPOLITAN BOROUGH|TOWN|PARISH|COMMUNITY|"
        r"UNITARY|COUNTY BOROUGH) COUNCIL\b|^(LONDON|ROYAL) BOROUGH OF\b",
        "… City/County/Borough/District/Town/Parish Council, London Borough of …",
    ),
    Rule(
        "public:combined-authority",
        "public",
        r"\bCOMBINED AUTH|\bMAYORAL (COMBINED )?AUTH",
        "a combined authority (also cut short: 'Combined Authori')",
    ),
    Rule(
        "public:nhs",
        "public",
        r"\bNHS\b|\b(HEALTH|HOSPITALS?|CARE|COMMUNITY) NH$|\bHEALTH BOARD\b|"
        r"\bINTEGRATED CARE BOARD\b|\bCLINICAL COMMISSIONING GROUP\b",
        "an NHS body (… NHS Foundation Trust, NHS … ICB, '… Health NH' cut short), a health board",
    ),
    Rule(
        "public:police",
        "public",
        r"\bPOLICE (AND|FIRE AND) CRIME COMMISSIONER\b|\bCHIEF CONSTABLE\b|\bCONSTABULARY\b|"
        r"\bPOLICE (SERVICE|FORCE|AUTHORITY)\b|\bPOLICE$",
        "a police force, its chief constable or commissioner",
    ),
    Rule(
        "public:fire",
        "public",
        r"\bFIRE AND RESCUE\b|\bFIRE AUTHORITY\b|\bFIRE BRIGADE\b",
        "a fire and rescue service or authority",
    ),
    Rule("public:port-health", "public", r"\bPORT HEALTH AUTHORITY\b", "a port health authority"),
    Rule(
        "public:government",
        "public",
        _DEPARTMENTS,
        "a government department's own name: Department for/of Education, Health, Work…",
    ),
    Rule(
        "public:justice", "public", r"\bPROBATION (TRUST|SERVICE)\b", "a probation trust or service"
    ),
)


@functools.cache
def knowledge() -> pl.DataFrame:
    """The reviewed table of public bodies shipped with the package: kind, body, name, code,
    source, and ``_plain`` (the name in plain words)."""
    text = resources.files("anchorspend").joinpath("knowledge", KNOWLEDGE).read_bytes()
    table = pl.read_csv(text, infer_schema=False)
    return table.with_columns(plain_name(pl.col("name")).alias("_plain"))


def _local_places() -> str:
    """The local authorities' names (every district, abolished ones too, from the built-in
    table of districts) and the county councils' as one alternation, longest first (so "North
    East Lincolnshire" is tried before "Lincolnshire")."""
    districts = local_authorities().filter(~pl.col("name").str.starts_with("Pseudo"))
    counties = knowledge().filter(pl.col("body") == "county council")
    places = (
        pl.concat(
            [
                districts.select(plain_name(pl.col("name")).alias("_plain")),
                counties.select("_plain"),
            ]
        )
        .get_column("_plain")
        .unique()
        .to_list()
    )
    return "|".join(sorted(places, key=lambda p: (-len(p), p)))


@functools.cache
def _rule_patterns() -> tuple[tuple[Rule, str], ...]:
    """The rules with their patterns complete (the places filled in), built once a process."""
    places = _local_places()
    return tuple((r, r.pattern.replace("{places}", places)) for r in RULES)


def _table_matches(plain: pl.DataFrame, other: pl.DataFrame) -> pl.DataFrame:
    """``_plain`` names found in the table (not the local authorities, which the name rules
    read): ``_plain``, ``_table_kind``, ``_table_rule``. A name is found exactly; cut short
    (see TRUNCATED_MIN); or, among ``other`` (the names with no company's legal form), as a
    table name of three words or more followed by more words ("Valuation Office Agency
    Administration")."""
    table = knowledge().filter(pl.col("body") != "county council")
    entry = table.select(
        "_plain",
        pl.col("kind").alias("_table_kind"),
        pl.concat_str(
            pl.lit("table: "), pl.col("name"), pl.lit(" ("), pl.col("body"), pl.lit(")")
        ).alias("_table_rule"),
    )
    exact = plain.join(entry, on="_plain", how="inner")
    # a name cut short: each table name's beginnings of TRUNCATED_MIN characters or more
    longest = entry.select(pl.col("_plain").str.len_chars().max().fill_null(0)).item()
    beginnings = (
        entry.with_columns(
            pl.int_ranges(TRUNCATED_MIN, pl.col("_plain").str.len_chars()).alias("_n")
        )
        .explode("_n")
        .drop_nulls("_n")
        .select(
            pl.col("_plain").str.slice(0, pl.col("_n")).str.strip_chars().alias("_plain"),
            "_table_kind",
            "_table_rule",
        )
        .unique("_plain", keep="first")
    )
    cut = plain.filter(
        pl.col("_plain").str.len_chars().is_between(TRUNCATED_MIN, max(longest, TRUNCATED_MIN))
    ).join(beginnings, on="_plain", how="inner")
    words = pl.col("_plain").str.split(" ")
    # only a name of three words or more reads as itself with more words after it: "Home
    # Office Supplies" is not the Home Office
    long_names = entry.filter(pl.col("_plain").str.count_matches(" ") >= 2)
    extended = (
        other.with_columns(pl.int_ranges(1, words.list.len()).alias("_k"))
        .explode("_k")
        .drop_nulls("_k")
        .with_columns(words.list.head(pl.col("_k")).list.join(" ").alias("_head"))
        .join(long_names.rename({"_plain": "_head"}), on="_head", how="inner")
        .sort("_k", descending=True)
        .unique("_plain", keep="first")
        .select("_plain", "_table_kind", "_table_rule")
    )
    found = pl.concat([exact, cut.join(exact.select("_plain"), on="_plain", how="anti")])
    return pl.concat([found, extended.join(found.select("_plain"), on="_plain", how="anti")])


def payee_kinds(profiles: pl.DataFrame) -> pl.DataFrame:
    """Each profile's payee kind. ``profiles``: ``_pid``, ``supplier_name``, ``redacted`` and
    ``payee_kind`` (the lookup's, null where it has none). Returns ``_pid``, ``payee_kind``,
    ``payee_evidence`` (``lookup``, ``redacted``, ``built-in``, or ``default`` for market by
    default) and ``payee_rule`` (the rule or table entry that decided, null by default).
    The rules run once per distinct name."""
    names = (
        profiles.select("supplier_name")
        .unique()
        .with_columns(
            plain_name(pl.col("supplier_name").str.replace(_LEADING_NOTE, "")).alias("_plain")
        )
    )
    plain = names.select("_plain").unique().drop_nulls()
    # no rule reads a company's name: the rules run on the other names only
    other = plain.filter(~pl.col("_plain").str.contains(_COMPANY_FORM))
    table = _table_matches(plain, other)
    rule_id = pl.lit(None, pl.String)
    for rule, pattern in reversed(_rule_patterns()):
        hit = pl.col("_plain").str.contains(pattern)
        if rule.id.startswith("public:"):
            council_of = pl.col("_plain").str.contains(_COUNCIL_NOT) & ~pl.col(
                "_plain"
            ).str.contains(_COUNCIL_OF_PLACE)
            hit = hit & ~council_of
        rule_id = pl.when(hit).then(pl.lit(rule.id)).otherwise(rule_id)
    ruled = other.with_columns(rule_id.alias("_rule"))
    kind_of = {r.id: r.kind for r in RULES}
    decided = (
        plain.join(table, on="_plain", how="left")
        .join(ruled, on="_plain", how="left")
        .select(
            "_plain",
            pl.coalesce("_table_kind", pl.col("_rule").replace_strict(kind_of, default=None)).alias(
                "_kind"
            ),
            pl.coalesce("_table_rule", "_rule").alias("_by"),
        )
    )
    named = names.join(decided, on="_plain", how="left").select("supplier_name", "_kind", "_by")
    looked = pl.col("payee_kind")
    return (
        profiles.select("_pid", "supplier_name", "redacted", "payee_kind")
        .join(named, on="supplier_name", how="left", nulls_equal=True, maintain_order="left")
        .select(
            "_pid",
            pl.when(looked.is_not_null())
            .then(looked)
            .when(pl.col("redacted"))
            .then(pl.lit("individual"))
            .otherwise(pl.coalesce("_kind", pl.lit("market")))
            .alias("payee_kind"),
            pl.when(looked.is_not_null())
            .then(pl.lit("lookup"))
            .when(pl.col("redacted"))
            .then(pl.lit("redacted"))
            .when(pl.col("_kind").is_not_null())
            .then(pl.lit("built-in"))
            .otherwise(pl.lit("default"))
            .alias("payee_evidence"),
            pl.when(looked.is_not_null())
            .then(None)
            .when(pl.col("redacted"))
            .then(pl.lit("redacted"))
            .otherwise(pl.col("_by"))
            .alias("payee_rule"),
        )
    )


def member_payees(profiles: pl.DataFrame, members: Sequence[Member]) -> pl.DataFrame:
    """Which profiles are a network member being paid: ``_pid`` and ``payee_member`` (the
    member's name), for profiles named as a member is (its name, short name or ``aliases``,
    in plain words) or carrying one of its ``identifiers`` (company, charity or VAT number).
    Exact, never fuzzy; a name or number two members claim is an error."""
    keys: list[tuple[str, str, str]] = []  # (column, value, member)
    for m in members:
        for name in (m.name, m.short_name, *m.aliases):
            if name:
                keys.append(("_plain", name, m.name))
        for ident in m.identifiers:
            keys += [(col, ident, m.name) for col in _ID_COLUMNS if col in profiles.columns]
    if not keys:
        return pl.DataFrame(schema={"_pid": pl.UInt32, "payee_member": pl.String})
    table = pl.DataFrame(keys, schema=["_col", "_raw", "payee_member"], orient="row")
    table = table.with_columns(
        pl.when(pl.col("_col") == "_plain")
        .then(plain_name(pl.col("_raw")))
        .otherwise(_normalised_id(pl.col("_col"), pl.col("_raw")))
        .alias("_value")
    ).unique(["_col", "_value", "payee_member"])
    clash = table.group_by("_col", "_value").agg(pl.col("payee_member").unique().sort())
    clash = clash.filter(pl.col("payee_member").list.len() > 1)
    if clash.height:
        first = clash.row(0, named=True)
        raise AnchorspendError(
            f"{first['_value']!r} names more than one member: " + ", ".join(first["payee_member"]),
            hint="give each member's aliases and identifiers once ([members.<key>])",
        )
    named = profiles.select("_pid", plain_name(pl.col("supplier_name")).alias("_value"))
    found = [
        named.join(table.filter(pl.col("_col") == "_plain"), on="_value").select(
            "_pid", "payee_member"
        )
    ]
    for col in _ID_COLUMNS:
        if col in profiles.columns:
            found.append(
                profiles.select("_pid", pl.col(col).alias("_value"))
                .join(table.filter(pl.col("_col") == col), on="_value")
                .select("_pid", "payee_member")
            )
    out = pl.concat(found).unique("_pid", keep="first", maintain_order=True)
    return out.with_columns(pl.col("_pid").cast(pl.UInt32))


def paid_within() -> pl.Expr:
    """A row's payment is to another organisation of the run: its ``payee_member`` (see
    :func:`member_payees`) is set and is not the payer's ``organisation``."""
    member = pl.col("payee_member")
    return member.is_not_null() & (member != pl.col("organisation").cast(pl.String))


_ID_COLUMNS = ("company_number", "charity_number", "vat_number")


def _normalised_id(column: pl.Expr, raw: pl.Expr) -> pl.Expr:
    """A member's identifier as the profiles hold that kind of number."""
    return (
        pl.when(column == "company_number")
        .then(company_number(raw))
        .when(column == "charity_number")
        .then(plain_id(raw))
        .otherwise(vat_number(raw))
    )
