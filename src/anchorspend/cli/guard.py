"""Library errors become messages and exit codes here, in one place: :class:`AnchorspendError`
→ exit 3 (2 for usage errors) with the message, where, and the fix; never a traceback unless
``--debug``."""

from __future__ import annotations

import traceback
from collections.abc import Callable

import typer

from anchorspend import console
from anchorspend.errors import AnchorspendError, Terminated


def guard(debug: bool, body: Callable[[], int]) -> None:
    """Run a command body; turn errors into messages and exit codes."""
    try:
        code = body()
    except AnchorspendError as exc:
        if debug:
            traceback.print_exc()
        console.error(exc.render())
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM while writing outputs (Terminated)
        console.error("terminated" if isinstance(exc, Terminated) else "interrupted")
        raise typer.Exit(getattr(exc, "exit_code", 130)) from None
    except Exception as exc:  # our bug, not the user's data
        if debug:
            traceback.print_exc()
        console.error(
            f"anchorspend failed unexpectedly: {type(exc).__name__}: {exc}\n"
            "  this is a bug in anchorspend; run again with --debug and report the "
            "traceback"
        )
        raise typer.Exit(3) from None
    raise typer.Exit(code)
