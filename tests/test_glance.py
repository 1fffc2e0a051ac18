"""The first screen: At a glance opens every report, and no share reads 0% where it is unknown.

glance.build is tested on metric rows made here (each next step, in its order); the CLI and the
reports on the bundled examples, with and without their lookup, and on the Trafford export a new
user would try first (public data, skipped visibly when absent).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from anchorspend import glance
from anchorspend.glance import BUILD_COMMAND, UNMATCHED_TOP, Context
from anchorspend.report.format import money_short, percent
from tests.helpers import ROOT, invoke

EXAMPLES = ROOT / "examples"
SPEND = EXAMPLES / "spend"
LOOKUP = EXAMPLES / "lookups" / "suppliers.csv"
CONFIG = EXAMPLES / "anchorspend.toml"
REC = {
    "rows_read": 10,
    "rows_analysed": 10,
    "rows_excluded": 0,
    "rows_rejected": 0,
    "amount_read": "100.00",
    "amount_analysed": "100.00",
    "amount_excluded": "0.00",
    "amount_rejected": "0.00",
}


def metric(
    measure: str, coverage: float | None, share: float | None = None, **more: Any
) -> dict[str, Any]:
    """A whole-period metric row of one organisation, as the document holds it."""
    row = {
        "organisation": "Org",
        "period": "all",
        "measure": measure,
        "share_of_total": share if share is not None else 0.0,
        "coverage": coverage,
        "target": None,
        "target_met": None,
    }
    return {**row, **more}


def classified(coverage: float, local: float | None = None) -> list[dict[str, Any]]:
    rows = [metric(m, coverage, 0.1 if coverage else 0.0) for m in ("sme", "vcse", "diverse_led")]
    if local is not None:
        rows.append(metric("local", local, 0.2 if local else 0.0))
    return rows


def measures_of(rows: list[dict[str, Any]]) -> list[str]:
    return ["total_spend", *(r["measure"] for r in rows), "redacted"]


# ---------------------------------------------------------------- the document's glance


def test_a_share_with_nothing_classified_is_unknown_and_so_is_its_target() -> None:
    rows = [
        metric("sme", 0.0, 0.0, target=0.3, target_met=False),
        metric("vcse", 0.5, 0.25, target=0.05, target_met=True),
        metric("diverse_led", None, None),  # no positive spend
    ]
    rows[2]["share_of_total"] = None
    g = glance.build(rows, measures_of(rows), REC, Context(lookups=("l.csv",)))
    assert [(r["measure"], r["status"], r["share"], r["target_met"]) for r in g["rows"]] == [
        ("sme", "unknown", None, None),
        ("vcse", "known", 0.25, True),
        ("diverse_led", "undefined", None, None),
    ]
    assert g["basis"] == "total" and g["measures"] == ["sme", "vcse", "diverse_led"]


def test_tiers_and_subcategories_are_details_not_headlines() -> None:
    measures = [
        "total_spend",
        "sme",
        "diverse_led",
        "diverse_led:women",
        "local",
        "local:A",
        "deprived",
        "redacted",
    ]
    assert glance.headline_measures(measures) == ["sme", "diverse_led", "local", "deprived"]


@pytest.mark.parametrize(
    ("rows", "context", "rejected", "code", "command"),
    [
        # nothing classified, no lookup: build one
        (classified(0.0, 0.0), Context(), 0, "no-classification", BUILD_COMMAND),
        # a lookup that classifies too little comes before rejected rows
        (
            classified(0.3, 0.9),
            Context(lookups=("l.csv",), geography=True),
            2,
            "classify-more",
            "anchorspend suppliers unmatched EXPORTS… --lookup l.csv --top 40",
        ),
        # then rejected rows
        (
            classified(0.7, 0.9),
            Context(inputs=("a.csv",), lookups=("l.csv",)),
            2,
            "rejected-rows",
            "anchorspend check a.csv",
        ),
        # then a local area nobody named
        (classified(0.7), Context(lookups=("l.csv",)), 0, "no-local", "anchorspend init"),
        # or named, with no supplier placed
        (
            classified(0.7, 0.0),
            Context(lookups=("l.csv",)),
            0,
            "no-local",
            "anchorspend geo import ONSPD.csv --into geo",
        ),
        # then classification below 90%
        (
            classified(0.7, 0.9),
            Context(inputs=("a.csv",), lookups=("l.csv",)),
            0,
            "classify-more",
            "anchorspend suppliers unmatched a.csv --lookup l.csv --top 40",
        ),
        # and nothing pressing at 90% and over
        (classified(0.95, 0.9), Context(lookups=("l.csv",)), 0, "none", None),
    ],
)
def test_the_next_step_is_the_first_that_applies(
    rows: list[dict[str, Any]], context: Context, rejected: int, code: str, command: str | None
) -> None:
    rec = {**REC, "rows_rejected": rejected, "amount_rejected": f"{rejected * 5}.00"}
    step = glance.build(rows, measures_of(rows), rec, context)["next_step"]
    assert (step["code"], step["command"]) == (code, command)


def test_the_pooled_figures_decide_and_every_organisation_is_shown() -> None:
    rows = [
        {**metric("sme", 0.0), "organisation": "A"},
        {**metric("sme", 0.8, 0.4), "organisation": "B"},
        {**metric("sme", 0.3, 0.2), "organisation": "(all)"},
    ]
    g = glance.build(rows, measures_of(rows[:1]), REC, Context(lookups=("l.csv",)))
    assert [(r["organisation"], r["status"]) for r in g["rows"]] == [
        ("A", "unknown"),
        ("B", "known"),
        ("(all)", "known"),
    ]
    assert g["next_step"]["message"] == f"classification is known for {percent(0.3)} of spend"
    # the network's SME is known, though A's is not; only local (no tiers) is not measured
    assert [n["measures"] for n in g["not_measured"]] == [["local"]]


def test_commands_quote_the_paths_they_name() -> None:
    rows = classified(0.3, 0.9)
    ctx = Context(inputs=("my exports/q1.csv", "b.csv"), lookups=("it's.csv",))
    step = glance.build(rows, measures_of(rows), REC, ctx)["next_step"]
    assert step["command"] == (
        "anchorspend suppliers unmatched 'my exports/q1.csv' b.csv --lookup 'it'\"'\"'s.csv' "
        "--top 40"
    )


@pytest.mark.parametrize("suppliers", [5, UNMATCHED_TOP + 10])
def test_the_classify_step_says_what_the_listed_suppliers_hold(suppliers: int) -> None:
    pence = tuple(range(suppliers * 1000, 0, -1000))  # biggest first
    rows = classified(0.7, 0.9)
    ctx = Context(lookups=("l.csv",), unmatched_spend=pence)
    then = glance.build(rows, measures_of(rows), REC, ctx)["next_step"]["then"]
    if suppliers <= UNMATCHED_TOP:
        assert (
            then == f"lists all {suppliers} suppliers no lookup matched, biggest first: add "
            "them to a lookup"
        )
    else:
        held = percent(sum(pence[:UNMATCHED_TOP]) / sum(pence))
        assert then == (
            f"lists the {UNMATCHED_TOP} suppliers no lookup matched with most spend ({held} of "
            "all unmatched spend): add them to a lookup"
        )


# ---------------------------------------------------------------- what a person reads


def _terminal_rows(stderr: str) -> list[list[str]]:
    """The cells of every table row rich drew on stderr."""
    return [
        [c.strip() for c in line.strip("│").split("│")]
        for line in stderr.splitlines()
        if line.startswith("│")
    ]


def _md_rows(md: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("|").split("|")]
        for line in md.splitlines()
        if line.startswith("|") and not line.startswith("|---")
    ]


class _Rows(HTMLParser):
    """Every table row's cell texts, per table class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._table = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("class") or ""
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables.setdefault(self._table, []).append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    p = _Rows()
    p.feed(html)
    return p.tables


