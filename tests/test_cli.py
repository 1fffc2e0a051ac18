"""The command line as a user meets it: help, README examples, errors, outputs."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from anchorspend.cli import app
from tests.helpers import FIXTURES, ROOT, analyse_json, invoke


def _command_name(command: Any) -> str:
    return str(command.name or command.callback.__name__).replace("_", "-")


def commands_of(typer_app: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of the app as the words a user types, groups' commands included."""
    found = [(*prefix, _command_name(c)) for c in typer_app.registered_commands]
    for group in typer_app.registered_groups:
        found += commands_of(group.typer_instance, (*prefix, str(group.name)))
    return sorted(found)


COMMANDS = commands_of(app)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(command: tuple[str, ...]) -> None:
    r = invoke(*command, "--help")
    assert r.exit_code == 0
    assert "Usage:" in r.stdout
    words = " ".join(command)
    assert f"anchorspend {words}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_app_has_the_commands_and_groups_users_know() -> None:
    """The list above comes from the app: this says it found the groups' commands too."""
    groups = {c[0] for c in COMMANDS if len(c) > 1}
    assert groups == {"geo", "store", "suppliers"}
    assert ("analyse",) in COMMANDS and ("suppliers", "unmatched") in COMMANDS


def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each `anchorspend …` line in the README's Use section runs and exits 0 (or 1 for check
    findings), from a copy of the repo's examples."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Use", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    ran = 0
    for line in block.replace("\\\n", " ").strip().splitlines():
        cmd = line.split("#", 1)[0].split("|", 1)[0].strip()
        args = shlex.split(cmd)
        assert args[0] == "anchorspend"
        r = invoke(*args[1:])
        assert r.exit_code in (0, 1), (cmd, r.stderr)
        ran += 1
    assert ran == 7
    assert (tmp_path / "report" / "metrics.json").is_file()
    assert (tmp_path / "payments" / "s70_payments.csv").is_file()
    assert (tmp_path / "anchorspend.toml").is_file()


def test_examples_analyse_reconciles_to_generator_totals() -> None:
    doc = analyse_json(str(ROOT / "examples" / "spend"))
    rec = doc["reconciliation"]
    assert (rec["rows_read"], rec["rows_analysed"], rec["rows_excluded"], rec["rows_rejected"]) == (
        92,
        91,
        1,
        0,
    )
    assert rec["amount_analysed"] == "2513184.58"  # 689994.88 + 1823189.70
    assert rec["exclusions"] == [{"rule": "footer-total", "rows": 1, "amount": "1823189.70"}]
    totals = {
        (m["organisation"], m["period"]): m["total_spend"]
        for m in doc["metrics"]
        if m["measure"] == "total_spend"
    }
    assert totals[("Northborough Borough Council", "all")] == "689994.88"
    assert totals[("Riverside NHS Foundation Trust", "all")] == "1823189.70"
    assert totals[("(all)", "all")] == "2513184.58"
    sheets = {Path(i["path"]).name: i["sheet"] for i in doc["inputs"]}
    assert sheets["riverside-nhs-trust-2026-27.xlsx"] == "Spend"
    assert {m["period"] for m in doc["metrics"]} == {"2026-27 Q1", "2026-27 Q2", "all"}


def test_json_stdout_is_only_json() -> None:
    r = invoke("analyse", str(FIXTURES / "bad_amounts.csv"), "--json")
    doc = json.loads(r.stdout)
    assert doc["schema"] == "anchorspend/metrics/v1"
    assert set(doc["reconciliation"]) >= {
        "rows_read",
        "rows_analysed",
        "rows_excluded",
        "rows_rejected",
        "amount_read",
        "amount_analysed",
        "amount_excluded",
        "amount_rejected",
    }
    metric = doc["metrics"][0]
    assert list(metric) == [
        "organisation",
        "period",
        "measure",
        "total_spend",
        "spend",
        "known_spend",
        "suppliers",
        "known_suppliers",
        "total_suppliers",
        "addressable_spend",
        "spend_addressable",
        "known_addressable",
        "share_of_total",
        "share_of_known",
        "coverage",
        "supplier_share_of_total",
        "supplier_share_of_known",
        "share_of_addressable",
        "coverage_addressable",
        "target",
        "target_basis",
        "target_met",
    ]
    assert doc["measures"] == ["total_spend", "sme", "vcse", "diverse_led", "redacted"]
    assert all(re.fullmatch(r"-?\d+\.\d\d", m["spend"]) for m in doc["metrics"])


