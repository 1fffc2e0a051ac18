"""report.html: one self-contained page rendered from the machine document.

The page is built for a reader who must first know how sure the figures are: reconciliation and
classification coverage come first, then each organisation (the pooled one last), then the
suppliers nobody could classify, conflicts, inputs and findings. No script, no network: a
Content-Security-Policy forbids both. Jinja2 autoescapes everything, user templates included.

Template context: ``document`` (the dict, as given) and ``report`` (a :class:`Report`). Filters:
``money``, ``money_short``, ``percent``, ``count``, ``measure_label``, ``org_label``,
``rows_list``, ``text``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

# the document's vocabulary, which the compare report's modules take from here too
from anchorspend.glance import ALL_ORGS as ALL_ORGS
from anchorspend.glance import ALL_PERIODS as ALL_PERIODS
from anchorspend.glance import NOT_CLASSIFICATIONS as NOT_CLASSIFICATIONS
from anchorspend.glance import kind_spend, unknown
from anchorspend.glance import measure_label as measure_label
from anchorspend.report import at_a_glance, charts
from anchorspend.report.at_a_glance import Glance
from anchorspend.report.charts import DASH, Bar, Series, ShareRow, money, money_short, percent
from anchorspend.report.places import place_chart, place_rows

TOP_CATEGORIES = 10
UNKNOWN = "unknown"  # a share where none of the spend could be classified (coverage 0)
PERIOD_KINDS = {
    "quarter": "UK financial-year quarters (Q1 is April to June)",
    "calendar": "calendar quarters",
    "month": "months",
    "fy": "UK financial years (April to March)",
}


def org_label(organisation: str) -> str:
    return "All organisations" if organisation == ALL_ORGS else organisation


def text(value: Any) -> str:
    """A cell from the document as text: null is "–", a flag is yes/no."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def rows_list(rows: list[int] | None) -> str:
    return ", ".join(str(r) for r in rows) if rows else DASH


@dataclass(frozen=True, slots=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # right-aligned columns


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    kind: str  # "shares" | "trend" | "top-suppliers" | "categories" | "places"
    heading: str
    summary: list[str]
    svg: Markup
    table: Table


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


def _share(num: Decimal, den: Decimal | None) -> float | None:
    """The contract's share: defined only for a positive total and a ratio within [0, 1]."""
    if den is None or den <= 0:
        return None
    ratio = num / den
    return float(ratio) if 0 <= ratio <= 1 else None


def _coverage(m: dict[str, Any]) -> float | None:
    if "coverage" in m:
        return m["coverage"]  # type: ignore[no-any-return]
    return _share(Decimal(m["known_spend"]), Decimal(m["total_spend"]))


def drawn_share(m: dict[str, Any] | None) -> float | None:
    """The share of total spend a trend line may draw for one metric row: none where it is not
    defined, and none where no spend at all could be classified (coverage 0), for there the
    0% of total means "unknown", not "none" (the share bars hatch it as unknown)."""
    if not m or m["share_of_total"] is None or not _coverage(m):
        return None
    return m["share_of_total"]  # type: ignore[no-any-return]


def _undefined(total: Decimal | None) -> str:
    if total is None or total <= 0:
        return "not defined (net spend is not positive)"
    return "not defined (net credits put it outside 0–100%)"


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
                percent(_coverage(m)),
                charts.count(m["suppliers"]),
                target,
                met,
            ]
        )
    headers = ["measure", "spend", "share of total", "share of addressable", "share of known",
               "coverage", "suppliers"]  # fmt: skip
    return Table([*headers, "target", "target result"], body, [False, *[True] * 6, True, False])


def addressable_table(document: dict[str, Any]) -> Table:
    """Per organisation (whole period): all spend, addressable spend, and the spend with each
    payee kind, those set aside marked, so that nothing disappears between the two bases."""
    found = kind_spend(document)
    body = [
        [org_label(r["organisation"]), money(r["total_spend"]), money(r["addressable_spend"]),
         *(money(r[f"{k}_spend"]) for k in found.kinds)]
        for r in found.rows
    ]  # fmt: skip
    heads = [f"{k} (set aside)" if k in found.set_aside else k for k in found.kinds]
    return Table(
        ["organisation", "total spend", "addressable spend", *heads],
        body,
        [False, True, True, *[True] * len(found.kinds)],
    )


