"""The only module that imports rich: stderr console, progress, tables for people."""

from __future__ import annotations

import re
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

# Control characters (ESC starts terminal commands: clear the screen, set the title, write the
# clipboard) and bidirectional overrides come from published names; they are shown, not obeyed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with control characters and bidi overrides written out (``\\x1b``), then
    rich markup escaped: safe to print whatever a spend file held."""
    shown = _CONTROL.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )
    return escape(shown)


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
            bar.update(task, description=visible(msg), completed=done if done is not None else None)

        yield tick


def error(text: str) -> None:
    err.print(f"[bold red]error[/]: {visible(text)}")


def warn(text: str) -> None:
    err.print(f"[yellow]warning[/]: {visible(text)}")


def note(text: str) -> None:
    err.print(visible(text))


def table(
    title: str, columns: list[str], rows: list[list[str]], right: set[int], *, stderr: bool = False
) -> None:
    t = Table(title=visible(title), title_justify="left", show_lines=False)
    for i, c in enumerate(columns):
        t.add_column(visible(c), justify="right" if i in right else "left")
    for r in rows:
        t.add_row(*(visible(x) for x in r))
    (err if stderr else out_console()).print(t)


def line(text: str = "") -> None:
    out_console().print(visible(text))
