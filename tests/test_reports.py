"""report.html and report.xlsx, rendered from a realistic machine document (DOCUMENT.md).

The fixture document has two organisations and the pooled "(all)", two quarters and "all", every
measure, null shares (a quarter of net credits; VCSE spend above a net total), targets met and
missed, categories past the top ten, a credit among the top suppliers, formula-looking supplier
names, one conflict and two findings.
"""

from __future__ import annotations

import copy
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import openpyxl
import pytest

from anchorspend.report import format as formats
from anchorspend.report import svg as charts
from anchorspend.report.analyse.html import render_html
from anchorspend.report.analyse.xlsx import write_xlsx
from anchorspend.report.xlsx import MONEY_FORMAT, SHARE_FORMAT
from tests.helpers import ROOT, analyse_json, assert_sheets_frozen_and_filtered

ORG_A = "Trafford Council"
ORG_B = "Manchester University NHS Foundation Trust"
SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA = '=HYPERLINK("http://x","y")'
FORMULA_ESCAPED = "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)"
Q1, Q2 = "2026-27 Q1", "2026-27 Q2"
MEASURES = [
    "total_spend",
    "sme",
    "vcse",
    "diverse_led",
    "diverse_led:women",
    "local",
    "local:Trafford",
    "redacted",
]
TARGETS = {"sme": 0.3, "local": 0.2}

# per organisation × quarter: total (spend, suppliers), then measure → (spend, known, sup, ksup)
Base = dict[str, tuple[str, str, int, int]]
BASE: dict[str, dict[str, tuple[tuple[str, int], Base]]] = {
    "A": {
        Q1: (
            ("600000.00", 120),
            {
                "sme": ("150000.00", "480000.00", 40, 90),
                "vcse": ("30000.00", "480000.00", 8, 90),
                "diverse_led": ("20000.00", "300000.00", 5, 50),
                "diverse_led:women": ("12000.00", "300000.00", 3, 50),
                "local": ("200000.00", "540000.00", 50, 100),
                "local:Trafford": ("120000.00", "540000.00", 30, 100),
                "redacted": ("15000.00", "600000.00", 4, 120),
            },
        ),
        Q2: (
            ("400000.00", 100),
            {
                "sme": ("100000.00", "320000.00", 35, 80),
                "vcse": ("20000.00", "320000.00", 6, 80),
                "diverse_led": ("10000.00", "200000.00", 4, 40),
                "diverse_led:women": ("6000.00", "200000.00", 2, 40),
                "local": ("150000.00", "360000.00", 45, 90),
                "local:Trafford": ("90000.00", "360000.00", 25, 90),
                "redacted": ("5000.00", "400000.00", 2, 100),
            },
        ),
    },
    "B": {
        Q1: (  # a quarter of net credits: every share is null
            ("-12500.00", 15),
            {
                "sme": ("2500.00", "-8000.00", 3, 10),
                "vcse": ("20000.00", "30000.00", 2, 4),
                "diverse_led": ("0.00", "0.00", 0, 0),
                "diverse_led:women": ("0.00", "0.00", 0, 0),
                "local": ("-5000.00", "-10000.00", 2, 8),
                "local:Trafford": ("0.00", "-10000.00", 0, 8),
                "redacted": ("0.00", "-12500.00", 0, 15),
            },
        ),
        Q2: (  # VCSE spend above the net total: share of total (and coverage) undefined
            ("212500.00", 60),
            {
                "sme": ("57500.00", "158000.00", 20, 45),
                "vcse": ("220000.00", "230000.00", 9, 20),
                "diverse_led": ("10000.00", "50000.00", 3, 12),
                "diverse_led:women": ("5000.00", "50000.00", 1, 12),
                "local": ("80000.00", "150000.00", 25, 50),
                "local:Trafford": ("20000.00", "150000.00", 8, 50),
                "redacted": ("2500.00", "212500.00", 1, 60),
            },
        ),
    },
}


def _share(num: Decimal, den: Decimal) -> float | None:
    if den <= 0:
        return None
    ratio = num / den
    return float(ratio) if 0 <= ratio <= 1 else None


Cells = tuple[Decimal, Decimal, Decimal, int, int, int]  # total, spend, known, sup, ksup, tsup


