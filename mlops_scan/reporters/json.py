"""The machine-readable report (documented in docs/json-output.md)."""

from __future__ import annotations

import json

from mlops_scan import __version__
from mlops_scan.assessment.results import Assessment
from mlops_scan.reporters import projects
from mlops_scan.reporters.options import PLAIN, RenderOptions
from mlops_scan.types import Evidence

SCHEMA_VERSION = "1.4"


def evidence_dict(e: Evidence) -> dict[str, object]:
    """One piece of evidence as a JSON object."""
    out: dict[str, object] = {
        "rule": e.rule,
        "path": e.path,
        "line": e.line,
        "strength": e.strength.value,
        "zone": e.zone.value,
        "snippet": e.snippet,
    }
    if e.rule_strength is not None:
        out["rule_strength"] = e.rule_strength.value
    if e.via:
        out["via"] = list(e.via)
    return out


def document(a: Assessment) -> dict[str, object]:
    """The report as a JSON-ready dict."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlops-scan", "version": __version__},
        "root": a.root,
        "model": {
            "id": a.model.id,
            "name": a.model.name,
            "source": a.provenance.model_origin,
            "file": a.provenance.model_file or None,
        },
        "configuration": {
            "file": a.provenance.config_file or None,
            "from_repository": list(a.provenance.from_repository),
            "trusted": a.provenance.trusted,
            "warning": a.provenance.warning(),
        },
        "level": a.level,
        "level_name": a.level_name,
        "levels": [
            {
                "level": s.definition.number,
                "name": s.definition.name,
                "reached": s.reached,
                "required": list(s.definition.required),
                "supporting": list(s.definition.supporting),
                "present": s.present,
                "total": s.total,
            }
            for s in a.levels
        ],
        "capabilities": {
            cid: {
                "name": s.definition.name,
                "present": s.present,
                "required_for_level": s.definition.level,
                "role": s.definition.role,
                "reason": s.reason,
                "asserted": s.asserted,
                "evidence": [evidence_dict(e) for e in s.evidence],
            }
            for cid, s in a.capabilities.items()
        },
        "ahead": list(a.ahead),
        "next_steps": [
            {"capability": n.capability, "level": n.level, "remediation": n.remediation} for n in a.next_steps
        ],
        "measurements": a.measurements,
        "inspected": a.inspected,
        "skipped": [{"path": s.path, "reason": s.reason} for s in a.skipped],
        "notes": list(a.notes),
    } | projects.json_fields(a, document)


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """Render the assessment as indented JSON (no options apply)."""
    return json.dumps(document(assessment), indent=2, ensure_ascii=False) + "\n"
