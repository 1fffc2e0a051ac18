"""A community interest company known by its name: the law makes the name say so, so a
supplier so named is a VCSE even where no lookup lists it."""

from __future__ import annotations

import polars as pl

CIC_EVIDENCE = (
    "the name ends in 'Community Interest Company' or 'CIC', as the law requires of a CIC and "
    "of no other company (Companies (Audit, Investigations and Community Enterprise) Act 2004, "
    "s.33)"
)
_CIC_NAME = (
    r"(?i)\b(COMMUNITY\W+INTEREST\W+(PUBLIC\W+LIMITED\W+)?COMPANY|COMMUNITY\W+INTEREST\W+"
    r"P\W?L\W?C|C\W?I\W?C|CWMNI\W+BUDDIANT\W+CYMUNEDOL(\W+CYHOEDDUS\W+CYFYNGEDIG)?)\W*$"
)


def is_cic_name(name: pl.Expr) -> pl.Expr:
    """The name is a community interest company's: it ends in one of the forms s.33 of the
    2004 Act requires (English or Welsh, "C.I.C." as "CIC"), whatever the case, spacing or
    punctuation around the words."""
    return name.str.contains(_CIC_NAME)
