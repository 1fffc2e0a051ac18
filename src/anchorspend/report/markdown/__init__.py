"""The Markdown reports, all rendered here: report.md for ``analyse`` (analyse.py) and
``compare`` (compare.py), payments.md for ``payments`` (payments.py); this module holds the
Markdown they share.

Text from the data is escaped for Markdown and for the HTML a Markdown viewer may let through
(:func:`md_text`): a supplier called ``<script>…``, ``[x](javascript:…)`` or ``http://…`` stays
literal text, never markup, a link or an autolink.
"""

from __future__ import annotations

import re
from typing import Any

from anchorspend.report.at_a_glance import HEADING, Glance
from anchorspend.report.tables import FOCUS_MARK, Grid, Row

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


def cell(value: Any) -> str:
    """A document value as a table cell: null is "–", a share a percentage to 1 dp."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1%}"
    return md_text(str(value))


def table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table of document values (see :func:`cell`), one line per row."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return out


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


def _row_cells(g: Grid, row: Row) -> list[str]:
    cells = [md_text(c.text) for c in row.cells]
    if row.focus:
        cells[g.header_col] = f"**{cells[g.header_col]}** {FOCUS_MARK}"
    return cells


def grid_table(g: Grid) -> list[str]:
    """A captioned Markdown table; numeric columns right-aligned, footnotes after it."""
    out = [f"*{md_text(g.caption)}*", ""]
    out.append("| " + " | ".join(md_text(h) for h in g.headers) + " |")
    out.append("|" + "".join("---:|" if n else "---|" for n in g.numeric))
    out += ["| " + " | ".join(_row_cells(g, r)) + " |" for r in g.rows]
    for note in g.notes:
        out += ["", md_text(note)]
    return [*out, ""]


def plain_row(cells: list[str]) -> str:
    """A table row of cells already made safe (our own words and figures, or text from the data
    through :func:`md_text`), with ``|`` escaped so that the table holds."""
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
