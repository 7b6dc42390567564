"""What the Evidence stage produced (:class:`ScanResult`), and its JSON form kept in the scan record.

Decoding checks every field (rules by id against the rule set of the scan, strengths and zones by name, counts
as whole numbers); a value of another shape raises ValueError: the record is then a miss.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_scan.rules.loader import Rule
from mlops_scan.types import CapabilityId, Evidence, ProjectInfo, RuleId, Skipped, Strength, Zone


@dataclass
class ScanResult:
    """What the Evidence stage produced, and what it looked at."""

    evidence: list[Evidence]
    project: ProjectInfo
    inspected: dict[str, object] = field(default_factory=dict)
    measurements: dict[str, object] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    """Every file (or part) not read or not analysed, and why: the listing's, the reads' and the parses', once each."""
    errors: list[str] = field(default_factory=list)
    """Remarks for the report: matcher failures on single files (the scan went on)."""
    readme_title: str | None = None
    """The first heading of the root README (the assessment judges whether it names a collection of examples)."""


def encode_result(result: ScanResult) -> dict[str, object]:
    """The result as JSON-ready data."""
    return {
        "evidence": [_encoded(e) for e in result.evidence],
        "project": [sorted(result.project.packages), sorted(result.project.distributions)],
        "inspected": result.inspected,
        "measurements": result.measurements,
        "skipped": [[s.path, s.reason] for s in result.skipped],
        "errors": result.errors,
        "readme_title": result.readme_title,
    }


def _encoded(e: Evidence) -> list[object]:
    rule_strength = e.rule_strength.value if e.rule_strength else None
    return [e.capability, e.rule, e.path, e.line, e.snippet, e.strength.value, e.zone.value, rule_strength, list(e.via)]


_INSPECTED: dict[str, type] = {
    "files_listed": int,
    "files_read": int,
    "bytes_read": int,
    "parsed": dict,
    "listing": str,
    "source": dict,
    "rule_packs_not_scanned": list,
    "evidence_not_listed": dict,
}


def decode_result(value: object, rules: dict[str, Rule[object]]) -> ScanResult:
    """The result :func:`encode_result` made; ValueError when ``value`` has another shape or names an unknown rule."""
    if not isinstance(value, dict) or set(value) != {*encode_result(ScanResult([], ProjectInfo()))}:
        raise ValueError("not a scan result")
    project = _list(value["project"])
    if len(project) != 2:
        raise ValueError("project: not packages and distributions")
    inspected, measurements = value["inspected"], value["measurements"]
    if not isinstance(inspected, dict) or not all(type(inspected.get(k, t())) is t for k, t in _INSPECTED.items()):
        raise ValueError("inspected: not the report's section")
    if set(inspected) - set(_INSPECTED) or not isinstance(measurements, dict):
        raise ValueError("inspected or measurements: unknown fields")
    title = value["readme_title"]
    if not (title is None or isinstance(title, str)):
        raise ValueError("readme_title: not text")
    return ScanResult(
        [_evidence(item, rules) for item in _list(value["evidence"])],
        ProjectInfo(frozenset(_strings(project[0])), frozenset(_strings(project[1]))),
        inspected,
        measurements,
        [_skipped(pair) for pair in _list(value["skipped"])],
        _strings(value["errors"]),
        title,
    )


def _evidence(item: object, rules: dict[str, Rule[object]]) -> Evidence:
    if not isinstance(item, list) or len(item) != 9:
        raise ValueError("not a piece of evidence")
    capability, rule_id, path, line, snippet, strength, zone, rule_strength, via = item
    rule = rules.get(rule_id) if isinstance(rule_id, str) else None
    if rule is None or rule.capability != capability or not isinstance(path, str) or not isinstance(snippet, str):
        raise ValueError("not a piece of evidence of this rule set")
    if not (line is None or type(line) is int):
        raise ValueError("line: not a whole number")
    return Evidence(
        CapabilityId(rule.capability),
        RuleId(rule.id),
        path,
        line,
        snippet,
        Strength(strength),
        Zone(zone),
        None if rule_strength is None else Strength(rule_strength),
        tuple(_strings(via)),
    )


def _skipped(pair: object) -> Skipped:
    if not isinstance(pair, list) or len(pair) != 2:
        raise ValueError("not a skipped file")
    path, reason = _strings(pair)
    return Skipped(path, reason)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def _strings(value: object) -> list[str]:
    items = _list(value)
    if not all(isinstance(item, str) for item in items):
        raise ValueError("expected a list of text")
    return [str(item) for item in items]