def _metric(org: str, period: str, measure: str, v: Cells) -> dict[str, Any]:
    total, spend, known, sup, ksup, tsup = v
    share = _share(spend, total)
    target = TARGETS.get(measure)
    return {
        "organisation": org,
        "period": period,
        "measure": measure,
        "total_spend": f"{total:.2f}",
        "spend": f"{spend:.2f}",
        "known_spend": f"{known:.2f}",
        "suppliers": sup,
        "known_suppliers": ksup,
        "total_suppliers": tsup,
        "share_of_total": share,
        "share_of_known": _share(spend, known),
        "coverage": _share(known, total),
        "supplier_share_of_total": _share(Decimal(sup), Decimal(tsup)),
        "supplier_share_of_known": _share(Decimal(sup), Decimal(ksup)),
        "target": target,
        "target_met": None if target is None or share is None else share >= target,
    }


def _cells(key: str, period: str) -> dict[str, Cells]:
    (total_text, tsup), base = BASE[key][period]
    total = Decimal(total_text)
    out: dict[str, Cells] = {"total_spend": (total, total, total, tsup, tsup, tsup)}
    for m, (spend, known, sup, ksup) in base.items():
        out[m] = (total, Decimal(spend), Decimal(known), sup, ksup, tsup)
    return out


def _add(a: dict[str, Cells], b: dict[str, Cells]) -> dict[str, Cells]:
    return {m: tuple(x + y for x, y in zip(a[m], b[m], strict=True)) for m in a}  # type: ignore[misc]


def _metrics(orgs: dict[str, str]) -> list[dict[str, Any]]:
    per = {(k, p): _cells(k, p) for k in BASE for p in (Q1, Q2)}
    for k in BASE:
        per[k, "all"] = _add(per[k, Q1], per[k, Q2])
    for p in (Q1, Q2, "all"):
        per["(all)", p] = _add(per["A", p], per["B", p])
    names = {**orgs, "(all)": "(all)"}
    keys = sorted(per, key=lambda kp: (kp[0] == "(all)", names[kp[0]], kp[1] == "all", kp[1]))
    return [_metric(names[k], p, m, per[k, p][m]) for k, p in keys for m in MEASURES]


def _categories(org_a: str, category: str) -> list[dict[str, Any]]:
    a = [
        ("Adult social care", "310000.00", 420, 35),
        ("Highways maintenance", "180000.00", 210, 12),
        ("Waste collection", "120000.00", 96, 4),
        ("Children's services", "95000.00", 150, 22),
        ("IT and telecoms", "70000.00", 64, 18),
        ("Property and facilities", "60000.00", 88, 20),
        ("Professional services", "45000.00", 40, 15),
        ("Education", "40000.00", 52, 9),
        ("Transport", "30000.00", 30, 6),
        (category, "20000.00", 25, 5),
        ("Libraries", "18000.10", 22, 7),
        ("Parks", "11999.90", 19, 6),
    ]
    b = [
        ("Drugs", "150000.00", 300, 12),
        ("Medical equipment", "45000.00", 120, 20),
        ("Agency staff", "8200.00", 40, 3),
        ("Refunds", "-3200.00", 6, 2),
    ]
    out = []
    for org, basis, rows, total in (
        (org_a, "category", a, Decimal("1000000.00")),
        (ORG_B, "expense_type", b, Decimal("200000.00")),
    ):
        out += [
            {
                "organisation": org,
                "basis": basis,
                "category": c,
                "spend": s,
                "rows": r,
                "suppliers": n,
                "share_of_total": _share(Decimal(s), total),
            }
            for c, s, r, n in rows
        ]
    pooled = sorted(
        (dict(r, organisation="(all)") for r in out), key=lambda r: -Decimal(r["spend"])
    )
    for r in pooled:
        r["share_of_total"] = _share(Decimal(r["spend"]), Decimal("1200000.00"))
    return out + pooled


