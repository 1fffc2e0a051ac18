"""Acceptance: every Hyndburn Borough Council export (107 files, Jan 2017 – Jan 2026, raw as
downloaded) reads with NO flags and reconciles, row for row and penny for penny, with an
independent reading of the same bytes (tests/hyndburn_oracle.py: csv + Decimal, no anchorspend).

The oracle's column choices, per layout era (``hyndburn_oracle.ERAS``). A file's era is the one
whose signature cells all appear, stripped, in one of its records; that record is its header,
wherever it is (three files have it as their last line).

| era     | exports                    | assigned by header cells      | supplier   | date                          | amount                                                        |
|---------|----------------------------|-------------------------------|------------|-------------------------------|---------------------------------------------------------------|
| ledger  | Jan 2017 – Feb 2024 (85)   | Account Detail + HBC ref no   | Name       | Payment date / Payment Date   | Net Amount(£) / Net Amount (£) / Net Amount(œ) / Net Amount   |
| finance | Mar 2024 – Jan 2026 (22)   | Department Area + HBC Ref No. | 'Name:  '  | Payment Date                  | Amount Paid                                                   |

Expected figures are computed by the oracle from the files, never copied from anchorspend's
output. Rows read = analysed + excluded + rejected, and the pounds likewise; per-period figures
are the document's default periods (UK financial-year quarters) of ``total_spend``.
"""  # noqa: E501

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

# anchorspend is installed editable without a py.typed marker: mypy run on this file alone
# (not on src/) does not read its types.
from anchorspend.cli import app
from tests.hyndburn_oracle import Reading, read, repeats_across_files

HYNDBURN = Path(__file__).resolve().parents[1].parent / "shared/data/public/hyndburn"
FILES = sorted(p.name for p in HYNDBURN.glob("*.csv")) if HYNDBURN.is_dir() else []
ABSENT = f"Hyndburn exports not found at {HYNDBURN} (CI has ../shared/data/public beside the repo)"
EXPECTED_FILES = 107
DUPLICATE_RULE = "duplicate-in-another-file"


def pence(money: str) -> int:
    """A document money string ('-1234.50') in pence, exactly."""
    value = Decimal(money) * 100
    assert value == value.to_integral_value(), f"not a whole number of pence: {money!r}"
    return int(value)


def analyse(target: Path) -> dict[str, Any]:
    """``anchorspend analyse TARGET --json`` in-process, with no other flag."""
    result = CliRunner().invoke(app, ["analyse", str(target), "--json"])
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr.strip()[:1500]}" + (
        f" [{result.exception!r}]" if result.exit_code != 3 and result.exception else ""
    )
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def figures(rows: dict[str, int], amounts: dict[str, int]) -> dict[str, int]:
    return {
        **{f"rows_{k}": v for k, v in rows.items()},
        **{f"pence_{k}": v for k, v in amounts.items()},
    }


def document_figures(rec: dict[str, Any]) -> dict[str, int]:
    keys = ("read", "analysed", "excluded", "rejected")
    return figures(
        {k: int(rec[f"rows_{k}"]) for k in keys}, {k: pence(rec[f"amount_{k}"]) for k in keys}
    )


def oracle_figures(readings: list[Reading], repeats: tuple[int, int] = (0, 0)) -> dict[str, int]:
    """The oracle's reconciliation over ``readings``; ``repeats`` (rows, pence) are analysed
    rows that the duplicates rule moves to excluded."""
    r_rows, r_pence = repeats
    return figures(
        {
            "read": sum(r.rows_read for r in readings),
            "analysed": sum(r.analysed.rows for r in readings) - r_rows,
            "excluded": sum(r.rows_excluded for r in readings) + r_rows,
            "rejected": sum(r.rejected.rows for r in readings),
        },
        {
            "read": sum(r.pence_read for r in readings),
            "analysed": sum(r.analysed.pence for r in readings) - r_pence,
            "excluded": sum(r.pence_excluded for r in readings) + r_pence,
            "rejected": sum(r.rejected.pence for r in readings),
        },
    )


