"""report.md for ``analyse``: reconciliation, coverage, measures, addressable spend, conflicts,
unmatched suppliers, places, inputs and findings, each a section of tables from the document."""

from __future__ import annotations

from typing import Any

from anchorspend.glance import ALL_ORGS, kind_spend, shown_share
from anchorspend.report.at_a_glance import build as build_glance
from anchorspend.report.format import org_label
from anchorspend.report.markdown import glance_lines, table

Lines = list[str]


def _target(m: dict[str, Any]) -> str:
    if m.get("target") is None:
        return ""
    of = " of addressable" if m.get("target_basis") == "addressable" else ""
    met = {True: "met", False: "missed", None: "unknown"}[m["target_met"]]
    return f"{m['target']:.0%}{of} {met}"


def _reconciliation(document: dict[str, Any]) -> Lines:
    rec = document["reconciliation"]
    lines = ["## Reconciliation", ""]
    lines += table(
        ["", "rows", "amount (£)"],
        [
            [s, rec[f"rows_{s}"], rec[f"amount_{s}"]]
            for s in ("read", "analysed", "excluded", "rejected")
        ],
    )
    if rec["exclusions"]:
        lines += ["", "Excluded by rule:", ""]
        lines += table(
            ["rule", "rows", "amount (£)"],
            [[e["rule"], e["rows"], e["amount"]] for e in rec["exclusions"]],
        )
    if rec["rejections"]:
        lines += ["", "Rejected (a row may have several reasons; see rejected_rows.csv):", ""]
        lines += table(
            ["reason", "rows", "amount (£)"],
            [[e["reason"], e["rows"], e["amount"]] for e in rec["rejections"]],
        )
    return lines


def _coverage(document: dict[str, Any]) -> Lines:
    classification = [
        m
        for m in document["metrics"]
        if m["period"] == "all" and m["measure"] not in ("total_spend", "redacted")
    ]
    lines: Lines = []
    if classification:
        lines += [
            "",
            "## Coverage",
            "",
            "How much spend has a known classification, for each measure:",
            "",
        ]
        lines += table(
            ["organisation", "measure", "known (£)", "total (£)", "coverage"],
            [
                [m["organisation"], m["measure"], m["known_spend"], m["total_spend"], m["coverage"]]
                for m in classification
            ],
        )
    if document.get("evidence"):
        lines += ["", "How the known classifications were established (whole period):", ""]
        lines += table(
            [
                "organisation",
                "measure",
                "confidence",
                "known (£)",
                "of which yes (£)",
                "share of total",
            ],
            [
                [
                    e["organisation"],
                    e["measure"],
                    e["confidence"],
                    e["known_spend"],
                    e["spend"],
                    e["share_of_total"],
                ]
                for e in document["evidence"]
            ],
        )
    return lines


MEASURE_HEADERS = [
    "organisation",
    "period",
    "measure",
    "spend (£)",
    "total (£)",
    "share of total",
    "share of addressable",
    "share of known",
    "coverage",
    "suppliers",
    "target",
]


def _measures(document: dict[str, Any]) -> Lines:
    rows = [
        [
            m["organisation"],
            m["period"],
            m["measure"],
            m["spend"],
            m["total_spend"],
            shown_share(m, "share_of_total"),
            shown_share(m, "share_of_addressable"),
            shown_share(m, "share_of_known"),
            m["coverage"],
            m["suppliers"],
            _target(m),
        ]
        for m in document["metrics"]
    ]
    return ["", "## Measures", "", *table(MEASURE_HEADERS, rows)]


def _addressable(document: dict[str, Any]) -> Lines:
    """Spend by payee kind per organisation (whole period), those set aside marked."""
    found = kind_spend(document)
    if not found.rows:
        return []
    heads = [f"{k} (£, set aside)" if k in found.set_aside else f"{k} (£)" for k in found.kinds]
    return [
        "",
        "## Addressable spend",
        "",
        "All spend but that with the payee kinds set aside (payees.csv lists each payee's kind).",
        "",
        *table(
            ["organisation", "total (£)", "addressable (£)", *heads],
            [
                [
                    org_label(r["organisation"]),
                    r["total_spend"],
                    r["addressable_spend"],
                    *(r[f"{k}_spend"] for k in found.kinds),
                ]
                for r in found.rows
            ],
        ),
    ]


