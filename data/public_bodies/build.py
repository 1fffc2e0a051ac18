"""Build ``src/anchorspend/knowledge/public_bodies.csv``: the public bodies other than local
authority districts that anchorspend knows by name with no lookup (see ``anchorspend.payees``).

    python data/public_bodies/build.py

Its source is ``curated.csv`` beside this script: county councils, regional authorities,
government departments and agencies and other public bodies, each with where it comes from.
Edit it, rebuild, and review the diff of the output. The local authority districts are not
here: ``anchorspend.payees`` reads them from the package's table of districts
(``src/anchorspend/geodata/local_authorities.csv``, built by ``scripts/build_geography.py`` from
ONS data), so that one list of districts serves both.

The output is sorted (kind, body, name) so that a rebuild from the same list is identical.
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent.parent / "src" / "anchorspend" / "knowledge" / "public_bodies.csv"
FIELDS = ("kind", "body", "name", "code", "source")


def main() -> int:
    with (HERE / "curated.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
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