def by_key(entries: list[dict[str, Any]], key: str) -> dict[str, tuple[int, int]]:
    return {e[key]: (int(e["rows"]), pence(e["amount"])) for e in entries}


def spend_by_period(doc: dict[str, Any]) -> dict[str, dict[str, int]]:
    """organisation → period → total_spend in pence (period 'all' included)."""
    out: dict[str, dict[str, int]] = {}
    for m in doc["metrics"]:
        if m["measure"] == "total_spend":
            out.setdefault(m["organisation"], {})[m["period"]] = pence(m["total_spend"])
    return out


def add(into: dict[str, int], more: dict[str, int], sign: int = 1) -> None:
    for k, v in more.items():
        into[k] = into.get(k, 0) + sign * v


@pytest.mark.parametrize(
    "name", FILES or [pytest.param("(no files)", marks=pytest.mark.skip(reason=ABSENT))]
)
def test_export_reads_with_no_flags_and_reconciles(name: str) -> None:
    oracle = read(HYNDBURN / name)
    doc = analyse(HYNDBURN / name)

    assert document_figures(doc["reconciliation"]) == oracle_figures([oracle])
    rec = doc["reconciliation"]
    assert by_key(rec["exclusions"], "rule") == {
        rule: (t.rows, t.pence) for rule, t in oracle.excluded.items()
    }
    assert by_key(rec["rejections"], "reason") == {
        reason: (t.rows, t.pence) for reason, t in oracle.rejections.items()
    }

    (entry,) = doc["inputs"]
    assert {
        "rows_read": entry["rows_read"],
        "rows_analysed": entry["rows_analysed"],
        "rows_excluded": entry["rows_excluded"],
        "rows_rejected": entry["rows_rejected"],
        "pence_read": pence(entry["amount_read"]),
    } == {
        "rows_read": oracle.rows_read,
        "rows_analysed": oracle.analysed.rows,
        "rows_excluded": oracle.rows_excluded,
        "rows_rejected": oracle.rejected.rows,
        "pence_read": oracle.pence_read,
    }
    assert {
        field: str(entry["columns"].get(field)).strip()
        for field in ("supplier_name", "payment_date", "amount")
    } == oracle.columns

    periods = spend_by_period(doc)
    assert len(periods) == 1, f"one organisation expected, got {sorted(periods)}"
    (spend,) = periods.values()
    assert spend == {**oracle.quarters, "all": oracle.analysed.pence}


def test_the_folder_is_one_organisation_and_sums_the_files() -> None:
    if not FILES:
        pytest.skip(ABSENT)
    assert len(FILES) == EXPECTED_FILES
    readings = [read(HYNDBURN / name) for name in FILES]
    repeats = repeats_across_files(readings)
    repeat_rows = sum(per["(rows)"] for per in repeats.values())
    repeat_pence = sum(v for per in repeats.values() for k, v in per.items() if k != "(rows)")

    doc = analyse(HYNDBURN)

    assert sorted(Path(i["path"]).name for i in doc["inputs"]) == FILES
    periods = spend_by_period(doc)
    assert sorted(periods) == ["hyndburn"], "the folder's files are one organisation"

    rec = doc["reconciliation"]
    assert document_figures(rec) == oracle_figures(readings, (repeat_rows, repeat_pence))
    exclusions: dict[str, tuple[int, int]] = {}
    for r in readings:
        for rule, t in r.excluded.items():
            rows, p = exclusions.get(rule, (0, 0))
            exclusions[rule] = (rows + t.rows, p + t.pence)
    if repeat_rows:
        exclusions[DUPLICATE_RULE] = (repeat_rows, repeat_pence)
    assert by_key(rec["exclusions"], "rule") == exclusions

    expected: dict[str, int] = {}
    for r in readings:
        add(expected, r.quarters)
    for per in repeats.values():
        add(expected, {k: v for k, v in per.items() if k != "(rows)"}, -1)
    expected["all"] = sum(r.analysed.pence for r in readings) - repeat_pence
    assert periods["hyndburn"] == expected
