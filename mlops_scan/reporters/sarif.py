"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning's upload conventions).

One rule per capability. Results: each missing required capability of the next level
(``warning``), each capability whose evidence is too weak to count (``note``), each
capability the team asserted in configuration (``note``), and the ``notebook_centric``
finding when present (``note``). A result points at its best evidence; without a file
to point at, it points at ``anchor`` (a repository-level file the CLI chooses), because
GitHub rejects results that have no location.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from urllib.parse import quote

from mlops_scan import __version__
from mlops_scan.assessment.maturity import Assessment, CapabilityStatus
from mlops_scan.types import CapabilityId

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URL = "https://github.com/mlops-scan/mlops-scan/blob/main/docs/detectors.md"
"""The generated detector catalogue; each capability is a section anchored by its id."""
ANCHOR_NAMES = ("README.md", "README.rst", "README.txt", "README", "pyproject.toml", "setup.py", "setup.cfg")
FINGERPRINT = "mlopsScanFinding/v1"


def render(assessment: Assessment, anchor: str | None = None) -> str:
    """The SARIF log as indented JSON; ``anchor`` is the file repository-level results point at."""
    a = assessment
    cap_ids = list(a.capabilities)
    rules = [_rule(a.capabilities[cid]) for cid in cap_ids]
    results = [
        _result(cid, cap_ids.index(cid), level, category, text, a.capabilities[cid], anchor)
        for cid, level, category, text in _findings(a)
    ]
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
                        "informationUri": DOCS_URL,
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {
                    "level": a.level,
                    "levelName": a.level_name,
                    "model": a.model.id,
                    "asserted": [cid for cid, s in a.capabilities.items() if s.asserted is not None],
                },
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


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


def _rule(status: CapabilityStatus) -> dict[str, object]:
    d = status.definition
    role = "finding" if d.role == "finding" else f"{d.role} for level {d.level}"
    return {
        "id": d.id,
        "name": "".join(part.title() for part in d.id.split("_")),
        "shortDescription": {"text": f"{d.name} ({role})"},
        "fullDescription": {"text": d.what or d.name},
        "help": {
            "text": d.remediation,
            "markdown": f"**Next step:** {d.remediation}\n\n[Detectors]({DOCS_URL}#{_anchor(d.id)})",
        },
        "helpUri": f"{DOCS_URL}#{_anchor(d.id)}",
        "defaultConfiguration": {"level": "warning" if d.role == "required" else "note"},
        "properties": {"tags": ["mlops", "maturity", f"level-{d.level}"], "level": d.level, "role": d.role},
    }


def _result(
    cid: CapabilityId, index: int, level: str, category: str, text: str, status: CapabilityStatus, anchor: str | None
) -> dict[str, object]:
    best = status.best if category in ("missing", "insufficient", "finding") else None
    result: dict[str, object] = {"ruleId": cid, "ruleIndex": index, "level": level, "message": {"text": text}}
    if best is not None and best.path not in ("", "."):
        region = {"startLine": best.line} if best.line else {}
        result["locations"] = [_location(best.path, region)]
    elif anchor:
        result["locations"] = [_location(anchor, {})]
    digest = hashlib.sha256(f"{cid}:{category}".encode()).hexdigest()[:32]
    result["partialFingerprints"] = {FINGERPRINT: digest}
    result["properties"] = {
        "category": category,
        "repositoryLevel": best is None or best.path in ("", "."),
        "evidence": len(status.evidence),
    }
    return result


def _location(path: str, region: dict[str, int]) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"}}
    if region:
        physical["region"] = region
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative URI reference for a repository path (percent-encoding what a URI cannot hold)."""
    return quote(path, safe="/-_.~!$&'()*+,;=:@")


def _anchor(cid: str) -> str:
    """GitHub's heading anchor for a capability section of docs/detectors.md."""
    return re.sub(r"[^a-z0-9_-]", "", cid.lower())
