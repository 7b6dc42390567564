"""The values every stage passes on: evidence, skips, strengths and zones."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NewType

RuleId = NewType("RuleId", str)
CapabilityId = NewType("CapabilityId", str)


class Strength(str, enum.Enum):
    """How much one piece of evidence proves (MATURITY.md, "How evidence becomes a level")."""

    STRONG = "strong"
    MEDIUM = "medium"
    WEAK = "weak"

    @property
    def rank(self) -> int:
        """Higher is stronger: used to sort evidence, best first."""
        return {"strong": 3, "medium": 2, "weak": 1}[self.value]


class Zone(str, enum.Enum):
    """Where a file lives; evidence outside ``project`` is down-graded."""

    PROJECT = "project"
    TESTS = "tests"
    EXAMPLES = "examples"
    DOCS = "docs"
    TEMPLATES = "templates"
    VENDORED = "vendored"
    GENERATED = "generated"
    """Output a tool wrote and someone committed (MLflow runs, logger folders), not the project's code."""


@dataclass(frozen=True, order=True)
class Evidence:
    """One rule matching one place in the repository."""

    capability: CapabilityId
    """The capability the rule proves."""
    rule: RuleId
    """The id of the rule that matched."""
    path: str
    """POSIX path relative to the scanned root."""
    line: int | None
    """1-based line of the match, or None for whole-file or repository-wide evidence."""
    snippet: str
    """A short excerpt (at most one line) of what matched, or a measurement."""
    strength: Strength
    """Effective strength, after zone down-grading."""
    zone: Zone
    """Zone of ``path``."""
    rule_strength: Strength | None = None
    """The rule's own strength when the zone down-graded it, else None."""
    via: tuple[str, ...] = ()
    """The chain that proves the match, as ``path:line`` hops through the repository's own code (an import,
    an HTTP call and the route it lands on, ...), ending where the capability's API is called; empty when the
    file proves it alone."""

    @property
    def location(self) -> str:
        """``path:line`` (or just the path when there is no line)."""
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, order=True)
class Skipped:
    """A file the scan did not read or could not parse, and why."""

    path: str
    """POSIX path relative to the scanned root."""
    reason: str
    """One short sentence: what was wrong."""


@dataclass(frozen=True)
class ProjectInfo:
    """What the scan knows of the repository's own identity."""

    packages: frozenset[str] = frozenset()
    """Top-level import names of the repository's own packages."""
    distributions: frozenset[str] = frozenset()
    """Normalised distribution names the repository publishes."""
