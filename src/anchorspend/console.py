"""The only module that imports rich: stderr console, progress, tables for people."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

err = Console(stderr=True, highlight=False, soft_wrap=True)


def out_console() -> Console:
    # created per call so that Typer's CliRunner, which swaps sys.stdout, captures it
    return Console(file=sys.stdout, highlight=False, soft_wrap=True, width=120)


@contextmanager
def progress(quiet: bool) -> Iterator[Any]:
    """A status line on stderr while work runs; a no-op when quiet or not a terminal."""
    if quiet or not err.is_terminal:
        yield lambda _msg: None
        return
    with err.status("working…") as status:
        yield lambda msg: status.update(escape(msg))


def error(text: str) -> None:
    err.print(f"[bold red]error[/]: {escape(text)}")


def warn(text: str) -> None:
    err.print(f"[yellow]warning[/]: {escape(text)}")


def note(text: str) -> None:
    err.print(escape(text))


def table(title: str, columns: list[str], rows: list[list[str]], right: set[int]) -> None:
    t = Table(title=escape(title), title_justify="left", show_lines=False)
    for i, c in enumerate(columns):
        t.add_column(escape(c), justify="right" if i in right else "left")
    for r in rows:
        t.add_row(*(escape(x) for x in r))
    out_console().print(t)


def line(text: str = "") -> None:
    out_console().print(escape(text))
