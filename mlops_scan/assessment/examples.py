"""Repository-level judgement: is the whole repository a collection of examples?

EVIDENCE.md, trap 2: whole repositories can be examples. Such a repository demonstrates
tools; it does not use them. The signal is the README's title (a fact of the scan);
``examples_collection`` in data/zones.yaml says which titles, which paths are the
repository's own infrastructure, and which capabilities are its own engineering.
"""

from __future__ import annotations

from mlops_scan.snapshot.zones import zone_policy
from mlops_scan.types import Evidence, Strength, Zone


def is_examples_collection(readme_title: str | None) -> bool:
    """True when the README title presents the repository as a collection of examples."""
    return readme_title is not None and bool(zone_policy().examples_collection.readme_title.search(readme_title))


def examples_collection_note(readme_title: str) -> str:
    """The report's note saying why the repository's ML evidence was down-graded."""
    return (
        f"the README title ({readme_title!r}) presents this repository as a collection of examples: "
        "the ML capabilities it demonstrates count as examples (weak)"
    )


def demote_examples(evidence: list[Evidence]) -> list[Evidence]:
    """Down-grade what an examples collection only demonstrates (ML capabilities, non-infrastructure paths)."""
    policy = zone_policy().examples_collection
    out = []
    for e in evidence:
        own = e.capability in policy.engineering_capabilities and bool(policy.infra_paths.search(e.path))
        if own or e.strength is Strength.WEAK or e.zone is not Zone.PROJECT:
            out.append(e)
        else:
            out.append(
                Evidence(e.capability, e.rule, e.path, e.line, e.snippet, Strength.WEAK, Zone.EXAMPLES, e.strength)
            )
    return out
