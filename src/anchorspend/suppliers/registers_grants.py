"""360Giving grant files as claims: each grant recipient is a VCSE (inferred). The rules are
documented in :mod:`.registers`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.errors import AnchorspendError
from anchorspend.ingest.raw import ROW
from anchorspend.ingest.xlsx import read_xlsx
from anchorspend.normalise import company_number, parse_date
from anchorspend.suppliers.registers_common import (
    charity_from_org_id,
    charity_number,
    company_from_org_id,
    finish,
    json_text,
    load_json,
    scan_columns,
    text,
)

GRANT_FIELDS = {
    "id": "Recipient Org:Identifier",
    "name": "Recipient Org:Name",
    "charity": "Recipient Org:Charity Number",
    "company": "Recipient Org:Company Number",
    "postcode": "Recipient Org:Postal Code",
    "date": "Award Date",
    "funder": "Funding Org:Name",
}
"""Internal field → the 360Giving flattened header it is read from."""
REQUIRED_HEADERS = ("Recipient Org:Identifier", "Recipient Org:Name")
_HINT = "use a 360Giving file (CSV, XLSX or JSON) with Recipient Org:* columns"
_EMPTY_SCHEMA = dict.fromkeys(GRANT_FIELDS, pl.String)


def read_grants(path: str | Path) -> pl.LazyFrame:
    """Claims from a 360Giving grants file: one row per distinct recipient."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        raw = _grants_json(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw = _grants_xlsx(path)
    else:
        frame, columns = scan_columns(
            path, register="360Giving", required=REQUIRED_HEADERS, hint=_HINT
        )
        raw = frame.select(
            (pl.col(columns[h]) if h in columns else pl.lit(None, pl.String)).alias(f)
            for f, h in GRANT_FIELDS.items()
        )
    return finish(_grant_claims(raw, f"360Giving: {path.name}"))


def _grants_xlsx(path: Path) -> pl.LazyFrame:
    def has_header(row: list[str | None]) -> int:
        return int(any(c is not None and c.strip() == GRANT_FIELDS["name"] for c in row))

    try:
        table = read_xlsx(path, display=str(path), looks_like_header=has_header)
    except AnchorspendError as exc:
        if not exc.message.startswith("no sheet"):
            raise
        raise AnchorspendError(
            f"no sheet has a {GRANT_FIELDS['name']!r} header",
            path=str(path),
            hint=_HINT,
            details=exc.details,
        ) from exc
    cells = table.frame.drop(ROW)
    header_at = next((i for i, row in enumerate(cells.iter_rows()) if has_header(list(row))), 0)
    header = [None if c is None else str(c).strip() for c in cells.row(header_at)]
    missing = [h for h in REQUIRED_HEADERS if h not in header]
    if missing:
        raise AnchorspendError(
            f"not a 360Giving sheet: missing column(s) {', '.join(missing)}",
            path=str(path),
            hint=_HINT,
            details=["headers found: " + ", ".join(repr(h) for h in header if h)],
        )
    where = {h: cells.columns[i] for i, h in reversed(list(enumerate(header))) if h}
    return (
        cells.slice(header_at + 1)
        .lazy()
        .select(
            (pl.col(where[h]) if h in where else pl.lit(None, pl.String)).alias(f)
            for f, h in GRANT_FIELDS.items()
        )
    )


def _first_object(value: object) -> dict[str, Any]:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else {}


def _grants_json(path: Path) -> pl.LazyFrame:
    doc: Any = load_json(path, register="360Giving", hint=_HINT)
    grants = doc.get("grants") if isinstance(doc, dict) else None
    if not isinstance(grants, list):
        raise AnchorspendError(
            f'{path.name} is not a 360Giving JSON file (expected {{"grants": [...]}})',
            path=str(path),
            hint=_HINT,
        )
    rows: dict[str, list[str | None]] = {f: [] for f in GRANT_FIELDS}
    for grant in grants:
        if not isinstance(grant, dict):
            continue
        recipient = _first_object(grant.get("recipientOrganization"))
        if not recipient:
            continue  # a grant to an individual (recipientIndividual): no organisation
        funder = _first_object(grant.get("fundingOrganization"))
        for field, value in (
            ("id", recipient.get("id")),
            ("name", recipient.get("name")),
            ("charity", recipient.get("charityNumber")),
            ("company", recipient.get("companyNumber")),
            ("postcode", recipient.get("postalCode")),
            ("date", grant.get("awardDate")),
            ("funder", funder.get("name")),
        ):
            rows[field].append(json_text(value))
    return pl.LazyFrame(rows, schema=_EMPTY_SCHEMA)


def _grant_claims(raw: pl.LazyFrame, source: str) -> pl.LazyFrame:
    org_id = text(pl.col("id"))
    name = text(pl.col("name"))
    per_grant = raw.select(
        pl.coalesce(org_id, "name:" + name).alias("key"),
        name.alias("name"),
        pl.coalesce(charity_number(text(pl.col("charity"))), charity_from_org_id(org_id)).alias(
            "charity"
        ),
        pl.coalesce(company_number(text(pl.col("company"))), company_from_org_id(org_id)).alias(
            "company"
        ),
        text(pl.col("postcode")).alias("postcode"),
        parse_date(text(pl.col("date"))).struct.field("date").alias("date"),
        text(pl.col("funder")).alias("funder"),
    ).filter(pl.col("key").is_not_null())
    recipients = per_grant.group_by("key", maintain_order=True).agg(
        *(pl.col(c).drop_nulls().first() for c in ("name", "charity", "company", "postcode")),
        pl.col("date").max(),
        pl.col("funder").drop_nulls().first(),
    )
    return recipients.select(
        pl.lit(source).alias("source"),
        pl.col("name").alias("supplier_name"),
        pl.col("company").alias("company_number"),
        pl.col("charity").alias("charity_number"),
        pl.col("postcode"),
        pl.lit(None, pl.String).alias("status"),
        pl.lit(False).alias("dissolved"),
        pl.lit(None, pl.Boolean).alias("is_sme"),
        pl.lit(None, pl.String).alias("is_sme_evidence"),
        pl.lit(None, pl.String).alias("is_sme_confidence"),
        pl.lit(True).alias("is_vcse"),
        pl.when(pl.col("funder").is_not_null())
        .then("360Giving: recipient of a grant from " + pl.col("funder"))
        .otherwise(pl.lit("360Giving: recipient of a grant (funder not named)"))
        .alias("is_vcse_evidence"),
        pl.lit("inferred").alias("is_vcse_confidence"),
        pl.col("date").dt.strftime("%Y-%m-%d").alias("as_of"),
    )
