"""Tables as the reports show them: every cell already formatted as text.

:class:`Table` is a plain table (the analyse report's); :class:`Grid` is a captioned table of
:class:`Row` s, each row possibly the focus member or the network (the compare report's). The
HTML templates and the Markdown renderer both draw them, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")
FOCUS_MARK = "◀ this member"  # after the focus row's name


@dataclass(frozen=True, slots=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # right-aligned columns


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    cls: str = ""  # CSS classes, only from fixed names here (never from data)


@dataclass(frozen=True, slots=True)
class Row:
    cells: list[Cell]
    focus: bool = False  # the --member row: bold, with "◀ this member"
    network: bool = False


@dataclass(frozen=True, slots=True)
class Grid:
    caption: str
    headers: list[str]
    numeric: list[bool]  # right-aligned columns
    rows: list[Row]
    cls: str = ""
    header_col: int = 0  # which column holds the row's name (a <th scope="row">)
    notes: list[str] = field(default_factory=list)  # footnotes under the table


def cells(values: list[str]) -> list[Cell]:
    return [Cell(v) for v in values]


def table(
    caption: str,
    headers: list[str],
    numeric: list[bool],
    items: Iterable[T],
    cells_of: Callable[[T], list[Cell]],
    cls: str = "",
    header_col: int = 0,
) -> Grid:
    """A Grid with one plain row (no focus, not the network) per item."""
    return Grid(caption, headers, numeric, [Row(cells_of(i)) for i in items], cls, header_col)
