"""The options of a run over spend exports (``analyse``, ``compare``, ``store add``…), and how
a run says how far it has got."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from anchorspend.config import Config
from anchorspend.normalise import DateRange
from anchorspend.periods import PeriodKind

Progress = Callable[[str, float | None], None]
"""Told each step as it starts, with the fraction of the run done when known."""


@dataclass(frozen=True, slots=True)
class RunConfig:
    inputs: tuple[Path, ...]
    lookups: tuple[Path, ...] = ()
    geography: Path | None = None  # a store from `geo import`; else the config's [geography]
    config: Config = field(default_factory=Config)
    organisation: str | None = None
    column_map: tuple[str, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    date_range: DateRange | None = None
    date_format: str | None = None
    period: PeriodKind = "quarter"
    store: Path | None = None  # rows from `anchorspend store add` instead of inputs
