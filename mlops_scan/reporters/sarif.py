"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning's upload conventions).

Results: each missing required capability of the next level (``warning``), each capability
whose evidence is too weak to count (``note``), each capability the team asserted in
configuration (``note``), and the ``notebook_centric`` finding when present (``note``).

A result with evidence points at its best evidence and at the pack rule that found it:
``rules[]`` describes those rules (title, description, help from the rule's catalogue entry
in docs/detectors.md). A result about a capability as a whole (missing without any evidence,
asserted) points at a descriptor of the capability and, having no file, at a repository-level
file (the configuration file, a README, a manifest), because GitHub rejects a whole upload when
one result has no location; in a repository with no file at all such findings are notifications
of the run's invocation instead. ``automationDetails.id`` is ``mlops-scan/``: GitHub files the
run under the category ``mlops-scan``. No URI points at mlops-scan's own pages: the rule
catalogue is docs/detectors.md of the installed version (``mlops-scan rules show ID``).
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

from mlops_scan import __version__
from mlops_scan.assessment.maturity import CapabilityDef
from mlops_scan.assessment.results import Assessment
from mlops_scan.reporters.findings import Finding, findings
from mlops_scan.reporters.options import PLAIN, RenderOptions
from mlops_scan.reporters.projects import rollup_dict

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
AUTOMATION_ID = "mlops-scan/"
"""The run's automation id: GitHub takes the category from the part before the last slash."""
FINGERPRINT = "mlopsScanFinding/v1"


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """The SARIF log as indented JSON (``options.files``/``preferred_anchor``: where repository-level results point)."""
    a = assessment
    rules, found = _rules_and_results(a, options)
    results = [r for r in found if "locations" in r]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlops-scan",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": AUTOMATION_ID},
                "invocations": [_invocation([r for r in found if "locations" not in r])],
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {
                    "level": a.level,
                    "levelName": a.level_name,
                    "model": a.model.id,
                    "modelSource": a.provenance.model_origin,
                    "asserted": [cid for cid, s in a.capabilities.items() if s.asserted is not None],
                }
                | _provenance_properties(a)
                | _project_properties(a),
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rules_and_results(
    a: Assessment, options: RenderOptions
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The rule descriptors and the results: the repository's findings, or each project's with ``--per-project``."""
    found = findings(a, options)
    owners: dict[str, CapabilityDef] = {}
    for finding in found:
        owners.setdefault(finding.rule_id, finding.status.definition)
    rule_ids = list(owners)
    results = [_result(finding, rule_ids.index(finding.rule_id)) for finding in found]
    return [_descriptor(rid, d, options) for rid, d in owners.items()], results


def _provenance_properties(a: Assessment) -> dict[str, object]:
    """The model file, and what the scanned repository's configuration supplied (with the warning), when any."""
    p = a.provenance
    out: dict[str, object] = {"modelFile": p.model_file} if p.model_file else {}
    if p.from_repository:
        out |= {"fromRepository": list(p.from_repository), "trustedConfig": p.trusted, "warning": p.warning()}
    return out


def _project_properties(a: Assessment) -> dict[str, object]:
    """With ``--per-project``: each project's level and present capabilities, and the roll-up."""
    if a.projects is None:
        return {}
    table = [
        {
            "root": p.project.name,
            "level": p.assessment.level,
            "levelName": p.assessment.level_name,
            "present": [cid for cid, s in p.assessment.capabilities.items() if s.present],
        }
        for p in a.projects.projects
    ]
    rollup = rollup_dict(a.projects, [lv.name for lv in a.model.levels])
    rollup["levelName"] = rollup.pop("level_name")  # SARIF property bags here are camelCase
    return {"projects": table, "rollup": rollup}


def _descriptor(rule_id: str, cap: CapabilityDef, options: RenderOptions) -> dict[str, object]:
    """The reportingDescriptor of a pack rule of capability ``cap`` (from the scan's rules), or of ``cap`` itself."""
    if rule_id == cap.id:
        return _capability_descriptor(cap)
    rule = options.rules.get(rule_id)
    title, description, remediation = (
        (rule.title, rule.description, rule.remediation) if rule else (cap.name, cap.what or cap.name, cap.remediation)
    )
    docs = f"\n\n[Tool documentation]({rule.docs})" if rule and rule.docs else ""
    properties: dict[str, object] = {"tags": ["mlops", "maturity", f"level-{cap.level}"], "capability": cap.id}
    if rule:
        properties |= {"strength": rule.strength.value, "kind": rule.kind}
    return {
        "id": rule_id,
        "name": _camel(rule_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        "help": {
            "text": f"{description} Next step: {remediation}",
            "markdown": f"{description}\n\n**Next step:** {remediation}{docs}\n\n"
            f"Rule catalogue: `mlops-scan rules show {rule_id}`.",
        },
        "defaultConfiguration": {"level": "note"},
        "properties": properties,
    }


def _capability_descriptor(d: CapabilityDef) -> dict[str, object]:
    """The reportingDescriptor of a capability (results about the capability as a whole)."""
    role = "finding" if d.role == "finding" else f"{d.role} for level {d.level}"
    return {
        "id": d.id,
        "name": _camel(d.id),
        "shortDescription": {"text": f"{d.name} ({role})"},
        "fullDescription": {"text": d.what or d.name},
        "help": {
            "text": d.remediation,
            "markdown": f"**Next step:** {d.remediation}\n\nRules: `mlops-scan rules list -c {d.id}`.",
        },
        "defaultConfiguration": {"level": "warning" if d.role == "required" else "note"},
        "properties": {"tags": ["mlops", "maturity", f"level-{d.level}"], "level": d.level, "role": d.role},
    }


def _result(finding: Finding, index: int) -> dict[str, object]:
    """One SARIF result: at its evidence's file and line, or at the repository-level anchor."""
    result: dict[str, object] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": finding.severity,
        "message": {"text": finding.message},
    }
    if finding.path is not None:
        result["locations"] = [_location(finding.path, {"startLine": finding.line} if finding.line else {})]
    digest = hashlib.sha256(finding.key.encode()).hexdigest()[:32]  # the repository's findings keep theirs
    result["partialFingerprints"] = {FINGERPRINT: digest}
    properties: dict[str, object] = {
        "category": finding.category,
        "capability": finding.capability,
        "repositoryLevel": finding.evidence is None,
        "evidence": len(finding.status.evidence),
    }
    result["properties"] = properties | ({"project": finding.project} if finding.project else {})
    return result


def _invocation(unlocated: list[dict[str, object]]) -> dict[str, object]:
    """The run's invocation; findings with no file to point at (an empty repository) are its notifications."""
    notes = [{"descriptor": {"id": r["ruleId"]}, "level": r["level"], "message": r["message"]} for r in unlocated]
    return {"executionSuccessful": True, **({"toolExecutionNotifications": notes} if notes else {})}


def _location(path: str, region: dict[str, int]) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}}
    if region:
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative URI reference for a repository path (percent-encoding what a URI cannot hold)."""
    return quote(path, safe="/-_.~!$&'()*+,;=:@")


def _camel(identifier: str) -> str:
    """``ci.github-actions`` -> ``CiGithubActions`` (SARIF's human-readable rule name)."""
    return "".join(part.title() for part in re.split(r"[._-]", identifier) if part)
