"""A command's text written without click (a scan run ahead never loads it) is the text click writes: the same
escape codes for each style, the same styles removed off a terminal, the same bytes on an ASCII stream."""

from __future__ import annotations

import io
import itertools
import sys

import click
import pytest

from mlops_scan.cli.output import echo
from mlops_scan.reporters import ansi


@pytest.mark.parametrize(
    ("fg", "bold", "dim"),
    list(itertools.product([None, *ansi.COLOURS], [None, True, False], [None, True, False])),
)
def test_a_style_is_written_as_click_writes_it(fg: str | None, bold: bool | None, dim: bool | None) -> None:
    assert ansi.style("Level 2", fg=fg, bold=bold, dim=dim) == click.style("Level 2", fg=fg, bold=bold, dim=dim)


class _Bytes(io.BytesIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def _written(write: object, text: str, terminal: bool, encoding: str, **options: object) -> bytes:
    """The bytes ``write(text, **options)`` put on a stdout that is (or is not) a terminal, in ``encoding``."""
    raw = _Bytes(terminal)
    stream = io.TextIOWrapper(raw, encoding=encoding, write_through=True)
    stdout, sys.stdout = sys.stdout, stream
    try:
        write(text, **options)  # type: ignore[operator]
    finally:
        sys.stdout = stdout
    return raw.getvalue()


TEXTS = [
    "",
    "plain\n",
    f"{click.style('Level 2', fg='cyan', bold=True)}: [{click.style('reached', fg='green')}]\n",
    "\x1b[2Jcleared, \x1b[?25lhidden, kept: \x1b]8;;x\x07",
    "non-ASCII: niveau 2 · ✓\n",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
@pytest.mark.parametrize("color", [None, True, False])
@pytest.mark.parametrize("nl", [True, False])
def test_text_is_written_as_click_echo_writes_it(text: str, terminal: bool, color: bool | None, nl: bool) -> None:
    ours = _written(echo, text, terminal, "utf-8", nl=nl, color=color)
    assert ours == _written(click.echo, text, terminal, "utf-8", nl=nl, color=color)


def test_an_ascii_stream_gets_the_bytes_click_gives_it() -> None:
    ours = _written(echo, TEXTS[-1], False, "ascii", nl=False)
    assert ours == _written(click.echo, TEXTS[-1], False, "ascii", nl=False)
    assert ours == TEXTS[-1].encode("utf-8")  # click writes UTF-8 to a stream wrongly set to ASCII


def test_errors_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    echo("mlops-scan: error: x", err=True)
    assert capsys.readouterr() == ("", "mlops-scan: error: x\n")