def _share_chart(cid: str, label: str, rows: list[dict[str, Any]]) -> Chart:
    shares, summary, body = [], [], []
    for m in rows:
        name = measure_label(m["measure"])
        total, spend, known = (Decimal(m[k]) for k in ("total_spend", "spend", "known_spend"))
        share, cov = m["share_of_total"], _coverage(m)
        shares.append(ShareRow(name, share, cov, _undefined(total)))
        if share is None or cov is None:
            summary.append(f"{name} share of spend is {_undefined(total)}.")
        elif cov == 0:
            summary.append(f"{name}: no spend could be classified, so the share is unknown.")
        else:
            summary.append(
                f"{name} suppliers received {money_short(spend)}, {percent(share)} of spend; "
                f"classification is known for {percent(cov)} of spend."
            )
        defined = share is not None and cov is not None
        body.append(
            [
                name,
                money(spend),
                percent(share),
                money(known - spend),
                percent(cov - share) if defined else DASH,
                money(total - known),
                percent(1 - cov) if cov is not None else DASH,
            ]
        )
    headers = ["measure", "has it", "share", "known not to", "share", "unknown", "share"]
    desc = f"Share of {label}'s spend by whether the supplier has each attribute, "
    desc += "does not, or is unclassified."
    svg = charts.share_bars(cid, shares, f"Share of spend by supplier type: {label}", desc)
    table = Table(headers, body, [False, *[True] * 6])
    return Chart(cid, "shares", "Share of spend by supplier type", summary, svg, table)


def _trend_chart(
    cid: str, label: str, measures: list[str], by_period: dict[str, dict[str, Any]]
) -> Chart:
    periods = sorted(by_period)

    def gap(period: str, m: str) -> str:
        """Why a share is left out: nothing classified, or no positive spend."""
        classified = (by_period[period].get(m) or {}).get("share_of_total") is not None
        return "unknown" if classified else "not defined"

    series = [
        Series(
            measure_label(m),
            [drawn_share(by_period[p].get(m)) for p in periods],
            tuple(gap(p, m) for p in periods),
        )
        for m in measures
    ]
    summary = []
    if len(periods) == 1:
        summary.append(f"Only one period ({periods[0]}) is in the data, so each chart is one dot.")
    for m, s in zip(measures, series, strict=True):
        points = [(p, v) for p, v in zip(periods, s.values, strict=True) if v is not None]
        missing = [p for p, v in zip(periods, s.values, strict=True) if v is None]
        # a share left out is unknown (nothing classified) or not defined (no positive spend)
        unknown = [p for p in missing if gap(p, m) == "unknown"]
        undefined = [p for p in missing if p not in unknown]
        if not points and not undefined:
            sentence = f"{s.label}: no spend could be classified, so the share is unknown"
        elif not points and not unknown:
            sentence = f"{s.label}: the share is not defined in any period"
        elif not points:
            sentence = f"{s.label}: no share to show in any period"
        elif len(points) == 1:
            sentence = f"{s.label}: {percent(points[0][1])} in {points[0][0]}"
        else:
            (p0, v0), (p1, v1) = points[0], points[-1]
            sentence = f"{s.label}: {percent(v0)} in {p0}, {percent(v1)} in {p1}"
        if unknown and (points or undefined):
            sentence += f"; unknown (no spend classified) in {', '.join(unknown)}"
        if undefined and (points or unknown):
            sentence += f"; not defined in {', '.join(undefined)}"
        summary.append(sentence + ".")
    table = Table(
        ["period", *(s.label for s in series)],
        [[p, *(percent(s.values[i]) for s in series)] for i, p in enumerate(periods)],
        [False, *[True] * len(series)],
    )
    title = f"Share of spend by period: {label}"
    desc = f"Share of {label}'s spend for each measure in each period, from 0 to 100%."
    svg = charts.trend_chart(cid, periods, series, title, desc)
    return Chart(cid, "trend", "Share of spend by period", summary, svg, table)


def _of_spend(share: float | None) -> str:
    return "" if share is None else f" ({percent(share)} of spend)"


