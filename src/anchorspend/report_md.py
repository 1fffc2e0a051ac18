"""A plain Markdown summary of a run: reconciliation, inputs, measures, findings.

Text from the data is escaped for Markdown and for the HTML a Markdown viewer may let through
(:func:`md_text`): a supplier called ``<script>…``, ``[x](javascript:…)`` or ``http://…`` stays
literal text, never markup, a link or an autolink.
"""

from __future__ import annotations

import re
from typing import Any

# Characters that make Markdown markup: tables, emphasis, code, links (HTML ones are entities).
SPECIAL = re.compile(r"([\\`*_\[\]|~])")
HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
# What GitHub-flavoured Markdown turns into a link without any brackets (extended autolinks).
AUTOLINK = re.compile(r"(?i)(https?|ftp)(:)(?=//)|(www)(\.)")


def md_text(value: str) -> str:
    """One line of literal text: HTML characters as entities, Markdown ones backslashed."""
    out = "".join(HTML_ENTITIES.get(ch, ch) for ch in value)
    out = SPECIAL.sub(r"\\\1", out)
    out = AUTOLINK.sub(lambda m: f"{m[1] or m[3]}\\{m[2] or m[4]}", out)
    return " ".join(out.split())  # newlines and tabs would break the table


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1%}"
    return md_text(str(value))


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_cell(v) for v in r) + " |" for r in rows]
    return out


def _target(m: dict[str, Any]) -> str:
    if m.get("target") is None:
        return ""
    return f"{m['target']:.0%} {'met' if m['target_met'] else 'missed'}"


def render(document: dict[str, Any]) -> str:
    rec = document["reconciliation"]
    lines = ["# anchorspend report", "", "## Reconciliation", ""]
    lines += _table(
        ["", "rows", "amount (£)"],
        [
            [s, rec[f"rows_{s}"], rec[f"amount_{s}"]]
            for s in ("read", "analysed", "excluded", "rejected")
        ],
    )
    if rec["exclusions"]:
        lines += ["", "Excluded by rule:", ""]
        lines += _table(
            ["rule", "rows", "amount (£)"],
            [[e["rule"], e["rows"], e["amount"]] for e in rec["exclusions"]],
        )
    if rec["rejections"]:
        lines += ["", "Rejected (a row may have several reasons; see rejected_rows.csv):", ""]
        lines += _table(
            ["reason", "rows", "amount (£)"],
            [[e["reason"], e["rows"], e["amount"]] for e in rec["rejections"]],
        )
    classification = [
        m
        for m in document["metrics"]
        if m["period"] == "all" and m["measure"] not in ("total_spend", "redacted")
    ]
    if classification:
        lines += [
            "",
            "## Coverage",
            "",
            "How much spend has a known classification, for each measure:",
            "",
        ]
        lines += _table(
            ["organisation", "measure", "known (£)", "total (£)", "coverage"],
            [
                [m["organisation"], m["measure"], m["known_spend"], m["total_spend"], m["coverage"]]
                for m in classification
            ],
        )
    if document.get("evidence"):
        lines += ["", "How the known classifications were established (whole period):", ""]
        lines += _table(
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
    lines += ["", "## Measures", ""]
    lines += _table(
        [
            "organisation",
            "period",
            "measure",
            "spend (£)",
            "total (£)",
            "share of total",
            "share of known",
            "coverage",
            "suppliers",
            "target",
        ],
        [
            [
                m["organisation"],
                m["period"],
                m["measure"],
                m["spend"],
                m["total_spend"],
                m["share_of_total"],
                m["share_of_known"],
                m["coverage"],
                m["suppliers"],
                _target(m),
            ]
            for m in document["metrics"]
        ],
    )
    if document["conflicts"]:
        lines += [
            "",
            "## Conflicts",
            "",
            "Sources that disagree; the first lookup given wins, then the export's flags.",
            "",
        ]
        lines += _table(
            ["supplier", "field", "sources", "spend (£)"],
            [
                [
                    c["supplier"],
                    c["field"],
                    "; ".join(
                        f"{v['source']}: {'yes' if v['value'] else 'no'}" for v in c["values"]
                    ),
                    c["spend"],
                ]
                for c in document["conflicts"]
            ],
        )
    if document["unmatched_suppliers"]:
        lines += ["", "## Unmatched suppliers (largest 50)", ""]
        lines += _table(
            ["supplier", "spend (£)", "rows"],
            [[u["supplier"], u["spend"], u["rows"]] for u in document["unmatched_suppliers"]],
        )
    geography = document.get("geography") or {}
    if geography.get("basis"):
        lines += ["", "## Where suppliers are", ""]
        source = geography.get("source")
        if source:
            lines += [f"Postcodes placed with the {source['name']}, on {source['boundaries']}. "
                      f"{source['attribution']}", ""]  # fmt: skip
        elif geography.get("store"):
            lines += [f"Postcodes placed with the geography store `{geography['store']}`.", ""]
        lines += ["How each supplier's place was found:", ""]
        lines += _table(
            ["basis", "spend (£)", "rows"],
            [[b["location_basis"], b["spend"], b["rows"]] for b in geography["basis"]],
        )
        lines += ["", "Spend by supplier local authority (unknown shown):", ""]
        lines += _table(
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
            lines += _table(
                ["postcode", "problem", "spend (£)", "rows"],
                [
                    [u["postcode"], u["problem"], u["spend"], u["rows"]]
                    for u in geography["unplaced_postcodes"]
                ],
            )
    lines += ["", "## Inputs", ""]
    lines += _table(
        [
            "file",
            "sheet",
            "encoding",
            "header row",
            "rows read",
            "analysed",
            "rejected",
            "amount read (£)",
        ],
        [
            [
                i["path"],
                i["sheet"],
                i["encoding"],
                i["header_row"],
                i["rows_read"],
                i["rows_analysed"],
                i["rows_rejected"],
                i["amount_read"],
            ]
            for i in document["inputs"]
        ],
    )
    if document["findings"]:
        lines += ["", "## Findings", ""]
        lines += _table(
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
        )
    return "\n".join(lines) + "\n"
