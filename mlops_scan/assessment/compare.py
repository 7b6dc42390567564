"""What a change does to the maturity: level change, capabilities gained and lost, evidence added and removed."""

from __future__ import annotations

from dataclasses import dataclass

from mlops_scan.assessment.results import Assessment
from mlops_scan.types import CapabilityId, Evidence


@dataclass(frozen=True)
class MaturityChange:
    """``head`` against ``base``."""

    base: Assessment
    head: Assessment
    base_label: str
    head_label: str
    gained: tuple[CapabilityId, ...]
    lost: tuple[CapabilityId, ...]
    added: tuple[Evidence, ...]
    removed: tuple[Evidence, ...]

    @property
    def level_change(self) -> int:
        return self.head.level - self.base.level

    @property
    def unchanged(self) -> bool:
        return not (self.level_change or self.gained or self.lost or self.added or self.removed)


def _key(e: Evidence) -> tuple[str, str, str]:
    """Evidence identity across revisions: the rule, the file and what matched (a line that moved is no change)."""
    return (e.rule, e.path, e.snippet)


def compare(base: Assessment, head: Assessment, base_label: str, head_label: str) -> MaturityChange:
    """The change from ``base`` to ``head`` (assessed with the same model)."""
    order = list(head.capabilities)
    was = {cid for cid, s in base.capabilities.items() if s.present}
    now = {cid for cid, s in head.capabilities.items() if s.present}
    before = [e for s in base.capabilities.values() for e in s.evidence]
    after = [e for s in head.capabilities.values() for e in s.evidence]
    before_keys, after_keys = {_key(e) for e in before}, {_key(e) for e in after}
    return MaturityChange(
        base,
        head,
        base_label,
        head_label,
        tuple(c for c in order if c in now - was),
        tuple(c for c in order if c in was - now),
        tuple(e for e in after if _key(e) not in before_keys),
        tuple(e for e in before if _key(e) not in after_keys),
    )
