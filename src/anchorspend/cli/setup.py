"""``anchorspend init`` and ``anchorspend schema``: a starter config, and the bundled Table
Schemas."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from anchorspend import console
from anchorspend.cli.guard import guard
from anchorspend.cli.params import DebugOpt
from anchorspend.errors import AnchorspendError

STARTER = """\
# anchorspend configuration. Every key is optional; delete what you do not need.
# Docs: README.md. Unknown keys are an error, so a typo cannot go unnoticed.

# Credit every row to this organisation (otherwise: the export's organisation column,
# else the file name).
# organisation = "Trafford Council"

[organisations]
# the name an export uses = the name to report under (merge spellings, tidy capitals).
# "CABINET OFFICE" = "Cabinet Office"

[columns]
# canonical field = header in your export, when anchorspend cannot find it by itself.
# supplier_name = "Supplier ID(T)"
# amount = "Net Value"

[local.tiers]
# measure "local:<tier>" for each tier; the first tier is also "local". Entries are local
# authority codes, region codes or region names.
# "Trafford" = ["E08000009"]
# "North West" = ["E12000002"]

[geography]
# store = "geo"              # written by `anchorspend geo import ONSPD.csv --imd IMD.csv`
# deprived_decile_max = 2    # measure "deprived": supplier LSOA in IMD deciles 1..2

[compare]
# close_points = 2           # a target missed by at most this many percentage points is "close"
# min_coverage = 0.5         # members whose classification coverage is lower are not ranked
# place = false              # true: the network row net of payments between members

[payments]
# commencement = 2026-01-01  # `anchorspend payments`: the first reporting period starts here

[targets]
# share_of_total targets per measure, between 0 and 1.
# sme = 0.30
# vcse = 0.05

# Rows matching a rule are excluded from analysed spend and counted under its name.
# Patterns are regular expressions on supplier (supplier_name), expense_type, supplier_id,
# category or description (purpose); all patterns given in one rule must match.
# [[exclude]]
# name = "tax-and-pensions"
# supplier = "(?i)^(hmrc|hm revenue|.*pension fund)"
"""


def init(
    directory: Annotated[Path, typer.Argument(help="Where to write anchorspend.toml.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    debug: DebugOpt = False,
) -> None:
    """Write a commented starter anchorspend.toml."""

    def body() -> int:
        target = directory / "anchorspend.toml"
        if target.exists() and not force:
            raise AnchorspendError(
                "already exists", path=str(target), hint="--force to overwrite it"
            )
        directory.mkdir(parents=True, exist_ok=True)
        target.write_text(STARTER, encoding="utf-8")
        console.note(f"wrote {target}")
        return 0

    guard(debug, body)


def schema(
    name: Annotated[str | None, typer.Argument(help="spend or suppliers; omit to list.")] = None,
    debug: DebugOpt = False,
) -> None:
    """List the bundled Table Schemas, or print one."""

    def body() -> int:
        from anchorspend import schemas

        if name is None:
            for n in schemas.available():
                s = schemas.load(n)
                console.line(
                    f"{n}: {s.raw.get('title', '')} ({len(s.fields)} fields; required: "
                    f"{', '.join(s.required)})"
                )
            return 0
        s = schemas.load(name)
        sys.stdout.write(json.dumps(s.raw, indent=2, ensure_ascii=False) + "\n")
        return 0

    guard(debug, body)
