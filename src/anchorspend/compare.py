"""``compare``: a network's members side by side, quarter by quarter.

Members come from the config's ``[members]`` (name → files or folders), from one folder per
member (``--by folder``), or from the organisation field of the exports. Every member's rows are
read as ``analyse`` reads them and measured by the same function (``analyse_ingested``), so a
member's figures here are exactly those ``analyse`` gives for its files alone, and the network
row (``(all)``) is computed from the pooled transactions, never averaged from shares. The
document's ``network`` section is made in :mod:`anchorspend.network`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import polars as pl

from anchorspend.classify.resolve import identifiers_used
from anchorspend.errors import AnchorspendError, UsageError
from anchorspend.findings import empty_findings
from anchorspend.gather.ingested import Ingested, summarise
from anchorspend.gather.inputs import ingest
from anchorspend.gather.options import Progress, RunConfig
from anchorspend.network import changes, flows, league, leakage, shared_suppliers, targets
from anchorspend.normalise import pence_to_text
from anchorspend.pipeline import Result, analyse_ingested, load_lookups, read
from anchorspend.spend import SpendBuilder

MembersBy = Literal["organisation", "folder"]


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
