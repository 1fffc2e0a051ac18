"""compare.html: an anchor network's members side by side, rendered from the compare document.

The compare document is the analyse document plus ``network`` (see compare.py). The page follows
the analyse report's rules: how sure the figures are comes first (reconciliation, then each
member's classification coverage), no script and no network (the same Content-Security-Policy),
everything escaped by Jinja2 or by the chart helpers, ids built from counters, and the same
document always gives the same bytes.

Everything the page shows is computed as plain-text tables (:class:`Grid`), so the Markdown
report (compare_md.py) renders exactly the same content; the HTML adds shading and small SVGs.
This module assembles the :class:`CompareReport` from the section builders:

- compare_grid.py: the tables (Grid, Row, Cell), cell formats and the indexed document;
- compare_tables.py: coverage, the focus member, members, heat, leagues, changes, targets;
- compare_charts.py: the heat scale and the trend small multiples;
- compare_suppliers.py: shared and top suppliers, leakage;
- compare_inputs.py: reconciliation, unmatched suppliers, conflicts, inputs, lookups, findings.

The names they define that other modules use are importable from here too.

Template context: ``document`` (the dict, as given) and ``report`` (a :class:`CompareReport`),
with the analyse report's filters. ``--templates DIR`` may hold its own ``compare.html.j2``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anchorspend.glance import ALL_ORGS
from anchorspend.report import at_a_glance, compare_inputs, compare_suppliers, compare_tables
from anchorspend.report.at_a_glance import Glance
from anchorspend.report.compare_charts import (
    HEAT_STEPS,
    LOW_HATCH,
    LOW_TEXT,
    MAIN_MEASURES,
    SERIES_STYLES,
    HeatStep,
    Line,
    heat_legend,
    heat_step,
    small_multiple,
    trends,
)
from anchorspend.report.compare_grid import (
    FOCUS_MARK,
    LOW_MARK,
    LOW_NOTE,
    NETWORK,
    STATUS_SYMBOLS,
    STATUS_WORDS,
    Cell,
    Grid,
    League,
    Row,
    Titled,
    TrendChart,
    build_index,
    change_text,
    member_label,
    points,
    signed_money,
    status_text,
)
from anchorspend.report.compare_suppliers import SHARED_SHOWN
from anchorspend.report.html import PERIOD_KINDS, environment, measure_label

__all__ = [
    "FOCUS_MARK",
    "HEAT_STEPS",
    "LOW_HATCH",
    "LOW_MARK",
    "LOW_NOTE",
    "LOW_TEXT",
    "MAIN_MEASURES",
    "NETWORK",
    "SERIES_STYLES",
    "SHARED_SHOWN",
    "STATUS_SYMBOLS",
    "STATUS_WORDS",
    "TEMPLATE",
    "Cell",
    "CompareReport",
    "Grid",
    "HeatStep",
    "League",
    "Line",
    "Row",
    "Titled",
    "TrendChart",
    "build_compare_report",
    "change_text",
    "heat_legend",
    "heat_step",
    "member_label",
    "points",
    "render_compare_html",
    "signed_money",
    "small_multiple",
    "status_text",
]

TEMPLATE = "compare.html.j2"


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
    leakage, member_leakage = compare_suppliers.leakage(ix)
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
        reconciliation=compare_inputs.reconciliation(document),
        coverage=compare_tables.coverage(ix),
        focus_headline=compare_tables.focus_headline(ix),
        members=compare_tables.members(ix),
        heat=compare_tables.heat(ix),
        heat_steps=HEAT_STEPS,
        heat_legend=heat_legend(),
        low_hatch=LOW_HATCH,
        leagues=compare_tables.leagues(ix),
        trend_measures=[measure_label(m) for m in trend_measures],
        trends=trend_charts,
        changes=compare_tables.changes(ix),
        targets=compare_tables.targets(ix),
        shared=compare_suppliers.shared(ix),
        flows=compare_suppliers.flows(ix),
        top_suppliers=compare_suppliers.top_suppliers(document),
        leakage=leakage,
        member_leakage=member_leakage,
        unmatched=compare_inputs.unmatched(document),
        conflicts=compare_inputs.conflicts(document),
        inputs=compare_inputs.inputs(document),
        lookups=compare_inputs.lookups(document),
        findings=compare_inputs.findings(document),
    )


def render_compare_html(document: dict[str, Any], *, templates: Path | None = None) -> str:
    """compare.html for the compare document; the same document always gives the same bytes."""
    template = environment(templates).get_template(TEMPLATE)
    return template.render(document=document, report=build_compare_report(document))