def _top_suppliers(org_a: str, supplier: str) -> list[dict[str, Any]]:
    a = [
        ("Bluebird Care Ltd", "140000.00", 52, "companies_house", True, False, None, True),
        (supplier, "120000.00", 30, "name", False, False, False, True),
        (
            "Viridor Waste Management Ltd",
            "110000.00",
            12,
            "companies_house",
            False,
            False,
            None,
            False,
        ),
        ("Age UK Trafford", "60000.00", 24, "charity_number", True, True, True, True),
        (
            "Capita Business Services Ltd",
            "55000.00",
            8,
            "companies_house",
            False,
            False,
            False,
            False,
        ),
        ("Trafford Leisure CIC", "40000.00", 16, "name", True, True, None, True),
        ("Stockport Homes Ltd", "35000.00", 6, None, None, None, None, None),
        ("Kier Construction Ltd", "30000.00", 4, "companies_house", False, False, None, False),
        ("Manchester Mind", "25000.00", 12, "charity_number", True, True, True, False),
        ("REDACTED", "20000.00", 9, None, None, None, None, None),
    ]
    b = [
        (
            "Alliance Healthcare (Distribution) Ltd",
            "120000.00",
            150,
            "companies_house",
            False,
            False,
            None,
            False,
        ),
        ("NHS Supply Chain", "60000.00", 80, "name", False, False, None, False),
        (
            "Greater Manchester Mental Health Agency Nurses Ltd",
            "12000.00",
            20,
            None,
            None,
            None,
            None,
            None,
        ),
        ("Baxter Healthcare Ltd", "-3200.00", 2, "companies_house", False, False, None, False),
    ]
    out: list[dict[str, Any]] = []
    for org, rows, total in ((org_a, a, "1000000.00"), (ORG_B, b, "200000.00")):
        for rank, (name, spend, n, by, sme, vcse, div, local) in enumerate(rows, start=1):
            out.append(
                {
                    "organisation": org,
                    "rank": rank,
                    "supplier": name,
                    "spend": spend,
                    "rows": n,
                    "share_of_total": _share(Decimal(spend), Decimal(total)),
                    "matched_by": by,
                    "sme": sme,
                    "vcse": vcse,
                    "diverse_led": div,
                    "local": local,
                }
            )
    pooled = sorted(
        (dict(r, organisation="(all)") for r in out), key=lambda r: -Decimal(r["spend"])
    )[:10]
    for rank, r in enumerate(pooled, start=1):
        r["rank"] = rank
        r["share_of_total"] = _share(Decimal(r["spend"]), Decimal("1200000.00"))
    return out + pooled


