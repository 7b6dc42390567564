"""TOML documents parsed with ``tomllib`` (``tomli`` before Python 3.11), imported on first use: most scans read
no TOML at all."""

from __future__ import annotations

import sys
from typing import Any


def loads(text: str) -> dict[str, Any]:
    """The document ``text`` holds; a malformed one raises ``ValueError`` (the parser's ``TOMLDecodeError``)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    document: dict[str, Any] = tomllib.loads(text)
    return document
