"""``pipeline``: the stages of ``analyse`` leave what their caller holds as it was."""

from __future__ import annotations

import copy

from anchorspend.config import load as load_config
from anchorspend.gather.inputs import ingest
from anchorspend.gather.options import RunConfig
from anchorspend.pipeline import analyse_ingested, load_lookups
from tests.helpers import FIXTURES

NET = FIXTURES / "network"


def test_analyse_ingested_leaves_its_input_as_it_was() -> None:
    """Rows read and kept whole (no spend split yet), classified and measured: the caller's
    ``Ingested`` keeps every row (analysed ones too), its notes, reports and summary."""
    run = RunConfig(
        inputs=(NET / "alpha-council", NET / "beta-nhs" / "spend.csv", NET / "gamma-police"),
        lookups=(NET / "lookup.csv",),
        config=load_config(NET / "anchorspend.toml"),
    )
    data = ingest(run)
    assert data.spend is None
    rows, summary, findings = data.rows.clone(), data.summary.clone(), data.findings.clone()
    notes, inputs = list(data.notes), copy.deepcopy(data.inputs)
    assert rows.filter(rows["_status"] == "analysed").height > 0

    result = analyse_ingested(data, run, lookups=load_lookups(run))

    assert data.rows.equals(rows)
    assert data.summary.equals(summary)
    assert data.findings.equals(findings)
    assert data.notes == notes
    assert data.inputs == inputs
    assert data.spend is None
    # the Result keeps only the rows not analysed, as before
    assert result.rows.equals(rows.filter(rows["_status"] != "analysed"))
