"""The compare report's view: every section of compare.html and compare.md as formatted tables.

The compare document is the analyse document plus ``network`` (see compare.py). Everything the
reports show is computed here as plain-text tables (report/tables.py's :class:`Grid`), so the
Markdown report renders exactly what the HTML page shows; the HTML adds shading and small SVGs.
:func:`build_compare_report` assembles the :class:`CompareReport` from the section builders:

- grid.py: the indexed document and the compare cell formats;
- tables.py: coverage, the focus member, members, heat, leagues, changes, targets;
- charts.py: the heat scale and the trend small multiples;
- suppliers.py: shared and top suppliers, leakage;
- inputs.py: reconciliation, unmatched suppliers, conflicts, inputs, lookups, findings.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from anchorspend.glance import ALL_ORGS, measure_label
from anchorspend.report import at_a_glance
from anchorspend.report.at_a_glance import Glance
from anchorspend.report.compare import inputs, suppliers, tables
from anchorspend.report.compare.charts import HEAT_STEPS, LOW_HATCH, HeatStep, heat_legend, trends
from anchorspend.report.compare.grid import League, Titled, TrendChart, build_index, member_label
from anchorspend.report.tables import Grid
from anchorspend.report.templating import PERIOD_KINDS


@dataclass(frozen=True, slots=True)
class CompareReport:
    title: str
    glance: Glance | None
    focus: str | None
    network_place: bool  # the network row is net of the payments between members
    period_kind: str
    min_coverage: float
    close_points: float
    classifications: list[str]
    reconciliation: list[Grid]
    coverage: Grid | None
    focus_headline: Grid | None
    members: Grid
    heat: Grid | None
    heat_steps: tuple[HeatStep, ...]
    heat_legend: list[tuple[str, str]]  # (CSS class, the range of shares it stands for)
    low_hatch: tuple[str, str]
    leagues: list[League]
    trend_measures: list[str]
    trends: list[TrendChart]
    changes: list[Titled]
    targets: list[Titled]
    shared: Grid | None
    flows: Grid | None
    top_suppliers: Grid | None
    leakage: Grid | None
    member_leakage: list[Titled]
    unmatched: Grid | None
    conflicts: Grid | None
    inputs: Grid
    lookups: Grid | None
    findings: Grid | None


def build_compare_report(document: dict[str, Any]) -> CompareReport:
    """The view both compare.html and compare.md render: every table, already formatted."""
    ix = build_index(document)
    ids = (f"chart-{n}" for n in itertools.count(1))  # ids never come from data
    trend_measures, trend_charts = trends(ix, ids)
    leakage, member_leakage = suppliers.leakage(ix)
    if ix.focus is not None:
        title = f"{ix.focus} in the network"
    else:
        title = f"anchorspend network comparison ({len(ix.members)} members)"
    return CompareReport(
        title=title,
        glance=at_a_glance.build(document, member_label, ALL_ORGS),
        focus=ix.focus,
        network_place=bool(ix.network.get("place", False)),
        period_kind=PERIOD_KINDS.get(document.get("period", ""), str(document.get("period"))),
        min_coverage=ix.min_coverage,
        close_points=float(ix.network.get("close_points", 0.0)),
        classifications=ix.classifications,
        reconciliation=inputs.reconciliation(document),
        coverage=tables.coverage(ix),
        focus_headline=tables.focus_headline(ix),
        members=tables.members(ix),
        heat=tables.heat(ix),
        heat_steps=HEAT_STEPS,
        heat_legend=heat_legend(),
        low_hatch=LOW_HATCH,
        leagues=tables.leagues(ix),
        trend_measures=[measure_label(m) for m in trend_measures],
        trends=trend_charts,
        changes=tables.changes(ix),
        targets=tables.targets(ix),
        shared=suppliers.shared(ix),
        flows=suppliers.flows(ix),
        top_suppliers=suppliers.top_suppliers(document),
        leakage=leakage,
        member_leakage=member_leakage,
        unmatched=inputs.unmatched(document),
        conflicts=inputs.conflicts(document),
        inputs=inputs.inputs(document),
        lookups=inputs.lookups(document),
        findings=inputs.findings(document),
    )
