"""GitHub Actions workflow commands: one annotation per finding (:mod:`.findings`), at its file and line.

``::warning file=PATH,line=N,title=TITLE::MESSAGE`` for a missing required capability of the next level,
``::notice`` for the rest, and a first ``::notice`` with the level reached. Values are escaped as the Actions
toolkit does (``%``, CR and LF in the message; also ``:`` and ``,`` in properties), so no repository text can end
a command or start another one.
"""

from __future__ import annotations

from mlops_scan.assessment.results import Assessment
from mlops_scan.reporters.findings import Finding, findings
from mlops_scan.reporters.options import PLAIN, RenderOptions

COMMAND = {"warning": "warning", "note": "notice"}
LABEL = {
    "missing": "missing for level {level}",
    "insufficient": "evidence too weak to count",
    "asserted": "asserted, not detected",
    "finding": "finding",
}


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: as a message, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    """``::name key=value,...::message``, every value escaped (properties that are None left out)."""
    shown = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + shown if shown else ''}::{escape_data(message)}"


def annotation(finding: Finding, prefix: str = "") -> str:
    """The workflow command of one finding (``prefix``: the scanned folder's path in the work tree)."""
    d = finding.status.definition
    title = f"mlops-scan: {d.name} ({LABEL[finding.category].format(level=d.level)})"
    file = finding.path_in_repository(prefix)
    return command(COMMAND[finding.severity], finding.message, file=file, line=finding.line, title=title)


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """The annotations (``options.files``/``preferred_anchor``: where repository-level findings point;
    ``options.path_prefix``: file paths are given from the top of the work tree, as GitHub needs them)."""
    a = assessment
    summary = command("notice", f"{a.level_name} ({a.model.name})", title=f"mlops-scan: MLOps maturity level {a.level}")
    return "\n".join([summary, *(annotation(f, options.path_prefix) for f in findings(a, options))]) + "\n"
