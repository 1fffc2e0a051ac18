"""The only module that imports rich: stderr console, progress, tables for people."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

# Piped or in CI, rich would wrap tables at 80 columns; give them room instead.
err = Console(
    stderr=True, highlight=False, soft_wrap=True, width=None if sys.stderr.isatty() else 140
)


def out_console() -> Console:
    # created per call so that Typer's CliRunner, which swaps sys.stdout, captures it
    return Console(file=sys.stdout, highlight=False, soft_wrap=True, width=120)


@contextmanager
def progress(quiet: bool) -> Iterator[Callable[[str, float | None], None]]:
    """A progress bar on stderr while work runs (step text, fraction done when known); a no-op
    when quiet or when stderr is not a terminal, so pipes and CI logs stay clean."""
    if quiet or not err.is_terminal:

        def silent(_msg: str, _done: float | None = None) -> None:
            return None

        yield silent
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=1.0)

        def tick(msg: str, done: float | None = None) -> None:
            bar.update(task, description=escape(msg), completed=done if done is not None else None)

        yield tick


def error(text: str) -> None:
    err.print(f"[bold red]error[/]: {escape(text)}")


def warn(text: str) -> None:
    err.print(f"[yellow]warning[/]: {escape(text)}")


def note(text: str) -> None:
    err.print(escape(text))


def table(
    title: str, columns: list[str], rows: list[list[str]], right: set[int], *, stderr: bool = False
) -> None:
    t = Table(title=escape(title), title_justify="left", show_lines=False)
    for i, c in enumerate(columns):
        t.add_column(escape(c), justify="right" if i in right else "left")
    for r in rows:
        t.add_row(*(escape(x) for x in r))
    (err if stderr else out_console()).print(t)


def line(text: str = "") -> None:
    out_console().print(escape(text))
