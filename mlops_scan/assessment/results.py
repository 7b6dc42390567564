"""What the Assessment stage produces: each capability's and level's status, the next steps, and the per-project
roll-up; reporters are functions of an ``Assessment`` alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlops_scan.assessment.maturity import CapabilityDef, LevelDef, MaturityModel
from mlops_scan.assessment.provenance import Provenance
from mlops_scan.types import CapabilityId, Evidence, Skipped

if TYPE_CHECKING:
    from mlops_scan.facts.roots import ProjectRoot


@dataclass(frozen=True)
class CapabilityStatus:
    """One capability's verdict and the evidence behind it."""

    definition: CapabilityDef
    present: bool
    reason: str
    """Why: 'strong evidence', 'medium evidence from 2 rules', 'only weak evidence', 'no evidence', 'asserted: ...'."""
    evidence: tuple[Evidence, ...]
    """Best first."""
    asserted: str | None = None
    """The team's reason when the capability is declared present in configuration (never detected)."""

    @property
    def best(self) -> Evidence | None:
        """The strongest piece of evidence, if any."""
        return self.evidence[0] if self.evidence else None


@dataclass(frozen=True)
class LevelStatus:
    """One level's result."""

    definition: LevelDef
    reached: bool
    present: int
    total: int

    @property
    def completeness(self) -> float:
        """Present capabilities of this level over all of them."""
        return self.present / self.total if self.total else 1.0


@dataclass(frozen=True)
class NextStep:
    """A missing required capability of the next level, with what to do."""

    capability: CapabilityId
    name: str
    level: int
    remediation: str


@dataclass(frozen=True)
class Assessment:
    """Everything a report shows; reporters are functions of this alone."""

    root: str
    model: MaturityModel
    level: int
    levels: tuple[LevelStatus, ...]
    capabilities: dict[CapabilityId, CapabilityStatus]
    ahead: tuple[CapabilityId, ...]
    next_steps: tuple[NextStep, ...]
    skipped: tuple[Skipped, ...] = ()
    inspected: dict[str, object] = field(default_factory=dict)
    measurements: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    projects: PerProject | None = None
    """With ``--per-project``: each project's assessment and the roll-up (this one is the whole repository's)."""
    provenance: Provenance = field(default_factory=Provenance)
    """Where the model, rules and assumptions came from (reports warn when the scanned repository supplied them)."""

    @property
    def level_name(self) -> str:
        """Name of the level reached."""
        return self.model.levels[self.level].name


@dataclass(frozen=True)
class ProjectAssessment:
    """A project's level, from its own evidence and the shared evidence attributed to it."""

    project: ProjectRoot
    assessment: Assessment
    shared: int
    """How many pieces of its evidence come from files outside every project."""


@dataclass(frozen=True)
class PerProject:
    """Every project's assessment and the roll-up over them."""

    projects: tuple[ProjectAssessment, ...]
    levels: int
    """How many levels the model has (for the distribution)."""

    @property
    def minimum(self) -> int:
        """The roll-up level: the lowest level of any project (the repository is as mature as its weakest)."""
        return min((p.assessment.level for p in self.projects), default=0)

    @property
    def distribution(self) -> dict[int, int]:
        """Level -> how many projects reached exactly that level, for every level of the model."""
        counts = dict.fromkeys(range(self.levels), 0)
        for p in self.projects:
            counts[p.assessment.level] += 1
        return counts

    def rollup_text(self) -> str:
        """``level 1 (minimum of 2 projects; level 1: 1, level 3: 1)``."""
        shown = ", ".join(f"level {n}: {c}" for n, c in self.distribution.items() if c)
        return f"level {self.minimum} (minimum of {len(self.projects)} projects; {shown})"
