"""Open registers as supplier *claims*: what each register says about whether a supplier is an SME
or a VCSE (voluntary, community or social enterprise), with the evidence and how sure it is.

Every reader returns a lazy frame with exactly the columns of :data:`CLAIM_COLUMNS`, in order,
so frames from different registers concatenate:

``source`` (``Companies House``, ``Charity Commission``, ``360Giving: <file name>``,
``OCDS: <file name>``), ``supplier_name``, ``company_number`` (normalised by
:func:`anchorspend.normalise.company_number`: ``07687209``, ``SC123456``), ``charity_number``
(digits as registered without leading zeros, ``1146179``; Scottish ``SC012345`` as is; Northern
Irish ``NIC<n>``), ``postcode`` (as published, stripped), ``status``, ``dissolved`` (never
null), ``is_sme`` / ``is_vcse`` (true, false or null = the register does not say) each with
``*_evidence`` (a short sentence) and ``*_confidence``, and ``as_of`` (ISO date or null).

Confidence is ``declared`` (the supplier or buyer declared it in a notice), ``registered`` (a
register's own category says so) or ``inferred`` (anchorspend reasons from indirect evidence);
evidence and confidence are null exactly when the flag is null. Names are passed through as
published (stripped); matching them is the caller's business.

Companies House — :func:`read_companies_house` (the monthly ``BasicCompanyData`` CSV; header
names are read with their stray spaces stripped; streamed lazily, every column as text):

* ``is_vcse``: ``Community Interest Company`` and ``Charitable Incorporated Organisation`` → true,
  registered. ``Registered Society`` (co-operative and community benefit societies) → true,
  inferred. ``PRI/LBG/NSC (…)`` and ``PRI/LTD BY GUAR/NSC (…)`` (limited by guarantee, no share
  capital) → true, inferred: most are charities or not-for-profits, not all. Every other category
  → null: a private company can be a social enterprise, so the register cannot say no.
* ``is_sme`` from ``Accounts.AccountCategory``: ``MICRO ENTITY``, ``SMALL``, ``TOTAL EXEMPTION
  FULL``, ``TOTAL EXEMPTION SMALL``, ``UNAUDITED ABRIDGED``, ``AUDITED ABRIDGED`` → true, inferred
  (filing under the micro/small regime: within the Procurement Act SME thresholds); ``MEDIUM`` →
  true, inferred (the medium regime: under 250 staff and a balance sheet within the Act's £38m).
  Everything else (``FULL``, ``GROUP``, ``DORMANT``, ``AUDIT EXEMPTION SUBSIDIARY``, ``FILING
  EXEMPTION SUBSIDIARY``, ``PARTIAL EXEMPTION``, ``INITIAL``, ``NO ACCOUNTS FILED``, ``ACCOUNTS
  TYPE NOT AVAILABLE``, blank) → null: a full filer can be medium or large, and a subsidiary's
  group may be large. A ``Public Limited Company`` → null whatever its accounts category.
* ``status`` = ``CompanyStatus``; ``dissolved`` = status ``Dissolved`` or a ``DissolutionDate``;
  ``postcode`` = ``RegAddress.PostCode``; ``as_of`` null. Dissolved companies are kept.

Charity Commission — :func:`read_charities` (``publicextract.charity``: tab-separated text, no
quoting; or the JSON form, a list of objects with the same keys):

* Main charities only (``linked_charity_number`` 0). ``charity_number`` =
  ``registered_charity_number``; ``company_number`` from ``charity_company_registration_number``
  (normalised, so zero-padded); ``status`` = ``charity_registration_status``; ``dissolved`` =
  status ``Removed`` or ``cio_is_dissolved`` True; ``postcode`` = ``charity_contact_postcode``;
  ``as_of`` = the date part of ``date_of_extract``.
* ``is_vcse``: ``Registered`` → true, registered ("Charity Commission: registered charity N");
  ``Removed`` (or anything else) → null.
* ``is_sme`` from ``latest_income``: ≤ £44,000,000 → true, inferred ("latest income £N: within
  the Procurement Act SME turnover limit"); above it → false, inferred; blank → null.

360Giving — :func:`read_grants` (flattened CSV; XLSX, the first sheet with a ``Recipient
Org:Name`` header; or JSON ``{"grants": [...]}`` in the standard's nested form):

* One row per distinct recipient, keyed by ``Recipient Org:Identifier`` (by name where the
  identifier is blank); the first name seen is kept, and the first non-blank charity number,
  company number and postcode (``Recipient Org:Postal Code``).
* Numbers come from ``Recipient Org:Charity Number`` / ``Recipient Org:Company Number``, else
  from the org-id: ``GB-CHC-<n>`` → charity ``n``; ``GB-COH-<n>`` → company ``n``;
  ``GB-SC-SC012345`` → charity ``SC012345`` (bare digits gain ``SC``); ``GB-NIC-<n>`` → charity
  ``NIC<n>``, so that Northern Irish numbers cannot collide with English and Welsh ones.
* ``is_vcse`` → true, inferred ("360Giving: recipient of a grant from <first Funding Org:Name
  seen>"); ``is_sme`` null; ``status`` null; ``dissolved`` false; ``as_of`` = the recipient's
  latest ``Award Date``.

OCDS — :func:`read_ocds` (a release package, a record package — each record's
``compiledRelease``, else its last release in list order —, a single release, or a JSON array of
any of these; parsed with the stdlib ``json``; files over 2 GB are refused):

* Parties whose ``roles`` include ``supplier`` (tenderers and buyers are ignored);
  ``supplier_name`` = ``name`` (else ``identifier.legalName``). ``identifier`` then
  ``additionalIdentifiers``: ``GB-COH`` → company number; ``GB-CHC``/``GB-SC``/``GB-NIC`` →
  charity number (as for 360Giving org-ids). ``postcode`` = ``address.postalCode``.
* ``is_sme`` from ``details.scale``: ``micro``, ``sme``, ``small``, ``medium`` → true, declared;
  ``large`` → false, declared; anything else or absent → null.
* ``is_vcse`` from ``details.vcse`` when it is a boolean → declared. ``details.vcse`` is what
  Contracts Finder releases carry; Find a Tender's Procurement Act notices may name it
  differently, so ``details.isVCSE`` and ``details.isVcse`` are accepted too (to be confirmed
  against a real Procurement Act notice).
* One row per supplier, keyed by its (normalised) company number, else its charity org-id, else
  its main ``identifier`` (``scheme-id``), else its name (case and spacing ignored); the party
  from the release with the latest ``date`` wins (the later in the file on a tie). ``as_of`` =
  that release's date; ``status`` null; ``dissolved`` false.

Unreadable input raises :class:`~anchorspend.errors.AnchorspendError`. The delimited readers check
their header eagerly; the rows themselves are read only when the caller collects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.errors import AnchorspendError
from anchorspend.normalise import company_number
from anchorspend.suppliers.registers_common import (
    CLAIM_COLUMNS,
    CLAIM_SCHEMA,
    charity_number,
    finish,
    iso_day,
    json_text,
    load_json,
    scan_columns,
    text,
)
from anchorspend.suppliers.registers_grants import read_grants
from anchorspend.suppliers.registers_ocds import read_ocds

__all__ = [
    "CLAIM_COLUMNS",
    "CLAIM_SCHEMA",
    "read_charities",
    "read_companies_house",
    "read_grants",
    "read_ocds",
]

# ---------------------------------------------------------------------------------------------
# Companies House

CH_COLUMNS = (
    "CompanyName",
    "CompanyNumber",
    "RegAddress.PostCode",
    "CompanyCategory",
    "CompanyStatus",
    "DissolutionDate",
    "Accounts.AccountCategory",
)
CH_VCSE_REGISTERED = ("COMMUNITY INTEREST COMPANY", "CHARITABLE INCORPORATED ORGANISATION")
CH_VCSE_INFERRED = ("REGISTERED SOCIETY",)
CH_GUARANTEE_PREFIXES = ("PRI/LBG/NSC", "PRI/LTD BY GUAR/NSC")  # limited by guarantee, no shares
CH_SMALL_ACCOUNTS = (
    "MICRO ENTITY",
    "SMALL",
    "TOTAL EXEMPTION FULL",
    "TOTAL EXEMPTION SMALL",
    "UNAUDITED ABRIDGED",
    "AUDITED ABRIDGED",
    "MEDIUM",
)
_CH_HINT = "use the BasicCompanyData CSV from download.companieshouse.gov.uk (unzipped)"


def read_companies_house(path: str | Path) -> pl.LazyFrame:
    """Claims from Companies House ``BasicCompanyData`` (streamed: nothing is read but the header
    until the caller collects)."""
    path = Path(path)
    frame, columns = scan_columns(
        path, register="Companies House BasicCompanyData", required=CH_COLUMNS, hint=_CH_HINT
    )
    raw = frame.select(text(pl.col(columns[c])).alias(c) for c in CH_COLUMNS)
    category = pl.col("CompanyCategory")
    cat = category.str.to_uppercase()
    accounts = pl.col("Accounts.AccountCategory")
    status = pl.col("CompanyStatus")

    registered = cat.is_in(CH_VCSE_REGISTERED).fill_null(False)
    inferred = cat.is_in(CH_VCSE_INFERRED) | pl.any_horizontal(
        cat.str.starts_with(p) for p in CH_GUARANTEE_PREFIXES
    )
    vcse = registered | inferred.fill_null(False)
    plc = (cat == "PUBLIC LIMITED COMPANY").fill_null(False)
    sme = accounts.str.to_uppercase().is_in(CH_SMALL_ACCOUNTS).fill_null(False) & ~plc

    return finish(
        raw.select(
            pl.lit("Companies House").alias("source"),
            pl.col("CompanyName").alias("supplier_name"),
            company_number(pl.col("CompanyNumber")).alias("company_number"),
            pl.lit(None, pl.String).alias("charity_number"),
            pl.col("RegAddress.PostCode").alias("postcode"),
            status.alias("status"),
            ((status.str.to_uppercase() == "DISSOLVED").fill_null(False))
            .or_(pl.col("DissolutionDate").is_not_null())
            .alias("dissolved"),
            pl.when(sme).then(True).alias("is_sme"),
            pl.when(sme)
            .then("Companies House accounts category " + accounts)
            .alias("is_sme_evidence"),
            pl.when(sme).then(pl.lit("inferred")).alias("is_sme_confidence"),
            pl.when(vcse).then(True).alias("is_vcse"),
            pl.when(vcse)
            .then("Companies House company category " + category)
            .alias("is_vcse_evidence"),
            pl.when(registered)
            .then(pl.lit("registered"))
            .when(vcse)
            .then(pl.lit("inferred"))
            .alias("is_vcse_confidence"),
            pl.lit(None, pl.String).alias("as_of"),
        )
    )


# ---------------------------------------------------------------------------------------------
# Charity Commission

CHARITY_COLUMNS = (
    "date_of_extract",
    "registered_charity_number",
    "linked_charity_number",
    "charity_name",
    "charity_registration_status",
    "latest_income",
    "charity_contact_postcode",
    "charity_company_registration_number",
    "cio_is_dissolved",
)
SME_TURNOVER_LIMIT = 44_000_000
"""Procurement Act 2023 s.123: an SME's turnover is at most £44m (or balance sheet £38m)."""
_CHARITY_HINT = (
    "use publicextract.charity (.txt or .json) from the Charity Commission's register extract"
)


