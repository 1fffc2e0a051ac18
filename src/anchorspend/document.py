"""The ``analyse`` machine document (``metrics.json``), assembled from what the pipeline found.

The document is a plain ``dict`` in the order ``report/DOCUMENT.md`` gives; reports render from
it alone. :class:`AnalyseDocument` holds its top-level sections, typed, and is the one place
they are put together (:func:`analyse_document`); the tables inside them come from
:mod:`anchorspend.views`, :mod:`anchorspend.geography` and :mod:`anchorspend.glance`, the
reconciliation and grouped findings from here."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from anchorspend import __version__
from anchorspend.errors import Finding
from anchorspend.evidence import evidence
from anchorspend.findings import all_findings, group
from anchorspend.gather.ingested import Ingested, InputReport
from anchorspend.gather.options import RunConfig
from anchorspend.geo.store import Store
from anchorspend.geography import geography_view
from anchorspend.glance import Context
from anchorspend.glance import build as glance
from anchorspend.normalise import pence_to_text
from anchorspend.payees import KNOWLEDGE_SOURCE
from anchorspend.views import (
    UNMATCHED_IN_DOCUMENT,
    Suppliers,
    addressable_view,
    top_suppliers,
)

SCHEMA_ID = "anchorspend/metrics/v1"


@dataclass(frozen=True, slots=True)
class Findings:
    """What classifying, locating and measuring the spend found, as the document reads it."""

    measures: list[str]  # in display order
    metrics: pl.DataFrame  # per organisation × period × measure, money as text
    by_kind: pl.DataFrame  # spend per payee kind (see metrics.compute)
    suppliers: Suppliers
    categories: list[dict[str, Any]]
    unmatched: pl.DataFrame  # see views.unmatched_suppliers
    conflicts: pl.DataFrame  # see classify.Classified
    lookups: list[dict[str, Any]]  # per lookup given, what it matched (pence as int)
    store: Store  # the geography
    postcode_problems: pl.DataFrame
    notes: list[Finding]  # file-level findings of the whole run


def analyse_document(
    run: RunConfig, data: Ingested, found: Findings, named_inputs: tuple[str, ...]
) -> dict[str, Any]:
    """The machine document of ``analyse`` (and the base of ``compare``'s), as its sections
    (:class:`AnalyseDocument`) give it. ``named_inputs``: the spend files a next step's
    command names (see :class:`anchorspend.glance.Context`)."""
    rec = reconciliation(data.summary)
    metrics = found.metrics.to_dicts() if found.metrics.height else []
    context = Context(
        inputs=named_inputs,
        lookups=tuple(str(p) for p in run.lookups),
        geography=not found.store.bundled,
        unmatched_spend=_pence(found.unmatched),
    )
    sup = found.suppliers
    return AnalyseDocument(
        period=run.period,
        reconciliation=rec,
        glance=glance(metrics, found.measures, rec, context, run.config.headline_basis),
        inputs=data.inputs,
        measures=found.measures,
        metrics=metrics,
        categories=found.categories,
        top_suppliers=top_suppliers(sup),
        unmatched_suppliers=found.unmatched.head(UNMATCHED_IN_DOCUMENT).to_dicts(),
        addressable=Addressable(
            set_aside=run.config.set_aside,
            by_period=addressable_view(found.by_kind, run.config.set_aside),
        ),
        conflicts=[
            {k: r[k] for k in ("supplier", "field", "values", "spend")}
            for r in found.conflicts.to_dicts()
        ],
        evidence=evidence(sup),
        geography=geography_view(sup, found.store, found.postcode_problems),
        lookups=[{**s, "matched_spend": pence_to_text(s["matched_spend"])} for s in found.lookups],
        findings=group(all_findings(data.findings, found.notes)),
    ).as_dict()


@dataclass(frozen=True, slots=True)
class Addressable:
    """The ``addressable`` section: the payee kinds set aside from addressable spend, where the
    payee kinds come from, and the spend per payee kind per organisation × period."""

    set_aside: Sequence[str]
    by_period: list[dict[str, Any]]  # see views.addressable_view

    def as_dict(self) -> dict[str, Any]:
        return {
            "set_aside": list(self.set_aside),
            "knowledge": KNOWLEDGE_SOURCE,
            "by_period": self.by_period,
        }


@dataclass(frozen=True, slots=True)
class AnalyseDocument:
    """The ``analyse`` document's sections, in the document's order (``report/DOCUMENT.md``
    gives each one's shape). The tables are the views' rows as they are written; the sections
    with a shape of their own here are typed."""

    period: str
    reconciliation: dict[str, Any]  # see reconciliation()
    glance: dict[str, Any]  # see glance.build
    inputs: list[InputReport]
    measures: list[str]
    metrics: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    top_suppliers: list[dict[str, Any]]
    unmatched_suppliers: list[dict[str, Any]]
    addressable: Addressable
    conflicts: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    geography: dict[str, Any]
    lookups: list[dict[str, Any]]
    findings: list[dict[str, Any]]  # see findings.group()

    def as_dict(self) -> dict[str, Any]:
        """The document as written (``metrics.json``): a plain dict, schema and generator
        first."""
        return {
            "schema": SCHEMA_ID,
            "generator": f"anchorspend {__version__}",
            "period": self.period,
            "reconciliation": self.reconciliation,
            "glance": self.glance,
            "inputs": [r.as_dict() for r in self.inputs],
            "measures": self.measures,
            "metrics": self.metrics,
            "categories": self.categories,
            "top_suppliers": self.top_suppliers,
            "unmatched_suppliers": self.unmatched_suppliers,
            "addressable": self.addressable.as_dict(),
            "conflicts": self.conflicts,
            "evidence": self.evidence,
            "geography": self.geography,
            "lookups": self.lookups,
            "findings": self.findings,
        }


def _pence(unmatched: pl.DataFrame) -> tuple[int, ...]:
    """Each unmatched supplier's spend in pence, biggest first (as ``unmatched_suppliers``
    sorts them)."""
    if not unmatched.height:
        return ()
    pence = pl.col("spend").str.replace(".", "", literal=True).cast(pl.Int64)
    return tuple(unmatched.select(pence).get_column("spend").to_list())


def _tally(summary: pl.DataFrame, status: str, label: str) -> list[dict[str, Any]]:
    """Rows and pounds per rule (exclusions) or per reason (rejections, "; "-separated)."""
    if not summary.height:
        return []
    counted = (
        summary.filter(pl.col("_status") == status)
        .select(pl.col("_reason").str.split("; ").alias("key"), "n", "amount")
        .explode("key")
        .group_by("key")
        .agg(pl.col("n").sum(), pl.col("amount").sum())
        .sort("key")
    )
    return [
        {label: key, "rows": int(n), "amount": pence_to_text(int(a or 0))}
        for key, n, a in counted.iter_rows()
    ]


def reconciliation(summary: pl.DataFrame) -> dict[str, Any]:
    """The contract's identity, from the rows' summary (:func:`summarise`): every row read is
    analysed, excluded or rejected, and the parsed pounds add up the same way."""
    by = {s: (0, 0) for s in ("analysed", "excluded", "rejected")}
    if summary.height:
        agg = summary.group_by("_status").agg(pl.col("n").sum(), pl.col("amount").sum())
        for status, n, pence in agg.iter_rows():
            by[status] = (int(n), int(pence or 0))
    read_rows = sum(n for n, _ in by.values())
    read_amount = sum(p for _, p in by.values())
    rules = _tally(summary, "excluded", "rule")
    reasons = _tally(summary, "rejected", "reason")  # a row may carry several reasons
    return {
        "rows_read": read_rows,
        "rows_analysed": by["analysed"][0],
        "rows_excluded": by["excluded"][0],
        "rows_rejected": by["rejected"][0],
        "amount_read": pence_to_text(read_amount),
        "amount_analysed": pence_to_text(by["analysed"][1]),
        "amount_excluded": pence_to_text(by["excluded"][1]),
        "amount_rejected": pence_to_text(by["rejected"][1]),
        "exclusions": rules,
        "rejections": reasons,
    }


def document_json(document: dict[str, Any]) -> str:
    """The machine document as printed by ``--json`` and written as metrics.json."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
