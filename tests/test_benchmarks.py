"""The analyse benchmark's parts, on a small scale: its generator is deterministic, and the
three hand-written references agree with anchorspend to the penny (what `make bench` checks
before it times anything), read in one batch or in many."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from anchorspend.gather import inputs as gather_inputs
from tests.helpers import ROOT, analyse_json

sys.path.insert(0, str(ROOT / "benchmarks"))
import analyse_bench
import generate

ROWS = 20_000


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate.generate(ROWS, tmp_path_factory.mktemp("bench"))


def test_the_generator_writes_the_same_bytes_for_the_same_size(
    data: tuple[Path, Path], tmp_path: Path
) -> None:
    again = generate.generate(ROWS, tmp_path)
    for first, second in zip(data, again, strict=True):
        assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("batch_rows", [None, 1_500])
def test_the_references_agree_with_anchorspend(
    data: tuple[Path, Path], batch_rows: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    spend, lookup = data
    if batch_rows:
        monkeypatch.setattr(gather_inputs, "BATCH_ROWS", batch_rows)
    ours = analyse_json(str(spend), "--lookup", str(lookup))
    refs = {}
    for name in ("polars", "duckdb", "pandas"):
        module = pytest.importorskip(f"reference_{name}")
        refs[name] = module.main(str(spend), str(lookup))
    assert analyse_bench.check(ROWS, ours, refs)
    # the generator's spellings differ only in ways every normaliser treats alike
    mine = analyse_bench.anchorspend_cells(ours)
    theirs = analyse_bench.reference_cells(refs["polars"])
    assert {k: c["suppliers"] for k, c in mine.items()} == {
        k: c["suppliers"] for k, c in theirs.items()
    }
    assert len(mine) == 80  # 20 organisations × 4 quarters


def test_the_payments_benchmark_derives_an_export_payments_reads_whole(
    data: tuple[Path, Path], tmp_path: Path
) -> None:
    import json

    import payments_bench

    from tests.helpers import invoke

    spend, lookup = data
    path, rows = payments_bench.invoices(spend, tmp_path)
    assert rows == ROWS
    config = tmp_path / "bench.toml"
    config.write_text("[payments]\ncommencement = 2025-04-01\n", encoding="utf-8")
    r = invoke("payments", path, "--lookup", lookup, "--config", config, "--json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    payments_bench.check(doc, rows)  # exits when a row is not accounted for
    rec = doc["payments_reconciliation"]
    assert rec["rows_measured"] > 0.95 * ROWS
    assert {x["reason"] for x in rec["not_measured"]} <= {"credit-note", "disputed"}