def _conflicts(document: dict[str, Any]) -> Lines:
    if not document["conflicts"]:
        return []
    lines = ["", "## Conflicts", ""]
    lines += ["Sources that disagree; the first lookup given wins, then the export's flags.", ""]
    return lines + table(
        ["supplier", "field", "sources", "spend (£)"],
        [
            [
                c["supplier"],
                c["field"],
                "; ".join(f"{v['source']}: {'yes' if v['value'] else 'no'}" for v in c["values"]),
                c["spend"],
            ]
            for c in document["conflicts"]
        ],
    )


def _unmatched(document: dict[str, Any]) -> Lines:
    if not document["unmatched_suppliers"]:
        return []
    return [
        "",
        "## Unmatched suppliers (largest 50)",
        "",
        *table(
            ["supplier", "spend (£)", "rows"],
            [[u["supplier"], u["spend"], u["rows"]] for u in document["unmatched_suppliers"]],
        ),
    ]


def _places(document: dict[str, Any]) -> Lines:
    geography = document.get("geography") or {}
    if not geography.get("basis"):
        return []
    lines = ["", "## Where suppliers are", ""]
    source = geography.get("source")
    if source:
        lines += [
            f"Postcodes placed with the {source['name']}, on {source['boundaries']}. "
            f"{source['attribution']}",
            "",
        ]
    elif geography.get("store"):
        lines += [f"Postcodes placed with the geography store `{geography['store']}`.", ""]
    lines += ["How each supplier's place was found:", ""]
    lines += table(
        ["basis", "spend (£)", "rows"],
        [[b["location_basis"], b["spend"], b["rows"]] for b in geography["basis"]],
    )
    lines += ["", "Spend by supplier local authority (unknown shown):", ""]
    lines += table(
        ["organisation", "local authority", "name", "spend (£)", "suppliers"],
        [
            [
                r["organisation"],
                r["local_authority_code"] or "unknown",
                r["name"],
                r["spend"],
                r["suppliers"],
            ]
            for r in geography["by_local_authority"]
        ],
    )
    if geography.get("unplaced_postcodes"):
        lines += ["", "Postcodes that could not be placed:", ""]
        lines += table(
            ["postcode", "problem", "spend (£)", "rows"],
            [
                [u["postcode"], u["problem"], u["spend"], u["rows"]]
                for u in geography["unplaced_postcodes"]
            ],
        )
    return lines


INPUT_HEADERS = [
    "file",
    "sheet",
    "encoding",
    "header row",
    "rows read",
    "analysed",
    "rejected",
    "amount read (£)",
]
INPUT_KEYS = [
    "path",
    "sheet",
    "encoding",
    "header_row",
    "rows_read",
    "rows_analysed",
    "rows_rejected",
    "amount_read",
]


def _inputs(document: dict[str, Any]) -> Lines:
    rows = [[i[k] for k in INPUT_KEYS] for i in document["inputs"]]
    return ["", "## Inputs", "", *table(INPUT_HEADERS, rows)]


def _findings(document: dict[str, Any]) -> Lines:
    if not document["findings"]:
        return []
    return [
        "",
        "## Findings",
        "",
        *table(
            ["file", "code", "column", "severity", "count", "e.g. rows"],
            [
                [
                    f["path"],
                    f["code"],
                    f["column"],
                    f["severity"],
                    f["count"],
                    ", ".join(str(r) for r in f["rows"]),
                ]
                for f in document["findings"]
            ],
        ),
    ]


SECTIONS = (
    _reconciliation,
    _coverage,
    _measures,
    _addressable,
    _conflicts,
    _unmatched,
    _places,
    _inputs,
    _findings,
)


def render_analyse_md(document: dict[str, Any]) -> str:
    """report.md for the analyse document; the same document always gives the same text."""
    lines = ["# anchorspend report", ""]
    lines += glance_lines(build_glance(document, org_label, ALL_ORGS))
    for section in SECTIONS:
        lines += section(document)
    return "\n".join(lines) + "\n"
