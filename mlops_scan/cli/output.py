"""Where a command's text goes: a file, or stdout; and whether it is coloured."""

from __future__ import annotations

import os
from collections.abc import Mapping

import click

from mlops_scan.errors import MlopsScanError


def write(target: str, text: str, what: str = "report", append: bool = False) -> None:
    """Write (or append) ``text`` to ``target``; ``-`` is stdout."""
    if target == "-":
        click.echo(text, nl=False)
        return
    try:
        with open(target, "a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise MlopsScanError(f"{target}: cannot write {what} ({exc.strerror})") from exc


def emit(text: str, output: str | None) -> None:
    """``text`` to ``output`` when given, else to stdout."""
    if output:
        write(output, text)
    else:
        click.echo(text, nl=False)


def colour_wanted(env: Mapping[str, str], is_terminal: bool) -> bool:
    """no-color.org: a non-empty NO_COLOR turns colour off; a non-empty FORCE_COLOR turns it on off a terminal."""
    if env.get("NO_COLOR"):
        return False
    return is_terminal or bool(env.get("FORCE_COLOR"))


def terminal_width(env: Mapping[str, str], fallback: int = 80) -> int:
    """The columns of the terminal stdout or stderr is (``COLUMNS`` when set), ``fallback`` off a terminal."""
    columns = env.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for descriptor in (1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or fallback
        except OSError:
            continue
    return fallback
