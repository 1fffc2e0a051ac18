"""``run(RunConfig) → Result``: the whole of ``analyse``, for the CLI and the tests alike.

read (:mod:`anchorspend.gather`: the inputs or a store, the analysed rows split into spend as
they are read) → classify (who each supplier is) → locate (where it is) → measure (the numbers
per organisation × period) → document (:mod:`anchorspend.document`). No stage reaches back, and
none changes what its caller holds; money stays integer pence until it is written.

The commands built on ``analyse`` read their lookups and their geography store as it does
(:func:`load_lookups`, :func:`load_geography`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.classify.lookup import Lookup, load_lookup
from anchorspend.classify.resolve import Classified, classify, identifiers_used
from anchorspend.config import Member
from anchorspend.document import Findings, analyse_document
from anchorspend.errors import Finding
from anchorspend.findings import make
from anchorspend.gather.ingested import Ingested, InputReport
from anchorspend.gather.inputs import ingest
from anchorspend.gather.options import Progress, RunConfig
from anchorspend.geo.locate import locate
from anchorspend.geo.store import Store, bundled_store, open_store
from anchorspend.geo.tiers import resolve_tiers
from anchorspend.ingest.sources import ReadOptions
from anchorspend.measures import measure_set, refuse_reserved_name
from anchorspend.metrics import compute, money_columns, with_targets
from anchorspend.payees import member_payees, payee_kinds
from anchorspend.spend import (
    BY_ORG_ATTRS,
    CATEGORY_ATTRS,
    MEASURE_ATTRS,
    Spend,
    spend_cells,
    spend_facts,
    spend_of,
    spend_view,
)
from anchorspend.store import load as load_store
from anchorspend.views import Suppliers, categories, payees, suppliers_of, unmatched_suppliers

__all__ = [
    "Result",
    "analyse_ingested",
    "load_geography",
    "load_lookups",
    "read",
    "run",
]


@dataclass(slots=True)
class Result:
    document: dict[str, Any]
    metrics: pl.DataFrame  # money as text
    rows: pl.DataFrame  # the rows not analysed (excluded, rejected), with _status/_reason
    findings: pl.DataFrame
    notes: list[Finding]
    conflicts: pl.DataFrame = field(default_factory=pl.DataFrame)
    unmatched: pl.DataFrame = field(default_factory=pl.DataFrame)
    metrics_pence: pl.DataFrame = field(default_factory=pl.DataFrame)  # money as int pence
    # spend per organisation (and per category) × supplier profile: see spend_view(); only
    # for compare (analyse_ingested's ``network``)
    by_org: pl.DataFrame = field(default_factory=pl.DataFrame)
    summary: pl.DataFrame = field(default_factory=pl.DataFrame)  # see gather.ingested.summarise
    by_category: pl.DataFrame = field(default_factory=pl.DataFrame)
    # one row per supplier as published with its payee kind and spend (see views.payees)
    payees: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def rejected(self) -> pl.DataFrame:
        if "_status" not in self.rows.columns:  # nothing but analysed rows was read
            return self.rows
        return self.rows.filter(pl.col("_status") == "rejected")


def run(run: RunConfig, progress: Progress | None = None) -> Result:
    """``analyse``: read the lookups, the inputs (or the store), then measure them."""
    lookups = load_lookups(run, progress)
    return analyse_ingested(read(run, progress, lookups), run, progress, lookups)


def load_lookups(run: RunConfig, progress: Progress | None = None) -> list[Lookup]:
    """The run's supplier lookups, in the order given (the first wins a disagreement)."""
    # --sheet names the exports' sheet: a lookup workbook's table is found by its header
    options = ReadOptions(encoding=run.encoding)
    lookups = []
    for path in run.lookups:
        if progress:
            progress(f"reading lookup {path}", 0.0)
        lookups.append(load_lookup(path, options))
    return lookups


