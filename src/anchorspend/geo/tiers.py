"""``[local.tiers]`` entries (codes, region or country names, district names) resolved to the
codes suppliers are placed by, refusing a district abolished since."""

from __future__ import annotations

import re

from anchorspend.areas import AREA_NAMES, abolished, district_names
from anchorspend.errors import AnchorspendError
from anchorspend.geo.store import Store

GSS_CODE = re.compile(r"^[A-Z]{1,3}\d+$")  # E08000009, E12000002, or a code of your own


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
    return {
        tier: tuple(_code_of(tier, e, la_names) for e in entries) for tier, entries in tiers.items()
    }


def _code_of(tier: str, e: str, la_names: dict[str, str]) -> str:
    """The code tier entry ``e`` stands for, or an error saying why it stands for none."""
    gone = abolished(e.strip().upper())
    if gone is not None:
        name, successor, successor_name, on = gone
        raise AnchorspendError(
            f"[local.tiers] {tier!r}: {e.strip()} ({name}) was abolished on {on}; its "
            f"area is part of {successor} ({successor_name})",
            hint=f"write {successor}: anchorspend places suppliers on current boundaries",
        )
    if GSS_CODE.match(e.strip()):
        return e.strip()
    if e.strip().lower() in AREA_NAMES:
        return AREA_NAMES[e.strip().lower()]
    if e.strip().lower() in la_names:
        return la_names[e.strip().lower()]
    raise AnchorspendError(
        f"[local.tiers] {tier!r}: {e!r} is not a local authority or region code, nor a "
        "name anchorspend knows",
        hint="use ONS codes (E08000009, E12000002), a district name such as "
        '"Trafford" or a region name such as "North West"',
    )
