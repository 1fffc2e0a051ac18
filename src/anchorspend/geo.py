"""Geography: the ONS postcode directory and the Indices of Deprivation as a local store.

``import_store`` reads the ONS Postcode Directory (ONSPD), the National Statistics Postcode
Lookup (NSPL), or any simpler postcode table, mapping columns by pattern because every edition
renames them (``lad25cd``, ``oslaua``…); it writes ``postcodes.parquet`` (postcode → local
authority, region, LSOA, ward, country, terminated) and, given the MHCLG file, ``imd.parquet``
(LSOA → IMD decile and rank) with a ``store.json`` manifest naming the editions. The large file is
scanned lazily and only the needed columns are read, so a full ONSPD imports in seconds.

``locate`` gives every supplier a place: an explicit local authority code first, else the
lookup's postcode, else the export's postcode; each distinct postcode is normalised and looked up
once. With no store of the user's, the postcode table bundled in the package is used
(``bundled_store``). Every district is then put on current boundaries and given its region and
country from the built-in table (:mod:`anchorspend.areas`), whatever placed it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.areas import (
    AREA_NAMES,
    GEODATA,
    abolished,
    country_of,
    current_code,
    district_names,
    name_of,
    region_of,
)
from anchorspend.errors import AnchorspendError, UsageError
from anchorspend.files import write_replacing
from anchorspend.normalise import normalise_postcode
from anchorspend.schemas import header_key

MANIFEST = "store.json"
POSTCODES = "postcodes.parquet"
IMD = "imd.parquet"

# canonical column → header patterns (matched against header_key, first pattern wins)
POSTCODE_COLUMNS: dict[str, tuple[str, ...]] = {
    "postcode": (r"pcds", r"pcd", r"pcd7", r"pcd8", r"pcd2", r"postcode", r"postcodes?"),
    "local_authority_code": (
        r"lad\d\dcd", r"oslaua", r"laua", r"lacode", r"ladcode", r"localauthoritycode",
        r"ladcd", r"lad\d\d",
    ),
    "local_authority_name": (r"lad\d\dnm", r"ladnm", r"laname", r"ladname",
                             r"localauthorityname"),
    "region_code": (r"rgn\d\dcd", r"rgn", r"regioncode", r"gor"),
    "lsoa_code": (r"lsoa21cd", r"lsoa21", r"lsoa11cd", r"lsoa11", r"lsoacode", r"lsoa\d\dcd"),
    "ward_code": (r"wd\d\dcd", r"osward", r"wardcode", r"ward"),
    "country_code": (r"ctry\d\dcd", r"ctry", r"countrycode"),
    "terminated": (r"doterm", r"terminated", r"dateofterm\w*"),
}  # fmt: skip
REQUIRED = ("postcode",)
IMD_COLUMNS: dict[str, tuple[str, ...]] = {
    "lsoa_code": (r"lsoa21\w*code", r"lsoa\w*2021\w*", r"lsoa11\w*code", r"lsoa\w*2011\w*",
                  r"lsoacode\w*", r"lsoa\w*cd"),
    "imd_decile": (r"imddecile", r"\w*imd\w*decile\w*", r"\w*deprivation\w*decile\w*"),
    "imd_rank": (r"imdrank", r"\w*imd\w*rank\w*", r"\w*deprivation\w*rank\w*"),
}  # fmt: skip

GSS_CODE = re.compile(r"^[A-Z]{1,3}\d+$")  # E08000009, E12000002, or a code of your own


def _pick(headers: list[str], patterns: dict[str, tuple[str, ...]],
          overrides: dict[str, str]) -> dict[str, str]:  # fmt: skip
    """canonical → header, by override or the first pattern that matches a header."""
    keys = {h: header_key(h) for h in headers}
    out: dict[str, str] = {}
    for field, pats in patterns.items():
        if field in overrides:
            if overrides[field] not in headers:
                raise AnchorspendError(
                    f"--map {field}={overrides[field]!r}: no such column",
                    details=[f"columns: {', '.join(headers)}"],
                )
            out[field] = overrides[field]
            continue
        for pat in pats:
            hits = [h for h in headers if re.fullmatch(pat, keys[h]) and h not in out.values()]
            if hits:
                # several editions' columns (lad21cd, lad23cd…): the latest sorts last
                out[field] = sorted(hits, key=keys.__getitem__)[-1]
                break
    return out


@dataclass(frozen=True, slots=True)
class ImportReport:
    store: Path
    postcodes: int
    terminated: int
    columns: dict[str, str]
    imd_rows: int
    imd_edition: str | None
    lsoa_vintage: str | None


def _headers(path: Path) -> list[str]:
    try:
        return pl.read_csv(path, n_rows=0, infer_schema=False).columns
    except Exception as exc:
        raise AnchorspendError(f"cannot read the CSV header: {exc}", path=str(path)) from exc


def _vintage(header: str | None) -> str | None:
    if header is None:
        return None
    k = header_key(header)
    if "21" in k or "2021" in k:
        return "2021"
    if "11" in k or "2011" in k:
        return "2011"
    return None


def import_store(
    postcodes: Path, into: Path, *, imd: Path | None = None, column_map: list[str] | None = None,
    progress: Callable[[str, float | None], None] | None = None,
) -> ImportReport:  # fmt: skip
    overrides = {}
    for item in column_map or []:
        field, sep, header = item.partition("=")
        if not sep or field not in POSTCODE_COLUMNS:
            raise UsageError(
                f"bad --map {item!r}",
                hint=f"FIELD=HEADER with FIELD one of: {', '.join(POSTCODE_COLUMNS)}",
            )
        overrides[field] = header
    if not postcodes.is_file():
        raise AnchorspendError("no such file", path=str(postcodes))
    headers = _headers(postcodes)
    cols = _pick(headers, POSTCODE_COLUMNS, overrides)
    missing = [f for f in (*REQUIRED, "local_authority_code") if f not in cols]
    if missing:
        raise AnchorspendError(
            f"no column for {', '.join(missing)} in the postcode file",
            path=str(postcodes),
            details=[f"columns: {', '.join(headers[:60])}"],
            hint=" ".join(f'--map {f}="<column>"' for f in missing),
        )
    if progress:
        progress(f"reading {postcodes.name}", 0.1)
    into.mkdir(parents=True, exist_ok=True)
    lf = pl.scan_csv(postcodes, infer_schema=False)
    selected = lf.select(
        normalise_postcode(pl.col(cols["postcode"])).alias("postcode"),
        *(
            pl.col(cols[f]).str.strip_chars().replace("", None).alias(f)
            for f in POSTCODE_COLUMNS
            if f in cols and f not in ("postcode", "terminated")
        ),
        (
            pl.col(cols["terminated"]).str.strip_chars().fill_null("") != ""
            if "terminated" in cols
            else pl.lit(False)
        ).alias("terminated"),
    ).filter(pl.col("postcode").is_not_null())
    frame = selected.unique(subset="postcode", keep="first").sort("postcode").collect()
    if progress:
        progress(f"writing {frame.height:,} postcodes", 0.7)
    write_replacing(
        into / POSTCODES,
        lambda tmp: frame.write_parquet(
            tmp, compression="zstd", compression_level=9, statistics=True
        ),
    )
    imd_rows, edition, lsoa_vintage = 0, None, _vintage(cols.get("lsoa_code"))
    imd_cols: dict[str, str] = {}
    if imd is not None:
        imd_rows, edition, imd_cols = _import_imd(imd, into)
        lsoa_vintage = lsoa_vintage or ("2021" if edition == "IoD2025" else "2011")
    terminated = int(frame.get_column("terminated").sum())
    manifest = {
        "schema": "anchorspend/geography/v1",
        "postcodes": {
            "source": postcodes.name,
            "rows": frame.height,
            "columns": cols,
            "terminated": terminated,
            "lsoa_vintage": lsoa_vintage,
        },
        "imd": None
        if imd is None
        else {"source": imd.name, "rows": imd_rows, "edition": edition, "columns": imd_cols},
    }
    (into / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return ImportReport(into, frame.height, terminated, cols, imd_rows, edition, lsoa_vintage)


def _import_imd(path: Path, into: Path) -> tuple[int, str, dict[str, str]]:
    headers = _headers(path)
    cols = _pick(headers, IMD_COLUMNS, {})
    missing = [f for f in ("lsoa_code", "imd_decile") if f not in cols]
    if missing:
        raise AnchorspendError(
            f"no column for {', '.join(missing)} in the deprivation file",
            path=str(path),
            details=[f"columns: {', '.join(headers[:40])}"],
            hint="the MHCLG 'File 1: Index of Multiple Deprivation' CSV has them",
        )
    edition = "IoD2025" if _vintage(cols["lsoa_code"]) == "2021" else "IoD2019"
    frame = (
        pl.scan_csv(path, infer_schema=False)
        .select(
            pl.col(cols["lsoa_code"]).str.strip_chars().alias("lsoa_code"),
            pl.col(cols["imd_decile"]).str.strip_chars().cast(pl.Int8).alias("imd_decile"),
            (pl.col(cols["imd_rank"]).str.strip_chars().cast(pl.Int32) if "imd_rank" in cols
             else pl.lit(None, pl.Int32)).alias("imd_rank"),
        )
        .collect()
    )  # fmt: skip
    bad = frame.filter(~pl.col("imd_decile").is_between(1, 10))
    if bad.height:
        raise AnchorspendError(
            f"{bad.height} IMD deciles are outside 1-10", path=str(path),
            details=[f"e.g. {bad.row(0)}"],
        )  # fmt: skip
    frame.write_parquet(into / IMD, compression="zstd")
    return frame.height, edition, cols


@dataclass(frozen=True, slots=True)
class Store:
    path: Path
    manifest: dict[str, Any]
    postcodes: pl.LazyFrame
    imd: pl.LazyFrame | None

    @property
    def imd_edition(self) -> str | None:
        imd = self.manifest.get("imd")
        return imd.get("edition") if imd else None

    @property
    def bundled(self) -> bool:
        """The postcode table shipped in the package, not a store from `geo import`."""
        return bool(self.manifest.get("bundled"))


def open_store(path: Path) -> Store:
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise AnchorspendError(
            "not a geography store (no store.json)",
            path=str(path),
            hint="anchorspend geo import POSTCODES.csv --imd IMD.csv --into " + str(path),
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    imd = pl.scan_parquet(path / IMD) if (path / IMD).is_file() else None
    return Store(path, manifest, pl.scan_parquet(path / POSTCODES), imd)


def bundled_store() -> Store:
    """The geography shipped in the package (built by ``scripts/build_geography.py``): every
    postcode of the ONS May 2022 lookup → district on current boundaries and LSOA 2011; no IMD.
    Opening it reads only its manifest; the table is scanned when suppliers are located."""
    return open_store(GEODATA)


def lookup(postcodes: list[str], store: Store) -> pl.DataFrame:
    """Where each postcode (as written) is, as ``locate`` places it: the store's row, with the
    district on current boundaries and its region and country from the built-in table."""
    frame = pl.DataFrame({"written": postcodes}, schema={"written": pl.String})
    found = (
        frame.lazy()
        .with_columns(normalise_postcode(pl.col("written")).alias("postcode"))
        .join(store.postcodes, on="postcode", how="left", maintain_order="left")
    )
    if store.imd is not None:
        found = found.join(store.imd, on="lsoa_code", how="left", maintain_order="left")
    rows = found.collect()
    for c in ("region_code", "country_code"):
        if c not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(c))
    name = pl.col("local_authority_name") if "local_authority_name" in rows.columns else None
    return _areas(rows).with_columns(
        pl.coalesce(name_of(pl.col("local_authority_code")), name).alias("local_authority_name")
    )


def lookup_table(postcodes: list[str], store: Path | None) -> tuple[list[str], list[list[str]]]:
    """``geo lookup``'s table: its columns (the postcode as written first) and each postcode's
    row as text, blank where unknown, from the store at ``store`` or the bundled one."""
    rows = lookup(postcodes, bundled_store() if store is None else open_store(store))
    cols = [c for c in rows.columns if c != "written"]
    table = [
        [str(r[0]), *("" if v is None else str(v) for v in r[1:])]
        for r in rows.select("written", *cols).iter_rows()
    ]
    return ["written", *cols], table


LOCATION_BASES = ("lookup local_authority_code", "lookup postcode", "export postcode", "unknown")


def resolve_tiers(
    tiers: dict[str, tuple[str, ...]], store: Store | None
) -> dict[str, tuple[str, ...]]:
    """Tier entries may be codes (ONS local authorities E06…/E07…/E08…/E09…, regions E12…,
    countries E92…: any letters followed by digits is taken as a code), region or country names
    ("North West", "Wales") or local authority names ("Trafford", and those of a store carrying
    names). A district abolished since is refused, naming its successor: suppliers are placed on
    current boundaries, so the old code would match nobody."""
    la_names = district_names()
    if store is not None and "local_authority_name" in store.postcodes.collect_schema().names():
        la_names = la_names | {
            n.lower(): c
            for n, c in store.postcodes.select("local_authority_name", "local_authority_code")
            .unique()
            .drop_nulls()
            .collect()
            .iter_rows()
        }
    out: dict[str, tuple[str, ...]] = {}
    for tier, entries in tiers.items():
        codes = []
        for e in entries:
            gone = abolished(e.strip().upper())
            if gone is not None:
                name, successor, successor_name, on = gone
                raise AnchorspendError(
                    f"[local.tiers] {tier!r}: {e.strip()} ({name}) was abolished on {on}; its "
                    f"area is part of {successor} ({successor_name})",
                    hint=f"write {successor}: anchorspend places suppliers on current boundaries",
                )
            if GSS_CODE.match(e.strip()):
                codes.append(e.strip())
            elif e.strip().lower() in AREA_NAMES:
                codes.append(AREA_NAMES[e.strip().lower()])
            elif e.strip().lower() in la_names:
                codes.append(la_names[e.strip().lower()])
            else:
                raise AnchorspendError(
                    f"[local.tiers] {tier!r}: {e!r} is not a local authority or region code, nor a "
                    "name anchorspend knows",
                    hint="use ONS codes (E08000009, E12000002), a district name such as "
                    '"Trafford" or a region name such as "North West"',
                )
        out[tier] = tuple(codes)
    return out


def locate(rows: pl.DataFrame, store: Store | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add ``local_authority_code`` (final, on current boundaries), ``region_code``,
    ``country_code``, ``lsoa_code``, ``imd_decile``, ``location_basis`` and
    ``postcode_terminated`` to classified rows; also return the postcodes that were given but
    could not be placed (as written, with why)."""
    lookup_pc = pl.col("postcode") if "postcode" in rows.columns else pl.lit(None, pl.String)
    export_pc = pl.when(~pl.col("redacted")).then(pl.col("supplier_postcode"))
    rows = rows.with_columns(
        lookup_pc.alias("_pc_lookup"),
        export_pc.alias("_pc_export"),
    )
    empty_problems = pl.DataFrame(
        schema={"postcode": pl.String, "problem": pl.String, "source": pl.String}
    )
    if store is None:
        return _areas(rows.with_columns(
            pl.when(pl.col("local_authority_code").is_not_null())
            .then(pl.lit(LOCATION_BASES[0]))
            .otherwise(pl.lit("unknown"))
            .alias("location_basis"),
            pl.lit(None, pl.String).alias("region_code"),
            pl.lit(None, pl.String).alias("country_code"),
            pl.lit(None, pl.String).alias("lsoa_code"),
            pl.lit(None, pl.Int8).alias("imd_decile"),
            pl.lit(False).alias("postcode_terminated"),
        ).drop("_pc_lookup", "_pc_export")), empty_problems  # fmt: skip
    # every distinct postcode text, normalised and placed once
    written = (
        pl.concat(
            [
                rows.select(pl.col("_pc_lookup").alias("w")),
                rows.select(pl.col("_pc_export").alias("w")),
            ]
        )
        .drop_nulls()
        .unique()
    )
    optional = ("region_code", "country_code", "lsoa_code")
    places = store.postcodes.select(
        "postcode", "local_authority_code",
        *[c for c in optional if c in store.postcodes.collect_schema().names()], "terminated",
    )  # fmt: skip
    written = written.with_columns(normalise_postcode(pl.col("w")).alias("postcode"))
    wanted = written.get_column("postcode").drop_nulls().unique()
    placed = (
        written.lazy()
        # filtered as it is scanned: only the wanted postcodes of a 2.7M-row table are kept
        .join(places.filter(pl.col("postcode").is_in(wanted.implode())), on="postcode",
              how="left")
        .collect()
    )  # fmt: skip
    for c in optional:
        if c not in placed.columns:
            placed = placed.with_columns(pl.lit(None, pl.String).alias(c))
    if store.imd is not None:
        placed = placed.join(store.imd.select("lsoa_code", "imd_decile").collect(),
                             on="lsoa_code", how="left")  # fmt: skip
    else:
        placed = placed.with_columns(pl.lit(None, pl.Int8).alias("imd_decile"))
    found = placed.select(
        "w", pl.col("local_authority_code").alias("_la"), pl.col("region_code").alias("_rgn"),
        pl.col("country_code").alias("_ctry"),
        pl.col("lsoa_code").alias("_lsoa"), pl.col("imd_decile").alias("_imd"),
        pl.col("terminated").alias("_term"),
        pl.col("local_authority_code").is_not_null().alias("_ok"),
    )  # fmt: skip
    # join only the postcode columns and attach the places: the wide rows are never copied
    found = found.unique("w", keep="first")
    for side in ("lookup", "export"):
        placed_side = (
            rows.select(pl.col(f"_pc_{side}").alias("w"))
            .join(
                found.rename({c: f"{c}_{side}" for c in found.columns if c != "w"}),
                on="w", how="left", maintain_order="left",
            )
            .drop("w")
        )  # fmt: skip
        rows = rows.with_columns(placed_side.get_columns())
    via_lookup = pl.col("_ok_lookup").fill_null(False)
    via_export = pl.col("_ok_export").fill_null(False)
    explicit = pl.col("local_authority_code").is_not_null()

    def pick(field: str) -> pl.Expr:
        return (
            pl.when(via_lookup)
            .then(pl.col(f"{field}_lookup"))
            .when(via_export)
            .then(pl.col(f"{field}_export"))
        )

    rows = rows.with_columns(
        pl.when(explicit).then(pl.lit(LOCATION_BASES[0]))
        .when(via_lookup).then(pl.lit(LOCATION_BASES[1]))
        .when(via_export).then(pl.lit(LOCATION_BASES[2]))
        .otherwise(pl.lit("unknown")).alias("location_basis"),
        pl.coalesce(pl.col("local_authority_code"), pick("_la")).alias("local_authority_code"),
        pick("_rgn").alias("region_code"),
        pick("_ctry").alias("country_code"),
        pick("_lsoa").alias("lsoa_code"),
        pick("_imd").alias("imd_decile"),
        pick("_term").fill_null(False).alias("postcode_terminated"),
    )  # fmt: skip
    absent = (
        f"not in the bundled postcode table ({store.manifest['source']['date']})"
        if store.bundled
        else "not in the geography store"
    )
    problems = placed.filter(~pl.col("local_authority_code").is_not_null()).select(
        pl.col("w").alias("postcode"),
        pl.when(pl.col("postcode").is_null()).then(pl.lit("not a valid postcode"))
        .otherwise(pl.lit(absent)).alias("problem"),
    )  # fmt: skip
    drop = [c for c in rows.columns if c.startswith(("_pc_", "_la_", "_rgn_", "_ctry_", "_lsoa_",
                                                     "_imd_", "_ok_", "_term_"))]  # fmt: skip
    return _areas(rows.drop(drop)), problems.with_columns(pl.lit("").alias("source")).sort(
        "postcode"
    )


def _areas(rows: pl.DataFrame) -> pl.DataFrame:
    """Every district on current boundaries, with its region and country from the built-in table
    (the postcode's own, from the store, only for a code the table does not hold)."""
    la = pl.col("local_authority_code")
    return rows.with_columns(current_code(la).alias("local_authority_code")).with_columns(
        pl.coalesce(region_of(la), pl.col("region_code")).alias("region_code"),
        pl.coalesce(country_of(la), pl.col("country_code")).alias("country_code"),
    )