def test_period_options() -> None:
    def periods(kind: str) -> set[str]:
        doc = analyse_json(str(ROOT / "examples" / "spend"), "--period", kind)
        return {m["period"] for m in doc["metrics"]}

    assert periods("month") == {
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "all",
    }
    assert periods("calendar") == {"2026 Q2", "2026 Q3", "all"}
    assert periods("fy") == {"2026-27", "all"}
    assert invoke("analyse", str(ROOT / "examples" / "spend"), "--period", "week").exit_code == 2


def test_no_traceback_without_debug_and_one_with(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"this is not a workbook")
    r = invoke("analyse", str(bad))
    assert r.exit_code == 3
    assert "Traceback" not in r.stderr
    assert "x.xlsx" in r.stderr
    r = invoke("analyse", str(bad), "--debug")
    assert r.exit_code == 3
    assert "Traceback" in r.stderr


def test_out_files_are_complete_and_identical_across_runs(tmp_path: Path) -> None:
    for d in ("a", "b"):
        assert (
            invoke(
                "analyse", str(ROOT / "examples" / "spend"), "--out", str(tmp_path / d), "-q"
            ).exit_code
            == 0
        )
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        ".anchorspend-outputs",  # what the run wrote, for the next run (see outputs.MANIFEST)
        "conflicts.csv",
        "findings.csv",
        "metrics.csv",
        "metrics.json",
        "payees.csv",
        "rejected_rows.csv",
        "report.html",
        "report.md",
        "report.xlsx",
        "unmatched_suppliers.csv",
    ]
    for n in names:
        assert (tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes(), n


def test_csv_outputs_neutralise_formulas(tmp_path: Path) -> None:
    src = tmp_path / "evil.csv"
    src.write_text(
        'Supplier Name,Payment Date,Net Amount\n"=HYPERLINK(""http://x"")",'
        "01/04/2026,5\n@SUM(A1),not a date,6\n",
        encoding="utf-8",
    )
    assert invoke("analyse", str(src), "--out", str(tmp_path / "o"), "-q").exit_code == 0
    unmatched = (tmp_path / "o" / "unmatched_suppliers.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in unmatched
    rejected = (tmp_path / "o" / "rejected_rows.csv").read_text(encoding="utf-8")
    assert "'@SUM(A1)" in rejected


def test_init_and_schema_commands(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    assert invoke("init", str(tmp_path)).exit_code == 3
    assert invoke("init", str(tmp_path), "--force").exit_code == 0
    # the starter config loads as it is
    doc = analyse_json(
        str(ROOT / "examples" / "spend"), "--config", str(tmp_path / "anchorspend.toml")
    )
    assert doc["reconciliation"]["rows_read"] == 92
    r = invoke("schema")
    assert r.exit_code == 0
    assert "spend:" in r.stdout and "suppliers:" in r.stdout
    spend = json.loads(invoke("schema", "spend").stdout)
    assert [f["name"] for f in spend["fields"]][:4] == [
        "organisation",
        "payment_date",
        "supplier_name",
        "amount",
    ]
    assert invoke("schema", "nope").exit_code == 3


def test_version() -> None:
    r = invoke("--version")
    assert r.exit_code == 0
    assert r.stdout.startswith("anchorspend 0.")


def test_hostile_supplier_names_are_inert_in_every_output(tmp_path: Path) -> None:
    import zipfile

    import openpyxl

    src = tmp_path / "hostile.csv"
    src.write_text(
        "Supplier Name,Payment Date,Net Amount,Expense Type\n"
        '<script>alert(1)</script>,01/04/2026,100.00,"<img src=x onerror=alert(2)>"\n'
        '"=HYPERLINK(""http://x"",""y"")",02/04/2026,50.00,Repairs\n'
        "@SUM(A1),03/04/2026,25.00,Repairs\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert invoke("analyse", str(src), "--out", str(out), "-q").exit_code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html.lower()
    assert "Content-Security-Policy" in html
    for name in ("unmatched_suppliers.csv",):
        text = (out / name).read_text(encoding="utf-8")
        assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
        assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    with zipfile.ZipFile(out / "report.xlsx") as zf:
        assert not any(
            "<f>" in zf.read(n).decode("utf-8", "replace")
            or "<f " in zf.read(n).decode("utf-8", "replace")
            for n in zf.namelist()
            if n.startswith("xl/worksheets/")
        )
    wb = openpyxl.load_workbook(out / "report.xlsx")
    texts = [
        c
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(("=HYPERLINK", "@SUM"))
    ]
    assert texts and all(c.data_type == "s" for c in texts)


def test_cli_import_does_not_load_polars() -> None:
    """`anchorspend --help` stays fast because the data stack loads only when a command runs."""
    import subprocess
    import sys

    code = (
        "import sys, anchorspend.cli; "
        "print(sorted(m for m in ('polars', 'pyarrow', 'openpyxl', 'jinja2', 'fastexcel') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_terminal_output_shows_control_characters_instead_of_obeying_them(
    tmp_path: Path,
) -> None:
    """A published name can carry ESC sequences (clear the screen, set the window title,
    write the clipboard) or a right-to-left override: the terminal summary writes them out."""
    export = tmp_path / "e.csv"
    export.write_text(
        "Organisation,Supplier Name,Payment Date,Net Amount\n"
        "\x1b]0;owned\x07Council \x1b[2J\u202eevil,A Ltd,01/04/2026,10.00\n",
        encoding="utf-8",
    )
    r = invoke("analyse", str(export))
    assert r.exit_code == 0, r.stderr
    shown = r.stdout + r.stderr
    assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
    assert "\\x1b]0;owned\\x07Council \\x1b[2J\\u202eevil" in shown


def test_an_organisation_named_as_the_pooled_rows_is_refused_with_the_config_fix(
    tmp_path: Path,
) -> None:
    """An organisation cell reading "(all)" would be indistinguishable from the pooled rows
    the contract gives that name: the run stops, naming the file, the rows and the rename."""
    export = tmp_path / "network.csv"
    export.write_text(
        "Organisation,Supplier Name,Payment Date,Amount\n"
        "(all),Acme Ltd,01/04/2026,10.00\n"
        "(all),Acme Ltd,02/04/2026,5.00\n"
        "Borough Council,Beta Ltd,03/04/2026,7.50\n",
        encoding="utf-8",
    )
    r = invoke("analyse", export, "--json")
    assert r.exit_code == 3
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    assert f"{export}: an organisation is named '(all)'" in r.stderr
    assert f"2 rows in {export}" in r.stderr
    assert '[organisations] "(all)" = "Its real name"' in r.stderr

    config = tmp_path / "anchorspend.toml"
    config.write_text('[organisations]\n"(all)" = "City Trust"\n', encoding="utf-8")
    doc = analyse_json(str(export), "--config", str(config))
    totals = {
        m["organisation"]: m["total_spend"]
        for m in doc["metrics"]
        if m["measure"] == "total_spend" and m["period"] == "all"
    }
    assert totals == {"City Trust": "15.00", "Borough Council": "7.50", "(all)": "22.50"}
