"""Several PATHs in one ``mlops-scan`` call: one scan and one report each, the exit code the worst."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import click

from mlops_scan.errors import MlopsScanError, UsageError

if TYPE_CHECKING:
    from mlops_scan.cli.scanrun import ScanRequest


def scan_each(requests: Sequence[ScanRequest], run: Callable[[ScanRequest], None]) -> None:
    """Run each request's scan: reports one after another on stdout (and in --summary); an error ends one PATH's
    scan, not the others'; then exit with the worst code. One --output, --badge or --json-output file cannot hold
    several reports: a usage error."""
    first = requests[0]
    for option, value in (("--output", first.output), ("--badge", first.badge), ("--json-output", first.json_output)):
        if value is not None and value != "-":
            raise UsageError(
                f"{option} {value}: one file cannot hold the reports of several PATHs (scan one at a time)"
            )
    worst = 0
    for number, request in enumerate(requests):
        if number and (request.fmt or "text") == "text":
            click.echo("")
        try:
            run(request)
        except SystemExit as exc:  # the gate's
            worst = max(worst, exc.code if isinstance(exc.code, int) else 1)
        except (MlopsScanError, click.ClickException) as exc:
            shown = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
            click.echo(f"mlops-scan: error: {shown}", err=True)
            worst = max(worst, exc.exit_code if isinstance(exc, MlopsScanError) else 2)
    if worst:
        sys.exit(worst)
