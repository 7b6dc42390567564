"""Whether a scan's PATH is a git URL (told apart without importing the git machinery)."""

from __future__ import annotations

import re

_URL = re.compile(r"^(?:(?:https?|ssh|git|file)://|[\w.-]+@[\w.-]+:(?!/))", re.I)


def is_url(text: str) -> bool:
    """An https, http, ssh, git or file URL, or scp-like ``user@host:path``."""
    return bool(_URL.match(text))
