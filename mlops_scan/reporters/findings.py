"""What the code-review formats report (SARIF, GitHub annotations, GitLab Code Quality), each at a file and line.

A finding is each missing required capability of the next level (``warning``), each capability whose evidence is
too weak to count (``note``), each capability the team asserted in configuration (``note``), and the
``notebook_centric`` finding when present (``note``); with ``--per-project``, each project's. A finding with
evidence points at its best evidence; one about a capability as a whole (missing without evidence, asserted)
points at a repository-level file: the project's marker, the configuration file, a README or manifest, any top
file (None in a repository with no file at all).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mlops_scan.assessment.results import Assessment, CapabilityStatus
from mlops_scan.reporters.options import RenderOptions
from mlops_scan.types import CapabilityId, Evidence

ANCHOR_NAMES = ("README.md", "README.rst", "README.txt", "README", "pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class Finding:
    """One result of a code-review format."""

    capability: CapabilityId
    severity: str
    """``warning`` (a missing required capability of the next level) or ``note``."""
    category: str
    """``missing``, ``insufficient``, ``asserted`` or ``finding``."""
    message: str
    status: CapabilityStatus
    evidence: Evidence | None
    """The evidence the finding points at; None for a finding about the capability as a whole."""
    path: str | None
    """The file it points at: the evidence's, else the repository-level anchor (None: no file to point at)."""
    project: str = ""
    """The project's root with ``--per-project``; '' for the whole repository."""

    def path_in_repository(self, prefix: str) -> str | None:
        """The path from the top of the work tree (``prefix``: the scanned folder's path there)."""
        return f"{prefix}/{self.path}" if prefix and self.path is not None else self.path

    @property
    def line(self) -> int | None:
        """The evidence's line (None for whole-file evidence and repository-level findings)."""
        return self.evidence.line if self.evidence is not None else None

    @property
    def rule_id(self) -> str:
        """The pack rule behind the evidence; the capability for a finding without evidence."""
        return self.evidence.rule if self.evidence is not None else self.capability

    @property
    def key(self) -> str:
        """What stays the same from one scan to the next: project, capability and category (for fingerprints)."""
        return (
            f"{self.project}:{self.capability}:{self.category}"
            if self.project
            else f"{self.capability}:{self.category}"
        )


def findings(a: Assessment, options: RenderOptions) -> list[Finding]:
    """The findings of the repository, or of each project with ``--per-project``, in model order."""
    anchor = anchor_for(options.files, options.preferred_anchor)
    if a.projects is None:
        return _scope(a, "", anchor)
    listed = set(options.files)
    out: list[Finding] = []
    for p in a.projects.projects:
        marker = next((m for m in p.project.markers if m in listed), anchor)
        out += _scope(p.assessment, p.project.name, marker)
    return out


def anchor_for(paths: Iterable[str], preferred: str | None = None) -> str | None:
    """The repository-level file to attach results without evidence to: ``preferred``, a README or manifest, any root file."""
    listed = set(paths)
    if preferred and preferred in listed:
        return preferred
    for name in ANCHOR_NAMES:
        if name in listed:
            return name
    top = sorted((p for p in listed if "/" not in p), key=lambda p: (p.startswith("."), p))
    return top[0] if top else (min(listed) if listed else None)


def _scope(a: Assessment, project: str, anchor: str | None) -> list[Finding]:
    """The findings of one assessment (the repository's, or one project's)."""
    missing = {step.capability for step in a.next_steps}
    out = []
    for cid, status in a.capabilities.items():
        d = status.definition
        if cid in missing:
            level = a.model.levels[d.level].name
            found = (
                "warning",
                "missing",
                f"Level {d.level} ({level}) requires {d.name}: {status.reason}. {d.remediation}",
            )
        elif status.asserted is not None:
            found = ("note", "asserted", f"{d.name} is asserted in configuration, not detected: {status.asserted}")
        elif d.role == "finding" and status.present:
            found = ("note", "finding", f"{d.what} {d.remediation}")
        elif d.role != "finding" and not status.present and status.evidence:
            found = ("note", "insufficient", f"{d.name} is not counted: {status.reason}. {d.remediation}")
        else:
            continue
        best = status.best if found[1] != "asserted" else None
        best = best if best is not None and best.path not in ("", ".") else None
        path = best.path if best is not None else anchor
        severity, category, message = found
        message = f"{project}: {message}" if project else message
        out.append(Finding(cid, severity, category, message, status, best, path, project))
    return out
