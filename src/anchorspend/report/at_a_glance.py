"""The "At a glance" section every report opens with, formatted from the document's ``glance``.

One view for the four reports (analyse and compare, HTML and Markdown), so they say the same:
a table of each organisation's headline shares on the document's basis (cells already text),
one line on the reconciliation, and the next step with its command. Nothing is computed here
that the document does not hold; only formatted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anchorspend.glance import BASES, measure_label
from anchorspend.report.format import DASH, money_short, percent

HEADING = "At a glance"


@dataclass(frozen=True, slots=True)
class Cell:
    share: str  # "22.2%", "unknown", "–" or "not measured"
    detail: str  # coverage and target, in words
    status: str  # "known" | "unknown" | "undefined" | "not-measured" (a CSS class)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    cells: list[Cell]
    pooled: bool  # the pooled figures: all organisations, or the network


@dataclass(frozen=True, slots=True)
class Glance:
    caption: str
    headers: list[str]  # the measures' labels (after the organisation column)
    rows: list[Row]
    reconciliation: str
    next_step: str
    command: str | None
    then: str | None


def _target(r: dict[str, Any]) -> str:
    if r["target"] is None:
        return ""
    result = {True: "met", False: "missed", None: "unknown"}[r["target_met"]]
    return f"; target {percent(r['target'])}: {result}"


def _cell(r: dict[str, Any] | None, why: str) -> Cell:
    if r is None:
        return Cell("not measured", why, "not-measured")
    if r["status"] == "unknown":
        return Cell("unknown", "nothing classified" + _target(r), "unknown")
    if r["status"] == "undefined":
        return Cell(DASH, "not defined (net spend is not positive)", "undefined")
    return Cell(percent(r["share"]), f"known for {percent(r['coverage'])}" + _target(r), "known")


def reconciliation_line(rec: dict[str, Any]) -> str:
    """ "38,055 rows, £95.9m: all accounted for; 12 rows rejected, £3,410"."""

    def rows(n: int) -> str:
        return f"{n:,} {'row' if n == 1 else 'rows'}"

    line = f"{rows(rec['rows_read'])}, {money_short(rec['amount_read'])}: all accounted for"
    parts = [f"{rows(rec['rows_analysed'])} analysed"]
    if rec["rows_excluded"]:
        excluded = money_short(rec["amount_excluded"])
        parts.append(f"{rows(rec['rows_excluded'])} excluded by a rule, {excluded}")
    parts.append(
        f"{rows(rec['rows_rejected'])} rejected, {money_short(rec['amount_rejected'])}"
        if rec["rows_rejected"]
        else "none rejected"
    )
    return f"{line}; " + "; ".join(parts)


def build(document: dict[str, Any], label: Callable[[str], str], pooled: str) -> Glance | None:
    """The section for ``document`` (None for a document without ``glance``); ``label`` names
    an organisation as the report does, ``pooled`` is the pooled figures' organisation."""
    glance = document.get("glance")
    if not glance:
        return None
    why = {m: n["reason"] for n in glance["not_measured"] for m in n["measures"]}
    missing = list(why)
    measures = list(glance["measures"])
    measures += [m for m in missing if m not in measures]
    by = {(r["organisation"], r["measure"]): r for r in glance["rows"]}
    orgs = list(dict.fromkeys(r["organisation"] for r in glance["rows"]))
    rows = [
        Row(label(o), [_cell(by.get((o, m)), why.get(m, "")) for m in measures], o == pooled)
        for o in orgs
    ]
    step = glance["next_step"]
    basis = BASES.get(glance["basis"], glance["basis"])
    return Glance(
        caption=f"Headline shares: {basis}, whole period",
        headers=[measure_label(m) for m in measures],
        rows=rows,
        reconciliation=reconciliation_line(document["reconciliation"]),
        next_step=step["message"],
        command=step["command"],
        then=step["then"],
    )
