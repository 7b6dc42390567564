"""A GitLab Code Quality report (``artifacts:reports:codequality``): one issue per finding (:mod:`.findings`).

Each issue has the fields GitLab reads: ``description``, ``check_name`` (the rule, or the capability for a
finding about it as a whole), ``fingerprint`` (stable across scans: project, capability and category),
``severity`` and ``location.path`` with ``location.lines.begin`` (line 1 for whole-file and repository-level
findings). A finding with no file to point at (a repository with no file at all) cannot be an issue and is left out.
"""

from __future__ import annotations

import hashlib
import json

from mlops_scan.assessment.results import Assessment
from mlops_scan.reporters.findings import Finding, findings
from mlops_scan.reporters.options import PLAIN, RenderOptions

SEVERITY = {"missing": "major", "insufficient": "minor", "asserted": "info", "finding": "minor"}
"""GitLab's scale is info, minor, major, critical, blocker: a missing required capability is the most serious
finding a maturity scan makes, and none blocks."""


def issue(finding: Finding, prefix: str = "") -> dict[str, object]:
    """The Code Quality issue of one located finding (``prefix``: the scanned folder's path in the work tree)."""
    return {
        "description": finding.message,
        "check_name": finding.rule_id,
        "fingerprint": hashlib.sha256(f"mlops-scan:{finding.key}".encode()).hexdigest()[:32],
        "severity": SEVERITY[finding.category],
        "location": {"path": finding.path_in_repository(prefix), "lines": {"begin": finding.line or 1}},
    }


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """The report as an indented JSON array (``options.files``/``preferred_anchor``: where repository-level
    findings point; ``options.path_prefix``: paths are given from the top of the work tree, as GitLab reads them)."""
    issues = [issue(f, options.path_prefix) for f in findings(assessment, options) if f.path is not None]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
