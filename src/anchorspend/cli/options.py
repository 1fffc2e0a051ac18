"""The one place a config file and a command's flags become the run's options (``RunConfig``,
``CompareConfig``, ``PaymentsConfig``). The library is imported when a command runs, not when
the CLI loads, so ``anchorspend --help`` does not load Polars."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anchorspend.cli.params import DateEnd, MembersBy, PaymentPeriodChoice, Period, ReceivedFrom

if TYPE_CHECKING:
    from anchorspend.compare import CompareConfig
    from anchorspend.config import Config
    from anchorspend.gather.options import RunConfig
    from anchorspend.payments_doc import PaymentsConfig

# each reading field's option, for saying which of them a --store run was given
_READING_FLAGS = {
    "organisation": "--organisation",
    "column_map": "--map",
    "date_range": "--date-range",
    "date_format": "--date-format",
    "encoding": "--encoding",
    "sheet": "--sheet",
}


def reading(
    *,
    organisation: str | None = None,
    map_: list[str] | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    date_range: DateEnd | None = None,
    date_format: str | None = None,
) -> dict[str, Any]:
    """The RunConfig fields that say how files are read, as the commands take them from their
    options (keys in the order of _READING_FLAGS)."""
    return {
        "organisation": organisation,
        "column_map": tuple(map_ or ()),
        "date_range": date_range.value if date_range else None,
        "date_format": date_format,
        "encoding": encoding,
        "sheet": sheet,
    }


def load_config(path: Path | None) -> Config:
    """``--config``'s file, or the defaults without one."""
    from anchorspend import config as config_mod

    return config_mod.load(path) if path else config_mod.Config()


def run_config(
    config: Path | None,
    inputs: Sequence[Path] | None,
    *,
    store: Path | None = None,
    lookups: Sequence[Path] | None = None,
    geography: Path | None = None,
    period: Period = Period.quarter,
    read: dict[str, Any] | None = None,
    inputs_from_config: bool = False,
) -> RunConfig:
    """The run's options: INPUT or ``--store`` checked (``inputs_from_config``: INPUT may be
    empty, for the config's [members] name the files), then the config loaded."""
    from anchorspend.gather.options import RunConfig

    read = read or {}
    if store is not None or not inputs_from_config:
        _inputs_or_store(inputs, store, read)
    return RunConfig(
        inputs=tuple(inputs or ()),
        store=store,
        lookups=tuple(lookups or ()),
        geography=geography,
        config=load_config(config),
        period=period.value,
        **read,
    )


def _inputs_or_store(
    inputs: Sequence[Path] | None, store: Path | None, read: dict[str, Any]
) -> None:
    """INPUT files or --store, not both; options about reading files don't apply to a store
    (they applied when its files were added)."""
    from anchorspend.errors import UsageError

    if store is None:
        if not inputs:
            raise UsageError(
                "nothing to analyse",
                hint="give INPUT files or folders, or --store DIR (from `anchorspend store add`)",
            )
        return
    if inputs:
        raise UsageError(
            "give INPUT files or --store, not both",
            hint=f"add the files to the store first: anchorspend store add FILES --store {store}",
        )
    given = [_READING_FLAGS[name] for name, value in read.items() if value]
    if given:
        raise UsageError(
            f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} when files are "
            "read; a store's rows were read when "
            "they were added",
            hint="give it to `anchorspend store add` (with --replace to read a file again)",
        )


def compare_config(
    run: RunConfig,
    *,
    by: MembersBy,
    member: str | None,
    place: bool | None,
    close_points: float | None,
    min_coverage: float | None,
) -> CompareConfig:
    """compare's options: each flag given, else the config's [compare], else the default."""
    from anchorspend.compare import CompareConfig

    cfg = run.config
    thresholds = {
        "close_points": close_points if close_points is not None else cfg.close_points,
        "min_coverage": min_coverage if min_coverage is not None else cfg.min_coverage,
    }
    return CompareConfig(
        run=run,
        by=by.value,
        member=member,
        place=cfg.place if place is None else place,
        **{k: v for k, v in thresholds.items() if v is not None},
    )


def payments_config(
    run: RunConfig, *, period: PaymentPeriodChoice, received_from: ReceivedFrom | None, s70: bool
) -> PaymentsConfig:
    """payments' options."""
    from anchorspend.payments_doc import PaymentsConfig

    return PaymentsConfig(
        run=run,
        period=period.value,
        received_from_invoice=received_from is ReceivedFrom.invoice_date,
        s70=s70,
    )
