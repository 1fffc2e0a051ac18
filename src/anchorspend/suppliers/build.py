"""``suppliers build``: one supplier lookup, with evidence, from open registers.

Every source becomes *claims* (see ``registers``): a name, identifiers, a postcode, and for each
flag a value with its evidence and confidence. Claims are merged into organisations:

1. A charity that is also a company (the Charity Commission's company link, or a 360Giving
   recipient giving both numbers) is one organisation, keyed by its company number.
2. The key is the company number, else the charity number, else the normalised name.
3. For each flag the strongest claim wins: **manual** (always), then **declared** (a notice
   where the supplier or buyer said so), then **registered** (a register's own category), then
   **inferred**; on a tie, the order Companies House, Charity Commission, OCDS, 360Giving.
   Claims that disagree are written to ``<lookup>.conflicts.csv`` — never silently dropped.
4. The name and postcode come from the most official source present (Companies House, the
   Charity Commission, OCDS, 360Giving, manual last unless it is the only one); dissolved or
   removed organisations are kept and flagged.

Everything stays lazy and runs on Polars' streaming engine, so the full Companies House file
(five million companies) builds in bounded memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from anchorspend.errors import AnchorspendError, Finding, UsageError
from anchorspend.files import write_replacing
from anchorspend.ingest.fields import FLAG_FIELDS
from anchorspend.suppliers import registers
from anchorspend.suppliers.contracts import read_contracts
from anchorspend.suppliers.manual import manual_claims, with_aliases, with_diverse
from anchorspend.suppliers.merge import decide, keyed, organisations
from anchorspend.suppliers.registers_common import CLAIM_COLUMNS

Progress = Callable[[str, float | None], None]


@dataclass(frozen=True, slots=True)
class Sources:
    companies_house: tuple[Path, ...] = ()
    charities: tuple[Path, ...] = ()
    grants: tuple[Path, ...] = ()
    ocds: tuple[Path, ...] = ()
    contracts: tuple[Path, ...] = ()
    manual: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildReport:
    out: Path
    organisations: int
    by_source: dict[str, int]
    flags: dict[str, dict[str, int]]  # flag → confidence → organisations
    conflicts: int
    aliases: int
    findings: tuple[Finding, ...] = ()  # answers in contracts registers that were not read


@dataclass(slots=True)
class _Read:
    """Every source's claims, and what the manual files add after merging."""

    parts: list[pl.LazyFrame] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # from the contracts registers
    aliases: list[pl.DataFrame] = field(default_factory=list)  # accepted review rows
    diverse: list[pl.DataFrame] = field(default_factory=list)  # manual diverse-led entries


def build(
    sources: Sources,
    out: Path,
    progress: Progress | None = None,
    *,
    overrides: dict[str, str] | None = None,
) -> BuildReport:
    """``overrides`` (``--map FIELD=HEADER``, suppliers-schema fields) choose the columns of the
    contracts registers: the one kind of register read by its headers. The other registers are
    read in their published layouts, by their own column names."""
    _check_sources(sources, overrides)

    def tick(message: str, done: float | None = None) -> None:
        if progress:
            progress(message, done)

    read = _read(sources, overrides, tick)
    with tempfile.TemporaryDirectory(prefix="anchorspend-build-") as tmp:
        # every later stage reads the claims: key them once, streamed to disk, not per stage
        staged = Path(tmp) / "claims.parquet"
        keyed(pl.concat(read.parts, how="vertical_relaxed")).sink_parquet(staged)
        claims = pl.scan_parquet(staged)
        tick("merging organisations", 0.4)
        decided, conflicts = decide(claims)
        lookup = organisations(claims).join(decided, on="_org", how="left")
        table = lookup.collect(engine="streaming")
        conflict_table = conflicts.collect(engine="streaming")
    table = with_diverse(table, read.diverse)
    table = with_aliases(table, read.aliases)
    tick(f"writing {table.height:,} organisations", 0.9)
    table = table.drop("_org").sort(
        "supplier_name", "company_number", "charity_number", nulls_last=True
    )
    _write(table, out)
    if conflict_table.height:
        conflict_table.write_csv(out.with_suffix(".conflicts.csv"))
    return BuildReport(
        out=out,
        organisations=table.height,
        by_source={},
        flags=_flag_counts(table),
        conflicts=conflict_table.height,
        aliases=sum(a.height for a in read.aliases),
        findings=tuple(read.findings),
    )


def _check_sources(sources: Sources, overrides: dict[str, str] | None) -> None:
    """Refuse a build with no sources, or with ``--map`` and no contracts register to map."""
    if not any(
        (
            sources.companies_house,
            sources.charities,
            sources.grants,
            sources.ocds,
            sources.contracts,
            sources.manual,
        )
    ):
        raise AnchorspendError(
            "no sources given",
            hint="--companies-house FILE, --charities FILE, --grants FILE, --ocds FILE or "
            "--manual FILE (any of them, repeatable)",
        )
    if overrides and not sources.contracts:
        raise UsageError(
            "--map applies to contracts registers, and no --contracts FILE was given",
            hint='--contracts REGISTER --map supplier_name="Awarded To" (the other registers '
            "are read in their published layouts)",
        )


def _read(sources: Sources, overrides: dict[str, str] | None, tick: Progress) -> _Read:
    """Every source as claims (lazy), in the order the registers rank, manual files last."""
    read = _Read()
    readers = (
        (sources.companies_house, registers.read_companies_house),
        (sources.charities, registers.read_charities),
        (sources.grants, registers.read_grants),
        (sources.ocds, registers.read_ocds),
    )
    for paths, reader in readers:
        for path in paths:
            tick(f"reading {path.name}", 0.05)
            read.parts.append(reader(path).select(CLAIM_COLUMNS))
    for path in sources.contracts:
        tick(f"reading {path.name}", 0.05)
        claims_read, found = read_contracts(path, overrides)
        read.parts.append(claims_read.select(CLAIM_COLUMNS))
        read.findings += found
    for path in sources.manual:
        claims, extra = manual_claims(path)
        read.parts.append(claims.select(CLAIM_COLUMNS))
        if extra is not None and "alias" in extra.columns:
            read.aliases.append(extra)
        elif extra is not None:
            read.diverse.append(extra)
    return read


def _flag_counts(table: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Per flag: how many organisations have it at each confidence."""
    return {
        f: dict(
            table.filter(pl.col(f).is_not_null())
            .group_by(f"{f}_confidence")
            .len()
            .sort(f"{f}_confidence")
            .iter_rows()
        )
        for f in FLAG_FIELDS
    }


def _write(table: pl.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise AnchorspendError("the lookup must be .parquet or .csv", path=str(out))
    if suffix == ".parquet":
        write_replacing(out, lambda tmp: table.write_parquet(tmp, compression="zstd"))
    else:
        write_replacing(out, table.write_csv)
