"""A geography store on disk: ``store.json`` (the manifest naming the editions),
``postcodes.parquet`` (postcode → local authority, region, LSOA, ward, country, terminated) and,
where imported, ``imd.parquet`` (LSOA → IMD decile and rank); and the store bundled in the
package, used when the user has none."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from anchorspend.areas import GEODATA
from anchorspend.errors import AnchorspendError

MANIFEST = "store.json"
POSTCODES = "postcodes.parquet"
IMD = "imd.parquet"


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
    """The store at ``path``: its manifest read, its tables scanned lazily."""
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
