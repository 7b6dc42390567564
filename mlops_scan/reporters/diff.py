"""``mlops-scan diff`` as text, as Markdown for a pull-request comment, and as JSON."""

from __future__ import annotations

import json

from mlops_scan import __version__
from mlops_scan.assessment.compare import MaturityChange
from mlops_scan.reporters.escape import escaped
from mlops_scan.reporters.json import evidence_dict
from mlops_scan.reporters.markdown import _code, _esc
from mlops_scan.types import CapabilityId, Evidence

SCHEMA_VERSION = "1.0"
MARKER = "<!-- mlops-scan diff -->"
"""First line of the Markdown: a bot finds its earlier comment by it and updates it."""
MAX_LISTED = 30
"""Evidence lines listed per direction in Markdown (a comment stays readable); the rest are counted."""


def _verdict(change: MaturityChange) -> str:
    delta = change.level_change
    return "unchanged" if delta == 0 else f"up {delta}" if delta > 0 else f"down {-delta}"


def _name(change: MaturityChange, cid: CapabilityId) -> str:
    return change.head.capabilities[cid].definition.name


@escaped("text")
def render_text(change: MaturityChange) -> str:
    base, head = change.base, change.head
    lines = [
        f"mlops-scan diff: {change.base_label} -> {change.head_label}",
        f"level {base.level} ({base.level_name}) -> {head.level} ({head.level_name}): {_verdict(change)}",
    ]
    lines += [f"gained: {cid} ({_name(change, cid)})" for cid in change.gained]
    lines += [f"lost: {cid} ({_name(change, cid)})" for cid in change.lost]
    for sign, title, items in (("+", "added", change.added), ("-", "removed", change.removed)):
        if items:
            lines.append(f"evidence {title} ({len(items)}):")
            lines += [f"  {sign} {_evidence_text(e)}" for e in items]
    if change.unchanged:
        lines.append("no change in capabilities or evidence")
    return "\n".join(lines) + "\n"


def _evidence_text(e: Evidence) -> str:
    return f"{e.capability}  {e.location}  {e.rule} ({e.strength.value}): {e.snippet}"


@escaped("markdown")
def render_markdown(change: MaturityChange) -> str:
    base, head = change.base, change.head
    arrow = "→"
    lines = [
        MARKER,
        f"### MLOps maturity: level {base.level} {arrow} {head.level} ({_verdict(change)})",
        "",
        f"`{_code(change.head_label)}` against `{_code(change.base_label)}`: "
        f"**{_esc(head.level_name)}** (was {_esc(base.level_name)}).",
        "",
    ]
    if change.gained or change.lost:
        lines += ["| change | capability | level |", "|---|---|---|"]
        for sign, ids in (("gained", change.gained), ("lost", change.lost)):
            for cid in ids:
                level = head.capabilities[cid].definition.level
                lines.append(f"| {sign} | {_esc(_name(change, cid))} (`{cid}`) | {level} |")
        lines.append("")
    if change.added or change.removed:
        lines += [
            f"<details><summary>Evidence: {len(change.added)} added, {len(change.removed)} removed</summary>",
            "",
        ]
        for sign, items in (("added:", change.added), ("removed:", change.removed)):
            lines += [
                f"- {sign} `{_code(e.location)}` {_esc(e.rule)} ({e.strength.value}): `{_code(e.snippet[:80])}`"
                for e in items[:MAX_LISTED]
            ]
            if len(items) > MAX_LISTED:
                lines.append(f"- {sign} ... and {len(items) - MAX_LISTED} more")
        lines += ["", "</details>", ""]
    if change.unchanged:
        lines += ["No change in capabilities or evidence.", ""]
    lines.append(f"<sub>mlops-scan {__version__}</sub>")
    return "\n".join(lines) + "\n"


def document(change: MaturityChange) -> dict[str, object]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlops-scan", "version": __version__},
        "base": {"revision": change.base_label, "level": change.base.level, "level_name": change.base.level_name},
        "head": {"revision": change.head_label, "level": change.head.level, "level_name": change.head.level_name},
        "level_change": change.level_change,
        "gained": list(change.gained),
        "lost": list(change.lost),
        "evidence_added": [{"capability": e.capability, **evidence_dict(e)} for e in change.added],
        "evidence_removed": [{"capability": e.capability, **evidence_dict(e)} for e in change.removed],
    }


@escaped("json")
def render_json(change: MaturityChange) -> str:
    return json.dumps(document(change), indent=2, ensure_ascii=False) + "\n"
