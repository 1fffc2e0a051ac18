"""OCDS (Find a Tender, Contracts Finder) release and record packages as claims: what suppliers
declared about their scale and VCSE status. The rules are documented in :mod:`.registers`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.errors import AnchorspendError
from anchorspend.normalise import company_number
from anchorspend.suppliers.registers_common import (
    charity_from_org_id,
    finish,
    iso_day,
    json_text,
    load_json,
    text,
)

SME_SCALES = ("micro", "sme", "small", "medium")
LARGE_SCALES = ("large",)
VCSE_KEYS = ("vcse", "isVCSE", "isVcse")
"""``details`` keys read as the VCSE declaration, first boolean wins (``vcse`` is Contracts
Finder's; the Procurement Act profile's name is to be confirmed against a real notice)."""
CHARITY_SCHEMES = ("GB-CHC", "GB-SC", "GB-NIC")
_FIELDS = ("name", "company", "charity", "postcode", "scale", "vcse", "vcse_key", "date", "ident")
_HINT = "use an OCDS release package, record package or release (JSON)"


def read_ocds(path: str | Path) -> pl.LazyFrame:
    """Claims from OCDS JSON: one row per supplier (by identifier, else by name)."""
    path = Path(path)
    doc: Any = load_json(path, register="OCDS", hint=_HINT)
    rows: list[dict[str, str | None]] = []
    for release in _releases(doc, path):
        day = _day(release.get("date"))
        parties = release.get("parties")
        for party in parties if isinstance(parties, list) else []:
            if isinstance(party, dict) and _is_supplier(party):
                rows.append(_party(party, day))
    data = {f: [row[f] for row in rows] for f in _FIELDS}
    raw = pl.LazyFrame(data, schema=dict.fromkeys(_FIELDS, pl.String))
    return finish(_claims(_latest_per_supplier(raw), f"OCDS: {path.name}"))


def _latest_per_supplier(raw: pl.LazyFrame) -> pl.LazyFrame:
    """One row per supplier, keyed by company number, else charity org-id, else main identifier,
    else name (case and spacing ignored); the party from the latest-dated release wins, the later
    in the file on a tie. Suppliers stay in order of first appearance."""
    name = text(pl.col("name"))
    key = pl.coalesce(
        "GB-COH-" + company_number(text(pl.col("company"))),
        pl.col("charity").str.to_uppercase(),
        pl.col("ident"),
        "name:" + name.str.replace_all(r"\s+", " ").str.to_uppercase(),
    )
    return (
        raw.with_columns(key.alias("_key"), pl.int_range(pl.len()).alias("_seq"))
        .filter(pl.col("_key").is_not_null())
        .group_by("_key", maintain_order=True)
        .agg(pl.col(*_FIELDS).sort_by("date", "_seq", nulls_last=False).last())
    )


def _releases(doc: object, path: Path) -> Iterator[dict[str, Any]]:
    """Releases from a release package, a record package, a release, or an array of these."""
    if isinstance(doc, list):
        for item in doc:
            yield from _releases(item, path)
        return
    if isinstance(doc, dict):
        if isinstance(doc.get("releases"), list) and "records" not in doc:
            yield from (r for r in doc["releases"] if isinstance(r, dict))
            return
        if isinstance(doc.get("records"), list):
            for record in doc["records"]:
                if not isinstance(record, dict):
                    continue
                compiled = record.get("compiledRelease")
                listed = record.get("releases")
                if isinstance(compiled, dict):
                    yield compiled
                elif isinstance(listed, list) and listed and isinstance(listed[-1], dict):
                    yield listed[-1]
            return
        if "parties" in doc or "ocid" in doc:
            yield doc
            return
    raise AnchorspendError(
        f"{path.name} is not an OCDS release package, record package or release",
        path=str(path),
        hint=_HINT,
        details=[f"found: {_describe(doc)}"],
    )


def _describe(doc: object) -> str:
    if isinstance(doc, dict):
        keys = ", ".join(repr(k) for k in list(doc)[:12])
        return f"an object with keys {keys}" if keys else "an empty object"
    return f"a JSON {type(doc).__name__}"


def _day(value: object) -> str | None:
    text_value = json_text(value)
    if text_value is None or len(text_value) < 10 or not text_value[:4].isdigit():
        return None
    return text_value[:10]


def _is_supplier(party: dict[str, Any]) -> bool:
    roles = party.get("roles")
    return isinstance(roles, list) and "supplier" in roles


def _party(party: dict[str, Any], day: str | None) -> dict[str, str | None]:
    """The raw fields of one supplier party, as text."""
    main = party.get("identifier")
    main = main if isinstance(main, dict) else {}
    extra = party.get("additionalIdentifiers")
    identifiers = [main] + [
        i for i in (extra if isinstance(extra, list) else []) if isinstance(i, dict)
    ]
    company: str | None = None
    charity: str | None = None
    for ident in identifiers:
        scheme = (json_text(ident.get("scheme")) or "").strip().upper()
        value = json_text(ident.get("id"))
        if value is None or not value.strip():
            continue
        if scheme == "GB-COH" and company is None:
            company = value
        elif scheme in CHARITY_SCHEMES and charity is None:
            charity = f"{scheme}-{value.strip()}"
    name = json_text(party.get("name")) or json_text(main.get("legalName"))
    details = party.get("details")
    details = details if isinstance(details, dict) else {}
    vcse_key = next((k for k in VCSE_KEYS if isinstance(details.get(k), bool)), None)
    address = party.get("address")
    address = address if isinstance(address, dict) else {}
    main_scheme = (json_text(main.get("scheme")) or "").strip().upper()
    main_id = (json_text(main.get("id")) or "").strip().upper()
    return {
        "name": name,
        "company": company,
        "charity": charity,
        "postcode": json_text(address.get("postalCode")),
        "scale": json_text(details.get("scale")),
        "vcse": json_text(details[vcse_key]) if vcse_key else None,
        "vcse_key": vcse_key,
        "date": day,
        "ident": f"{main_scheme}-{main_id}" if main_scheme and main_id else None,
    }


def _claims(raw: pl.LazyFrame, source: str) -> pl.LazyFrame:
    scale = text(pl.col("scale"))
    scale_key = scale.str.to_lowercase()
    sme = (
        pl.when(scale_key.is_in(SME_SCALES))
        .then(True)
        .when(scale_key.is_in(LARGE_SCALES))
        .then(False)
    )
    vcse = pl.col("vcse") == "True"
    return raw.select(
        pl.lit(source).alias("source"),
        text(pl.col("name")).alias("supplier_name"),
        company_number(text(pl.col("company"))).alias("company_number"),
        charity_from_org_id(pl.col("charity")).alias("charity_number"),
        text(pl.col("postcode")).alias("postcode"),
        pl.lit(None, pl.String).alias("status"),
        pl.lit(False).alias("dissolved"),
        sme.alias("is_sme"),
        pl.when(sme.is_not_null())
        .then("OCDS: party details.scale = " + scale)
        .alias("is_sme_evidence"),
        pl.when(sme.is_not_null()).then(pl.lit("declared")).alias("is_sme_confidence"),
        vcse.alias("is_vcse"),
        pl.when(vcse.is_not_null())
        .then(
            pl.concat_str(
                pl.lit("OCDS: party details."),
                pl.col("vcse_key"),
                pl.lit(" = "),
                pl.col("vcse").str.to_lowercase(),
            )
        )
        .alias("is_vcse_evidence"),
        pl.when(vcse.is_not_null()).then(pl.lit("declared")).alias("is_vcse_confidence"),
        iso_day(pl.col("date")).alias("as_of"),
    )
