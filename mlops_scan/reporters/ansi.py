"""Terminal styles as ANSI escape codes: the codes ``click.style`` writes, and their removal as ``click.echo`` removes
them off a terminal, without loading click (a scan run ahead reports without it: :mod:`mlops_scan.cli.early`)."""

from __future__ import annotations

import re

COLOURS = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}
RESET = "\033[0m"
_CODE = re.compile(r"\033\[[0-?]*[ -/]*[@-~]")


def style(text: str, fg: str | None = None, bold: bool | None = None, dim: bool | None = None) -> str:
    """``text`` in colour ``fg``, bold or dim (False: turned off, None: as it is), then every style reset."""
    codes = [f"\033[{COLOURS[fg]}m"] if fg is not None else []
    if bold is not None:
        codes.append(f"\033[{1 if bold else 22}m")
    if dim is not None:
        codes.append(f"\033[{2 if dim else 22}m")
    return "".join(codes) + text + RESET


def unstyled(text: str) -> str:
    """``text`` without its escape codes."""
    return _CODE.sub("", text) if "\033" in text else text
