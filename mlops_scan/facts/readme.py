"""The title of the repository: the first heading (Markdown or HTML) of its root README."""

from __future__ import annotations

import re

from mlops_scan.snapshot.tree import Snapshot

_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$|<h[1-3][^>]*>\s*(.+?)\s*</h[1-3]>", re.M | re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_README = re.compile(r"^readme(\.(md|markdown|rst|txt))?$", re.I)


def readme_title(snapshot: Snapshot) -> str | None:
    """The root README's first heading, tags removed and spaces collapsed (None without a README or heading)."""
    readme = next((f.path for f in snapshot.files if "/" not in f.path and _README.match(f.path)), None)
    if readme is None:
        return None
    match = _HEADING.search(snapshot.read_text(readme) or "")
    if match is None:
        return None
    return " ".join(_TAGS.sub(" ", match.group(1) or match.group(2)).split())
