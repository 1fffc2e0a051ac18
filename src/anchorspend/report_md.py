"""A plain Markdown summary of a run: reconciliation, inputs, measures, findings.

Text from the data is escaped for Markdown and for the HTML a Markdown viewer may let through
(:func:`md_text`): a supplier called ``<script>…``, ``[x](javascript:…)`` or ``http://…`` stays
literal text, never markup, a link or an autolink.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from anchorspend.glance import ALL_ORGS, ALL_PERIODS, NOT_CLASSIFICATIONS, kind_spend, shown_share

if TYPE_CHECKING:  # report/__init__ imports compare_md, which imports this module
    from anchorspend.report.at_a_glance import Glance

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
    of = " of addressable" if m.get("target_basis") == "addressable" else ""
    met = {True: "met", False: "missed", None: "unknown"}[m["target_met"]]
    return f"{m['target']:.0%}{of} {met}"


def md_code(value: str) -> str:
    """Literal text as a code span: fenced by more backticks than it holds in a row, on one
    line (a code span shows ``<``, ``*`` and ``[`` as they are)."""
    flat = " ".join(value.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def glance_lines(g: Glance | None) -> list[str]:
    """The "At a glance" section (see report/at_a_glance.py), as Markdown."""
    from anchorspend.report.at_a_glance import HEADING

    if g is None:
        return []
    out = [f"## {HEADING}", ""]
    if not g.rows:
        out += ["No spend was analysed, so there is no share to show."]
    else:
        out += [f"*{md_text(g.caption)}*", ""]
        out.append("| organisation | " + " | ".join(md_text(h) for h in g.headers) + " |")
        out.append("|---|" + "---:|" * len(g.headers))
    for row in g.rows:
        label = f"**{md_text(row.label)}**" if row.pooled else md_text(row.label)
        cells = [f"**{md_text(c.share)}** ({md_text(c.detail)})" for c in row.cells]
        out.append("| " + " | ".join([label, *cells]) + " |")
    out += ["", f"**Reconciliation:** {md_text(g.reconciliation)}.", ""]
    step = f"**Next step:** {md_text(g.next_step)}."
    if g.command:
        step += f" {md_code(g.command)} {md_text(g.then or '')}."
    return [*out, step, ""]


def _addressable_lines(document: dict[str, Any]) -> list[str]:
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
        *_table(
            ["organisation", "total (£)", "addressable (£)", *heads],
            [
                [
                    _org_label(r["organisation"]),
                    r["total_spend"],
                    r["addressable_spend"],
                    *(r[f"{k}_spend"] for k in found.kinds),
                ]
                for r in found.rows
            ],
        ),
    ]


def _org_label(organisation: str) -> str:
    return "All organisations" if organisation == ALL_ORGS else organisation


def render(document: dict[str, Any]) -> str:
    rec = document["reconciliation"]
    from anchorspend.report.at_a_glance import build as build_glance

    lines = ["# anchorspend report", ""]
    lines += glance_lines(build_glance(document, _org_label, ALL_ORGS))
    lines += ["## Reconciliation", ""]
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
        if m["period"] == ALL_PERIODS and m["measure"] not in NOT_CLASSIFICATIONS
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
            "share of addressable",
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
                shown_share(m, "share_of_total"),
                shown_share(m, "share_of_addressable"),
                shown_share(m, "share_of_known"),
                m["coverage"],
                m["suppliers"],
                _target(m),
            ]
            for m in document["metrics"]
        ],
    )
    lines += _addressable_lines(document)
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
