"""Where a command's text goes: a file, stdout or stderr; and whether it is coloured."""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from mlops_scan.errors import MlopsScanError
from mlops_scan.reporters.ansi import unstyled


def echo(text: str, nl: bool = True, err: bool = False, color: bool | None = None) -> None:
    """``text`` (and a line break) to stdout or stderr, flushed, as ``click.echo`` writes it, without loading click:
    its styles removed unless ``color`` (None: unless the stream is a terminal). A stream whose encoding is ASCII is
    left to click, which writes UTF-8 to it."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # no such stream (pythonw)
        return
    if _ascii(stream):
        import click

        click.echo(text, nl=nl, err=err, color=color)
        return
    text = text + "\n" if nl else text
    if text:
        stream.write(unstyled(text) if _strips(stream, color) else text)
    stream.flush()


def _ascii(stream: TextIO) -> bool:
    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "ascii"
    except LookupError:
        return False


def _strips(stream: TextIO, color: bool | None) -> bool:
    """Whether the styles are removed: off a terminal (and off a Jupyter kernel's output) unless ``color`` says."""
    if color is not None:
        return not color
    try:
        terminal = stream.isatty()
    except Exception:
        terminal = False
    return not terminal and not type(stream).__module__.startswith("ipykernel.")


def write(target: str, text: str, what: str = "report", append: bool = False) -> None:
    """Write (or append) ``text`` to ``target``; ``-`` is stdout."""
    if target == "-":
        echo(text, nl=False)
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
        echo(text, nl=False)


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
