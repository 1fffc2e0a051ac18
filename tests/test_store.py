"""`store add` / `analyse --store` / `compare --store`: read once, analyse again, same pennies."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import polars as pl
import pytest

from anchorspend.gather import inputs as gather_inputs
from anchorspend.gather import source as gather_source
from tests.helpers import FIXTURES, ROOT, analyse_json, invoke

EXAMPLES = ROOT / "examples"
SPEND = EXAMPLES / "spend"
CSV = SPEND / "northborough-council-2026-27.csv"
XLSX = SPEND / "riverside-nhs-trust-2026-27.xlsx"
LOOKUP = EXAMPLES / "lookups" / "suppliers.csv"
CONFIG = EXAMPLES / "anchorspend.toml"


def add(store: Path, *args: object) -> None:
    result = invoke("store", "add", *args, "--store", store)
    assert result.exit_code == 0, result.stderr


def manifest(store: Path) -> dict:
    return json.loads((store / "store.json").read_text(encoding="utf-8"))


def test_analyse_from_a_store_gives_the_document_the_files_give(tmp_path: Path) -> None:
    store = tmp_path / "st"
    add(store, CSV)
    add(store, XLSX)
    common = ["--lookup", LOOKUP, "--config", CONFIG]
    from_files = analyse_json(CSV, XLSX, *common)
    from_store = analyse_json("--store", store, *common)
    assert from_store == from_files
    assert from_store["reconciliation"]["rows_read"] == 92
    # periods other than the partitioning quarter come from the rows' own dates
    assert analyse_json("--store", store, "--period", "month") == analyse_json(
        CSV, XLSX, "--period", "month"
    )


def test_compare_from_a_store_equals_compare_on_the_files(tmp_path: Path) -> None:
    store = tmp_path / "st"
    add(store, SPEND)
    files = invoke("compare", SPEND, "--json")
    stored = invoke("compare", "--store", store, "--json")
    assert files.exit_code == stored.exit_code == 0, stored.stderr
    assert json.loads(stored.stdout) == json.loads(files.stdout)
    assert [m["name"] for m in json.loads(stored.stdout)["network"]["members"]] == [
        "Northborough Borough Council",
        "Riverside NHS Foundation Trust",
    ]


def test_the_store_is_hive_partitioned_parquet_other_engines_read(tmp_path: Path) -> None:
    store = tmp_path / "st"
    add(store, SPEND)
    doc = analyse_json("--store", store)
    parts = sorted(p.relative_to(store).parts[1:3] for p in (store / "rows").rglob("*.parquet"))
    assert ("organisation=Northborough%20Borough%20Council", "period=2026-27-Q1") in parts
    assert all(p[1].startswith("period=") for p in parts)
    # Polars' hive reader, as any engine would: the analysed pence equal the document's
    rows = pl.scan_parquet(store / "rows", hive_partitioning=True).collect()
    analysed = rows.filter(pl.col("_status") == "analysed")
    assert analysed.get_column("amount").sum() == int(
        doc["reconciliation"]["amount_analysed"].replace(".", "")
    )
    assert set(rows.get_column("organisation")) == {
        "Northborough Borough Council",
        "Riverside NHS Foundation Trust",
    }
    duckdb = pytest.importorskip("duckdb")
    total = duckdb.sql(
        f"select sum(amount) from read_parquet('{store}/rows/**/*.parquet', "
        "hive_partitioning=true) where _status = 'analysed'"
    ).fetchall()
    assert total == [(analysed.get_column("amount").sum(),)]


def test_adding_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "st"
    add(store, CSV)
    before = manifest(store)
    files = sorted((store / "rows").rglob("*.parquet"))
    again = invoke("store", "add", CSV, "--store", store)
    assert again.exit_code == 0
    assert "skipped" in again.stderr and "already in the store" in again.stderr
    assert manifest(store) == before
    assert sorted((store / "rows").rglob("*.parquet")) == files
    info = json.loads(invoke("store", "info", "--store", store, "--json").stdout)
    assert info["rows"] == 60
    assert [f["rows"] for f in info["files"]] == [60]


def test_a_changed_file_needs_replace_and_then_takes_the_old_ones_place(tmp_path: Path) -> None:
    store = tmp_path / "st"
    export = tmp_path / "q1.csv"
    export.write_text(
        "Supplier Name,Payment Date,Net Amount\nA Ltd,01/04/2026,10.00\nB Ltd,02/04/2026,20.00\n",
        encoding="utf-8",
    )
    add(store, export)
    old_id = manifest(store)["batches"][0]["id"]
    export.write_text(
        "Supplier Name,Payment Date,Net Amount\nA Ltd,01/04/2026,10.00\nB Ltd,02/04/2026,25.50\n",
        encoding="utf-8",
    )
    refused = invoke("store", "add", export, "--store", store)
    assert refused.exit_code == 3
    assert "different version" in refused.stderr and "--replace" in refused.stderr
    assert analyse_json("--store", store)["reconciliation"]["amount_analysed"] == "30.00"

    add(store, export, "--replace")
    batches = manifest(store)["batches"]
    assert len(batches) == 1 and batches[0]["id"] != old_id
    assert not [p for p in store.rglob(f"{old_id}*")]  # the old version's files are gone
    assert analyse_json("--store", store)["reconciliation"]["amount_analysed"] == "35.50"


def test_duplicates_across_files_are_excluded_in_the_store_as_across_files(
    tmp_path: Path,
) -> None:
    store = tmp_path / "st"
    first, resent = FIXTURES / "dup_q1_invoices.csv", FIXTURES / "dup_q1_resent.csv"
    add(store, first, "--organisation", "Alpha")
    add(store, resent, "--organisation", "Alpha")
    stored = analyse_json("--store", store)
    assert stored == analyse_json(first, resent, "--organisation", "Alpha")
    rec = stored["reconciliation"]
    assert rec["amount_analysed"] == "80.00"  # the repeat inside the first file stays
    assert {e["rule"]: e["rows"] for e in rec["exclusions"]} == {"duplicate-in-another-file": 1}


def test_files_no_manifest_names_are_ignored_then_swept(tmp_path: Path) -> None:
    """What an add killed before its manifest write leaves behind."""
    store = tmp_path / "st"
    add(store, CSV)
    stray_dir = store / "rows" / "organisation=Intruder" / "period=2026-27-Q1"
    stray_dir.mkdir(parents=True)
    one = next((store / "rows").rglob("*.parquet"))
    shutil.copy(one, stray_dir / "ffffffffffffffff.parquet")
    (store / ".staging-dead").mkdir()
    assert analyse_json("--store", store)["reconciliation"]["rows_read"] == 60
    add(store, XLSX)
    assert not stray_dir.exists() and not (store / ".staging-dead").exists()
    assert analyse_json("--store", store)["reconciliation"]["rows_read"] == 92


def test_hostile_organisation_names_stay_inside_the_store(tmp_path: Path) -> None:
    store = tmp_path / "st"
    export = tmp_path / "e.csv"
    export.write_text(
        "Organisation,Supplier Name,Payment Date,Net Amount\n"
        "../../escape,A Ltd,01/04/2026,10.00\n"
        "/etc/x,B Ltd,02/04/2026,20.00\n",
        encoding="utf-8",
    )
    add(store, export)
    written = [p.resolve() for p in store.rglob("*") if p.is_file()]
    assert written and all(store.resolve() in p.parents for p in written)
    assert not (tmp_path / "escape").exists()
    doc = analyse_json("--store", store)
    assert doc == analyse_json(export)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "nothing to analyse"),
        ((CSV, "--store", "st"), "not both"),
        (("--store", "st", "--map", "amount=Net"), "--map applies when files are read"),
    ],
)
def test_inputs_or_a_store_is_a_usage_question(
    tmp_path: Path, args: tuple[object, ...], message: str
) -> None:
    result = invoke("analyse", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_folder_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    result = invoke("analyse", "--store", tmp_path)
    assert result.exit_code == 3
    assert "no anchorspend store here" in result.stderr
    assert "store add" in result.stderr
    (tmp_path / "store.json").write_text("{not json", encoding="utf-8")
    broken = invoke("analyse", "--store", tmp_path)
    assert broken.exit_code == 3 and "manifest cannot be read" in broken.stderr


def test_a_bad_file_adds_nothing(tmp_path: Path) -> None:
    store = tmp_path / "st"
    bad = tmp_path / "bad.csv"
    bad.write_text("just,some\nwords,here\n", encoding="utf-8")
    result = invoke("store", "add", CSV, bad, "--store", store)
    assert result.exit_code == 3
    assert not (store / "store.json").exists()
    assert not list(store.rglob("*.parquet"))


def test_readme_store_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each `anchorspend …` line of the README's store section runs and exits 0."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## A store:", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    ran = []
    for line in block.strip().splitlines():
        args = shlex.split(line.split("#", 1)[0])
        assert args[0] == "anchorspend"
        result = invoke(*args[1:])
        assert result.exit_code == 0, (line, result.stderr)
        ran.append(args[1])
    assert ran == ["store", "store", "analyse", "compare"]
    doc = json.loads(result.stdout)
    assert doc["reconciliation"]["rows_read"] == 92
    # the DuckDB query the README gives, as written
    duckdb = pytest.importorskip("duckdb")
    query = text.split("DuckDB, for example:\n`", 1)[1].split("` (Spark", 1)[0].replace("\n", " ")
    got = dict(duckdb.sql(query).fetchall())
    assert got == {
        "Northborough Borough Council": pytest.approx(689994.88),
        "Riverside NHS Foundation Trust": pytest.approx(1823189.70),
    }


@pytest.mark.parametrize("batch_rows", [None, 1])
def test_partition_by_partition_reading_gives_the_files_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_rows: int | None
) -> None:
    """Rows spread over organisations and quarters, read one partition at a time: renames that
    merge two organisations, a duplicate across files after the rename, rejected and footer rows,
    credits and redactions, and periods that span partitions (fy) or split them (month)."""
    head = "Organisation,Supplier Name,Payment Date,Net Amount,Transaction Number,Expense Type\n"
    first = tmp_path / "first.csv"
    first.write_text(
        head + "Alpha,Shared Co Ltd,01/04/2026,100.00,T1,Services\n"
        "Alpha,Local Bakers,02/07/2026,50.00,T2,Catering\n"
        "Alpha Council,Shared Co Limited,03/10/2026,-20.00,T3,Services\n"
        "Beta,REDACTED,04/01/2027,70.00,T4,Care\n"
        "Beta,Nobody Ltd,not a date,5.00,T5,Care\n"
        "Total,,,205.00,,\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.csv"
    second.write_text(
        head + "Alpha Council,Shared Co Ltd,01/04/2026,100.00,T1,Services\n"  # T1 again
        "Beta,Care Charity,05/05/2026,400.00,B3,Care\n"
        "Gamma,Shared Co Ltd,06/02/2027,30.00,G1,Services\n",
        encoding="utf-8",
    )
    config = tmp_path / "anchorspend.toml"
    config.write_text('[organisations]\n"Alpha" = "Alpha Council"\n', encoding="utf-8")
    store = tmp_path / "st"
    with monkeypatch.context() as m:
        if batch_rows:  # `store add` writes each batch of records as it is read
            m.setattr(gather_inputs, "BATCH_ROWS", batch_rows)
            m.setattr(gather_source, "HEAD_ROWS", 2)
        add(store, first)
        add(store, second)
    first_id = manifest(store)["batches"][0]["id"]
    chunks = {f.stem for f in (store / "rows").rglob(f"{first_id}-*.parquet")}
    # six records, one chunk each; or all at once
    assert len(chunks) == (6 if batch_rows else 1)
    lookup = FIXTURES / "network" / "lookup.csv"
    for period in ("quarter", "fy", "month", "calendar"):
        args = ["--config", config, "--lookup", lookup, "--period", period]
        from_files = analyse_json(first, second, *args)
        assert analyse_json("--store", store, *args) == from_files, period
    rec = from_files["reconciliation"]
    assert {e["rule"]: e["rows"] for e in rec["exclusions"]} == {
        "duplicate-in-another-file": 1,
        "footer-total": 1,
    }
    assert rec["rows_rejected"] == 1
    files = invoke("compare", first, second, "--config", config, "--json")
    stored = invoke("compare", "--store", store, "--config", config, "--json")
    assert json.loads(stored.stdout) == json.loads(files.stdout)


def test_the_manifest_is_readable_by_others_like_the_data(tmp_path: Path) -> None:
    store = tmp_path / "st"
    add(store, CSV)
    data = next((store / "rows").rglob("*.parquet"))
    assert (store / "store.json").stat().st_mode & 0o777 == data.stat().st_mode & 0o777


def test_a_store_keeps_reading_order_across_files_of_several_tables(tmp_path: Path) -> None:
    """A stored file of several tables (a zip's members) and a file added after it: the rows
    come back in the order the files gave them (file, then table, then row), so a member's
    files in compare are listed in the same order from the store as from the files."""
    import zipfile

    head = "Organisation,Supplier Name,Payment Date,Net Amount\n"
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name in ("1.csv", "2.csv", "3.csv"):
            z.writestr(name, head + f"Org,Supplier {name},01/04/2026,10.00\n")
    later = tmp_path / "b.csv"
    later.write_text(head + "Org,Supplier b,01/04/2026,20.00\n", encoding="utf-8")
    store = tmp_path / "st"
    add(store, archive)
    add(store, later)
    files = invoke("compare", archive, later, "--json")
    stored = invoke("compare", "--store", store, "--json")
    assert files.exit_code == 0, files.stderr
    [member] = json.loads(files.stdout)["network"]["members"]
    assert [f.rsplit("/", 1)[-1] for f in member["files"]] == [
        "a.zip!1.csv",
        "a.zip!2.csv",
        "a.zip!3.csv",
        "b.csv",
    ]
    assert json.loads(stored.stdout)["network"]["members"] == [member]
