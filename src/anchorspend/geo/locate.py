"""Where each supplier is: ``locate`` gives every classified row a place (an explicit local
authority code first, else the lookup's postcode, else the export's postcode; each distinct
postcode normalised and looked up once), and ``lookup`` does the same for postcodes as written
(``geo lookup``). Every district is then put on current boundaries and given its region and
country from the built-in table (:mod:`anchorspend.areas`), whatever placed it."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from anchorspend.areas import country_of, current_code, name_of, region_of
from anchorspend.geo.store import Store, bundled_store, open_store
from anchorspend.normalise import normalise_postcode


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
    if store is None:
        no_problems = pl.DataFrame(
            schema={"postcode": pl.String, "problem": pl.String, "source": pl.String}
        )
        return _areas(_without_store(rows)), no_problems
    placed = _placed(rows, store)
    rows = _chosen(_attached(rows, placed))
    drop = [c for c in rows.columns if c.startswith(_WORKING)]
    return _areas(rows.drop(drop)), _problems(placed, store)


# the prefixes of the working columns locate adds and drops
_WORKING = ("_pc_", "_la_", "_rgn_", "_ctry_", "_lsoa_", "_imd_", "_ok_", "_term_")


def _without_store(rows: pl.DataFrame) -> pl.DataFrame:
    """With no store, only an explicit local authority code places a supplier."""
    basis = (
        pl.when(pl.col("local_authority_code").is_not_null())
        .then(pl.lit(LOCATION_BASES[0]))
        .otherwise(pl.lit("unknown"))
    )
    return rows.with_columns(
        basis.alias("location_basis"),
        pl.lit(None, pl.String).alias("region_code"),
        pl.lit(None, pl.String).alias("country_code"),
        pl.lit(None, pl.String).alias("lsoa_code"),
        pl.lit(None, pl.Int8).alias("imd_decile"),
        pl.lit(False).alias("postcode_terminated"),
    ).drop("_pc_lookup", "_pc_export")


def _placed(rows: pl.DataFrame, store: Store) -> pl.DataFrame:
    """Every distinct postcode text of the rows (``w``), normalised and placed once: its
    ``postcode`` (null if not valid) and the store's row for it, with the IMD decile."""
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
    present = [c for c in optional if c in store.postcodes.collect_schema().names()]
    places = store.postcodes.select("postcode", "local_authority_code", *present, "terminated")
    written = written.with_columns(normalise_postcode(pl.col("w")).alias("postcode"))
    wanted = written.get_column("postcode").drop_nulls().unique()
    # filtered as it is scanned: only the wanted postcodes of a 2.7M-row table are kept
    wanted_places = places.filter(pl.col("postcode").is_in(wanted.implode()))
    placed = written.lazy().join(wanted_places, on="postcode", how="left").collect()
    for c in optional:
        if c not in placed.columns:
            placed = placed.with_columns(pl.lit(None, pl.String).alias(c))
    if store.imd is None:
        return placed.with_columns(pl.lit(None, pl.Int8).alias("imd_decile"))
    deciles = store.imd.select("lsoa_code", "imd_decile").collect()
    return placed.join(deciles, on="lsoa_code", how="left")


def _attached(rows: pl.DataFrame, placed: pl.DataFrame) -> pl.DataFrame:
    """The place of each row's lookup postcode and export postcode, in columns suffixed
    ``_lookup`` and ``_export`` (``_ok_…`` where the postcode was placed)."""
    found = placed.select(
        "w",
        pl.col("local_authority_code").alias("_la"),
        pl.col("region_code").alias("_rgn"),
        pl.col("country_code").alias("_ctry"),
        pl.col("lsoa_code").alias("_lsoa"),
        pl.col("imd_decile").alias("_imd"),
        pl.col("terminated").alias("_term"),
        pl.col("local_authority_code").is_not_null().alias("_ok"),
    )
    # join only the postcode columns and attach the places: the wide rows are never copied
    found = found.unique("w", keep="first")
    for side in ("lookup", "export"):
        renamed = found.rename({c: f"{c}_{side}" for c in found.columns if c != "w"})
        placed_side = (
            rows.select(pl.col(f"_pc_{side}").alias("w"))
            .join(renamed, on="w", how="left", maintain_order="left")
            .drop("w")
        )
        rows = rows.with_columns(placed_side.get_columns())
    return rows


def _chosen(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row's place: an explicit local authority code first, else the lookup postcode's
    place, else the export postcode's; and the basis it was placed on."""
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

    basis = (
        pl.when(explicit)
        .then(pl.lit(LOCATION_BASES[0]))
        .when(via_lookup)
        .then(pl.lit(LOCATION_BASES[1]))
        .when(via_export)
        .then(pl.lit(LOCATION_BASES[2]))
        .otherwise(pl.lit("unknown"))
    )
    return rows.with_columns(
        basis.alias("location_basis"),
        pl.coalesce(pl.col("local_authority_code"), pick("_la")).alias("local_authority_code"),
        pick("_rgn").alias("region_code"),
        pick("_ctry").alias("country_code"),
        pick("_lsoa").alias("lsoa_code"),
        pick("_imd").alias("imd_decile"),
        pick("_term").fill_null(False).alias("postcode_terminated"),
    )


def _problems(placed: pl.DataFrame, store: Store) -> pl.DataFrame:
    """The postcodes given that no place was found for, as written, with why."""
    absent = (
        f"not in the bundled postcode table ({store.manifest['source']['date']})"
        if store.bundled
        else "not in the geography store"
    )
    why = (
        pl.when(pl.col("postcode").is_null())
        .then(pl.lit("not a valid postcode"))
        .otherwise(pl.lit(absent))
    )
    problems = placed.filter(~pl.col("local_authority_code").is_not_null()).select(
        pl.col("w").alias("postcode"), why.alias("problem")
    )
    return problems.with_columns(pl.lit("").alias("source")).sort("postcode")


def _areas(rows: pl.DataFrame) -> pl.DataFrame:
    """Every district on current boundaries, with its region and country from the built-in table
    (the postcode's own, from the store, only for a code the table does not hold)."""
    la = pl.col("local_authority_code")
    return rows.with_columns(current_code(la).alias("local_authority_code")).with_columns(
        pl.coalesce(region_of(la), pl.col("region_code")).alias("region_code"),
        pl.coalesce(country_of(la), pl.col("country_code")).alias("country_code"),
    )
