"""The badge as a shields.io endpoint document (https://shields.io/badges/endpoint-badge)."""

from __future__ import annotations

import json

from mlops_scan.assessment.results import Assessment
from mlops_scan.reporters.badge import LABEL, level_color, message
from mlops_scan.reporters.options import PLAIN, RenderOptions


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """The endpoint document: label, message and colour of the badge (no options apply)."""
    document = {"schemaVersion": 1, "label": LABEL, "message": message(assessment), "color": level_color(assessment)[0]}
    return json.dumps(document, ensure_ascii=False) + "\n"