ZERO = re.compile(r"(?<![\d.])0\.0%")  # 0.0%, not the end of 30.0%


def _no_share_beside_zero_coverage(rows: list[list[str]], coverage_col: int) -> int:
    """Asserts every row whose coverage is 0.0% shows no share as 0.0% (the coverage is its only
    0.0%) and says "unknown"; returns how many such rows there were."""
    seen = 0
    for row in rows:
        if len(row) > coverage_col and row[coverage_col] == "0.0%":
            assert sum(bool(ZERO.search(c)) for c in row) == 1, row
            assert "unknown" in row, row
            seen += 1
    return seen


def test_analyse_without_a_lookup_says_unknown_wherever_a_share_is_read(tmp_path: Path) -> None:
    result = invoke("analyse", SPEND, "--config", CONFIG, "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    zero = [m for m in doc["metrics"] if m["period"] == "all" and m["coverage"] == 0]
    assert zero and all(m["share_of_total"] == 0.0 for m in zero)  # the document keeps 0
    # the terminal: measure, spend, of total, of addressable, of known, coverage, suppliers,
    # target
    terminal = [r for r in _terminal_rows(result.stderr) if len(r) == 8]
    assert _no_share_beside_zero_coverage(terminal, 5) == len(zero)
    targets = [r[7] for r in terminal if r[5] == "0.0%" and r[7]]
    assert targets and all(t.endswith(" unknown") for t in targets)  # never "missed"
    # report.md's measures table: ..., share of total, of addressable, of known, coverage, ...
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    measured = [r for r in _md_rows(md) if len(r) == 11]
    assert _no_share_beside_zero_coverage(measured, 8) >= len(zero)
    assert not [r for r in measured if r[8] == "0.0%" and any("missed" in c for c in r)]
    # report.html's headline tables: measure, spend, of total, of addressable, of known,
    # coverage, ...
    tables = html_tables((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert _no_share_beside_zero_coverage(tables["headline"], 5) == len(zero)
    assert all("missed" not in r for r in tables["headline"] if r[5] == "0.0%")
    glance_cells = [c for row in tables["glance"][1:] for c in row[1:]]
    blind = [c for c in glance_cells if "nothing classified" in c]
    # VCSE is known for the examples' community interest company, by its name
    assert len(blind) == len(glance_cells) - 3 and all(c.startswith("unknown") for c in blind)


def test_analyse_with_a_lookup_still_shows_its_shares(tmp_path: Path) -> None:
    result = invoke("analyse", SPEND, "--lookup", LOOKUP, "--config", CONFIG, "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    sme = next(m for m in doc["metrics"] if m["measure"] == "sme" and m["period"] == "all")
    assert sme["coverage"] > 0
    row = next(r for r in _terminal_rows(result.stderr) if r[0] == "sme")
    # measure, spend, of total, of addressable, of known, coverage, ...
    shown = [row[2], row[4], row[5]]
    assert shown == [f"{sme[k]:.1%}" for k in ("share_of_total", "share_of_known", "coverage")]
    assert "cannot be measured" not in result.stderr


def test_analyse_says_once_which_measures_it_cannot_give_and_how(tmp_path: Path) -> None:
    """Two organisations, no lookup, no local area: two lines, not one per organisation."""
    result = invoke("analyse", SPEND, "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "cannot be measured" in line]
    assert said == [
        "SME and Diverse-led cannot be measured: no supplier lookup was given and the "
        f"exports do not say. `{BUILD_COMMAND}` builds a lookup from the open registers: analyse "
        "again with --lookup suppliers.parquet.",
        "Local cannot be measured: no local area is named ([local.tiers] in anchorspend.toml). "
        "`anchorspend init` writes anchorspend.toml: name the local area's codes under "
        "[local.tiers] and analyse again with --config anchorspend.toml.",
    ]
    quiet = invoke("analyse", SPEND, "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    as_json = invoke("analyse", SPEND, "--json")
    assert json.loads(as_json.stdout)["glance"]["not_measured"]  # stdout stays the document
    assert sum("cannot be measured" in line for line in as_json.stderr.splitlines()) == 2


def test_analyse_with_a_local_area_and_nowhere_to_place_suppliers_names_geo_import() -> None:
    result = invoke("analyse", SPEND, "--config", CONFIG)
    said = [line for line in result.stderr.splitlines() if "cannot be measured" in line]
    assert len(said) == 2
    assert said[1].startswith(
        "Local cannot be measured: no supplier's place is known (the postcode table bundled"
    )
    assert "`anchorspend geo import ONSPD.csv --into geo`" in said[1]


def test_compare_with_nothing_classified_prints_a_line_per_measure_not_a_league() -> None:
    doc = json.loads(invoke("compare", SPEND, "--config", CONFIG, "--json").stdout)
    blind = [
        e["measure"]
        for e in doc["network"]["league"]
        if e["period"] == "all" and all(not m["coverage"] for m in [*e["members"], e["network"]])
    ]
    shown = [e["measure"] for e in doc["network"]["league"] if e["period"] == "all"]
    assert "sme" in blind and "vcse" in shown and "vcse" not in blind
    assert "redacted" not in shown  # not a classification: no league, as in the reports
    result = invoke("compare", SPEND, "--config", CONFIG)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    for measure in blind:
        expected = (
            f"{measure}: whole period: unknown for every member: none of the spend "
            "could be classified"
        )
        assert lines.count(expected) == 1
        assert f"{measure}: whole period" not in lines  # no table title
    assert "vcse: whole period" in lines  # measures with shares keep their table
    assert "redacted: whole period" not in lines
    assert not any(ZERO.search(r[2]) for r in _terminal_rows(result.stderr) if len(r) == 5)


def test_compare_targets_are_unknown_where_nothing_is_classified(tmp_path: Path) -> None:
    result = invoke("compare", SPEND, "--config", CONFIG, "--out", tmp_path, "-q")
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    # SME: nothing classified (VCSE is known for the examples' CIC, by its name)
    whole = [t for t in doc["network"]["targets"] if t["period"] == "all" and t["measure"] == "sme"]
    assert whole and all(t["status"] == "unknown" and t["gap"] is None for t in whole)
    # the share is unknown, not 0, on either basis
    assert all(
        (t["share"], t["share_of_total"], t["share_of_addressable"]) == (None, None, None)
        for t in whole
    )
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    rows = [
        r for r in _md_rows(md) if len(r) == 7 and r[4].endswith("unknown (nothing classified)")
    ]
    assert len(rows) >= len(whole) and all(r[3] == "unknown" for r in rows)
    targets = md.split("## Targets", 1)[1].split("## ", 1)[0].splitlines()
    assert not [line for line in targets if "| SME |" in line and "missed" in line]


# ---------------------------------------------------------------- the reports open with it


class _Order(HTMLParser):
    """The h1, then each section's id and the text of its first h2, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.order: list[str] = []
        self._h: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.order.append(f"section#{dict(attrs).get('id')}")
        elif tag in ("h1", "h2"):
            self._h = tag
            self.order.append(f"{tag}:")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._h:
            self._h = None

    def handle_data(self, data: str) -> None:
        if self._h:
            self.order[-1] += data


@pytest.mark.parametrize("command", ["analyse", "compare"])
@pytest.mark.parametrize("lookup", [True, False])
def test_every_report_opens_with_at_a_glance(tmp_path: Path, command: str, lookup: bool) -> None:
    args = ["--lookup", str(LOOKUP)] if lookup else []
    result = invoke(command, SPEND, *args, "--config", CONFIG, "--out", tmp_path, "-q")
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    p = _Order()
    p.feed(html)
    assert p.order[0].startswith("h1:")
    assert p.order[1:3] == ["section#at-a-glance", "h2:At a glance"]
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings[:2] == ["## At a glance", "## Reconciliation"]
    section = md.split("## At a glance", 1)[1].split("\n## ", 1)[0]
    # every organisation's headline share, from the document's glance
    g = doc["glance"]
    table = html_tables(html)["glance"]
    pooled = "Network" if command == "compare" else "All organisations"
    names = [pooled if r["organisation"] == "(all)" else r["organisation"] for r in g["rows"]]
    assert [r[0] for r in table[1:]] == list(dict.fromkeys(names))
    cells = {(row[0], i): c for row in table[1:] for i, c in enumerate(row[1:])}
    for r, name in zip(g["rows"], names, strict=True):
        cell = cells[name, g["measures"].index(r["measure"])]
        if r["status"] == "known":
            assert cell.startswith(f"{percent(r['share'])} known for {percent(r['coverage'])}")
            assert f"**{percent(r['share'])}** (known for {percent(r['coverage'])}" in section
        else:
            assert cell.startswith("unknown nothing classified")
        if r["target"] is not None:
            result_word = {True: "met", False: "missed", None: "unknown"}[r["target_met"]]
            assert cell.endswith(f"target {percent(r['target'])}: {result_word}")
    # the reconciliation in one line, and the next step with its command
    rec = doc["reconciliation"]
    line = f"{rec['rows_read']:,} rows, {money_short(rec['amount_read'])}: all accounted for"
    assert line in html and line in section
    step = g["next_step"]
    assert f"<code>{step['command']}</code>" in html
    assert f"`{step['command']}`" in section
    assert step["code"] == ("classify-more" if lookup else "no-classification")


def test_readme_shows_the_demo_at_a_glance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's At a glance is the demo's, as `make demo` writes it."""
    monkeypatch.chdir(ROOT)
    result = invoke(
        "analyse",
        "examples/spend/",
        "--lookup",
        "examples/lookups/suppliers.csv",
        "--config",
        "examples/anchorspend.toml",
        "--out",
        tmp_path,
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    section = "## At a glance" + md.split("## At a glance", 1)[1].split("\n## ", 1)[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```markdown\n", 1)[1].split("```", 1)[0]
    assert shown.strip() == section.strip().replace("## At a glance", "### At a glance", 1)


# ---------------------------------------------------------------- a new user's first try


def test_trafford_without_a_lookup_says_what_to_do(public: Path, tmp_path: Path) -> None:
    result = invoke("analyse", public / "trafford-supplier-spend-2026-27.zip", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert doc["glance"]["next_step"]["command"] == BUILD_COMMAND
    zero = [m for m in doc["metrics"] if m["period"] == "all" and m["coverage"] == 0]
    assert _no_share_beside_zero_coverage(_terminal_rows(result.stderr), 5) == len(zero) > 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert _no_share_beside_zero_coverage(html_tables(html)["headline"], 5) == len(zero)
    assert f"<code>{BUILD_COMMAND}</code>" in html


def test_a_run_that_analyses_nothing_still_opens_with_what_to_do(tmp_path: Path) -> None:
    spend = tmp_path / "bad.csv"
    spend.write_text("Supplier,Amount,Date\nAcme,abc,2026-05-01\nBeta,xyz,2026-05-02\n")
    result = invoke("analyse", spend, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.stderr
    doc = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert doc["glance"]["rows"] == [] and doc["reconciliation"]["rows_rejected"] == 2
    step = doc["glance"]["next_step"]
    assert (step["code"], step["command"]) == ("rejected-rows", f"anchorspend check {spend}")
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert md.split("\n## ", 2)[1].splitlines()[:7] == [
        "At a glance",
        "",
        "No spend was analysed, so there is no share to show.",
        "",
        "**Reconciliation:** 2 rows, £0: all accounted for; 0 rows analysed; 2 rows rejected, £0.",
        "",
        f"**Next step:** 2 rows were rejected (£0.00; rejected\\_rows.csv lists each with its "
        f"file, row and reason). `anchorspend check {spend}` says what is wrong in each file: "
        "fix the rows, or the options that read them, and analyse again.",
    ]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "glance" not in html_tables(html)
    assert "No spend was analysed, so there is no share to show." in html
