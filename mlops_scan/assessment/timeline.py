"""Maturity over time: the level and the capabilities present at each selected revision."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_scan.assessment.maturity import MaturityModel
from mlops_scan.assessment.results import Assessment
from mlops_scan.snapshot.gitlog import Revision


@dataclass(frozen=True)
class Point:
    """The maturity of one revision."""

    revision: Revision
    level: int
    present: tuple[str, ...]
    """Present capability ids, in the model's order."""
    evidence: int
    """Pieces of evidence found."""
    reused: bool = False
    """The result was reused (same tree as an earlier revision, or from the cache), not scanned again."""
    skipped: str | None = None
    """Why the revision was not assessed (its configuration is broken); then level, present and evidence mean nothing."""


@dataclass
class Timeline:
    """Points in revision order (oldest first) and remarks about the selection."""

    repository: str
    model: MaturityModel
    points: list[Point] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def level_name(self, level: int) -> str:
        return self.model.levels[level].name

    def changes(self, index: int) -> tuple[list[str], list[str]]:
        """(gained, lost) capability ids at point ``index`` against the assessed point before it (the first gains
        all); none at a skipped point."""
        if self.points[index].skipped is not None:
            return [], []
        now = self.points[index].present
        earlier = self.previous(index)
        before: tuple[str, ...] = earlier.present if earlier else ()
        return [c for c in now if c not in before], [c for c in before if c not in now]

    def previous(self, index: int) -> Point | None:
        """The last assessed (not skipped) point before point ``index``."""
        return next((p for p in reversed(self.points[:index]) if p.skipped is None), None)


def skipped_point(revision: Revision, reason: str) -> Point:
    """A revision that could not be assessed, and why (one line)."""
    return Point(revision, 0, (), 0, skipped=" ".join(reason.split()))


def summary_row(assessment: Assessment) -> dict[str, object]:
    """What a timeline keeps of an assessment (also the cached form): level, present capabilities, evidence count."""
    present = [cid for cid, status in assessment.capabilities.items() if status.present]
    evidence = sum(len(status.evidence) for status in assessment.capabilities.values())
    return {"level": assessment.level, "present": present, "evidence": evidence}


def point_from_row(revision: Revision, row: object, model: MaturityModel, reused: bool) -> Point | None:
    """The point a summary row describes, or None when the row does not fit the model (a stale or damaged cache entry)."""
    if not isinstance(row, dict):
        return None
    level, present, evidence = row.get("level"), row.get("present"), row.get("evidence")
    if type(level) is not int or not 0 <= level < len(model.levels) or type(evidence) is not int:
        return None
    if not isinstance(present, list) or not all(isinstance(c, str) and c in model.capabilities for c in present):
        return None
    ordered = tuple(c for c in model.capabilities if c in present)
    return Point(revision, level, ordered, evidence, reused)
