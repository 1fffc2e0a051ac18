"""At a glance: the document's answer to the question a reader came with, and what to do next.

For each organisation (the pooled one, ``(all)``, last), the headline share of every headline
measure on the named basis, beside its coverage and target; the measures that could not be given
at all and the command that would give them; and the single most useful next step. Built from
the metric rows the pipeline has just measured, so every report and the terminal show the same
thing without working anything out again.

The one rule every reader of a share needs is here too (:func:`unknown`): where no spend at all
could be classified for a measure (coverage 0), its 0% of total means "unknown", never "none".

Pure Python on the document's own values: the CLI imports it without loading Polars.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from anchorspend.config import PAYEE_KINDS
from anchorspend.measures import ALL_ORGS as ALL_ORGS
from anchorspend.measures import ALL_PERIODS as ALL_PERIODS
from anchorspend.measures import NOT_CLASSIFICATIONS as NOT_CLASSIFICATIONS

# The measures whose classification comes from supplier lookups (or the export's own flags);
# "local" (and "deprived") come from where a supplier is.
LOOKUP_MEASURES = ("sme", "vcse", "diverse_led")
BASES = {  # basis → what its share is, in words
    "total": "share of total spend",
    "addressable": "share of addressable spend",
}
_SHARE = {"total": "share_of_total", "addressable": "share_of_addressable"}
_COVERAGE = {"total": "coverage", "addressable": "coverage_addressable"}
LOW_COVERAGE = 0.5  # below this, classifying more suppliers comes before anything else
GOOD_COVERAGE = 0.9  # at or above this for every measure, there is nothing pressing to classify
UNMATCHED_TOP = 40  # suppliers `suppliers unmatched --top` is told to list
EXPORTS = "EXPORTS…"  # stands for the spend files in a command when the run had none (a store)
# A lookup from the open registers (the README says where each file is published).
BUILD_COMMAND = (
    "anchorspend suppliers build --out suppliers.parquet "
    "--companies-house BasicCompanyData.csv --charities publicextract.charity.txt"
)
LABELS = {
    "total_spend": "Total spend",
    "sme": "SME",
    "vcse": "VCSE",
    "diverse_led": "Diverse-led",
    "local": "Local",
    "redacted": "Redacted",
}


def unknown(m: dict[str, Any], basis: str = "total") -> bool:
    """True where a classification measure's share on ``basis`` means nothing: none of that
    spend could be classified (coverage 0, with spend to classify), so its 0% is "unknown"."""
    return m["measure"] not in NOT_CLASSIFICATIONS and m.get(_COVERAGE[basis]) == 0


def shown_share(m: dict[str, Any], key: str) -> float | str | None:
    """A metric row's share ``key`` for a reader: "unknown" where the spend on its basis
    (addressable for ``share_of_addressable``, else total) could not be classified at all."""
    basis = "addressable" if key == _SHARE["addressable"] else "total"
    value: float | None = m.get(key)
    return "unknown" if unknown(m, basis) else value


def measure_label(measure: str) -> str:
    """``diverse_led:women`` → "Diverse-led (women)"; unknown ids are made readable."""
    base, _, sub = measure.partition(":")
    label = LABELS.get(base, base.replace("_", " ").capitalize())
    return f"{label} ({sub})" if sub else label


def labels(measures: Sequence[str]) -> str:
    """A list of measures for a sentence: "SME, VCSE and Diverse-led"."""
    names = [measure_label(m) for m in measures]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def headline_measures(measures: Sequence[str]) -> list[str]:
    """The measures At a glance shows: every classification but the tiers and subcategories
    (``local:<tier>``, ``diverse_led:<category>``), which the details list."""
    return [m for m in measures if m not in NOT_CLASSIFICATIONS and ":" not in m]


@dataclass(frozen=True, slots=True)
class Context:
    """What the run was given, for the commands a next step names."""

    inputs: tuple[str, ...] = ()  # the spend files or folders (empty: a store)
    lookups: tuple[str, ...] = ()
    geography: bool = False  # a geography store of the user's was used (not the bundled one)
    unmatched_spend: tuple[int, ...] = ()  # pence per unmatched supplier, biggest first


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _money(amount: str) -> str:
    """A document amount ("-3410.50") as a sentence writes it: −£3,410.50."""
    value = Decimal(amount)
    return f"{'−' if value < 0 else ''}£{abs(value):,.2f}"


def _args(paths: Sequence[str]) -> str:
    return " ".join(shlex.quote(p) for p in paths) if paths else EXPORTS


def _row(m: dict[str, Any], basis: str) -> dict[str, Any]:
    share = m[_SHARE[basis]]
    status = "unknown" if unknown(m, basis) else ("undefined" if share is None else "known")
    met = m.get("target_met")
    return {
        "organisation": m["organisation"],
        "measure": m["measure"],
        "share": share if status == "known" else None,
        "coverage": m.get(_COVERAGE[basis]),
        "status": status,
        "target": m.get("target"),
        "target_met": met if status == "known" else None,
    }


def _unmatched_command(ctx: Context) -> str:
    lookups = " ".join(f"--lookup {shlex.quote(p)}" for p in ctx.lookups)
    return f"anchorspend suppliers unmatched {_args(ctx.inputs)} {lookups} --top {UNMATCHED_TOP}"


def _not_measured(
    pooled: dict[str, dict[str, Any]], measures: Sequence[str], ctx: Context
) -> list[dict[str, Any]]:
    """The headline measures the run could not give, why, and the command that would."""
    out = []
    blind = [m for m in LOOKUP_MEASURES if m in pooled and unknown(pooled[m])]
    if blind and not ctx.lookups:
        out.append(
            {
                "measures": blind,
                "reason": "no supplier lookup was given and the exports do not say",
                "command": BUILD_COMMAND,
                "then": "builds a lookup from the open registers: analyse again with "
                "--lookup suppliers.parquet",
            }
        )
    elif blind:
        out.append(
            {
                "measures": blind,
                "reason": "the lookups classify none of the suppliers paid",
                "command": _unmatched_command(ctx),
                "then": "lists the suppliers no lookup matched, biggest first: add them to a "
                "lookup",
            }
        )
    if "local" not in measures:
        out.append(
            {
                "measures": ["local"],
                "reason": "no local area is named ([local.tiers] in anchorspend.toml)",
                "command": "anchorspend init",
                "then": "writes anchorspend.toml: name the local area's codes under "
                "[local.tiers] and analyse again with --config anchorspend.toml",
            }
        )
    elif "local" in pooled and unknown(pooled["local"]) and not ctx.geography:
        out.append(
            {
                "measures": ["local"],
                "reason": "no supplier's place is known (the postcode table bundled with "
                "anchorspend places none of the suppliers' postcodes, and the lookups give no "
                "local authority)",
                "command": "anchorspend geo import ONSPD.csv --into geo",
                "then": "builds a geography store from the latest ONS Postcode Directory: "
                "analyse again with --geography geo (or give the suppliers' postcodes or "
                "local authority codes in a lookup)",
            }
        )
    return out


def _next_step(
    pooled: dict[str, dict[str, Any]],
    missing: list[dict[str, Any]],
    reconciliation: dict[str, Any],
    ctx: Context,
) -> dict[str, Any]:
    """The single most useful thing to do next, in this order: classify suppliers when nothing
    (or less than half the spend) is classified; look at rejected rows; name or place the local
    area; classify more while coverage is below 90%; else nothing."""
    lookup_missing = [n for n in missing if n["measures"] != ["local"]]
    local_missing = [n for n in missing if n["measures"] == ["local"]]
    if lookup_missing:
        n = lookup_missing[0]
        return {
            "code": "no-classification",
            "message": f"{labels(n['measures'])} shares are unknown: {n['reason']}",
            "command": n["command"],
            "then": n["then"],
        }
    covs = [
        pooled[m]["coverage"]
        for m in LOOKUP_MEASURES
        if m in pooled and pooled[m].get("coverage") is not None
    ]
    low, high = (min(covs), max(covs)) if covs else (1.0, 1.0)
    classify = _classify_step(low, high, ctx)
    if low < LOW_COVERAGE:
        return classify
    if reconciliation["rows_rejected"]:
        n_rows = reconciliation["rows_rejected"]
        return {
            "code": "rejected-rows",
            "message": f"{n_rows:,} {'row was' if n_rows == 1 else 'rows were'} rejected "
            f"({_money(reconciliation['amount_rejected'])}; rejected_rows.csv lists each with "
            "its file, row and reason)",
            "command": f"anchorspend check {_args(ctx.inputs)}",
            "then": "says what is wrong in each file: fix the rows, or the options that read "
            "them, and analyse again",
        }
    if local_missing:
        n = local_missing[0]
        return {
            "code": "no-local",
            "message": f"local spend is not measured: {n['reason']}",
            "command": n["command"],
            "then": n["then"],
        }
    if low < GOOD_COVERAGE:
        return classify
    return {
        "code": "none",
        "message": "every row is accounted for and classification is known for at least "
        f"{_pct(GOOD_COVERAGE)} of spend: nothing pressing",
        "command": None,
        "then": None,
    }


def _classify_step(low: float, high: float, ctx: Context) -> dict[str, Any]:
    known = _pct(low) if _pct(low) == _pct(high) else f"{_pct(low)[:-1]}–{_pct(high)}"
    message = f"classification is known for {known} of spend"
    if not ctx.lookups:
        return {
            "code": "classify-more",
            "message": message + " (from the exports' own flags; no lookup was given)",
            "command": BUILD_COMMAND,
            "then": "builds a lookup from the open registers: analyse again with "
            "--lookup suppliers.parquet",
        }
    spend = ctx.unmatched_spend
    if len(spend) <= UNMATCHED_TOP:
        listed = f"lists all {len(spend)} suppliers no lookup matched, biggest first"
    else:
        total, top = sum(spend), sum(spend[:UNMATCHED_TOP])
        held = f" ({_pct(top / total)} of all unmatched spend)" if 0 < top <= total else ""
        listed = f"lists the {UNMATCHED_TOP} suppliers no lookup matched with most spend{held}"
    return {
        "code": "classify-more",
        "message": message,
        "command": _unmatched_command(ctx),
        "then": f"{listed}: add them to a lookup",
    }


def build(
    metrics: Sequence[dict[str, Any]],
    measures: Sequence[str],
    reconciliation: dict[str, Any],
    ctx: Context,
    basis: str = "total",
) -> dict[str, Any]:
    """The document's ``glance``: see DOCUMENT.md."""
    shown = headline_measures(measures)
    whole = [m for m in metrics if m["period"] == ALL_PERIODS and m["measure"] in shown]
    orgs = list(dict.fromkeys(m["organisation"] for m in whole))
    # the pooled figures when there are several organisations; else the only one's
    lead = ALL_ORGS if ALL_ORGS in orgs else (orgs[0] if orgs else None)
    pooled = {m["measure"]: m for m in whole if m["organisation"] == lead}
    missing = _not_measured(pooled, measures, ctx)
    return {
        "basis": basis,
        "measures": shown,
        "rows": [_row(m, basis) for m in whole],
        "not_measured": missing,
        "next_step": _next_step(pooled, missing, reconciliation, ctx),
    }


@dataclass(frozen=True, slots=True)
class KindSpend:
    """The document's ``addressable`` section as a report's table reads it: the whole-period
    rows, the payee kinds with spend in any of them (in the order kinds are itemised), and
    which of those are set aside."""

    rows: list[dict[str, Any]]
    kinds: list[str]
    set_aside: set[str]


def kind_spend(document: dict[str, Any]) -> KindSpend:
    """See :class:`KindSpend`."""
    section = document.get("addressable") or {}
    rows = [r for r in section.get("by_period", []) if r["period"] == ALL_PERIODS]
    kinds = [k for k in PAYEE_KINDS if any(r[f"{k}_spend"] != "0.00" for r in rows)]
    return KindSpend(rows, kinds, set(section.get("set_aside", [])))
