"""Options several commands share, each defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


class HelpGroup(click.Group):
    """A command group that shows its help, exit code 0, when called without a subcommand (``mlops-scan rules``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:
            click.echo(ctx.get_help())
            ctx.exit(0)
        return super().parse_args(ctx, args)


class ShortOptionsAtOnce(click.Command):
    """A command whose short options given alone (``-q``, ``-f json``) are found at once. Click looks every option
    up as a long one first, and for a short one makes a "no such option" error, its message translated and the
    close long names worked out (about half a millisecond an option), before it tries the short ones. Short options
    run together (``-qf json``) or with their value attached (``-fjson``) still take click's own way."""

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        long, short = getattr(parser, "_long_opt", None), getattr(parser, "_short_opt", None)
        if isinstance(long, dict) and isinstance(short, dict):  # click's parser as it is (8.1 to 8.5)
            long.update({name: option for name, option in short.items() if name not in long})
        return parser


MODEL_HELP = "Maturity model: a built-in name or a model YAML file  [default: microsoft]."


def model_option(command: F) -> F:
    """``--model NAME|FILE``."""
    return click.option("--model", help=MODEL_HELP)(command)


def output_option(help: str = "Write to FILE.") -> Callable[[F], F]:
    """``--output/-o FILE``."""
    return click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=str), help=help)


def no_cache_option(help: str) -> Callable[[F], F]:
    """``--no-cache``."""
    return click.option("--no-cache", is_flag=True, help=help)


def rule_dirs_option(help: str = "Extra rule-pack folder.") -> Callable[[F], F]:
    """``--rules DIR`` (repeatable), given to the command as ``rule_dirs``."""
    return click.option(
        "--rules", "rule_dirs", multiple=True, type=click.Path(path_type=Path), metavar="DIR", help=help
    )


def no_revision_config_option(command: F) -> F:
    """``--no-config`` of the commands that scan revisions (each revision's own configuration applies otherwise)."""
    return click.option(
        "--no-config",
        is_flag=True,
        help="Do not apply each revision's own .mlops-scan.toml / [tool.mlops-scan] (e.g. for a fork's pull request).",
    )(command)
