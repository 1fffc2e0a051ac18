"""How the reports write numbers and cells: money, shares, counts and text from the document.

Every report (HTML, Markdown, the chart labels) formats through these, so a figure reads the same
wherever it appears. ``–`` stands for a null.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from anchorspend.glance import ALL_ORGS

NAME_LIMIT = 32  # characters of a name drawn in a chart; the table has the full name
DASH = "–"
MINUS = "\u2212"
PENNY = Decimal("0.01")
UNKNOWN = "unknown"  # a share where none of the spend could be classified (coverage 0)


def to_decimal(text: str | Decimal | None) -> Decimal | None:
    """A document money string ("-1234.50") as an exact Decimal."""
    if text is None:
        return None
    return text if isinstance(text, Decimal) else Decimal(text)


def money(value: str | Decimal | None) -> str:
    """£1,234,567.89 and −£1,234.50; "–" for null."""
    d = to_decimal(value)
    if d is None:
        return DASH
    q = d.quantize(PENNY, rounding=ROUND_HALF_UP)
    return f"{MINUS if q < 0 else ''}£{abs(q):,.2f}"


def money_short(value: str | Decimal | None) -> str:
    """For sentences: £1.2m from a million up, whole pounds below (£45,612)."""
    d = to_decimal(value)
    if d is None:
        return DASH
    sign = MINUS if d < 0 else ""
    a = abs(d)
    if a >= 1_000_000:
        m = (a / 1_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{sign}£{m}m"
    return f"{sign}£{a.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def percent(share: float | None) -> str:
    """34.5%; "–" for a null share."""
    return DASH if share is None else f"{share * 100:.1f}%"


def count(n: int | None) -> str:
    return DASH if n is None else f"{n:,}"


def truncate(name: str, limit: int = NAME_LIMIT) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def org_label(organisation: str) -> str:
    return "All organisations" if organisation == ALL_ORGS else organisation


def text(value: Any) -> str:
    """A cell from the document as text: null is "–", a flag is yes/no."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def rows_list(rows: list[int] | None) -> str:
    return ", ".join(str(r) for r in rows) if rows else DASH


def share(num: Decimal, den: Decimal | None) -> float | None:
    """The contract's share: defined only for a positive total and a ratio within [0, 1]."""
    if den is None or den <= 0:
        return None
    ratio = num / den
    return float(ratio) if 0 <= ratio <= 1 else None


def coverage(m: dict[str, Any]) -> float | None:
    if "coverage" in m:
        return m["coverage"]  # type: ignore[no-any-return]
    return share(Decimal(m["known_spend"]), Decimal(m["total_spend"]))


def drawn_share(m: dict[str, Any] | None) -> float | None:
    """The share of total spend a trend line may draw for one metric row: none where it is not
    defined, and none where no spend at all could be classified (coverage 0), for there the
    0% of total means "unknown", not "none" (the share bars hatch it as unknown)."""
    if not m or m["share_of_total"] is None or not coverage(m):
        return None
    return m["share_of_total"]  # type: ignore[no-any-return]
