"""The compare reports (HTML, XLSX, Markdown), rendered from real compare documents.

Documents: the bundled examples (two members, two quarters, targets, local tiers), the same with
``--member`` set, the network fixture with a minimum coverage that leaves members unranked, and a
hostile copy of the examples whose member and supplier names are markup and formulas.
"""

from __future__ import annotations

import colorsys
import copy
import re
import zipfile
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import openpyxl
import pytest

from anchorspend import config as config_mod
from anchorspend.compare import CompareConfig, compare
from anchorspend.gather.options import RunConfig
from anchorspend.glance import measure_label
from anchorspend.report.compare import charts as ch
from anchorspend.report.compare.grid import status_text
from anchorspend.report.compare.html import render_compare_html
from anchorspend.report.compare.xlsx import write_compare_xlsx
from anchorspend.report.format import money
from anchorspend.report.markdown.compare import render_compare_md
from anchorspend.report.xlsx import MONEY_FORMAT, SHARE_FORMAT
from tests.helpers import FIXTURES, ROOT, assert_sheets_frozen_and_filtered

NORTH = "Northborough Borough Council"
RIVER = "Riverside NHS Foundation Trust"
SHARED = "Capita Business Services Ltd"
SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA = '=HYPERLINK("http://x","y")'
FORMULA_ESCAPED = "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)"
SECTIONS = [
    "at-a-glance",
    "reconciliation",
    "coverage",
    "members",
    "heat",
    "league",
    "trends",
    "changes",
    "targets",
    "shared",
    "flows",
    "top-suppliers",
    "leakage",
    "unmatched",
    "conflicts",
    "inputs",
    "findings",
]
SHEETS = [
    "Summary",
    "Members",
    "Heat",
    "League",
    "Changes",
    "Targets",
    "Shared suppliers",
    "Leakage",
    "Metrics",
    "Inputs",
    "Findings",
]


def _examples(**options: Any) -> dict[str, Any]:
    cfg = config_mod.load(ROOT / "examples" / "anchorspend.toml")
    run = RunConfig(
        inputs=(ROOT / "examples" / "spend",),
        lookups=(ROOT / "examples" / "lookups" / "suppliers.csv",),
        config=cfg,
    )
    return compare(CompareConfig(run=run, **options)).document


@pytest.fixture(scope="module")
def _doc() -> dict[str, Any]:
    return _examples()


@pytest.fixture(scope="module")
def _focused() -> dict[str, Any]:
    return _examples(member=NORTH)


@pytest.fixture(scope="module")
def _low() -> dict[str, Any]:
    """The network fixture (three configured members) with members left unranked."""
    net = FIXTURES / "network"
    run = RunConfig(
        inputs=(), lookups=(net / "lookup.csv",), config=config_mod.load(net / "anchorspend.toml")
    )
    return compare(CompareConfig(run=run, min_coverage=0.8)).document