def build_document(
    org_a: str = ORG_A, category: str = "Leisure", supplier: str = "Amey Highways Ltd"
) -> dict[str, Any]:
    """A realistic anchorspend/metrics/v1 document; hostile names can replace three of them."""
    return {
        "schema": "anchorspend/metrics/v1",
        "generator": "anchorspend 0.1.0",
        "period": "quarter",
        "reconciliation": {
            "rows_read": 2112,
            "rows_analysed": 2080,
            "rows_excluded": 20,
            "rows_rejected": 12,
            "amount_read": "1243210.55",
            "amount_analysed": "1200000.00",
            "amount_excluded": "41000.00",
            "amount_rejected": "2210.55",
            "exclusions": [
                {"rule": "internal recharges", "rows": 14, "amount": "35000.00"},
                {"rule": "payroll", "rows": 6, "amount": "6000.00"},
            ],
            "rejections": [
                {"reason": "amount-unparseable", "rows": 9, "amount": "0.00"},
                {"reason": "date-missing", "rows": 4, "amount": "2210.55"},
            ],
        },
        "inputs": [
            {
                "path": "spend/trafford-2026-27.csv",
                "sheet": None,
                "encoding": "cp1252",
                "header_row": 3,
                "columns": {"amount": "Net Amount", "supplier_name": "Supplier"},
                "rows_read": 1500,
                "rows_analysed": 1470,
                "rows_excluded": 20,
                "rows_rejected": 10,
                "amount_read": "1041000.00",
                "blank_rows_skipped": 2,
                "repeated_headers_skipped": 0,
            },
            {
                "path": "spend/mft-2026-27.xlsx",
                "sheet": "Q1-Q2",
                "encoding": None,
                "header_row": 1,
                "columns": {"amount": "Value", "supplier_name": "Vendor Name"},
                "rows_read": 612,
                "rows_analysed": 610,
                "rows_excluded": 0,
                "rows_rejected": 2,
                "amount_read": "202210.55",
                "blank_rows_skipped": 0,
                "repeated_headers_skipped": 1,
            },
        ],
        "measures": MEASURES,
        "metrics": _metrics({"A": org_a, "B": ORG_B}),
        "categories": _categories(org_a, category),
        "top_suppliers": _top_suppliers(org_a, supplier),
        "unmatched_suppliers": [
            {"supplier": "Stockport Homes Ltd", "spend": "35000.00", "rows": 6},
            {"supplier": "REDACTED", "spend": "22500.00", "rows": 10},
            {"supplier": FORMULA, "spend": "1234.56", "rows": 2},
            {"supplier": "+44 Telecom Services", "spend": "800.00", "rows": 3},
            {"supplier": "@Home Care", "spend": "-150.00", "rows": 1},
        ],
        "conflicts": [
            {
                "supplier": "Bluebird Care Ltd",
                "field": "sme",
                "spend": "140000.00",
                "values": [
                    {"source": "lookups/sme.csv", "value": True},
                    {"source": "lookups/ccs_suppliers.csv", "value": False},
                ],
            },
        ],
        "lookups": [
            {
                "path": "lookups/sme.csv",
                "rows": 900,
                "matched_suppliers": 120,
                "matched_spend": "820000.00",
            },
        ],
        "findings": [
            {
                "path": "spend/trafford-2026-27.csv",
                "sheet": None,
                "code": "amount-unparseable",
                "column": "Net Amount",
                "severity": "error",
                "count": 9,
                "rows": [14, 27, 301, 302, 877],
                "message": "amount is not a number",
            },
            {
                "path": "spend/mft-2026-27.xlsx",
                "sheet": "Q1-Q2",
                "code": "future-date",
                "column": "Date",
                "severity": "warning",
                "count": 1,
                "rows": [8],
                "message": "payment date is after the run date",
            },
        ],
    }


@pytest.fixture
def document() -> dict[str, Any]:
    return build_document()


@pytest.fixture
def hostile() -> dict[str, Any]:
    return build_document(org_a=SCRIPT, category=SCRIPT, supplier=SCRIPT)


# ---------------------------------------------------------------- HTML structure


VOID = {"meta", "link", "br", "hr", "img", "input", "col", "wbr", "area", "base", "source"}


