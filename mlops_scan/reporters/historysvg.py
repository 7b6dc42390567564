"""A self-contained SVG chart of a history: the level over time above one band per capability.

No script, no external font, stylesheet or link: the file renders the same anywhere (a README,
a CI artifact). Every label is XML-escaped, and characters that hide or reorder text are shown as ``\\uXXXX``.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from mlops_scan.assessment.timeline import Timeline
from mlops_scan.reporters.escape import escaped

CELL = 26
"""Width of one revision's column."""
LABELS = 200
"""Width of the capability names on the left."""
BAND = 16
TOP = 40
CHART = 110
FOOT = 90
FONT = "font-family='DejaVu Sans,Verdana,Geneva,sans-serif'"
SMALL = FONT + " font-size='11'"
COLORS = ("#9e9e9e", "#4c8eda", "#36a269", "#e0a030", "#b45fc9", "#d9534f")
"""Band colour by the capability's level (0-5)."""


@escaped("svg")
def render_svg(timeline: Timeline) -> str:
    """The chart as an SVG document."""
    points, capabilities = timeline.points, list(timeline.model.capabilities.items())
    top_level = len(timeline.model.levels) - 1
    width = max(LABELS + max(len(points), 1) * CELL + 20, 480)
    bands_top = TOP + CHART + 20
    height = bands_top + len(capabilities) * BAND + FOOT
    title = f"MLOps maturity over {len(points)} revision(s): {timeline.repository}"
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label={quoteattr(title)}>",
        f"<title>{escape(title)}</title>",
        f"<rect width='{width}' height='{height}' fill='#ffffff'/>",
        f"<text x='10' y='22' {FONT} font-size='14' font-weight='bold'>{escape(title)}</text>",
    ]
    out += _level_chart(timeline, top_level)
    for row, (cid, definition) in enumerate(capabilities):
        y = bands_top + row * BAND
        color = COLORS[min(definition.level, len(COLORS) - 1)]
        out.append(f"<text x='{LABELS - 8}' y='{y + 12}' text-anchor='end' {SMALL}>{escape(cid)}</text>")
        out.append(f"<rect x='{LABELS}' y='{y + 1}' width='{len(points) * CELL}' height='{BAND - 2}' fill='#f2f2f2'/>")
        for col, point in enumerate(points):
            if cid in point.present:
                tip = f"{cid} present at {point.revision.label}"
                out.append(
                    f"<rect x='{LABELS + col * CELL}' y='{y + 1}' width='{CELL}' height='{BAND - 2}' "
                    f"fill='{color}'><title>{escape(tip)}</title></rect>"
                )
    labels_top = bands_top + len(capabilities) * BAND + 8
    for col, point in enumerate(points):
        x = LABELS + col * CELL + CELL // 2
        out.append(
            f"<text x='{x}' y='{labels_top}' transform='rotate(45 {x} {labels_top})' {SMALL}>"
            f"{escape(point.revision.label[:24])}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _level_chart(timeline: Timeline, top_level: int) -> list[str]:
    """Axis, grid lines and the level as a step line, one step per revision."""
    out = []
    scale = CHART / max(top_level, 1)
    for level in range(top_level + 1):
        y = TOP + CHART - level * scale
        out.append(
            f"<line x1='{LABELS}' y1='{y:.1f}' x2='{LABELS + len(timeline.points) * CELL}' y2='{y:.1f}' stroke='#dddddd'/>"
        )
        name = f"level {level}"
        out.append(f"<text x='{LABELS - 8}' y='{y + 4:.1f}' text-anchor='end' {SMALL}>{escape(name)}</text>")
    if not timeline.points:
        return out
    runs: list[list[str]] = [[]]
    for col, point in enumerate(timeline.points):
        if point.skipped is not None:  # a grey column instead of a step: the line breaks there
            tip = f"{point.revision.label} ({point.revision.date[:10]}): skipped: {point.skipped}"
            out.append(
                f"<rect x='{LABELS + col * CELL}' y='{TOP}' width='{CELL}' height='{CHART}' fill='#e6e6e6'>"
                f"<title>{escape(tip)}</title></rect>"
            )
            runs.append([])
            continue
        y = TOP + CHART - point.level * scale
        runs[-1].append(f"{LABELS + col * CELL},{y:.1f} {LABELS + (col + 1) * CELL},{y:.1f}")
    for steps in (r for r in runs if r):
        out.append(f"<polyline points='{' '.join(steps)}' fill='none' stroke='#1f5fa8' stroke-width='3'/>")
    for col, point in enumerate(timeline.points):
        if point.skipped is not None:
            continue
        y = TOP + CHART - point.level * scale
        tip = f"{point.revision.label} ({point.revision.date[:10]}): level {point.level}, {timeline.level_name(point.level)}"
        out.append(
            f"<circle cx='{LABELS + col * CELL + CELL // 2}' cy='{y:.1f}' r='4' fill='#1f5fa8'>"
            f"<title>{escape(tip)}</title></circle>"
        )
    return out
