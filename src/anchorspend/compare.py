"""``compare``: a network's members side by side, quarter by quarter.

Members come from the config's ``[members]`` (name → files or folders), from one folder per
member (``--by folder``), or from the organisation field of the exports. Every member's rows are
read as ``analyse`` reads them and measured by the same function (``analyse_ingested``), so a
member's figures here are exactly those ``analyse`` gives for its files alone, and the network
row (``(all)``) is computed from the pooled transactions, never averaged from shares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import polars as pl

from anchorspend.classify import identifiers_used
from anchorspend.errors import AnchorspendError, UsageError
from anchorspend.findings import empty_findings
from anchorspend.measures import ALL_ORGS, ALL_PERIODS, NOT_CLASSIFICATIONS, TOTAL_SPEND
from anchorspend.normalise import pence_text_expr, pence_to_text
from anchorspend.payees import paid_within
from anchorspend.pipeline import (
    Ingested,
    Progress,
    Result,
    RunConfig,
    analyse_ingested,
    ingest,
    load_lookups,
    read,
    summarise,
)
from anchorspend.spend import SpendBuilder

MembersBy = Literal["organisation", "folder"]
SHARED_IN_DOCUMENT = 100


@dataclass(frozen=True, slots=True)
class CompareConfig:
    run: RunConfig
    by: MembersBy = "organisation"
    member: str | None = None  # one member's page in the network's context
    close_points: float = 2.0  # a target missed by less than this many points is "close"
    min_coverage: float = 0.5  # members below this coverage are listed but not ranked
    place: bool = False  # the network row net of payments between members (a place, once)


@dataclass(slots=True)
class CompareResult:
    result: Result
    document: dict[str, Any]


def _member_runs(cc: CompareConfig) -> list[tuple[RunConfig, dict[str, Any]]]:
    cfg = cc.run.config
    runs: list[tuple[RunConfig, dict[str, Any]]] = []
    base = cfg.path.parent if cfg.path else Path(".")
    for m in cfg.members:
        if not m.files:
            raise AnchorspendError(
                f"[members.{m.key}] lists no files",
                path=str(cfg.path),
                hint=f'[members.{m.key}] files = ["exports/{m.key}/"]',
            )
        files = tuple(base / f for f in m.files)
        meta = {"name": m.name, "short_name": m.short_name, "type": m.type}
        runs.append((replace(cc.run, inputs=files, organisation=m.name), meta))
    if cc.run.inputs:
        if cc.by == "folder":
            for folder in cc.run.inputs:
                if not folder.is_dir():
                    raise AnchorspendError(
                        "with --by folder, every INPUT is one member's folder",
                        path=str(folder),
                        hint="pass folders (network/*/), or leave out --by folder",
                    )
                meta = {"name": folder.name, "short_name": None, "type": None}
                runs.append((replace(cc.run, inputs=(folder,), organisation=folder.name), meta))
        else:
            runs.append((cc.run, {}))
    if not runs:
        raise AnchorspendError(
            "no members to compare",
            hint="give INPUT files or folders, or [members.NAME] files = [...] in the config",
        )
    return runs


def _combine(parts: list[Ingested]) -> Ingested:
    frames = [p.rows for p in parts if p.rows.width]  # rows not analysed: maybe none
    findings = [p.findings for p in parts if p.findings.height]
    summaries = [p.summary for p in parts if p.summary.height]
    return Ingested(
        rows=pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(),
        findings=pl.concat(findings) if findings else empty_findings(),
        notes=[n for p in parts for n in p.notes],
        inputs=[i for p in parts for i in p.inputs],
        summary=pl.concat(summaries) if summaries else summarise(pl.DataFrame()),
    )


def compare(cc: CompareConfig, progress: Progress | None = None) -> CompareResult:
    if cc.run.store is not None:
        # a store's members are its organisations; [members] lends them short names and types
        if cc.by == "folder":
            raise UsageError(
                "--by folder needs member folders; a store's members are its organisations",
                hint="leave out --by folder with --store",
            )
        lookups = load_lookups(cc.run, progress)
        data = read(cc.run, progress, lookups)
        metas = [
            {"name": m.name, "short_name": m.short_name, "type": m.type}
            for m in cc.run.config.members
        ]
        files: tuple[Path, ...] = ()
    else:
        runs = _member_runs(cc)
        lookups = load_lookups(cc.run, progress)
        # every member's analysed rows split into one spend, as they are read
        spend = SpendBuilder(cc.run.period, identifiers_used(lookups))
        data = _combine([ingest(run, progress, spend=spend) for run, _ in runs])
        data.spend = spend.finish()
        metas = [meta for _, meta in runs if meta]
        files = tuple(dict.fromkeys(f for run, _ in runs for f in run.inputs))
    result = analyse_ingested(
        data, cc.run, progress, lookups, network=True, place=cc.place, named_inputs=files
    )
    members = _members(result, metas)
    names = [m["name"] for m in members]
    if cc.member is not None and cc.member not in names:
        raise AnchorspendError(
            f"--member {cc.member!r} is not a member of this network",
            details=[f"members: {', '.join(names)}"],
            hint="--member with one of the names above",
        )
    metrics = result.metrics_pence
    network = {
        "members": members,
        "focus": cc.member,
        "close_points": cc.close_points,
        "min_coverage": cc.min_coverage,
        "league": league(metrics, cc.min_coverage),
        "changes": changes(metrics),
        "targets": targets(metrics, cc.close_points),
        "shared_suppliers": shared_suppliers(result.by_org),
        "place": cc.place,
        "flows": flows(result.by_org),
        "leakage": leakage(result.by_category, bool(cc.run.config.local_tiers)),
    }
    document = {**result.document, "network": network}
    return CompareResult(result, document)


def _members(result: Result, configured: list[dict[str, Any]]) -> list[dict[str, Any]]:
    summary = result.summary
    if not summary.height:
        return []
    analysed = pl.col("_status") == "analysed"
    per = (
        summary.group_by("organisation", maintain_order=True)
        .agg(
            pl.col("_source").unique(maintain_order=True).alias("files"),
            pl.col("n").filter(analysed).sum().cast(pl.Int64).alias("rows_analysed"),
            pl.col("amount").filter(analysed).sum().alias("pence"),
        )
        .filter(pl.col("organisation").is_not_null())
    )
    meta = {m["name"]: m for m in configured}
    out = []
    for org, files, n, pence in per.iter_rows():
        m = meta.get(org, {})
        out.append(
            {
                "name": org,
                "short_name": m.get("short_name"),
                "type": m.get("type"),
                "files": files,
                "rows_analysed": n,
                "total_spend": pence_to_text(int(pence or 0)),
            }
        )
    return sorted(out, key=lambda m: m["name"])


def _money(col: str) -> pl.Expr:
    return pence_text_expr(pl.col(col)).alias(col)


def league(metrics: pl.DataFrame, min_coverage: float) -> list[dict[str, Any]]:
    """For each classification (not :data:`~anchorspend.measures.NOT_CLASSIFICATIONS`, as the
    reports rank them) and period: members by share of total, ranked only where coverage is
    good enough to compare; the network row beside them."""
    if not metrics.height:
        return []
    m = metrics.filter(~pl.col("measure").is_in(NOT_CLASSIFICATIONS))
    members = m.filter(pl.col("organisation") != ALL_ORGS).with_columns(
        (pl.col("coverage").fill_null(0) >= min_coverage).alias("comparable")
    )
    ranked = members.with_columns(
        pl.when(pl.col("comparable") & pl.col("share_of_total").is_not_null())
        .then(
            pl.col("share_of_total")
            .rank(method="min", descending=True)
            .over(
                "measure", "period", pl.col("comparable") & pl.col("share_of_total").is_not_null()
            )
        )
        .cast(pl.Int64)
        .alias("rank")
    ).sort(
        ["measure", "period", "rank", "share_of_total", "organisation"],
        nulls_last=True,
        descending=[False, False, False, True, False],
    )
    cols = [
        pl.col("organisation").alias("member"), "rank", "comparable", _money("spend"),
        _money("total_spend"), "share_of_total", "share_of_known", "coverage",
        "supplier_share_of_total", "suppliers",
    ]  # fmt: skip
    network = {
        (r["measure"], r["period"]): r
        for r in m.filter(pl.col("organisation") == ALL_ORGS)
        .select("measure", "period", _money("spend"), _money("total_spend"), "share_of_total",
                "share_of_known", "coverage", "supplier_share_of_total", "suppliers")
        .to_dicts()
    }  # fmt: skip
    out = []
    order = list(dict.fromkeys(metrics.get_column("measure").to_list()))
    for (measure, period), group in ranked.group_by(["measure", "period"], maintain_order=True):
        out.append(
            {
                "measure": measure,
                "period": period,
                "network": network.get((str(measure), str(period))),
                "members": group.select(cols).to_dicts(),
            }
        )
    return sorted(
        out, key=lambda e: (order.index(e["measure"]), e["period"] == ALL_PERIODS, e["period"])
    )


def changes(metrics: pl.DataFrame) -> list[dict[str, Any]]:
    """Each member's (and the network's) change from the previous period, in points and £, for
    every measure but total spend."""
    if not metrics.height:
        return []
    per = metrics.filter(
        (pl.col("period") != ALL_PERIODS) & (pl.col("measure") != TOTAL_SPEND)
    ).sort("organisation", "measure", "period")
    by = ("organisation", "measure")
    out = per.with_columns(
        pl.col("period").shift(1).over(by).alias("previous_period"),
        pl.col("share_of_total").shift(1).over(by).alias("previous_share"),
        pl.col("spend").shift(1).over(by).alias("_prev_spend"),
    ).filter(pl.col("previous_period").is_not_null())
    return out.select(
        pl.col("organisation").alias("member"),
        "measure",
        "period",
        "previous_period",
        "share_of_total",
        "previous_share",
        ((pl.col("share_of_total") - pl.col("previous_share")) * 100).alias("change_points"),
        pence_text_expr(pl.col("spend") - pl.col("_prev_spend")).alias("spend_change"),
    ).to_dicts()


def _gap_pence(target: float, total: int, spend: int) -> int:
    """Pounds still needed to reach ``target`` × total, to the penny (rounded up)."""
    needed = Decimal(str(target)) * total
    return max(0, math.ceil(needed) - spend)


def targets(metrics: pl.DataFrame, close_points: float) -> list[dict[str, Any]]:
    """Progress against configured targets: met, close (within ``close_points``) or missed, with
    the gap in pounds and in percentage points; undefined where the share is, and unknown where
    none of the spend could be classified (the share is then null too)."""
    if not metrics.height or "target" not in metrics.columns:
        return []
    rows = metrics.filter(pl.col("target").is_not_null())
    out = []
    for r in rows.iter_rows(named=True):
        # the share, the denominator and the spend of the target's basis
        addressable = r.get("target_basis") == "addressable"
        share = r["share_of_addressable" if addressable else "share_of_total"]
        if share is None:
            status, points, gap = "undefined", None, None
        elif r["known_spend"] == 0:  # nothing classified: 0% of total is unknown, not missed
            share, status, points, gap = None, "unknown", None, None
        else:
            points = max(0.0, (r["target"] - share) * 100)
            if addressable:
                gap = _gap_pence(r["target"], r["addressable_spend"], r["spend_addressable"])
            else:
                gap = _gap_pence(r["target"], r["total_spend"], r["spend"])
            status = (
                "met" if share >= r["target"] else ("close" if points <= close_points else "missed")
            )
        out.append(
            {
                "member": r["organisation"],
                "measure": r["measure"],
                "period": r["period"],
                "target": r["target"],
                "target_basis": r.get("target_basis") or "total",
                "share": share,  # on the target's basis
                # both bases, null where the share is unknown (nothing classified)
                "share_of_total": None if status == "unknown" else r["share_of_total"],
                "share_of_addressable": (
                    None if status == "unknown" else r.get("share_of_addressable")
                ),
                "status": status,
                "gap_points": points,
                "gap": None if gap is None else pence_to_text(gap),
            }
        )
    return out


def flows(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """Payments from one member to another (the payee named as a member is, or carrying its
    identifier: see ``payees.member_payees``), per payer and payee, biggest first: money a
    pooled total counts twice, once paid and once spent again by the payee."""
    if not rows.height or "payee_member" not in rows.columns:
        return []
    paid = rows.filter((pl.col("_status") == "analysed") & paid_within())
    return (
        paid.group_by(pl.col("organisation").cast(pl.String).alias("payer"),
                      pl.col("payee_member").alias("payee"))
        .agg(pl.col("amount").sum().alias("pence"), pl.col("n").sum().cast(pl.Int64).alias("rows"))
        .sort(["pence", "payer", "payee"], descending=[True, False, False])
        .select("payer", "payee", pence_text_expr(pl.col("pence")).alias("spend"), "rows")
        .to_dicts()
    )  # fmt: skip


def shared_suppliers(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """Suppliers paid by two or more members, with each member's spend: the network's combined
    purchasing power. Redacted rows are not suppliers anyone can share."""
    if not rows.height:
        return []
    analysed = rows.filter((pl.col("_status") == "analysed") & ~pl.col("redacted"))
    from anchorspend.classify import display_names

    per = analysed.group_by("supplier_key", "organisation").agg(pl.col("amount").sum())
    shared = (
        per.group_by("supplier_key")
        .agg(
            pl.len().alias("members"),
            pl.col("amount").sum().alias("pence"),
            pl.struct(
                pl.col("organisation").alias("member"),
                pence_text_expr(pl.col("amount")).alias("spend"),
            )
            .sort_by("organisation")
            .alias("by_member"),
        )
        .filter(pl.col("members") >= 2)
        .join(display_names(analysed), on="supplier_key", how="left")
        .sort(["pence", "supplier_key"], descending=[True, False])
        .head(SHARED_IN_DOCUMENT)
    )
    return shared.select(
        "supplier",
        pl.col("members").cast(pl.Int64),
        pence_text_expr(pl.col("pence")).alias("spend"),
        "by_member",
    ).to_dicts()


def leakage(rows: pl.DataFrame, has_tiers: bool) -> list[dict[str, Any]]:
    """Spend leaving the local area, by category, largest first, for the network and each
    member; spend whose location is unknown is shown beside it, never folded in."""
    if not rows.height or not has_tiers:
        return []
    analysed = rows.filter(pl.col("_status") == "analysed").with_columns(
        pl.coalesce("category", "expense_type").fill_null("(not given)").alias("cat")
    )
    layers = [analysed, analysed.with_columns(pl.lit(ALL_ORGS).alias("organisation"))]
    pooled = pl.concat(layers)

    def part(cond: pl.Expr) -> pl.Expr:
        return pl.col("amount").filter(cond).sum()

    out = (
        pooled.group_by("organisation", "cat")
        .agg(
            part(pl.col("local") == False).alias("outside"),  # noqa: E712 - known, not local
            part(pl.col("local")).alias("local_pence"),
            part(pl.col("local").is_null()).alias("unknown"),
            pl.col("amount").sum().alias("total"),
        )
        .with_columns((pl.col("organisation") == ALL_ORGS).alias("_network"))
        .sort(["_network", "organisation", "outside", "cat"],
              descending=[True, False, True, False])
    )  # fmt: skip
    return out.select(
        pl.col("organisation").alias("member"),
        pl.col("cat").alias("category"),
        pence_text_expr(pl.col("outside")).alias("outside_local"),
        pence_text_expr(pl.col("local_pence")).alias("local"),
        pence_text_expr(pl.col("unknown")).alias("unknown_location"),
        pence_text_expr(pl.col("total")).alias("total"),
        pl.when(pl.col("total") > 0)
        .then(pl.col("outside").cast(pl.Float64) / pl.col("total").cast(pl.Float64))
        .alias("share_outside"),
    ).to_dicts()
