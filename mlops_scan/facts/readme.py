"""How the repository presents itself: the first heading (Markdown or HTML) of its root README, and top-level
folders laid out as the parts of a course or a book."""

from __future__ import annotations

import re

from mlops_scan.snapshot.tree import Snapshot
from mlops_scan.snapshot.zones import zone_policy

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


def course_parts(snapshot: Snapshot) -> tuple[str, ...]:
    """The top-level folders named as parts of a course or a book (``week1``, ``02-experiment-tracking``), sorted;
    empty unless there are at least ``course_min_folders`` of them (data/zones.yaml)."""
    policy = zone_policy().examples_collection
    folders = {f.path.split("/", 1)[0] for f in snapshot.files if "/" in f.path}
    parts = tuple(sorted(f for f in folders if policy.course_folders.search(f)))
    return parts if len(parts) >= policy.course_min_folders else ()
