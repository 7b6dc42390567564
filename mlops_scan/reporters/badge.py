"""The README badge: a flat SVG ("MLOps level | 2 · automated training").

Text widths are measured with the advance widths of DejaVu Sans at 11 px (the metrics
family of Verdana, the badge font), and each text also carries ``textLength``, so a
renderer with another font scales the text to the measured box instead of clipping it.
"""

from __future__ import annotations

import math

from mlops_scan.assessment.results import Assessment
from mlops_scan.reporters.options import PLAIN, RenderOptions

LABEL = "MLOps level"
# shields.io's named colours, worst to best: red, orange, yellow, yellowgreen, brightgreen.
PALETTE = (
    ("red", "#e05d44"),
    ("orange", "#fe7d37"),
    ("yellow", "#dfb317"),
    ("yellowgreen", "#a4a61d"),
    ("brightgreen", "#44cc11"),
)
LABEL_COLOR = "#555"
FONT = "DejaVu Sans,Verdana,Geneva,sans-serif"
PADDING = 6
"""Horizontal space on each side of a text, in pixels."""

# Advance widths of DejaVu Sans at 11 px in tenths of a pixel, rounded up, for the characters 32 to 126.
_ASCII_WIDTHS = (
    35,
    45,
    51,
    93,
    70,
    105,
    86,
    31,
    43,
    43,
    55,
    93,
    35,
    40,
    35,
    38,
    70,
    70,
    70,
    70,
    70,
    70,
    70,
    70,
    70,
    70,
    38,
    38,
    93,
    93,
    93,
    59,
    110,
    76,
    76,
    77,
    85,
    70,
    64,
    86,
    83,
    33,
    33,
    73,
    62,
    95,
    83,
    87,
    67,
    87,
    77,
    70,
    68,
    81,
    76,
    109,
    76,
    68,
    76,
    43,
    38,
    43,
    93,
    55,
    55,
    68,
    70,
    61,
    70,
    68,
    39,
    70,
    70,
    31,
    31,
    64,
    31,
    108,
    70,
    68,
    70,
    70,
    46,
    58,
    44,
    70,
    66,
    90,
    66,
    66,
    58,
    70,
    38,
    70,
    93,
)
_OTHER_WIDTHS = {"\u00b7": 35, "\u2013": 55, "\u2014": 110, "\u2026": 110}
_WIDEST = 110
"""Width assumed for any other character: a full em, so a measured box is never too small."""


def text_width(text: str) -> int:
    """Width in whole pixels of ``text`` at 11 px, rounded up."""
    tenths = 0
    for char in text:
        code = ord(char)
        tenths += _ASCII_WIDTHS[code - 32] if 32 <= code < 127 else _OTHER_WIDTHS.get(char, _WIDEST)
    return math.ceil(tenths / 10)


def level_color(assessment: Assessment) -> tuple[str, str]:
    """The (shields.io name, hex) colour of the level reached: one colour per level, red at 0, green at the top."""
    top = len(assessment.model.levels) - 1
    level = assessment.projects.minimum if assessment.projects else assessment.level
    index = round(level * (len(PALETTE) - 1) / top) if top else len(PALETTE) - 1
    return PALETTE[index]


def message(assessment: Assessment) -> str:
    """``2 · automated training``; ``(1 asserted)`` is added when an asserted capability holds the level up, and
    ``(repository's own config)`` when the scanned repository supplied the model, rules or assumptions."""
    if assessment.projects is not None:  # --per-project: the roll-up
        per = assessment.projects
        name = _sentence_case(assessment.model.levels[per.minimum].name)
        text = f"{per.minimum} · {name} (lowest of {len(per.projects)} projects)"
    else:
        text = f"{assessment.level} · {_sentence_case(assessment.level_name)}"
        asserted = [
            cid
            for level in assessment.model.levels[1 : assessment.level + 1]
            for cid in level.required
            if assessment.capabilities[cid].asserted is not None
        ]
        text = f"{text} ({len(asserted)} asserted)" if asserted else text
    untrusted = assessment.provenance.from_repository and not assessment.provenance.trusted
    return f"{text} (repository's own config)" if untrusted else text


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """The badge as a flat-style SVG document (no options apply)."""
    label, value = LABEL, message(assessment)
    left, right = text_width(label) + 2 * PADDING, text_width(value) + 2 * PADDING
    width = left + right
    fill = level_color(assessment)[1]
    from xml.sax.saxutils import escape, quoteattr  # imports urllib.request: only a badge needs it

    title = f"{label}: {value}"
    texts = "".join(
        _text(content, x, fg)
        for content, x, fg in ((label, left / 2, "#fff"), (value, left + right / 2, _foreground(fill)))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_COLOR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{fill}"/>'
        f'<rect width="{width}" height="20" fill="url(#s)"/></g>'
        f'<g text-anchor="middle" font-family="{FONT}" text-rendering="geometricPrecision" font-size="110">'
        f"{texts}</g></svg>\n"
    )


def _text(content: str, center: float, fg: str) -> str:
    """A text and its shadow, drawn at ten times the size and scaled down (crisper in small badges)."""
    from xml.sax.saxutils import escape

    x, length, body = round(center * 10), text_width(content) * 10, escape(content)
    shadow = "#ccc" if fg != "#fff" else "#010101"
    return (
        f'<text aria-hidden="true" x="{x}" y="150" fill="{shadow}" fill-opacity=".3" transform="scale(.1)" '
        f'textLength="{length}">{body}</text>'
        f'<text x="{x}" y="140" fill="{fg}" transform="scale(.1)" textLength="{length}">{body}</text>'
    )


def _foreground(background: str) -> str:
    """White text on dark backgrounds, dark text on light ones."""
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#333" if (0.299 * red + 0.587 * green + 0.114 * blue) / 255 > 0.69 else "#fff"


def _sentence_case(name: str) -> str:
    """Lower-case capitalised words, keep words like MLOps and DevOps: 'Full MLOps automated operations'."""
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in name.split(" "))
