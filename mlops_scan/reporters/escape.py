"""Reports that cannot be abused: characters that hide, reorder or break lines are shown escaped.

A file name or a snippet may hold C0/C1 control characters, line and paragraph separators
(U+2028/2029), bidirectional overrides (the "Trojan Source" trick) and zero-width characters.
Every report passes through :func:`escape_report` once, so no format can print them raw:
JSON-based formats get JSON ``\\uXXXX`` escapes (the parsed value is unchanged), the others
the visible text ``\\uXXXX``. No report line can begin with ``::`` either, which a CI runner
would take for a workflow command (``::error file=...::``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import ParamSpec

P = ParamSpec("P")

_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
"""C0 (but the line feed) and C1 controls, DEL, soft hyphen, bidi marks/overrides/isolates, zero-width, separators."""
_SGR = re.compile("\x1b\\[[0-9;]*m")
"""Colour sequences the text report itself writes (repository text never keeps an ESC: it is escaped on input)."""
_COMMAND_LINE = re.compile(r"^(\s*)::", re.M)
JSON_FORMATS = frozenset({"json", "sarif", "shields", "gitlab"})
COMMAND_FORMATS = frozenset({"github"})
"""Formats whose every line is a workflow command the reporter wrote itself, repository text inside it
percent-encoded so that it cannot start a line (:mod:`.github`)."""


def escaped_char(char: str) -> str:
    """``\\u202e``: how one unsafe character is shown."""
    return f"\\u{ord(char):04x}"


def escape_text(text: str) -> str:
    """``text`` with every unsafe character shown as ``\\uXXXX`` (colour sequences kept)."""
    parts = _SGR.split(text)
    sequences = _SGR.findall(text)
    out = [_UNSAFE.sub(lambda m: escaped_char(m.group()), parts[0])]
    for sequence, part in zip(sequences, parts[1:]):
        out += [sequence, _UNSAFE.sub(lambda m: escaped_char(m.group()), part)]
    return "".join(out)


def escape_report(fmt: str, report: str) -> str:
    """The report with unsafe characters escaped as its format allows, and no line starting with ``::``."""
    report = _UNSAFE.sub(lambda m: escaped_char(m.group()), report) if fmt in JSON_FORMATS else escape_text(report)
    if "::" not in report or fmt in COMMAND_FORMATS:
        return report
    return _COMMAND_LINE.sub(lambda m: m.group(1) + "\\u003a:", report)


def escaped(fmt: str) -> Callable[[Callable[P, str]], Callable[P, str]]:
    """Decorate a renderer of format ``fmt`` (history, diff, fleet) so its output passes :func:`escape_report`."""

    def decorate(render: Callable[P, str]) -> Callable[P, str]:
        @functools.wraps(render)
        def render_escaped(*args: P.args, **kwargs: P.kwargs) -> str:
            return escape_report(fmt, render(*args, **kwargs))

        return render_escaped

    return decorate
