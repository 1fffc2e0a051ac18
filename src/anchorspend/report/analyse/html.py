"""report.html: one self-contained page rendered from the machine document.

The page is built for a reader who must first know how sure the figures are: reconciliation and
classification coverage come first, then each organisation (the pooled one last), then the
suppliers nobody could classify, conflicts, inputs and findings. No script, no network: a
Content-Security-Policy forbids both. Jinja2 autoescapes everything, user templates included.

Template context: ``document`` (the dict, as given) and ``report`` (a :class:`Report`), with the
filters of report/templating.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from anchorspend.glance import (
    ALL_ORGS,
    ALL_PERIODS,
    NOT_CLASSIFICATIONS,
    kind_spend,
    measure_label,
    unknown,
)
from anchorspend.report import at_a_glance
from anchorspend.report.analyse.charts import (
    Chart,
    category_chart,
    share_chart,
    top_chart,
    trend_chart,
)
from anchorspend.report.analyse.places import place_chart, place_rows
from anchorspend.report.at_a_glance import Glance
from anchorspend.report.format import (
    DASH,
    UNKNOWN,
    count,
    coverage,
    money,
    org_label,
    percent,
    text,
)
from anchorspend.report.tables import Table
from anchorspend.report.templating import PERIOD_KINDS, environment


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    label: str
    headline: Table
    charts: list[Chart]


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    glance: Glance | None
    period_kind: str
    measures: list[str]
    classifications: list[str]
    coverage: Table
    evidence: Table
    addressable: Table
    organisations: list[Organisation]
    reconciliation: dict[str, Any]
    inputs: list[dict[str, Any]]
    lookups: list[dict[str, Any]]
    unmatched: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    findings: list[dict[str, Any]]


def _organisations(document: dict[str, Any]) -> list[str]:
    names: set[str] = set()
    for key in ("metrics", "categories", "top_suppliers"):
        names.update(r["organisation"] for r in document.get(key, []))
    return sorted(names - {ALL_ORGS}) + ([ALL_ORGS] if ALL_ORGS in names else [])


def _measures(document: dict[str, Any]) -> list[str]:
    if "measures" in document:
        return list(document["measures"])
    return list(dict.fromkeys(m["measure"] for m in document["metrics"]))


def _target(m: dict[str, Any]) -> tuple[str, str]:
    target = m.get("target")
    if target is None:
        return DASH, DASH
    met = m.get("target_met")
    of = " of addressable" if m.get("target_basis") == "addressable" else ""
    return percent(target) + of, {True: "met", False: "missed", None: "not assessable"}[met]


def _headline(rows: list[dict[str, Any]]) -> Table:
    body = []
    for m in rows:
        target, met = _target(m)
        body.append(
            [
                measure_label(m["measure"]),
                money(m["spend"]),
                UNKNOWN if unknown(m) else percent(m["share_of_total"]),
                UNKNOWN if unknown(m, "addressable") else percent(m.get("share_of_addressable")),
                UNKNOWN if unknown(m) else percent(m["share_of_known"]),
                percent(coverage(m)),
                count(m["suppliers"]),
                target,
                met,
            ]
        )
    headers = [
        "measure",
        "spend",
        "share of total",
        "share of addressable",
        "share of known",
        "coverage",
        "suppliers",
    ]
    return Table([*headers, "target", "target result"], body, [False, *[True] * 6, True, False])


def addressable_table(document: dict[str, Any]) -> Table:
    """Per organisation (whole period): all spend, addressable spend, and the spend with each
    payee kind, those set aside marked, so that nothing disappears between the two bases."""
    found = kind_spend(document)
    body = [
        [
            org_label(r["organisation"]),
            money(r["total_spend"]),
            money(r["addressable_spend"]),
            *(money(r[f"{k}_spend"]) for k in found.kinds),
        ]
        for r in found.rows
    ]
    heads = [f"{k} (set aside)" if k in found.set_aside else k for k in found.kinds]
    return Table(
        ["organisation", "total spend", "addressable spend", *heads],
        body,
        [False, True, True, *[True] * len(found.kinds)],
    )


def _organisation(
    index: int, name: str, document: dict[str, Any], measures: list[str], ids: Iterator[str]
) -> Organisation:
    label = org_label(name)
    mine = [m for m in document["metrics"] if m["organisation"] == name]
    by_period: dict[str, dict[str, Any]] = {}
    for m in mine:
        by_period.setdefault(m["period"], {})[m["measure"]] = m
    overall = by_period.pop(ALL_PERIODS, {})
    total_row = overall.get("total_spend")
    total = Decimal(total_row["total_spend"]) if total_row else None
    headline = _headline([overall[m] for m in measures if m in overall])
    found: list[Chart] = []
    classified = [overall[m] for m in measures if m in overall and m not in NOT_CLASSIFICATIONS]
    if classified:
        found.append(share_chart(next(ids), label, classified))
    trend_measures = [m for m in measures if m != "total_spend"]
    if by_period and trend_measures:
        found.append(trend_chart(next(ids), label, trend_measures, by_period))
    top = [r for r in document.get("top_suppliers", []) if r["organisation"] == name]
    if top:
        found.append(top_chart(next(ids), label, top, total))
    cats = [r for r in document.get("categories", []) if r["organisation"] == name]
    if cats:
        found.append(category_chart(next(ids), label, cats, total))
    places = place_rows(document, name)
    if places:
        cid = next(ids)
        geography = document.get("geography") or {}
        summary, svg, headers, body = place_chart(
            cid, label, places, total, geography.get("basis", []), geography.get("source")
        )
        table = Table(headers, body, [False, True, True, True])
        found.append(Chart(cid, "places", "Where suppliers are", summary, svg, table))
    return Organisation(f"org-{index}", name, label, headline, found)


def _evidence_table(document: dict[str, Any]) -> Table:
    rows = [
        [
            org_label(e["organisation"]),
            measure_label(e["measure"]),
            text(e["confidence"]),
            money(e["known_spend"]),
            money(e["spend"]),
            percent(e["share_of_total"]),
        ]
        for e in document.get("evidence", [])
    ]
    return Table(
        ["organisation", "measure", "evidence", "known spend", "of which yes", "share of total"],
        rows,
        [False, False, False, True, True, True],
    )


def _coverage_table(document: dict[str, Any], orgs: list[str], measures: list[str]) -> Table:
    at: dict[tuple[str, str], dict[str, Any]] = {
        (m["organisation"], m["measure"]): m
        for m in document["metrics"]
        if m["period"] == ALL_PERIODS
    }
    rows = [
        [
            measure_label(ms),
            *(percent(coverage(at[o, ms])) if (o, ms) in at else DASH for o in orgs),
        ]
        for ms in measures
    ]
    return Table(["measure", *(org_label(o) for o in orgs)], rows, [False, *[True] * len(orgs)])


def build_report(document: dict[str, Any]) -> Report:
    """The view the template renders: pre-computed tables and charts per organisation."""
    measures = _measures(document)
    classifications = [m for m in measures if m not in NOT_CLASSIFICATIONS]
    orgs = _organisations(document)
    ids = (f"chart-{n}" for n in itertools.count(1))  # ids never come from data
    named = [o for o in orgs if o != ALL_ORGS]
    return Report(
        title="anchorspend report" + (f": {', '.join(named)}" if named else ""),
        glance=at_a_glance.build(document, org_label, ALL_ORGS),
        period_kind=PERIOD_KINDS.get(document.get("period", ""), str(document.get("period"))),
        measures=measures,
        classifications=classifications,
        coverage=_coverage_table(document, orgs, classifications),
        evidence=_evidence_table(document),
        addressable=addressable_table(document),
        organisations=[
            _organisation(i, o, document, measures, ids) for i, o in enumerate(orgs, start=1)
        ],
        reconciliation=document["reconciliation"],
        inputs=document.get("inputs", []),
        lookups=document.get("lookups", []),
        unmatched=document.get("unmatched_suppliers", []),
        conflicts=document.get("conflicts", []),
        findings=document.get("findings", []),
    )


def render_html(document: dict[str, Any], *, templates: Path | None = None) -> str:
    """The HTML report for ``document``; the same document always gives the same bytes."""
    template = environment(templates).get_template("report.html.j2")
    return template.render(document=document, report=build_report(document))
