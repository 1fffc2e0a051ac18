"""What the commands print on the terminal: the reconciliation and measures tables, the
findings, and the lines saying what was written. Diagnostics go to stderr, so ``--json`` output
on stdout stays clean."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anchorspend import console


def wrote(written: list[Path], out: Path, quiet: bool) -> None:
    """The line saying how many files a command wrote, and where."""
    if not quiet:
        console.note(f"wrote {len(written)} files to {out}")


def show(
    doc: dict[str, Any], as_json: bool, quiet: bool, printer: Callable[[dict[str, Any]], None]
) -> None:
    """The machine document on stdout with ``--json``, else ``printer``'s summary on stderr."""
    if as_json:
        from anchorspend.document import document_json

        sys.stdout.write(document_json(doc))
    elif not quiet:
        printer(doc)


def report(
    doc: dict[str, Any], as_json: bool, quiet: bool, printer: Callable[[dict[str, Any]], None]
) -> None:
    """What ``analyse`` and ``compare`` print after a run: :func:`show`, then (unless quiet) the
    rows not measured and the findings."""
    show(doc, as_json, quiet, printer)
    if not quiet:
        print_not_measured(doc)
        print_findings(doc["findings"])


def pct(value: object) -> str:
    return "–" if value is None else f"{value:.1%}"


def shown(m: dict[str, Any], key: str) -> str:
    """A metric's share for the terminal: "unknown" where none of the spend could be classified
    (coverage 0), for there 0% of total does not mean "none"."""
    from anchorspend.glance import shown_share

    share = shown_share(m, key)
    return share if isinstance(share, str) else pct(share)


def _target_text(m: dict[str, Any]) -> str:
    if m["target"] is None:
        return ""
    met = {True: "met", False: "missed", None: "unknown"}[m["target_met"]]
    of = " of addressable" if m.get("target_basis") == "addressable" else ""
    return f"{m['target']:.0%}{of} {met}"


def print_summary(doc: dict[str, Any]) -> None:
    """The reconciliation, then each organisation's measures for the whole input, on stderr."""
    from anchorspend.measures import ALL_ORGS, ALL_PERIODS, NOT_CLASSIFICATIONS

    rec = doc["reconciliation"]
    console.table(
        "Reconciliation",
        ["", "rows", "amount (£)"],
        [
            [s, f"{rec[f'rows_{s}']:,}", rec[f"amount_{s}"]]
            for s in ("read", "analysed", "excluded", "rejected")
        ],
        right={1, 2},
        stderr=True,
    )
    for org in dict.fromkeys(m["organisation"] for m in doc["metrics"]):
        rows = [
            [
                m["measure"],
                m["spend"],
                shown(m, "share_of_total"),
                shown(m, "share_of_addressable"),
                shown(m, "share_of_known"),
                "" if m["measure"] in NOT_CLASSIFICATIONS else pct(m["coverage"]),
                f"{m['suppliers']:,}",
                _target_text(m),
            ]
            for m in doc["metrics"]
            if m["organisation"] == org and m["period"] == ALL_PERIODS
        ]
        console.table(
            f"{'All organisations' if org == ALL_ORGS else org}: whole period",
            [
                "measure",
                "spend (£)",
                "of total",
                "of addressable",
                "of known",
                "coverage",
                "suppliers",
                "target",
            ],
            rows,
            right={1, 2, 3, 4, 5, 6},
            stderr=True,
        )
    for row in doc.get("addressable", {}).get("by_period", []):
        if row["period"] == "all" and row["set_aside_spend"] != "0.00":
            kinds = ", ".join(
                f"{k} £{row[f'{k}_spend']}"
                for k in doc["addressable"]["set_aside"]
                if row[f"{k}_spend"] != "0.00"
            )
            console.note(
                f"{row['organisation']}: addressable spend £{row['addressable_spend']} of "
                f"£{row['total_spend']}; set aside {kinds} (payees.csv lists who is which)"
            )


