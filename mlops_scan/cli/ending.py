"""How a command ends: its exit code, and the one line on stderr an error leaves (a traceback only for a bug, and
only when asked for). Click is not needed here: a scan run ahead ends without it (:mod:`mlops_scan.cli.early`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import suppress
from typing import NoReturn, TextIO

from mlops_scan.cli.output import echo
from mlops_scan.errors import MlopsScanError

ABORTED = 130
"""The exit code of a command interrupted (Ctrl-C), as a shell gives it."""
INTERNAL_ERROR = 3


def ended(command: Callable[[], int | None]) -> NoReturn:
    """Run ``command`` and exit with the code it returns (None: 0) or exits with; an error ends it with one line."""
    try:
        code = command()
    except MlopsScanError as exc:
        echo(f"mlops-scan: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        echo("", err=True)  # the line the terminal's ^C was left on
        aborted()
    except BrokenPipeError:  # the output's reader went away (``| head``): ended quietly, as click ends it
        sys.stdout, sys.stderr = _Unflushed(sys.stdout), _Unflushed(sys.stderr)
        sys.exit(1)
    except SystemExit:
        raise
    except Exception as exc:  # a bug: still one line, the traceback only when asked for
        if os.environ.get("MLOPS_SCAN_DEBUG"):
            raise
        echo(
            f"mlops-scan: internal error: {exc.__class__.__name__}: {exc} "
            "(a bug: please report it; MLOPS_SCAN_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(INTERNAL_ERROR)
    sys.exit(code or 0)


class _Unflushed:
    """A stream whose reader may have gone away: flushing what is left is not an error."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def flush(self) -> None:
        with suppress(BrokenPipeError):
            self._stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def aborted() -> NoReturn:
    """End an interrupted command."""
    echo("mlops-scan: aborted", err=True)
    sys.exit(ABORTED)