def _top_chart(cid: str, label: str, rows: list[dict[str, Any]], total: Decimal | None) -> Chart:
    spends = [Decimal(r["spend"]) for r in rows]
    first = rows[0]
    together = sum(spends, Decimal(0))
    summary = [
        f"The biggest supplier, {text(first['supplier'])}, received {money_short(spends[0])}"
        f"{_of_spend(first['share_of_total'])}; the top {len(rows)} received "
        f"{money_short(together)} together{_of_spend(_share(together, total))}."
    ]
    credits = sum(1 for s in spends if s < 0)
    if credits:
        summary.append(
            f"{credits} of them had net credits (negative spend), drawn in grey to the left "
            "of the zero line."
        )
    body = [
        [
            str(r["rank"]),
            text(r["supplier"]),
            money(r["spend"]),
            percent(r["share_of_total"]),
            charts.count(r["rows"]),
            *(text(r.get(k)) for k in ("sme", "vcse", "diverse_led", "local")),
            text(r.get("matched_by")),
        ]
        for r in rows
    ]
    headers = ["rank", "supplier", "spend", "share of total", "payments"]
    table = Table(
        [*headers, "SME", "VCSE", "diverse-led", "local", "matched by"],
        body,
        [True, False, True, True, True, *[False] * 5],
    )
    bars = [Bar(text(r["supplier"]), s) for r, s in zip(rows, spends, strict=True)]
    title = f"Top {len(rows)} suppliers by spend: {label}"
    svg = charts.hbar_chart(cid, bars, title, f"Spend with {label}'s biggest suppliers.")
    return Chart(cid, "top-suppliers", "Top suppliers by spend", summary, svg, table)


def _category_chart(
    cid: str, label: str, rows: list[dict[str, Any]], total: Decimal | None
) -> Chart:
    bases = sorted({r["basis"] for r in rows})
    noun = " or ".join(b.replace("_", " ") for b in bases)
    head, rest = rows[:TOP_CATEGORIES], rows[TOP_CATEGORIES:]
    bars = [Bar(text(r["category"]), Decimal(r["spend"])) for r in head]
    body = [
        [
            text(r["category"]),
            money(r["spend"]),
            percent(r["share_of_total"]),
            charts.count(r["rows"]),
            charts.count(r["suppliers"]),
        ]
        for r in head
    ]
    summary = [
        f"The biggest {noun}, {text(head[0]['category'])}, accounts for "
        f"{money_short(head[0]['spend'])}{_of_spend(head[0]['share_of_total'])}."
    ]
    if rest:
        other = sum((Decimal(r["spend"]) for r in rest), Decimal(0))
        other_label = f"other categories ({len(rest)})"
        bars.append(Bar(other_label, other))
        body.append(
            [
                other_label,
                money(other),
                percent(_share(other, total)),
                charts.count(sum(r["rows"] for r in rest)),
                DASH,
            ]
        )
        summary.append(
            f"The other {len(rest)} together account for {money_short(other)}"
            f"{_of_spend(_share(other, total))}."
        )
    title = f"Spend by {noun}: {label}"
    svg = charts.hbar_chart(cid, bars, title, f"{label}'s spend by {noun}.", charts.GREEN)
    table = Table(
        [noun, "spend", "share of total", "payments", "suppliers"],
        body,
        [False, True, True, True, True],
    )
    return Chart(cid, "categories", f"Spend by {noun}", summary, svg, table)


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
        found.append(_share_chart(next(ids), label, classified))
    trend_measures = [m for m in measures if m != "total_spend"]
    if by_period and trend_measures:
        found.append(_trend_chart(next(ids), label, trend_measures, by_period))
    top = [r for r in document.get("top_suppliers", []) if r["organisation"] == name]
    if top:
        found.append(_top_chart(next(ids), label, top, total))
    cats = [r for r in document.get("categories", []) if r["organisation"] == name]
    if cats:
        found.append(_category_chart(next(ids), label, cats, total))
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
        [org_label(e["organisation"]), measure_label(e["measure"]), text(e["confidence"]),
         money(e["known_spend"]), money(e["spend"]), percent(e["share_of_total"])]
        for e in document.get("evidence", [])
    ]  # fmt: skip
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
            *(percent(_coverage(at[o, ms])) if (o, ms) in at else DASH for o in orgs),
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


FILTERS: dict[str, Callable[..., str]] = {
    "money": money,
    "money_short": money_short,
    "percent": percent,
    "count": charts.count,
    "measure_label": measure_label,
    "org_label": org_label,
    "rows_list": rows_list,
    "text": text,
}


def environment(templates: Path | None = None) -> jinja2.Environment:
    """Autoescaping, strict Jinja2; a user directory (``--templates DIR``) overrides ours."""
    ours = jinja2.PackageLoader("anchorspend.report", "templates")
    loader: jinja2.BaseLoader = (
        jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(templates)), ours]) if templates else ours
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render_html(document: dict[str, Any], *, templates: Path | None = None) -> str:
    """The HTML report for ``document``; the same document always gives the same bytes."""
    template = environment(templates).get_template("report.html.j2")
    return template.render(document=document, report=build_report(document))