def print_not_measured(doc: dict[str, Any]) -> None:
    """Once, on stderr: the measures this run could not give, and the command that would."""
    from anchorspend.glance import labels

    glance = doc.get("glance") or {}
    for n in glance.get("not_measured", []):
        console.note(
            f"{labels(n['measures'])} cannot be measured: {n['reason']}. "
            f"`{n['command']}` {n['then']}."
        )


def print_findings(findings: object, nowhere: str = "lookups") -> None:
    """Warnings and errors on stderr; ``nowhere`` stands for a finding of no file."""
    assert isinstance(findings, list)
    for f in findings:
        if f["severity"] == "info":
            continue
        where = (f["path"] or nowhere) + (f" [{f['sheet']}]" if f["sheet"] else "")
        rows = ", ".join(str(r) for r in f["rows"])
        col = f" in {f['column']}" if f["column"] else ""
        many = (
            f"{f['count']} rows, e.g. rows {rows}: "
            if f["count"] > 1 and rows
            else (f"row {rows}: " if rows else "")
        )
        text = f"{where}: {f['code']}{col}: {many}{f['message']}"
        (console.warn if f["severity"] == "warning" else console.error)(text)


def print_league(doc: dict[str, Any]) -> None:
    """The reconciliation, then for the whole period each measure's members in rank order; a
    measure none of whose spend could be classified gets one line saying so instead."""
    print_summary({**doc, "metrics": []})
    network = doc["network"]
    for entry in network["league"]:
        if entry["period"] != "all":
            continue
        every = [*entry["members"], *([entry["network"]] if entry["network"] else [])]
        if all(not m["coverage"] for m in every):
            console.note(
                f"{entry['measure']}: whole period: unknown for every member: none of the "
                "spend could be classified"
            )
            continue
        rows = [
            [
                "" if m["rank"] is None else str(m["rank"]),
                m["member"] + (" ◀" if m["member"] == network["focus"] else ""),
                shown({**m, "measure": entry["measure"]}, "share_of_total"),
                pct(m["coverage"]),
                m["spend"],
            ]
            for m in entry["members"]
        ]
        if entry["network"]:
            n = {**entry["network"], "measure": entry["measure"]}
            rows.append(["", "Network", shown(n, "share_of_total"), pct(n["coverage"]), n["spend"]])
        console.table(
            f"{entry['measure']}: whole period",
            ["rank", "member", "of total", "coverage", "spend (£)"],
            rows,
            right={0, 2, 3, 4},
            stderr=True,
        )


def print_payments(doc: dict[str, Any]) -> None:
    """The reconciliation, then the notice's figures per organisation and period, on stderr."""
    rec = doc["payments_reconciliation"]
    console.table(
        "Reconciliation",
        ["", "rows", "amount (£)"],
        [
            [s.replace("_", " "), f"{rec[f'rows_{s}']:,}", rec[f"amount_{s}"]]
            for s in ("read", "measured", "not_measured", "outside", "excluded", "rejected")
        ],
        right={1, 2},
        stderr=True,
    )
    for p in doc["payments"]:
        if p["supplier_type"] != "all":
            continue
        types = [
            q
            for q in doc["payments"]
            if q["organisation"] == p["organisation"] and q["period_start"] == p["period_start"]
        ]
        console.table(
            f"{p['organisation']}: {p['period_start']} to {p['period_end']}",
            [
                "suppliers",
                "paid",
                "£",
                "avg days",
                "1-30",
                "31-60",
                "61+",
                "due unpaid",
                "in 30 (all)",
            ],
            [
                [
                    q["supplier_type"],
                    f"{q['paid_count']:,}",
                    q["paid_value"],
                    "–" if q["average_days_to_pay"] is None else f"{q['average_days_to_pay']:.2f}",
                    pct(q["share_paid_1_30"]),
                    pct(q["share_paid_31_60"]),
                    pct(q["share_paid_61_plus"]),
                    pct(q["due_not_paid_share"]),
                    pct(q["within_30_share"]),
                ]
                for q in types
            ],
            right={1, 2, 3, 4, 5, 6, 7, 8},
            stderr=True,
        )