@pytest.fixture
def doc(_doc: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(_doc)


@pytest.fixture
def focused(_focused: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(_focused)


@pytest.fixture
def low(_low: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(_low)


def _replace(value: Any, names: dict[str, str]) -> Any:
    """Every string equal to a key, anywhere in the document, becomes its value."""
    if isinstance(value, dict):
        return {k: _replace(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


@pytest.fixture
def hostile(_doc: dict[str, Any]) -> dict[str, Any]:
    """Member and supplier names that are markup and a formula, focus on the markup member."""
    out: dict[str, Any] = _replace(_doc, {NORTH: SCRIPT, RIVER: FORMULA, SHARED: SCRIPT})
    out["network"]["shared_suppliers"][1]["supplier"] = FORMULA
    out["network"]["focus"] = SCRIPT
    return out


def classifications(document: dict[str, Any]) -> list[str]:
    return [m for m in document["measures"] if m not in ("total_spend", "redacted")]


def pct(share: float) -> str:
    return f"{share * 100:.1f}%"


# ---------------------------------------------------------------- parsing the page


VOID = {"meta", "link", "br", "hr", "img", "input", "col", "wbr", "area", "base", "source"}
SVG_VOID = {"line", "circle", "rect", "polygon", "polyline", "path"}


class Page(HTMLParser):
    """Checks nesting; collects tables (by class) with each row's class and cells, figures,
    section ids in order and every href."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.sections: list[str] = []
        self.hrefs: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self.figures: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self._cell: dict[str, Any] | None = None
        self._note: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "section":
            self.sections.append(a["id"])
        elif tag == "table":
            self.tables.append({"cls": a.get("class", ""), "rows": [], "caption": ""})
        elif tag == "tr" and self.tables and "tbody" in self.stack:
            self.tables[-1]["rows"].append({"cls": a.get("class", ""), "cells": []})
        elif tag in ("td", "th") and "tbody" in self.stack:
            self._cell = {"tag": tag, "cls": a.get("class", ""), "text": ""}
            self.tables[-1]["rows"][-1]["cells"].append(self._cell)
        elif tag == "figure":
            self.figures.append({"id": a["id"], "svg": [], "summary": "", "table": None})
        elif tag == "svg" and self.figures and "figure" in self.stack:
            self.figures[-1]["svg"].append({"viewBox": a["viewbox"], "title": "", "desc": ""})
        elif tag == "p" and "footnote" in a.get("class", ""):
            self._note = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID and tag not in SVG_VOID:
            self.errors.append(f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag in ("td", "th"):
            self._cell = None
        elif tag == "table" and self.figures and "figure" in self.stack:
            self.figures[-1]["table"] = self.tables[-1]
        elif tag == "p" and self._note is not None:
            self.notes.append("".join(self._note))
            self._note = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] += data
        if self._note is not None:
            self._note.append(data)
        if self.stack and self.stack[-1] == "caption":
            self.tables[-1]["caption"] += data
        if self.figures and "figure" in self.stack:
            fig = self.figures[-1]
            if self.stack[-1] in ("title", "desc") and "svg" in self.stack:
                fig["svg"][-1][self.stack[-1]] += data
            elif self.stack[-1] == "p":
                fig["summary"] += data


def page(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    assert p.errors == []
    assert p.stack == []
    return p


def tables(p: Page, cls: str) -> list[dict[str, Any]]:
    return [t for t in p.tables if t["cls"] == cls]


def texts(row: dict[str, Any]) -> list[str]:
    return [c["text"] for c in row["cells"]]


# ---------------------------------------------------------------- HTML structure


def test_sections_in_order_with_reconciliation_before_any_chart(doc: dict[str, Any]) -> None:
    html = render_compare_html(doc)
    p = page(html)
    assert p.sections == SECTIONS
    first_svg = html.index("<svg")
    assert html.index('<section id="reconciliation">') < html.index('<section id="coverage">')
    assert html.index('<section id="coverage">') < html.index('<section id="members">')
    assert html.index('<section id="members">') < first_svg
    assert html.index('<section id="trends">') < first_svg < html.index('<section id="changes">')
    rec = doc["reconciliation"]
    read = tables(p, "reconciliation")[0]["rows"][0]
    assert texts(read) == ["read", str(rec["rows_read"]), money(rec["amount_read"])]
    assert html.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert "<title>anchorspend network comparison (2 members)</title>" in html


def test_members_table_and_network_totals(doc: dict[str, Any]) -> None:
    (members,) = tables(page(render_compare_html(doc)), "members")
    rows = [texts(r) for r in members["rows"]]
    assert [r[0] for r in rows] == [NORTH, RIVER, "Network (2 members)"]
    assert rows[0][4:] == ["60", "£689,994.88"]
    total = sum(Decimal(m["total_spend"]) for m in doc["network"]["members"])
    assert total == Decimal(doc["reconciliation"]["amount_analysed"])
    assert rows[-1][4:] == ["91", money(total)]
    assert members["rows"][-1]["cls"] == "network"


def test_heat_table_has_a_row_per_member_and_a_column_per_measure(doc: dict[str, Any]) -> None:
    p = page(render_compare_html(doc))
    (heat,) = tables(p, "heat")
    measures = classifications(doc)
    assert len(measures) == 9
    assert [texts(r)[0] for r in heat["rows"]] == [NORTH, RIVER, "Network"]
    assert all(len(r["cells"]) == 1 + len(measures) for r in heat["rows"])
    # a known cell: Riverside's SME share of total for the whole period, from the league
    (entry,) = [
        e for e in doc["network"]["league"] if (e["measure"], e["period"]) == ("sme", "all")
    ]
    (river,) = [r for r in entry["members"] if r["member"] == RIVER]
    cell = heat["rows"][1]["cells"][1 + measures.index("sme")]
    assert cell["text"] == pct(river["share_of_total"]) == "17.7%"
    assert cell["cls"] == "num heat-2"  # 10% to under 20%
    (local,) = [
        e for e in doc["network"]["league"] if (e["measure"], e["period"]) == ("local", "all")
    ]
    network = heat["rows"][2]["cells"][1 + measures.index("local")]
    assert network["text"] == pct(local["network"]["share_of_total"]) == "15.2%"
    assert "heat-low" not in render_compare_html(doc).split('<table class="heat">')[1]
    assert p.notes == []  # everyone is ranked: no low-coverage footnote


def test_low_coverage_cells_are_hatched_marked_and_not_ranked(low: dict[str, Any]) -> None:
    html = render_compare_html(low)
    p = page(html)
    (heat,) = tables(p, "heat")
    gamma = next(r for r in heat["rows"] if texts(r)[0] == "Gamma Police")
    assert [c["cls"] for c in gamma["cells"][1:]] == ["num heat-low"] * 5
    # where none of Gamma's spend could be classified, its 0% of total means unknown
    whole = {
        m["measure"]: m
        for m in low["metrics"]
        if (m["organisation"], m["period"]) == ("Gamma Police", "all")
    }
    expected = [
        "unknown †" if whole[ms]["coverage"] == 0 else f"{pct(whole[ms]['share_of_total'])} †"
        for ms in classifications(low)
    ]
    assert [c["text"] for c in gamma["cells"][1:]] == expected
    assert "unknown †" in expected and len(set(expected)) > 1  # both kinds are here
    (sme,) = [
        m
        for m in low["metrics"]
        if (m["organisation"], m["period"], m["measure"]) == ("Beta NHS Trust", "all", "sme")
    ]
    beta = next(r for r in heat["rows"] if texts(r)[0] == "Beta NHS Trust")
    assert beta["cells"][1] == {
        "tag": "td",
        "cls": "num heat-6",
        "text": pct(sme["share_of_total"]),
    }
    assert (
        "† low coverage: not ranked: classification is known for less than 80.0% of the "
        "member's (or the network's) spend."
    ) in p.notes
    html_heat = html.split('<table class="heat">')[1].split("</table>")[0]
    assert html_heat.count("heat-low") == sum(
        c["cls"] == "num heat-low" for r in heat["rows"] for c in r["cells"]
    )


def test_league_tables_rank_then_list_the_unranked(low: dict[str, Any]) -> None:
    p = page(render_compare_html(low))
    leagues = tables(p, "league")
    entries = [e for e in low["network"]["league"] if e["measure"] != "redacted"]
    assert len(leagues) == len(entries)
    for table in leagues:
        ranks = [texts(r)[0] for r in table["rows"]]
        assert ranks[-1] == "–" and texts(table["rows"][-1])[1] == "Network"
        ranked = [r for r in ranks[:-1] if r.isdigit()]
        assert ranks[: len(ranked)] == ranked  # the ranked come first, in order
        assert [int(r) for r in ranked] == sorted(int(r) for r in ranked)
        assert all(r.startswith("not ranked (") for r in ranks[len(ranked) : -1])
    (sme,) = [t for t in leagues if t["caption"] == "SME: league for the whole period"]
    (gamma,) = [
        r
        for e in low["network"]["league"]
        if (e["measure"], e["period"]) == ("sme", "all")
        for r in e["members"]
        if r["member"] == "Gamma Police"
    ]
    assert [texts(r)[:2] for r in sme["rows"]] == [
        ["1", "Beta NHS Trust"],
        ["2", "Alpha Council"],
        [f"not ranked (coverage {pct(gamma['coverage'])})", "Gamma Police"],
        ["–", "Network"],
    ]
    # a member none of whose spend in a quarter could be classified: its shares are unknown
    zero = [
        (e, r)
        for e in low["network"]["league"]
        if e["measure"] != "redacted"
        for r in e["members"]
        if r["coverage"] == 0
    ]
    assert zero, "the fixture has a member with no classified spend in some period"
    captions = {t["caption"]: t for t in leagues}
    for e, r in zero:
        when = "the whole period" if e["period"] == "all" else e["period"]
        table = captions[f"{measure_label(e['measure'])}: league for {when}"]
        [row] = [texts(x) for x in table["rows"] if texts(x)[1] == r["member"]]
        assert row[2:5] == ["unknown", "unknown", "0.0%"]


def test_focus_member_leads_and_is_highlighted_once_per_league_table(
    focused: dict[str, Any],
) -> None:
    html = render_compare_html(focused)
    p = page(html)
    assert "<title>Northborough Borough Council in the network</title>" in html
    assert "<h1>Northborough Borough Council in the network</h1>" in html
    assert p.sections == [*SECTIONS[:3], "focus", *SECTIONS[3:]]
    (headline,) = tables(p, "focus-headline")
    sme = next(r for r in headline["rows"] if texts(r)[0] == "SME")
    assert texts(sme)[3] == "1 of 2" and texts(sme)[-1] == "✗ missed"
    leagues = tables(p, "league")
    assert len(leagues) == 9 * 3  # classification measures × (whole period + two quarters)
    for table in leagues + tables(p, "heat"):
        focus = [r for r in table["rows"] if r["cls"] == "focus"]
        assert len(focus) == 1, table["caption"]
        marked = [r for r in table["rows"] if any("◀ this member" in t for t in texts(r))]
        assert marked == focus
        assert any(c["text"] == f"{NORTH} ◀ this member" for c in focus[0]["cells"])
    assert html.count("<strong>Northborough Borough Council</strong>") >= len(leagues) + 1


def test_no_focus_no_marker(doc: dict[str, Any]) -> None:
    html = render_compare_html(doc)
    assert "◀ this member" not in html
    assert 'class="focus"' not in html


def test_small_multiples_share_axes_and_have_title_desc_summary_table(
    doc: dict[str, Any],
) -> None:
    p = page(render_compare_html(doc))
    assert [f["id"] for f in p.figures] == ["chart-1", "chart-2", "chart-3"]  # members, network
    periods = sorted({m["period"] for m in doc["metrics"]} - {"all"})
    assert {f["svg"][0]["viewBox"] for f in p.figures} == {"0 0 320 180"}
    for fig, name in zip(p.figures, [NORTH, RIVER, "Network"], strict=True):
        (svg,) = fig["svg"]
        assert svg["title"] == f"Share of spend by period: {name}"
        assert "same 0–100% scale" in svg["desc"]
        assert fig["summary"].startswith(f"{name}: SME ") and fig["summary"].endswith(".")
        assert ". " not in fig["summary"]  # one sentence
        rows = fig["table"]["rows"]
        assert [texts(r)[0] for r in rows] == periods
    org = {NORTH: NORTH, RIVER: RIVER, "Network": "(all)"}
    for fig, name in zip(p.figures, org, strict=True):
        q1 = next(
            m
            for m in doc["metrics"]
            if (m["organisation"], m["period"], m["measure"]) == (org[name], periods[0], "vcse")
        )
        assert texts(fig["table"]["rows"][0])[2] == pct(q1["share_of_total"])


def test_changes_say_the_direction_in_text(doc: dict[str, Any]) -> None:
    p = page(render_compare_html(doc))
    rows = [texts(r) for t in tables(p, "changes") for r in t["rows"]]
    changes = [c for c in doc["network"]["changes"] if c["measure"] in classifications(doc)]
    assert len(rows) == len(changes)
    (vcse,) = [c for c in changes if (c["member"], c["measure"]) == (RIVER, "vcse")]
    assert vcse["change_points"] < 0
    expected = f"↓ {abs(vcse['change_points']):.1f} points"
    assert [
        RIVER,
        vcse["period"],
        vcse["previous_period"],
        pct(vcse["previous_share"]),
        pct(vcse["share_of_total"]),
        expected,
        money(vcse["spend_change"]),
    ] in rows
    assert all(r[5][0] in "↑↓→" for r in rows)


def test_targets_give_status_as_text_and_symbol_with_gaps(doc: dict[str, Any]) -> None:
    p = page(render_compare_html(doc))
    targets = tables(p, "targets")
    assert [t["caption"] for t in targets] == [
        "Targets: whole period",
        "Targets: 2026-27 Q1",
        "Targets: 2026-27 Q2",
    ]
    rows = [texts(r) for t in targets for r in t["rows"]]
    assert len(rows) == len(doc["network"]["targets"])
    symbols = {"met": "✓ met", "missed": "✗ missed", "close": "≈ close"}
    assert [status_text(s) for s in ("close", "undefined")] == [
        "≈ close",
        "? undefined (share not defined)",
    ]
    for t in doc["network"]["targets"]:
        label = "Network" if t["member"] == "(all)" else t["member"]
        measure = {"sme": "SME", "vcse": "VCSE"}[t["measure"]]
        assert [
            label,
            measure,
            pct(t["target"]),
            pct(t["share_of_total"]),
            symbols[t["status"]],
            f"{t['gap_points']:.1f}",
            money(t["gap"]),
        ] in rows


def test_shared_suppliers_top_suppliers_and_leakage(doc: dict[str, Any]) -> None:
    p = page(render_compare_html(doc))
    (shared,) = tables(p, "shared")
    assert [texts(r) for r in shared["rows"]] == [
        [s["supplier"], str(s["members"]), money(s["spend"])]
        + [money(b["spend"]) for b in s["by_member"]]  # both members pay every shared one
        for s in doc["network"]["shared_suppliers"]
    ]
    (top,) = tables(p, "top-suppliers")
    pooled = [r for r in doc["top_suppliers"] if r["organisation"] == "(all)"]
    assert [texts(r)[1] for r in top["rows"]] == [r["supplier"] for r in pooled]
    network, *members = tables(p, "leakage")
    assert len(members) == 2
    rows = [r for r in doc["network"]["leakage"] if r["member"] == "(all)"]
    outside = [Decimal(r["outside_local"]) for r in rows]
    assert outside == sorted(outside, reverse=True)
    assert [texts(r) for r in network["rows"]] == [
        [
            r["category"],
            money(r["outside_local"]),
            pct(r["share_outside"]),
            money(r["local"]),
            money(r["unknown_location"]),
            money(r["total"]),
        ]
        for r in rows
    ]


# ---------------------------------------------------------------- HTML safety


def test_hostile_names_are_escaped_everywhere(hostile: dict[str, Any]) -> None:
    html = render_compare_html(hostile)
    assert "<script" not in html.lower()
    assert "javascript:" not in html.lower()
    assert '=HYPERLINK("' not in html
    assert f"<title>{SCRIPT_ESCAPED} in the network</title>" in html
    p = page(html)
    (heat,) = tables(p, "heat")
    assert [texts(r)[0] for r in heat["rows"]] == [
        f"{SCRIPT} ◀ this member",  # parsed text: the markup arrived as text
        FORMULA,
        "Network",
    ]
    (shared,) = tables(p, "shared")
    assert [texts(r)[0] for r in shared["rows"][:2]] == [SCRIPT, FORMULA]
    assert f"<strong>{SCRIPT_ESCAPED}</strong>" in html
    assert html.count(SCRIPT_ESCAPED) >= 30 and html.count(FORMULA_ESCAPED) >= 30
    outside_data = html.replace(FORMULA_ESCAPED, "")
    assert "http://" not in outside_data and "https://" not in outside_data
    assert re.search(r"\bsrc\s*=", html, re.IGNORECASE) is None
    assert p.hrefs and all(re.fullmatch(r"#[a-z0-9-]+", h) for h in p.hrefs)
    ids = re.findall(r'\bid="([^"]*)"', html)
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)


def test_content_security_policy_and_no_script(doc: dict[str, Any]) -> None:
    html = render_compare_html(doc)
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"
    ) in html
    assert "<script" not in html.lower()


def test_same_document_same_bytes(hostile: dict[str, Any], tmp_path: Path) -> None:
    assert render_compare_html(hostile) == render_compare_html(copy.deepcopy(hostile))
    assert render_compare_md(hostile) == render_compare_md(copy.deepcopy(hostile))
    write_compare_xlsx(hostile, tmp_path / "a.xlsx")
    write_compare_xlsx(copy.deepcopy(hostile), tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_user_template_overrides_ours_and_is_still_escaped(
    tmp_path: Path, hostile: dict[str, Any]
) -> None:
    (tmp_path / "compare.html.j2").write_text(
        "<p>{{ report.title }}</p><p>{{ report.members.rows | length }}</p>", encoding="utf-8"
    )
    html = render_compare_html(hostile, templates=tmp_path)
    assert html == f"<p>{SCRIPT_ESCAPED} in the network</p><p>3</p>"
    (tmp_path / "compare.html.j2").write_text("{{ nothing_here }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render_compare_html(hostile, templates=tmp_path)
    (tmp_path / "compare.html.j2").unlink()
    assert render_compare_html(hostile, templates=tmp_path) == render_compare_html(hostile)


# ---------------------------------------------------------------- colours


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_heat_palette_is_sequential_single_hue_and_its_text_meets_aa() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    steps = ch.HEAT_STEPS
    for step in steps:
        assert contrast(step.background, step.text) >= 4.5, step
    lum = [_luminance(s.background) for s in steps]
    assert lum == sorted(lum, reverse=True) and len(set(lum)) == len(lum)  # light to dark
    for s in steps:
        r, g, b = (int(s.background[i : i + 2], 16) / 255 for i in (1, 3, 5))
        hue = colorsys.rgb_to_hls(r, g, b)[0] * 360
        assert 200 <= hue <= 220, s  # one hue: blue
    for stripe in ch.LOW_HATCH:
        assert contrast(stripe, ch.LOW_TEXT) >= 4.5
    assert [s.lower for s in steps] == sorted(s.lower for s in steps) and steps[0].lower == 0
    assert ch.heat_step(0.0) == 0 and ch.heat_step(0.04999) == 1  # shown as 5.0%
    assert ch.heat_step(0.2216) == 3 and ch.heat_step(1.0) == len(steps) - 1


def test_the_page_uses_the_palette_it_tests(doc: dict[str, Any]) -> None:
    html = render_compare_html(doc)
    for i, step in enumerate(ch.HEAT_STEPS):
        assert f".heat-{i} {{ background: {step.background}; color: {step.text}; }}" in html


# ---------------------------------------------------------------- XLSX


@pytest.fixture
def xlsx(tmp_path: Path, hostile: dict[str, Any]) -> Path:
    path = tmp_path / "compare.xlsx"
    write_compare_xlsx(hostile, path)
    return path


def test_xlsx_sheets_headers_frozen_and_filtered(xlsx: Path, hostile: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == SHEETS
    assert_sheets_frozen_and_filtered(wb)
    heat = wb["Heat"]
    assert [c.value for c in heat[1]] == [
        "member",
        *classifications(hostile),
        "low_coverage_not_ranked",
    ]
    assert [c.value for c in heat["A"][1:]] == [SCRIPT, FORMULA, "Network"]
    assert wb["League"].max_row == 1 + sum(
        len(e["members"]) + (e["network"] is not None) for e in hostile["network"]["league"]
    )
    assert wb["Metrics"].max_row == len(hostile["metrics"]) + 1


def test_xlsx_cells_are_typed(xlsx: Path, hostile: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(xlsx)
    members = wb["Members"]
    assert [c.value for c in members[1]][-1] == "total_spend"
    spend = members["F2"]
    assert spend.value == float(hostile["network"]["members"][0]["total_spend"]) == 689994.88
    assert spend.data_type == "n" and spend.number_format == MONEY_FORMAT
    assert members["E2"].value == 60 and members["E2"].number_format == "#,##0"
    assert members["A4"].value == "Network" and members["F4"].value == 2513184.58
    heat = wb["Heat"]
    assert heat["B3"].number_format == SHARE_FORMAT
    assert heat["B3"].value == pytest.approx(0.17711891966041712)
    assert heat["B3"].fill.fgColor.rgb == "00" + ch.HEAT_STEPS[2].background[1:].upper()
    changes = wb["Changes"]
    header = [c.value for c in changes[1]]
    assert changes.cell(2, header.index("change_points") + 1).number_format == "+0.0;-0.0;0.0"


def test_xlsx_formula_looking_text_stays_text(xlsx: Path) -> None:
    wb = openpyxl.load_workbook(xlsx)
    member = wb["Members"]["A3"]
    assert member.value == FORMULA and member.data_type == "s" and member.quotePrefix is True
    shared = wb["Shared suppliers"]
    assert shared["A3"].value == FORMULA and shared["A3"].data_type == "s"
    assert shared["E1"].value == FORMULA and shared["E1"].data_type == "s"  # a member's column
    assert wb["Members"]["A2"].value == SCRIPT and wb["Members"]["A2"].data_type == "s"
    with zipfile.ZipFile(xlsx) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SHEETS)
        xml = {n: z.read(n).decode("utf-8") for n in sheets}
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert all(re.search(r"<f[ >/]", text) is None for text in xml.values())
    assert f't="inlineStr"><is><t>{FORMULA}</t></is>' in xml["xl/worksheets/sheet2.xml"]


# ---------------------------------------------------------------- Markdown


def _md_table(md: str, heading: str) -> list[str]:
    section = md.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return lines[2:]  # past the header and the alignment row


def test_markdown_has_the_documents_shared_suppliers(doc: dict[str, Any]) -> None:
    md = render_compare_md(doc)
    members = [m["name"] for m in doc["network"]["members"]]
    assert f"| supplier | members | network spend | {' | '.join(members)} |" in md
    expected = []
    for s in doc["network"]["shared_suppliers"]:
        spend = {b["member"]: money(b["spend"]) for b in s["by_member"]}
        cells = [s["supplier"], str(s["members"]), money(s["spend"]), *(spend[m] for m in members)]
        expected.append("| " + " | ".join(cells) + " |")
    assert len(expected) == 4
    assert _md_table(md, "Shared suppliers") == expected


def test_markdown_carries_the_same_sections_and_marks(focused: dict[str, Any]) -> None:
    md = render_compare_md(focused)
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert headings == [
        "At a glance",
        "Reconciliation",
        "Classification coverage",
        NORTH,
        "Members",
        "Shares side by side",
        "League tables",
        "Trends",
        "Changes since the previous period",
        "Targets",
        "Shared suppliers",
        "Payments between members",
        "Network top suppliers",
        "Leakage",
        "Unmatched suppliers",
        "Conflicts",
        "Inputs",
        "Findings",
    ]
    assert md.startswith(f"# {NORTH} in the network\n")
    heat = _md_table(md, "Shares side by side")
    assert len(heat) == 3 and heat[0].startswith(f"| **{NORTH}** ◀ this member | 22.2% |")
    league = _md_table(md, "League tables")
    assert sum("◀ this member" in line for line in league) == 9 * 3


def test_markdown_keeps_hostile_names_as_text(hostile: dict[str, Any]) -> None:
    md = render_compare_md(hostile)
    assert "<script" not in md.lower()
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" not in md  # only markup is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "=HYPERLINK(&quot;http\\://x&quot;,&quot;y&quot;)" in md  # no bare autolink
    assert "http://" not in md
    evil = copy.deepcopy(hostile)
    evil["network"]["shared_suppliers"][0]["supplier"] = "[click](http://x) | *b* `c`"
    shared = _md_table(render_compare_md(evil), "Shared suppliers")
    assert shared[0].startswith("| \\[click\\](http\\://x) \\| \\*b\\* \\`c\\` | 2 |")
