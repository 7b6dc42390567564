"""Repository-level judgement: is the whole repository a collection of examples?

EVIDENCE.md, trap 2: whole repositories can be examples. Such a repository demonstrates
tools; it does not use them. The signal is the README's title (data/zones.yaml says which
titles, which paths are the repository's own infrastructure, and which capabilities are
its own engineering).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mlops_scan.snapshot.tree import Snapshot
from mlops_scan.snapshot.zones import zones_document
from mlops_scan.types import Evidence, Strength, Zone

_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$|<h[1-3][^>]*>\s*(.+?)\s*</h[1-3]>", re.M | re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_README = re.compile(r"^readme(\.(md|markdown|rst|txt))?$", re.I)


@dataclass(frozen=True)
class _Policy:
    title: re.Pattern[str]
    infra: re.Pattern[str]
    engineering: frozenset[str]


@lru_cache(maxsize=1)
def _policy() -> _Policy:
    data = zones_document()["examples_collection"]
    return _Policy(
        re.compile(data["readme_title"]), re.compile(data["infra_paths"]), frozenset(data["engineering_capabilities"])
    )


def examples_collection_title(snapshot: Snapshot) -> str | None:
    """The README's first heading (Markdown or HTML) when it presents the repository as a collection of examples."""
    readme = next((f.path for f in snapshot.files if "/" not in f.path and _README.match(f.path)), None)
    if readme is None:
        return None
    match = _HEADING.search(snapshot.read_text(readme) or "")
    if match is None:
        return None
    title = " ".join(_TAGS.sub(" ", match.group(1) or match.group(2)).split())
    return title if _policy().title.search(title) else None


def demote_examples(evidence: list[Evidence]) -> list[Evidence]:
    """Down-grade what an examples collection only demonstrates (ML capabilities, non-infrastructure paths)."""
    policy = _policy()
    out = []
    for e in evidence:
        own = e.capability in policy.engineering and bool(policy.infra.search(e.path))
        if own or e.strength is Strength.WEAK or e.zone is not Zone.PROJECT:
            out.append(e)
        else:
            out.append(
                Evidence(e.capability, e.rule, e.path, e.line, e.snippet, Strength.WEAK, Zone.EXAMPLES, e.strength)
            )
    return out
