"""Repository-level judgement: is the whole repository a collection of examples?

EVIDENCE.md, trap 2: whole repositories can be examples. Such a repository demonstrates
tools; it does not use them. The signals are the README's title and a course's layout (top-level folders
named as its lessons, chapters or weeks; facts of the scan);
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


def course_note(parts: tuple[str, ...]) -> str:
    """The report's note saying why a course's ML evidence was down-graded."""
    shown = ", ".join(parts[:4]) + (", ..." if len(parts) > 4 else "")
    return (
        f"the top-level folders ({shown}) lay this repository out as a course of {len(parts)} separate exercises: "
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


def judge_collection(
    evidence: list[Evidence], readme_title: str | None, course_parts: tuple[str, ...]
) -> tuple[list[Evidence], str | None]:
    """The evidence, down-graded when the README title or a course layout presents the repository as a
    collection of examples, with the note saying why (None for an ordinary repository)."""
    if readme_title is not None and is_examples_collection(readme_title):
        return demote_examples(evidence), examples_collection_note(readme_title)
    if course_parts:
        return demote_examples(evidence), course_note(course_parts)
    return evidence, None
