"""Two kinds of trouble, kept apart.

* :class:`AnchorspendError` — we cannot continue (unreadable file, no header, missing column).
  It carries the message, where it happened and the hint that fixes it; the CLI turns it into
  exit code 3 (or 2 for usage errors) without a traceback.
* :class:`Finding` — something is wrong *in the data*; a value with coordinates and a stable
  kebab-case code. Findings never stop a run by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


class AnchorspendError(Exception):
    """Input could not be read or understood (exit 3)."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        hint: str | None = None,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.hint = hint
        self.details = details or []

    def render(self) -> str:
        lines = [f"{self.path}: {self.message}" if self.path else self.message]
        lines.extend(f"  {d}" for d in self.details)
        if self.hint:
            lines.append(f"  fix: {self.hint}")
        return "\n".join(lines)


class UnrecognisedTable(AnchorspendError):
    """The table has no header the schema recognises, or lacks a required column: it is not
    the kind of table being read (a notes sheet beside the monthly spend sheets)."""


class UsageError(AnchorspendError):
    """A flag or its value is wrong (exit 2)."""

    exit_code = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while outputs were being written; the write was undone (exit 143)."""

    exit_code = 143


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem in the data, with coordinates; ``row`` is the physical row number."""

    code: str
    message: str
    severity: Severity = "error"
    path: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "path": self.path,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "value": self.value,
            "message": self.message,
        }