def read_charities(path: str | Path) -> pl.LazyFrame:
    """Claims from the Charity Commission register extract (tab-separated, or its JSON form)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        raw = _charities_json(path)
    else:
        frame, columns = scan_columns(
            path,
            register="Charity Commission extract",
            required=CHARITY_COLUMNS,
            hint=_CHARITY_HINT,
            separator="\t",
            quote_char=None,
        )
        raw = frame.select(pl.col(columns[c]).alias(c) for c in CHARITY_COLUMNS)
    return finish(_charity_claims(raw))


def _charities_json(path: Path) -> pl.LazyFrame:
    doc: Any = load_json(path, register="Charity Commission extract", hint=_CHARITY_HINT)
    if not isinstance(doc, list) or not all(isinstance(o, dict) for o in doc):
        raise AnchorspendError(
            f"{path.name} is not a Charity Commission JSON extract (expected a list of objects)",
            path=str(path),
            hint=_CHARITY_HINT,
        )
    if doc and (missing := [c for c in CHARITY_COLUMNS if c not in doc[0]]):
        raise AnchorspendError(
            f"not a Charity Commission extract: missing key(s) {', '.join(missing)}",
            path=str(path),
            hint=_CHARITY_HINT,
            details=["keys found: " + ", ".join(repr(k) for k in doc[0])],
        )
    data = {c: [json_text(o.get(c)) for o in doc] for c in CHARITY_COLUMNS}
    return pl.LazyFrame(data, schema=dict.fromkeys(CHARITY_COLUMNS, pl.String))


def _pounds(expr: pl.Expr) -> pl.Expr:
    """A non-negative amount of pounds → ``£1,234,567`` (rounded to the pound)."""
    whole = expr.round(0).cast(pl.Int64).cast(pl.String)
    grouped = whole.str.reverse().str.replace_all(r"(\d{3})", "${1},").str.strip_suffix(",")
    return "£" + grouped.str.reverse().str.replace(r"^-,", "-")


def _charity_claims(raw: pl.LazyFrame) -> pl.LazyFrame:
    number = charity_number(pl.col("registered_charity_number"))
    status = text(pl.col("charity_registration_status"))
    linked = text(pl.col("linked_charity_number")).cast(pl.Int64, strict=False)
    income = (
        text(pl.col("latest_income")).str.replace_all(r"[£,\s]", "").cast(pl.Float64, strict=False)
    )
    registered = (status.str.to_uppercase() == "REGISTERED").fill_null(False)
    within = income <= SME_TURNOVER_LIMIT
    dissolved = text(pl.col("cio_is_dissolved")).str.to_uppercase() == "TRUE"
    return raw.filter(linked == 0).select(
        pl.lit("Charity Commission").alias("source"),
        text(pl.col("charity_name")).alias("supplier_name"),
        company_number(text(pl.col("charity_company_registration_number"))).alias("company_number"),
        number.alias("charity_number"),
        text(pl.col("charity_contact_postcode")).alias("postcode"),
        status.alias("status"),
        (
            (status.str.to_uppercase() == "REMOVED").fill_null(False) | dissolved.fill_null(False)
        ).alias("dissolved"),
        within.alias("is_sme"),
        pl.when(income.is_not_null())
        .then(
            pl.concat_str(
                pl.lit("latest income "),
                _pounds(income),
                pl.when(within)
                .then(pl.lit(": within the Procurement Act SME turnover limit"))
                .otherwise(pl.lit(": above the Procurement Act SME turnover limit")),
            )
        )
        .alias("is_sme_evidence"),
        pl.when(income.is_not_null()).then(pl.lit("inferred")).alias("is_sme_confidence"),
        pl.when(registered).then(True).alias("is_vcse"),
        pl.when(registered)
        .then("Charity Commission: registered charity " + number)
        .alias("is_vcse_evidence"),
        pl.when(registered).then(pl.lit("registered")).alias("is_vcse_confidence"),
        iso_day(pl.col("date_of_extract")).alias("as_of"),
    )