def load_geography(run: RunConfig) -> Store:
    """The run's postcode and deprivation store: the user's (``--geography``, else the
    config's), else the one in the package."""
    if run.geography is not None:
        return open_store(run.geography)
    if run.config.geography_store:
        base = run.config.path.parent if run.config.path else Path(".")
        return open_store(base / run.config.geography_store)
    return bundled_store()


def read(
    run: RunConfig, progress: Progress | None = None, lookups: list[Lookup] | None = None
) -> Ingested:
    """The inputs' or the store's rows, the analysed ones split into spend as they are read
    (keeping the identifiers ``lookups`` can match on)."""
    ids = identifiers_used(lookups or [])
    if run.store is None:
        return ingest(run, progress, ids=ids)
    return load_store(run.store, run, progress, ids)


def analyse_ingested(
    data: Ingested,
    run: RunConfig,
    progress: Progress | None = None,
    lookups: list[Lookup] | None = None,
    *,
    network: bool = False,
    place: bool = False,
    named_inputs: Sequence[Path] | None = None,
) -> Result:
    """Classify, locate and measure rows already read; ``data`` is left as it was. ``compare``
    calls this with every member's rows, so a member's figures come from the same code as
    ``analyse`` on its files alone. ``lookups``: those of ``run``, if already read. ``place``
    (with ``network``): the pooled figures net of payments from one organisation to another.
    ``network``: keep the spend per organisation and per category with the attributes
    compare's views read (:attr:`Result.by_org`, :attr:`Result.by_category`).
    ``named_inputs``: the spend files the next step's commands name (default: those of
    ``run``)."""
    refuse_reserved_name(data.summary)
    if lookups is None:
        lookups = load_lookups(run, progress)
    if progress:
        progress(f"classifying {data.rows.height:,} rows", 0.85)
    spend = data.spend or spend_of(data.rows, run.period, identifiers_used(lookups))
    # the analysed rows live on in the facts and the summary: the Result keeps only the rest
    rows = data.rows.filter(pl.col("_status") != "analysed") if data.rows.height else data.rows
    classified = classify(spend.profiles, lookups)
    profiles = _locate(classified, run, spend if network else None)
    if progress:
        progress("measuring", 0.9)
    measured = _measure(spend, profiles, run, network=network, place=place)
    views = _views(spend, profiles, network=network)
    found = Findings(
        measures=list(profiles.measures),
        metrics=measured.metrics,
        by_kind=measured.by_kind,
        suppliers=views.suppliers,
        categories=views.categories,
        unmatched=unmatched_suppliers(views.suppliers, run.config.set_aside),
        conflicts=classified.conflicts,
        lookups=classified.lookups,
        store=profiles.store,
        postcode_problems=profiles.postcode_problems,
        notes=_notes(data.notes, classified),
    )
    named = _named_inputs(run, named_inputs, data.inputs)
    return Result(
        analyse_document(run, data, found, named),
        measured.metrics,
        rows,
        data.findings,
        found.notes,
        found.conflicts,
        found.unmatched,
        measured.metrics_pence,
        views.by_org,
        data.summary,
        views.by_category,
        payees(views.suppliers),
    )


@dataclass(frozen=True, slots=True)
class _Profiles:
    """Every supplier profile with what the measures read: who it is and where."""

    attrs: pl.DataFrame  # per profile (_pid): classification, payee kind, place, ``local``
    measures: dict[str, pl.Expr]  # see measures.measure_set
    store: Store
    postcode_problems: pl.DataFrame


def _locate(classified: Classified, run: RunConfig, network: Spend | None) -> _Profiles:
    """Each classified profile's payee kind and place, and the measures the run's config and
    geography make. ``network``: the spend whose organisations are the run's own, to mark the
    payees that are one of them (see :func:`anchorspend.payees.member_payees`)."""
    kinds = payee_kinds(classified.rows)
    store = load_geography(run)
    tiers = resolve_tiers(run.config.local_tiers, store)
    located, postcode_problems = locate(classified.rows, store)
    deprived = run.config.deprived_decile_max if store and store.imd is not None else None
    measures = measure_set(classified.categories, tiers, deprived)
    attrs = (
        located.drop("payee_kind")
        .join(kinds, on="_pid", how="left", maintain_order="left")
        .with_columns(measures.get("local", pl.lit(None, dtype=pl.Boolean)).alias("local"))
    )
    if network is not None:
        attrs = attrs.join(
            member_payees(classified.rows, _members_of(run, network)),
            on="_pid",
            how="left",
            maintain_order="left",
        )
    return _Profiles(attrs, measures, store, postcode_problems)


