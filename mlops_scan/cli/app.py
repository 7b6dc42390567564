"""Command line: the ``mlops-scan`` group and its commands (one line each), parsed by click."""

from __future__ import annotations

import importlib
import os
import sys
from typing import NoReturn

import click

from mlops_scan import __version__
from mlops_scan.cli.commands import LAZY_COMMANDS
from mlops_scan.cli.ending import aborted, ended
from mlops_scan.cli.output import echo
from mlops_scan.cli.scan import EXIT_HELP, scan
from mlops_scan.errors import UsageError


class _DefaultToScan(click.Group):
    """``mlops-scan PATH`` means ``mlops-scan scan PATH``; commands other than ``scan`` are loaded when named; a word
    that is neither a path nor a command but close to a command's name is a mistyped command (``mlops-scan histroy``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = args and (args[0] in self.commands or args[0] in LAZY_COMMANDS)
        if not known and (not args or args[0] not in ("--help", "-h", "--version")):
            if args and not args[0].startswith("-") and not os.path.lexists(args[0]):
                from difflib import get_close_matches

                close = get_close_matches(args[0], self.list_commands(ctx), n=1, cutoff=0.6)
                if close:
                    raise click.UsageError(f"No such command or path {args[0]!r}. Did you mean {close[0]!r}?")
            args = ["scan", *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, _, name = LAZY_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return self.commands.get(cmd_name)


@click.group(cls=_DefaultToScan, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_HELP)
@click.version_option(__version__, prog_name="mlops-scan")
def cli() -> None:
    """Place a repository on Microsoft's MLOps maturity model (levels 0-4), with evidence.

    \b
    mlops-scan PATH              scan PATH (same as `mlops-scan scan PATH`)
    mlops-scan --rev v1 PATH     scan a git revision (PATH may also be a git URL)
    mlops-scan history PATH      the level at each tag or commit (text, JSON, SVG)
    mlops-scan diff BASE [HEAD]  what a change does to the maturity
    mlops-scan scan --help       every scan option (formats, gate, badge)
    mlops-scan rules list        the rules, by capability
    """


cli.add_command(scan)


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point: errors become one line on stderr and exit code 2; a traceback is a bug."""
    ended(lambda: _parsed(argv))


def _parsed(argv: list[str] | None) -> int | None:
    """The command line parsed and its command run: the exit code (click's own errors end it with one line)."""
    try:
        code = cli.main(args=argv, prog_name="mlops-scan", standalone_mode=False)  # an Exit's code comes back here
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        aborted()
    except click.ClickException as exc:
        echo(f"mlops-scan: error: {exc.format_message()}", err=True)
        sys.exit(UsageError.exit_code)
    return code if isinstance(code, int) else None
