"""report.md for ``compare``: the network comparison as Markdown tables, the same content as
report.html.

Rendered from the same formatted tables as the HTML page (compare/view.py), so
the two never disagree; the shading and the small SVG charts become their data tables. Text from
the data is escaped for Markdown and for the HTML a Markdown viewer may let through: a member or
supplier called ``<script>…`` or ``[x](http://…)`` stays literal text, never markup or a link.
"""

from __future__ import annotations

from typing import Any

from anchorspend.report.compare.view import CompareReport, build_compare_report
from anchorspend.report.markdown import glance_lines, grid_table, md_text
from anchorspend.report.tables import FOCUS_MARK, Grid


def _section(title: str, grids: list[Grid], empty: str = "") -> list[str]:
    out = [f"## {title}", ""]
    for g in grids:
        out += grid_table(g)
    if not grids and empty:
        out += [empty, ""]
    return out


def _optional(g: Grid | None) -> list[Grid]:
    return [] if g is None else [g]


def render_compare_md(document: dict[str, Any]) -> str:
    """compare.md for the compare document; the same document always gives the same text."""
    r: CompareReport = build_compare_report(document)
    lines = [f"# {md_text(r.title)}", ""]
    lines += glance_lines(r.glance)
    lines += [
        f"Periods are {md_text(r.period_kind)}. Money is net spend in pounds. Members are "
        f"ranked only where classification coverage is at least {r.min_coverage:.1%}; a "
        f"target missed by no more than {r.close_points} points is “close”.",
        "",
    ]
    if r.focus is not None:
        lines += [
            f"This page is about {md_text(r.focus)}: its row is marked “{FOCUS_MARK}” in every "
            "table; the rest of the network is shown for context.",
            "",
        ]
    lines += _section("Reconciliation", r.reconciliation)
    lines += _section(
        "Classification coverage", _optional(r.coverage), "No supplier classifications."
    )
    if r.focus_headline is not None and r.focus is not None:
        lines += _section(md_text(r.focus), [r.focus_headline])
    lines += _section("Members", [r.members])
    lines += _section("Shares side by side", _optional(r.heat), "No shares to compare.")
    lines += ["## League tables", ""]
    for lg in r.leagues:
        lines += [f"### {md_text(lg.label)}", ""]
        lines += grid_table(lg.overall) if lg.overall is not None else []
        for _, g in lg.periods:
            lines += grid_table(g)
    if not r.leagues:
        lines += ["No league tables: no classification measures were computed.", ""]
    lines += ["## Trends", ""]
    for chart in r.trends:
        lines += [f"### {md_text(chart.label)}", "", md_text(chart.summary), ""]
        lines += grid_table(chart.table)
    if not r.trends:
        lines += ["No trends: the data has no periods to compare.", ""]
    lines += ["## Changes since the previous period", ""]
    for t in r.changes:
        lines += grid_table(t.grid)
    if not r.changes:
        lines += ["No changes to show: the data has only one period.", ""]
    lines += _section("Targets", [t.grid for t in r.targets], "No targets are set.")
    lines += _section("Shared suppliers", _optional(r.shared), "No supplier is shared.")
    lines += _section(
        "Payments between members", _optional(r.flows), "No member was paid by another."
    )
    lines += _section(
        "Network top suppliers", _optional(r.top_suppliers), "No pooled supplier figures."
    )
    lines += _section(
        "Leakage",
        [*_optional(r.leakage), *(t.grid for t in r.member_leakage)],
        "No leakage figures: no local area is configured.",
    )
    lines += _section("Unmatched suppliers", _optional(r.unmatched), "Every supplier matched.")
    lines += _section("Conflicts", _optional(r.conflicts), "No conflicts between lookups.")
    lines += _section("Inputs", [r.inputs, *_optional(r.lookups)])
    lines += _section("Findings", _optional(r.findings), "No problems found in the data.")
    return "\n".join(lines).rstrip("\n") + "\n"
