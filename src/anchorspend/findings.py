"""Every finding code, what it means and its fix; the findings frame and its one grouping.

A finding is made from its code (:func:`make`, or :func:`code_columns` and :func:`message_expr`
in a Polars select), never from literals at the emitting site: the code's severity and message
template come from :data:`CATALOGUE`, read from ``findings.toml`` beside this module. A code
may have other messages (``variant``): a summary after a few listed, or the same code at
another severity. README.md's table of codes lists the catalogue (``tests/test_findings.py``
holds the two to each other, and every code the source emits to the catalogue).

All findings of a run meet in one frame (:data:`FINDINGS_SCHEMA`); :func:`group` counts them as the
documents and ``check`` show them, and :func:`flatten` gives them back one by one.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl

from anchorspend.errors import Finding, Severity


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a code: a ``str.format`` template, and the severity it is given with."""

    template: str
    severity: Severity


@dataclass(frozen=True, slots=True)
class Entry:
    """One code: its usual severity and message template, what it means and the fix."""

    code: str
    severity: Severity
    title: str
    template: str
    fix: str
    variants: Mapping[str, Message] = field(default_factory=dict)

    def message(self, variant: str | None = None) -> Message:
        if variant is None:
            return Message(self.template, self.severity)
        return self.variants[variant]

    @property
    def severities(self) -> tuple[Severity, ...]:
        """Every severity the code is given with, its usual one first."""
        out = [self.severity]
        out += [m.severity for m in self.variants.values() if m.severity not in out]
        return tuple(out)


def _load(text: str) -> dict[str, Entry]:
    """The catalogue from ``findings.toml`` (beside this module), checked as it is read."""

    def said(code: str, raw: dict[str, Any]) -> Message:
        if raw.get("severity") not in SEVERITIES:
            raise ValueError(f"findings.toml: {code}: severity {raw.get('severity')!r}")
        return Message(str(raw["message"]), raw["severity"])

    out = {}
    for code, raw in tomllib.loads(text).items():
        usual = said(code, raw)
        others = {name: said(f"{code}.{name}", v) for name, v in raw.get("variants", {}).items()}
        out[code] = Entry(
            code, usual.severity, raw["title"], usual.template, raw["fix"], MappingProxyType(others)
        )
    return out


SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
CATALOGUE: dict[str, Entry] = _load(
    (Path(__file__).parent / "findings.toml").read_text(encoding="utf-8")
)
"""Every finding code, in the order README.md's table lists them."""


def entry(code: str) -> Entry:
    """The catalogue's entry for ``code`` (a KeyError names a code missing from it)."""
    return CATALOGUE[code]


def message_template(code: str, variant: str | None = None) -> str:
    """``code``'s message template (``variant``: one of its others)."""
    return entry(code).message(variant).template


def message(code: str, variant: str | None = None, /, **fields: Any) -> str:
    """The text of ``code``'s message (``variant``: one of its others), its template filled
    with ``fields``."""
    return message_template(code, variant).format(**fields)


def make(
    code: str,
    variant: str | None = None,
    /,
    *,
    path: str | None = None,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
    **fields: Any,
) -> Finding:
    """A :class:`Finding` of ``code`` at the coordinates given, its severity and message from
    the catalogue; the template reads ``fields`` and the coordinates alike."""
    said = entry(code).message(variant)
    where = {"path": path, "sheet": sheet, "row": row, "column": column, "value": value}
    text = said.template.format(**where, **fields)
    return Finding(code, text, said.severity, path, sheet, row, column, value)


def code_columns(code: str, variant: str | None = None) -> tuple[pl.Expr, pl.Expr]:
    """``code`` and its severity as the findings frame's ``code`` and ``severity`` columns."""
    said = entry(code).message(variant)
    return pl.lit(code).alias("code"), pl.lit(said.severity).alias("severity")


def message_expr(code: str, variant: str | None = None, /, **fields: pl.Expr) -> pl.Expr:
    """``code``'s message as the frame's ``message`` column, its fields read row by row from
    the expressions given (their template gives them no format)."""
    text, exprs = "", list[pl.Expr]()
    for literal, name, spec, conversion in string.Formatter().parse(
        message_template(code, variant)
    ):
        text += literal
        if name is not None:
            if spec or conversion:
                raise ValueError(f"{code}: {{{name}}} is formatted")
            text, exprs = text + "{}", [*exprs, fields[name]]
    return pl.format(text, *exprs).alias("message")


# the findings frame: one row a finding, whatever made it
FINDINGS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "path": pl.String,
    "sheet": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "code": pl.String,
    "severity": pl.String,
    "value": pl.String,
    "message": pl.String,
}
DOCUMENT_KEYS = ("path", "sheet", "code", "column", "severity")
"""What the documents count findings by (``check``'s terminal leaves out the sheet)."""


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDINGS_SCHEMA)


def findings_frame(found: Iterable[Finding]) -> pl.DataFrame:
    """Findings made one by one (a file's, a lookup's, the run's) as a findings frame."""
    rows = [f.as_dict() for f in found]
    if not rows:
        return empty_findings()
    return pl.DataFrame({k: [r[k] for r in rows] for k in FINDINGS_SCHEMA}, schema=FINDINGS_SCHEMA)


def all_findings(found: pl.DataFrame, notes: Iterable[Finding]) -> pl.DataFrame:
    """A run's findings in one frame, in the documents' order: those found in rows
    (``found``), then those made one by one (``notes``: the files', the lookups', the run's)."""
    return pl.concat([found, findings_frame(notes)])


def group(
    found: pl.DataFrame, keys: Sequence[str] = DOCUMENT_KEYS, examples: int = 5
) -> list[dict[str, Any]]:
    """Findings counted per ``keys``, in the order each group is first found: the keys, then
    ``count``, the first ``examples`` row numbers (``rows``) and the first ``message``. The
    documents' ``findings`` are this with the default keys."""
    if not found.height:
        return []
    grouped = found.group_by(*keys, maintain_order=True).agg(
        pl.len().alias("count"),
        pl.col("row").drop_nulls().head(examples).alias("rows"),
        pl.col("message").first(),
    )
    return grouped.to_dicts()


def flatten(found: pl.DataFrame) -> list[Finding]:
    """The frame's findings one by one, in its order."""
    return [Finding(**rec) for rec in found.iter_rows(named=True)]
