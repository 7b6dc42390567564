"""``mlops-scan history`` as a text table and as JSON (the SVG chart is in :mod:`.historysvg`)."""

from __future__ import annotations

import json

from mlops_scan import __version__
from mlops_scan.assessment.timeline import Timeline
from mlops_scan.reporters.escape import escaped

SCHEMA_VERSION = "1.1"


@escaped("text")
def render_text(timeline: Timeline) -> str:
    """One line per revision: label, date, commit, level, capabilities gained (+) and lost (-)."""
    points = timeline.points
    lines = [f"mlops-scan history: {timeline.repository} ({len(points)} revision(s), {timeline.model.name})"]
    if not points:
        return "\n".join([*lines, "no revisions selected", *timeline.notes]) + "\n"
    width = max(8, *(len(p.revision.label) for p in points))
    lines.append(f"{'revision':<{width}}  {'date':<10}  {'commit':<10}  level  changes")
    for index, point in enumerate(points):
        where = f"{point.revision.label:<{width}}  {point.revision.date[:10]:<10}  {point.revision.commit[:10]}  "
        if point.skipped is not None:
            lines.append(f"{where}{'-':<5}  skipped: {point.skipped}")
            continue
        gained, lost = timeline.changes(index)
        earlier = timeline.previous(index)
        before = earlier.level if earlier else point.level
        arrow = " ↑" if point.level > before else " ↓" if point.level < before else ""
        changes = " ".join([*(f"+{c}" for c in gained), *(f"-{c}" for c in lost)]) or "-"
        lines.append(f"{where}{str(point.level) + arrow:<5}  {changes}")
    return "\n".join(lines + timeline.notes) + "\n"


def document(timeline: Timeline) -> dict[str, object]:
    """The history as a JSON-ready dict (documented in docs/git.md)."""
    revisions = []
    for index, point in enumerate(timeline.points):
        gained, lost = timeline.changes(index)
        assessed = point.skipped is None
        revisions.append(
            {
                "revision": point.revision.label,
                "commit": point.revision.commit,
                "date": point.revision.date,
                "level": point.level if assessed else None,
                "level_name": timeline.level_name(point.level) if assessed else None,
                "present": list(point.present),
                "gained": gained,
                "lost": lost,
                "evidence": point.evidence,
                "reused": point.reused,
                "skipped": point.skipped,
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mlops-scan", "version": __version__},
        "repository": timeline.repository,
        "model": {"id": timeline.model.id, "name": timeline.model.name},
        "capabilities": [
            {"id": cid, "name": c.name, "level": c.level, "role": c.role}
            for cid, c in timeline.model.capabilities.items()
        ],
        "revisions": revisions,
        "notes": timeline.notes,
    }


@escaped("json")
def render_json(timeline: Timeline) -> str:
    return json.dumps(document(timeline), indent=2, ensure_ascii=False) + "\n"