class Outline(HTMLParser):
    """Checks nesting (every element closed, in order) and collects each chart's parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.sections: dict[str, str] = {}  # id → h2 text
        self.figures: list[dict[str, Any]] = []
        self.hrefs: list[str] = []
        self._section = ""
        self._h2 = False
        self._in_chart_tbody = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "href" in a:
            self.hrefs.append(a["href"] or "")
        if tag not in VOID:
            self.stack.append(tag)
        fig = self.figures[-1] if self.figures and "figure" in self.stack else None
        if tag == "section":
            self._section = a.get("id") or ""
        elif tag == "h2":
            self._h2 = True
        elif tag == "figure":
            self.figures.append(
                {
                    "section": self._section,
                    "kind": a["data-kind"],
                    "id": a["id"],
                    "svg": 0,
                    "titles": 0,
                    "rows": 0,
                    "rects": [],
                    "texts": [],
                }
            )
        elif fig is not None:
            if tag == "svg":
                fig["svg"] += 1
            elif tag == "title" and "svg" in self.stack:
                fig["titles"] += 1
            elif tag == "tbody" and "table" in self.stack:
                self._in_chart_tbody = True
            elif tag == "tr" and self._in_chart_tbody:
                fig["rows"] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "rect" and self.figures and "figure" in self.stack:
            self.figures[-1]["rects"].append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "h2":
            self._h2 = False
        elif tag == "tbody":
            self._in_chart_tbody = False

    def handle_data(self, data: str) -> None:
        if self._h2:
            self.sections[self._section] = self.sections.get(self._section, "") + data
        if self.figures and "figure" in self.stack and "svg" in self.stack:
            self.figures[-1]["texts"].append(data)


def outline(html: str) -> Outline:
    p = Outline()
    p.feed(html)
    p.close()
    assert p.errors == []
    assert p.stack == []
    return p


def figures(p: Outline, label: str, kind: str) -> dict[str, Any]:
    section = next(s for s, text in p.sections.items() if text == label)
    (fig,) = [f for f in p.figures if f["section"] == section and f["kind"] == kind]
    return fig


def test_html_is_well_formed_with_one_titled_svg_per_chart(document: dict[str, Any]) -> None:
    html = render_html(document)
    p = outline(html)
    assert [p.sections[s] for s in ("org-1", "org-2", "org-3")] == [
        ORG_B,
        ORG_A,
        "All organisations",
    ]
    kinds = ["shares", "trend", "top-suppliers", "categories"]
    assert [f["kind"] for f in p.figures] == kinds * 3
    assert all(f["svg"] == 1 and f["titles"] == 1 for f in p.figures)
    assert html.count("<svg") == 12
    assert html.startswith('<!DOCTYPE html>\n<html lang="en-GB">')
    assert '<meta charset="utf-8">' in html
    assert "<title>anchorspend report: " in html


def test_chart_tables_have_one_row_per_drawn_item(document: dict[str, Any]) -> None:
    p = outline(render_html(document))
    for label, org in ((ORG_A, ORG_A), (ORG_B, ORG_B), ("All organisations", "(all)")):
        top = [r for r in document["top_suppliers"] if r["organisation"] == org]
        assert figures(p, label, "top-suppliers")["rows"] == len(top)
        assert figures(p, label, "shares")["rows"] == 6  # classification measures
        assert figures(p, label, "trend")["rows"] == 2  # quarters
    assert figures(p, ORG_A, "top-suppliers")["rows"] == 10
    assert figures(p, ORG_B, "top-suppliers")["rows"] == 4
    assert figures(p, ORG_A, "categories")["rows"] == 11  # top 10 + other categories
    assert figures(p, ORG_B, "categories")["rows"] == 4
    assert figures(p, "All organisations", "categories")["rows"] == 11


def test_reconciliation_and_coverage_come_before_any_chart(document: dict[str, Any]) -> None:
    html = render_html(document)
    first_svg = html.index("<svg")
    assert html.index('<section id="reconciliation">') < html.index('<section id="coverage">')
    assert html.index('<section id="coverage">') < first_svg
    coverage = html[html.index('<table class="coverage">') : first_svg]
    # SME coverage: 80.0% for Trafford, MFT 150000/200000 = 75.0%, pooled 950000/1200000
    row = re.search(r"<tr><th scope=\"row\">SME</th>(.*?)</tr>", coverage)
    assert row is not None
    assert re.findall(r">([^<]+)</td>", row.group(1)) == ["75.0%", "80.0%", "79.2%"]
    assert '<td class="num">£1,243,210.55</td>' in html[:first_svg]


def test_share_bar_widths_are_the_shares_of_the_bar(document: dict[str, Any]) -> None:
    assert charts.SHARE_BAR_WIDTH == 400
    assert charts.share_segments(0.25, 0.8, 400) == (100.0, 220.0, 80.0)
    p = outline(render_html(document))
    rects = figures(p, ORG_A, "shares")["rects"]
    sme = [r for r in rects if r.get("class", "").startswith("seg-")][:3]  # first row is SME
    assert [(r["class"], r["x"], r["width"]) for r in sme] == [
        ("seg-yes", "0", "100"),
        ("seg-no", "100", "220"),
        ("seg-unknown", "320", "80"),
    ]


def test_undefined_shares_draw_no_bar_and_say_why(document: dict[str, Any]) -> None:
    svg = charts.share_bars(
        "c",
        [charts.ShareRow("SME", None, None, "not defined (net spend is not positive)")],
        "t",
        "d",
    )
    assert "not defined (net spend is not positive)" in svg
    assert "seg-yes" not in svg
    p = outline(render_html(document))
    mft = figures(p, ORG_B, "shares")
    # VCSE at MFT: £240,000 against a net £200,000 — 5 classification rows with bars, not 6
    assert len([r for r in mft["rects"] if r.get("class") == "seg-yes"]) == 5
    assert "not defined (net credits put it outside 0–100%)" in "".join(mft["texts"])


def test_clamps_and_geometry_of_bars() -> None:
    assert charts.share_segments(1.2, 1.5, 400) == (400.0, 0.0, 0.0)
    assert charts.share_segments(-0.1, 0.5, 400) == (0.0, 200.0, 200.0)
    bars = [charts.Bar("Up", Decimal("300")), charts.Bar("Credit", Decimal("-100"))]
    svg = str(charts.hbar_chart("c", bars, "t", "d"))
    # zero line at 300 + 100/400 × 320 = 380; the credit runs 80 px to its left
    assert 'class="bar" x="380" y="11" width="240"' in svg
    assert 'class="bar-neg" x="300" y="35" width="80"' in svg


def test_top_supplier_credits_go_left_of_the_zero_line(document: dict[str, Any]) -> None:
    rects = figures(outline(render_html(document)), ORG_B, "top-suppliers")["rects"]
    (neg,) = [r for r in rects if r["class"] == "bar-neg"]
    zero = min(float(r["x"]) for r in rects if r["class"] == "bar")
    assert float(neg["x"]) + float(neg["width"]) == pytest.approx(zero)
    assert "−£3,200.00" in render_html(document)


def test_other_categories_are_summed_exactly(document: dict[str, Any]) -> None:
    html = render_html(document)
    assert '<th scope="row">other categories (2)</th><td class="num">£30,000.00</td>' in html
    assert '<th scope="row">other categories (6)</th>' in html  # pooled: 16 categories


def test_summaries_are_written_from_the_data(document: dict[str, Any]) -> None:
    html = render_html(document)
    assert (
        "SME suppliers received £250,000, 25.0% of spend; classification is known for 80.0% "
        "of spend." in html
    )
    assert "SME: 25.0% in 2026-27 Q1, 25.0% in 2026-27 Q2." in html
    assert "SME: 27.1% in 2026-27 Q2; not defined in 2026-27 Q1." in html  # MFT's credit quarter
    assert "<td>missed</td>" in html and "<td>met</td>" in html
    assert "<li>lookups/sme.csv: yes</li><li>lookups/ccs_suppliers.csv: no</li>" in html


def test_single_period_draws_dots_and_says_so(document: dict[str, Any]) -> None:
    document["metrics"] = [m for m in document["metrics"] if m["period"] in (Q1, "all")]
    html = render_html(document)
    assert "Only one period (2026-27 Q1) is in the data, so each chart is one dot." in html
    assert "<polyline" not in html
    assert "<circle" in html


# ---------------------------------------------------------------- HTML safety


def test_hostile_names_are_escaped_everywhere(hostile: dict[str, Any]) -> None:
    html = render_html(hostile)
    assert "<script" not in html.lower()
    assert SCRIPT_ESCAPED in html
    assert html.count(SCRIPT_ESCAPED) >= 10  # org headings, tables, chart labels, titles
    assert "javascript:" not in html.lower()
    assert '=HYPERLINK("' not in html
    assert FORMULA_ESCAPED in html
    outside_data = html.replace(FORMULA_ESCAPED, "")
    assert "http://" not in outside_data and "https://" not in outside_data
    assert re.search(r"\bsrc\s*=", html, re.IGNORECASE) is None
    p = outline(html)
    assert p.hrefs and all(re.fullmatch(r"#[a-z0-9-]+", h) for h in p.hrefs)


def test_content_security_policy_forbids_scripts_and_network(document: dict[str, Any]) -> None:
    html = render_html(document)
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"
    ) in html
    assert "<script" not in html.lower()


def test_same_document_same_bytes(document: dict[str, Any]) -> None:
    assert render_html(document) == render_html(copy.deepcopy(document))


def test_user_template_overrides_ours_and_is_still_escaped(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    (tmp_path / "report.html.j2").write_text(
        "<p>{{ document.schema }}</p><p>{{ document.generator }}</p>"
        "<p>{{ report.organisations | length }}</p>",
        encoding="utf-8",
    )
    document["generator"] = SCRIPT
    html = render_html(document, templates=tmp_path)
    assert html == f"<p>anchorspend/metrics/v1</p><p>{SCRIPT_ESCAPED}</p><p>3</p>"


def test_templates_dir_without_the_template_falls_back_to_ours(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    assert render_html(document, templates=tmp_path) == render_html(document)


def test_undefined_names_in_a_template_are_errors(tmp_path: Path) -> None:
    (tmp_path / "report.html.j2").write_text("{{ nothing_here }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        render_html(build_document(), templates=tmp_path)


# ---------------------------------------------------------------- formats and colours


def test_money_and_percent_formats() -> None:
    assert formats.money("1234567.89") == "£1,234,567.89"
    assert formats.money("-1234.5") == "−£1,234.50"
    assert formats.money("0.00") == "£0.00"
    assert formats.money(None) == "–"
    assert formats.percent(0.3456) == "34.6%"
    assert formats.percent(None) == "–"
    assert formats.money_short("1234567.89") == "£1.2m"
    assert formats.money_short("-45612.40") == "−£45,612"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_palette_meets_wcag_aa_against_white() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    for colour in charts.FILL_COLOURS:
        assert contrast(colour, charts.WHITE) >= 3.0, colour
    for colour in charts.TEXT_COLOURS:
        assert contrast(colour, charts.WHITE) >= 4.5, colour
    # the light "unknown" fill is only the hatch's background; its lines and outline are GREY
    assert contrast(charts.UNKNOWN_FILL, charts.WHITE) < 3.0
    assert charts.GREY in charts.FILL_COLOURS


# ---------------------------------------------------------------- XLSX

SHEETS = [
    "Summary",
    "Metrics",
    "Categories",
    "Top suppliers",
    "Unmatched",
    "Conflicts",
    "Inputs",
    "Lookups",
    "Findings",
]


@pytest.fixture
def xlsx(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "report.xlsx"
    write_xlsx(document, path)
    return path


def test_xlsx_sheets_headers_frozen_and_filtered(xlsx: Path, document: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == SHEETS
    assert_sheets_frozen_and_filtered(wb)
    assert wb["Metrics"].max_row == len(document["metrics"]) + 1
    conflicts = wb["Conflicts"]
    assert conflicts.max_row == 3  # one conflict, two sources
    assert [c.value for c in conflicts["F"]] == ["value", True, False]
    assert conflicts["F2"].data_type == "b"
    assert wb.properties.creator == "anchorspend"
    assert wb.properties.created == datetime(2000, 1, 1)
    assert wb.properties.modified == datetime(2000, 1, 1)


def test_xlsx_cells_are_typed(xlsx: Path) -> None:
    ws = openpyxl.load_workbook(xlsx)["Metrics"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)]
    sme = next(
        r
        for r in rows
        if (r["organisation"].value, r["period"].value, r["measure"].value) == (ORG_A, "all", "sme")
    )
    assert sme["spend"].value == 250000 and sme["spend"].data_type == "n"
    assert sme["spend"].number_format == MONEY_FORMAT
    assert sme["share_of_total"].value == 0.25
    assert sme["share_of_total"].number_format == SHARE_FORMAT
    assert sme["coverage"].value == 0.8
    assert sme["suppliers"].value == 75 and isinstance(sme["suppliers"].value, int)
    assert sme["target_met"].value is False and sme["target_met"].data_type == "b"
    credit = next(r for r in rows if r["total_spend"].value == -12500)
    assert credit["share_of_total"].value is None


def test_xlsx_formula_looking_text_stays_text(tmp_path: Path, xlsx: Path) -> None:
    ws = openpyxl.load_workbook(xlsx)["Unmatched"]
    names = {c.value: c for c in ws["B"][1:]}
    for text in (FORMULA, "+44 Telecom Services", "@Home Care"):
        assert names[text].data_type == "s"
        assert names[text].quotePrefix is True
    assert names["Stockport Homes Ltd"].quotePrefix is False
    assert ws["C5"].value == 800 and ws["C6"].value == -150
    with zipfile.ZipFile(xlsx) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) == len(SHEETS)
        xml = {name: z.read(name).decode("utf-8") for name in sheets}
    assert all(re.search(r"<f[ >/]", text) is None for text in xml.values())
    assert f't="inlineStr"><is><t>{FORMULA}</t></is>' in xml["xl/worksheets/sheet5.xml"]
    hostile = tmp_path / "hostile.xlsx"
    write_xlsx(build_document(org_a=FORMULA, category="-1+1", supplier="@SUM(A1)"), hostile)
    wb = openpyxl.load_workbook(hostile)
    assert wb["Metrics"]["A2"].value == FORMULA and wb["Metrics"]["A2"].data_type == "s"
    values = {c.value: c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert values["-1+1"] == "s" and values["@SUM(A1)"] == "s"


def test_xlsx_same_document_same_cells(tmp_path: Path, document: dict[str, Any]) -> None:
    def cells(path: Path) -> list[tuple[str, str, Any, str]]:
        wb = openpyxl.load_workbook(path)
        return [
            (ws.title, c.coordinate, c.value, c.number_format)
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
        ]

    write_xlsx(document, tmp_path / "a.xlsx")
    write_xlsx(copy.deepcopy(document), tmp_path / "b.xlsx")
    assert cells(tmp_path / "a.xlsx") == cells(tmp_path / "b.xlsx")
    summary = openpyxl.load_workbook(tmp_path / "a.xlsx")["Summary"]
    first = [c.value for c in summary[2]]
    assert first == ["reconciliation", "read", None, 2112, 1243210.55, None, None]


# ---------------------------------------------------------------- documents with less in them


def test_sections_the_document_lacks_are_left_out(tmp_path: Path) -> None:
    """Older documents carry no measures list, coverage, categories, suppliers or lookups."""
    doc = build_document()
    for key in ("measures", "categories", "top_suppliers", "unmatched_suppliers", "conflicts"):
        del doc[key]
    del doc["lookups"]
    for m in doc["metrics"]:
        del m["coverage"]
    html = render_html(doc)
    p = outline(html)
    assert [f["kind"] for f in p.figures] == ["shares", "trend"] * 3
    assert "Every supplier was matched." in html
    assert "classification is known for 80.0% of spend." in html  # coverage from known/total
    write_xlsx(doc, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == SHEETS and wb["Categories"].max_row == 1


def test_renders_what_the_pipeline_makes(tmp_path: Path) -> None:
    doc = analyse_json(str(ROOT / "examples" / "spend"))
    html = render_html(doc)
    p = outline(html)
    assert len(p.figures) == html.count("<svg")
    assert "<script" not in html.lower()
    write_xlsx(doc, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb["Metrics"].max_row == len(doc["metrics"]) + 1


def test_xlsx_bytes_do_not_depend_on_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as time_module

    from anchorspend.report.analyse.xlsx import write_xlsx as write

    doc = build_document()
    write(doc, tmp_path / "a.xlsx")
    real = time_module.localtime
    monkeypatch.setattr(time_module, "localtime", lambda *a: real(0 if not a else a[0] + 86400))
    write(doc, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_trend_leaves_out_shares_where_nothing_was_classified(tmp_path: Path) -> None:
    """With no spend classified, 0% of total means "unknown", not "none": the trend draws no
    point there and says so, as the share bars hatch it (read as an analyst: a Trafford report
    without a lookup showed SME at 0.0% in its trend)."""
    export = tmp_path / "e.csv"
    export.write_text(
        "Supplier Name,Payment Date,Net Amount\n"
        "Alpha Ltd,01/04/2026,10.00\n"
        "Beta Ltd,01/07/2026,30.00\n",
        encoding="utf-8",
    )
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("supplier_name,is_sme\nBeta Ltd,Yes\n", encoding="utf-8")
    bare = render_html(analyse_json(str(export)))
    assert "SME: no spend could be classified, so the share is unknown." in bare
    assert "SME: 0.0%" not in bare
    mixed = render_html(analyse_json(str(export), "--lookup", str(lookup)))
    assert "SME: 100.0% in 2026-27 Q2; unknown (no spend classified) in 2026-27 Q1." in mixed
    # the chart's placeholder for Q1 says the same as the sentence, not "not defined"
    title = mixed.index("Share of spend by period:")
    trend = mixed[mixed.rindex("<svg", 0, title) : mixed.index("</svg>", title)]
    assert ">unknown</text>" in trend
    assert ">not defined</text>" not in trend
