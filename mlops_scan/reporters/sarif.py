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
from collections.abc import Iterable
from urllib.parse import quote

from mlops_scan import __version__
from mlops_scan.assessment.maturity import CapabilityDef
from mlops_scan.assessment.results import Assessment, CapabilityStatus
from mlops_scan.reporters.options import PLAIN, RenderOptions
from mlops_scan.reporters.projects import rollup_dict
from mlops_scan.types import CapabilityId, Evidence

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
AUTOMATION_ID = "mlops-scan/"
"""The run's automation id: GitHub takes the category from the part before the last slash."""
ANCHOR_NAMES = ("README.md", "README.rst", "README.txt", "README", "pyproject.toml", "setup.py", "setup.cfg")
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
    anchor = anchor_for(options.files, options.preferred_anchor)
    scopes = [(p.project.name, p.assessment) for p in a.projects.projects] if a.projects else [("", a)]
    owners: dict[str, CapabilityDef] = {}
    for _, scoped in scopes:
        for cid, _, category, _ in _findings(scoped):
            owners.setdefault(
                _rule_id(cid, _best(scoped.capabilities[cid], category)), scoped.capabilities[cid].definition
            )
    rule_ids = list(owners)
    listed = set(options.files)
    projects = a.projects.projects if a.projects else ()
    anchors = {p.project.name: next((m for m in p.project.markers if m in listed), anchor) for p in projects}
    results = []
    for project, scoped in scopes:
        for cid, level, category, text in _findings(scoped):
            best = _best(scoped.capabilities[cid], category)
            index = rule_ids.index(_rule_id(cid, best))
            found = (cid, index, rule_ids[index], level, category, text, scoped.capabilities[cid], best)
            results.append(_result(*found, anchors.get(project, anchor), project))
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


def _findings(a: Assessment) -> list[tuple[CapabilityId, str, str, str]]:
    """(capability, SARIF level, category, message) for everything worth a result, in model order."""
    missing = {step.capability: step for step in a.next_steps}
    out = []
    for cid, status in a.capabilities.items():
        d = status.definition
        if cid in missing:
            text = (
                f"Level {d.level} ({a.model.levels[d.level].name}) requires {d.name}: {status.reason}. {d.remediation}"
            )
            out.append((cid, "warning", "missing", text))
        elif status.asserted is not None:
            out.append(
                (cid, "note", "asserted", f"{d.name} is asserted in configuration, not detected: {status.asserted}")
            )
        elif d.role == "finding":
            if status.present:
                out.append((cid, "note", "finding", f"{d.what} {d.remediation}"))
        elif not status.present and status.evidence:
            text = f"{d.name} is not counted: {status.reason}. {d.remediation}"
            out.append((cid, "note", "insufficient", text))
    return out


def _best(status: CapabilityStatus, category: str) -> Evidence | None:
    """The evidence a result points at (asserted results point at none)."""
    best = status.best if category in ("missing", "insufficient", "finding") else None
    return best if best is not None and best.path not in ("", ".") else None


def _rule_id(cid: CapabilityId, best: Evidence | None) -> str:
    """The pack rule behind a result's evidence; the capability for a result without evidence."""
    return best.rule if best is not None else cid


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


def _result(
    cid: CapabilityId,
    index: int,
    rule_id: str,
    level: str,
    category: str,
    text: str,
    status: CapabilityStatus,
    best: Evidence | None,
    anchor: str | None,
    project: str = "",
) -> dict[str, object]:
    text = f"{project}: {text}" if project else text
    result: dict[str, object] = {"ruleId": rule_id, "ruleIndex": index, "level": level, "message": {"text": text}}
    if best is not None:
        region = {"startLine": best.line} if best.line else {}
        result["locations"] = [_location(best.path, region)]
    elif anchor:
        result["locations"] = [_location(anchor, {})]
    key = f"{project}:{cid}:{category}" if project else f"{cid}:{category}"  # the repository's findings keep theirs
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    result["partialFingerprints"] = {FINGERPRINT: digest}
    properties: dict[str, object] = {
        "category": category,
        "capability": cid,
        "repositoryLevel": best is None,
        "evidence": len(status.evidence),
    }
    result["properties"] = properties | ({"project": project} if project else {})
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
