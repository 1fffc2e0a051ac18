"""``geo import``: the ONS Postcode Directory (ONSPD), the National Statistics Postcode Lookup
(NSPL), or any simpler postcode table, and the MHCLG Indices of Deprivation, into a store (see
:mod:`anchorspend.geo.store`). Columns are mapped by pattern because every edition renames them
(``lad25cd``, ``oslaua``…). The large file is scanned lazily and only the needed columns are
read, so a full ONSPD imports in seconds."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from anchorspend.errors import AnchorspendError, UsageError
from anchorspend.files import write_replacing
from anchorspend.geo.store import IMD, MANIFEST, POSTCODES
from anchorspend.normalise import normalise_postcode
from anchorspend.schemas import header_key

# canonical column → header patterns (matched against header_key, first pattern wins)
POSTCODE_COLUMNS: dict[str, tuple[str, ...]] = {
    "postcode": (r"pcds", r"pcd", r"pcd7", r"pcd8", r"pcd2", r"postcode", r"postcodes?"),
    "local_authority_code": (
        r"lad\d\dcd",
        r"oslaua",
        r"laua",
        r"lacode",
        r"ladcode",
        r"localauthoritycode",
        r"ladcd",
        r"lad\d\d",
    ),
    "local_authority_name": (r"lad\d\dnm", r"ladnm", r"laname", r"ladname", r"localauthorityname"),
    "region_code": (r"rgn\d\dcd", r"rgn", r"regioncode", r"gor"),
    "lsoa_code": (r"lsoa21cd", r"lsoa21", r"lsoa11cd", r"lsoa11", r"lsoacode", r"lsoa\d\dcd"),
    "ward_code": (r"wd\d\dcd", r"osward", r"wardcode", r"ward"),
    "country_code": (r"ctry\d\dcd", r"ctry", r"countrycode"),
    "terminated": (r"doterm", r"terminated", r"dateofterm\w*"),
}
REQUIRED = ("postcode",)
IMD_COLUMNS: dict[str, tuple[str, ...]] = {
    "lsoa_code": (
        r"lsoa21\w*code",
        r"lsoa\w*2021\w*",
        r"lsoa11\w*code",
        r"lsoa\w*2011\w*",
        r"lsoacode\w*",
        r"lsoa\w*cd",
    ),
    "imd_decile": (r"imddecile", r"\w*imd\w*decile\w*", r"\w*deprivation\w*decile\w*"),
    "imd_rank": (r"imdrank", r"\w*imd\w*rank\w*", r"\w*deprivation\w*rank\w*"),
}


def _pick(
    headers: list[str], patterns: dict[str, tuple[str, ...]], overrides: dict[str, str]
) -> dict[str, str]:
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
    postcodes: Path,
    into: Path,
    *,
    imd: Path | None = None,
    column_map: list[str] | None = None,
    progress: Callable[[str, float | None], None] | None = None,
) -> ImportReport:
    """Import the postcode file (and the deprivation file ``imd``) into the store ``into``;
    ``column_map`` (``--map FIELD=HEADER``) chooses columns the patterns would not."""
    cols = _postcode_columns(postcodes, _overrides(column_map or []))
    if progress:
        progress(f"reading {postcodes.name}", 0.1)
    into.mkdir(parents=True, exist_ok=True)
    frame = _postcode_table(postcodes, cols)
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


def _overrides(column_map: list[str]) -> dict[str, str]:
    """``--map FIELD=HEADER`` items as field → header, refusing an unknown field."""
    overrides = {}
    for item in column_map:
        field, sep, header = item.partition("=")
        if not sep or field not in POSTCODE_COLUMNS:
            raise UsageError(
                f"bad --map {item!r}",
                hint=f"FIELD=HEADER with FIELD one of: {', '.join(POSTCODE_COLUMNS)}",
            )
        overrides[field] = header
    return overrides


def _postcode_columns(postcodes: Path, overrides: dict[str, str]) -> dict[str, str]:
    """The postcode file's column for each field it has; an error naming the fields it needs
    and lacks."""
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
    return cols


def _postcode_table(postcodes: Path, cols: dict[str, str]) -> pl.DataFrame:
    """One row per valid postcode, in order, with the mapped columns (blank cells null) and
    whether it is terminated; only the mapped columns are read."""
    lf = pl.scan_csv(postcodes, infer_schema=False)
    terminated = (
        pl.col(cols["terminated"]).str.strip_chars().fill_null("") != ""
        if "terminated" in cols
        else pl.lit(False)
    )
    selected = lf.select(
        normalise_postcode(pl.col(cols["postcode"])).alias("postcode"),
        *(
            pl.col(cols[f]).str.strip_chars().replace("", None).alias(f)
            for f in POSTCODE_COLUMNS
            if f in cols and f not in ("postcode", "terminated")
        ),
        terminated.alias("terminated"),
    ).filter(pl.col("postcode").is_not_null())
    return selected.unique(subset="postcode", keep="first").sort("postcode").collect()


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
            (
                pl.col(cols["imd_rank"]).str.strip_chars().cast(pl.Int32)
                if "imd_rank" in cols
                else pl.lit(None, pl.Int32)
            ).alias("imd_rank"),
        )
        .collect()
    )
    bad = frame.filter(~pl.col("imd_decile").is_between(1, 10))
    if bad.height:
        raise AnchorspendError(
            f"{bad.height} IMD deciles are outside 1-10",
            path=str(path),
            details=[f"e.g. {bad.row(0)}"],
        )
    frame.write_parquet(into / IMD, compression="zstd")
    return frame.height, edition, cols
