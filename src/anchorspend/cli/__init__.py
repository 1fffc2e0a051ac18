"""The ``anchorspend`` command: parse, call the library, render, choose the exit code.

Each command group has its module here (``analyse``, ``compare``, ``payments``, ``check``,
``setup`` for ``init`` and ``schema``, ``geo``, ``store``, ``suppliers``); ``options`` turns a
config and the flags into the run's options, ``terminal`` prints, ``guard`` turns errors into
messages and exit codes. The library loads when a command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from anchorspend import __version__, console
from anchorspend.cli import analyse, check, compare, geo, payments, setup, store, suppliers

app = typer.Typer(
    name="anchorspend",
    help="How much of an anchor institution's spend reaches local businesses, SMEs, VCSEs and "
    "diverse-led suppliers, reconciled to the penny.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# in the order `anchorspend --help` lists them
app.command()(analyse.analyse)
app.command()(compare.compare)
app.command()(payments.payments)
app.command()(check.check)
app.command()(setup.init)
app.command()(setup.schema)
app.add_typer(geo.app, name="geo")
app.add_typer(store.app, name="store")
app.add_typer(suppliers.app, name="suppliers")


def _version(value: bool) -> None:
    if value:
        console.line(f"anchorspend {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """How much of an anchor institution's spend reaches local businesses, SMEs, VCSEs and
    diverse-led suppliers, reconciled to the penny."""


def main() -> None:
    app()
