"""The one registry of report formats: the command line's ``--format`` choices and the configuration's
``format`` key both come from here.

Reporter modules are imported only when a report is rendered (``mlops-scan --help`` stays fast).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from mlops_scan.reporters.escape import escape_report
from mlops_scan.reporters.options import PLAIN, RenderOptions

if TYPE_CHECKING:
    from mlops_scan.assessment.results import Assessment

Renderer = Callable[["Assessment", RenderOptions], str]

REPORTERS: dict[str, str] = {
    "text": "mlops_scan.reporters.text",
    "json": "mlops_scan.reporters.json",
    "markdown": "mlops_scan.reporters.markdown",
    "sarif": "mlops_scan.reporters.sarif",
    "shields": "mlops_scan.reporters.shields",
    "github": "mlops_scan.reporters.github",
    "gitlab": "mlops_scan.reporters.gitlab",
    "badge": "mlops_scan.reporters.badge",
}
"""Format name -> the module whose ``render(assessment, options)`` produces it."""
FORMATS = tuple(name for name in REPORTERS if name != "badge")
"""The formats a report can be written in (``--format``, ``format =``); the SVG badge has its own option."""


def renderer(name: str) -> Renderer:
    """The render function of format ``name`` (a KeyError for an unknown name: callers validate first)."""
    render: Renderer = importlib.import_module(REPORTERS[name]).render
    return render


def render(name: str, assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """The report of ``assessment`` in format ``name``, unsafe characters escaped (:mod:`.escape`)."""
    return escape_report(name, renderer(name)(assessment, options))