@dataclass(frozen=True, slots=True)
class _Measured:
    metrics_pence: pl.DataFrame  # money as int pence, with targets
    metrics: pl.DataFrame  # the same, money as text
    by_kind: pl.DataFrame  # spend per payee kind


def _measure(
    spend: Spend, profiles: _Profiles, run: RunConfig, *, network: bool, place: bool
) -> _Measured:
    """Every measure summed per organisation × period (see :func:`anchorspend.metrics.compute`),
    with the config's targets."""
    if not spend.facts.height:
        return _Measured(pl.DataFrame(), pl.DataFrame(), pl.DataFrame())
    measured = profiles.attrs.select("_pid", *MEASURE_ATTRS, *(["payee_member"] if network else []))
    facts = spend_facts(spend, ("organisation", "period"))
    computed = compute(facts, measured, profiles.measures, run.config.set_aside, network and place)
    metrics_pence = with_targets(computed.metrics, run.config.targets, run.config.target_bases)
    metrics = money_columns(metrics_pence) if metrics_pence.height else metrics_pence
    return _Measured(metrics_pence, metrics, computed.by_kind)


@dataclass(frozen=True, slots=True)
class _Views:
    suppliers: Suppliers
    categories: list[dict[str, Any]]
    by_org: pl.DataFrame  # only with ``network``
    by_category: pl.DataFrame  # only with ``network``


def _views(spend: Spend, profiles: _Profiles, *, network: bool) -> _Views:
    """The spend per supplier (and, for ``network``, per organisation and per category), made
    one large table at a time: at 10M rows each rollup of the facts has millions of rows."""
    org_cells = spend_cells(spend, ("organisation",))
    sup = suppliers_of(org_cells, profiles.attrs)
    by_org = spend_view(org_cells, profiles.attrs, BY_ORG_ATTRS) if network else pl.DataFrame()
    del org_cells
    by_category = pl.DataFrame()
    if network:
        category_cells = spend_cells(spend, ("organisation", "category", "expense_type"))
        by_category = spend_view(category_cells, profiles.attrs, CATEGORY_ATTRS)
        del category_cells
    category_view = (
        categories(spend_facts(spend, ()), spend.cells, sup) if spend.facts.height else []
    )
    return _Views(sup, category_view, by_org, by_category)


def _notes(read: list[Finding], classified: Classified) -> list[Finding]:
    """The run's file-level findings: reading's, classifying's, and one for conflicts."""
    notes = [*read, *classified.findings]
    if classified.conflicts.height:
        notes.append(make("classification-conflict", n=classified.conflicts.height))
    return notes


def _named_inputs(
    run: RunConfig, named: Sequence[Path] | None, reports: list[InputReport]
) -> tuple[str, ...]:
    """The spend files a next step's command names: ``named``, else the run's INPUTs, else (a
    store) the files its rows were read from (a zip's member as the zip)."""
    if named or run.inputs:
        return tuple(str(p) for p in (named or run.inputs))
    return tuple(dict.fromkeys(r.path.split("!", 1)[0] for r in reports))


def _members_of(run: RunConfig, spend: Spend) -> list[Member]:
    """The config's members, and every other organisation of the run by its name alone."""
    orgs = spend.cells.get_column("organisation").cast(pl.String).unique().drop_nulls()
    configured = {m.name for m in run.config.members}
    others = [Member(o, o, ()) for o in sorted(orgs.to_list()) if o not in configured]
    return [*run.config.members, *others]
