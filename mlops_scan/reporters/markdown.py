"""The Markdown report, for a CI job summary ($GITHUB_STEP_SUMMARY), a merge-request note or a PR comment.

Evidence links are relative to the repository (``path#L12``) unless a ``link_base`` (a
URL of the scanned commit's files) is given; :func:`~mlops_scan.reporters.options.link_base_from_env` derives one on
GitHub Actions and GitLab CI so links work from a job summary or a comment.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from mlops_scan.assessment.results import Assessment, CapabilityStatus
from mlops_scan.reporters import projects
from mlops_scan.reporters.badge import message
from mlops_scan.reporters.options import PLAIN, RenderOptions

MARKER = "<!-- mlops-scan report -->"
"""First line of every report: lets a bot find and update its earlier PR comment."""
_ESCAPE = re.compile(r"([\\`*_\[\]<>|~])")
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """Render the assessment as GitHub-flavoured Markdown (evidence links start with ``options.link_base``)."""
    link_base = options.link_base
    a = assessment
    top = len(a.model.levels) - 1
    out = [MARKER, f"## MLOps maturity: level {a.level} of {top} · {_esc(a.level_name)}", ""]
    warning = a.provenance.warning()
    if warning:
        out += [f"> [!WARNING]\n> {_esc(warning)}", ""]
    model = _esc(a.model.name)
    if a.provenance.model_origin != "built-in":
        model += f" (`{_code(a.model.id)}`, {_esc(a.provenance.model_label())})"
    out.append(f"**{_esc(message(a))}** on the {model}. {_esc(a.model.levels[a.level].recommendation)}")
    out += ["", "| Level | Name | Status | Capabilities present |", "|---|---|---|---|"]
    for status in a.levels[1:]:
        d = status.definition
        state = "✅ reached" if status.reached else "❌ not reached"
        out.append(f"| {d.number} | {_esc(d.name)} | {state} | {status.present}/{status.total} |")
    out += ["", "| Capability | Level | Role | Status | Evidence |", "|---|---|---|---|---|"]
    for level in a.model.levels[1:]:
        for cid in level.required + level.supporting:
            out.append(
                _capability_row(a.capabilities[cid], "required" if cid in level.required else "supporting", link_base)
            )
    asserted = [s for s in a.capabilities.values() if s.asserted is not None]
    if asserted:
        out += [
            "",
            "*Asserted* capabilities are declared present by the team in configuration; mlops-scan did not "
            "detect them.",
        ]
    notebook = _notebooks(a)
    if notebook:
        out += ["", notebook]
    if a.ahead:
        names = ", ".join(
            f"{_esc(a.capabilities[c].definition.name)} (level {a.capabilities[c].definition.level})" for c in a.ahead
        )
        out += ["", f"Ahead of the level: {names}."]
    out += ["", *_next_steps(a, top)]
    if a.projects is not None:
        out += ["", *projects.markdown_lines(a, _esc)]
    details = _details(a)
    if details:
        out += ["", "<details><summary>Scan details</summary>", "", *details, "", "</details>"]
    return "\n".join(out) + "\n"


def _capability_row(status: CapabilityStatus, role: str, link_base: str) -> str:
    d = status.definition
    best = status.best
    if status.asserted is not None:
        state, evidence = f"☑️ *asserted*: {_esc(status.asserted)}", "—"
    else:
        state = f"✅ {status.reason}" if status.present else f"❌ {status.reason}"
        evidence = _link(best.path, best.line, link_base) if best else "—"
        if best and (best.strength.value != "strong" or best.zone.value != "project"):
            zone = f", {best.zone.value}" if best.zone.value != "project" else ""
            evidence += f" ({best.strength.value}{zone})"
        if len(status.evidence) > 1:
            evidence += f" and {len(status.evidence) - 1} more"
    return f"| {_esc(d.name)} (`{d.id}`) | {d.level} | {role} | {state} | {evidence} |"


def _next_steps(a: Assessment, top: int) -> list[str]:
    if not a.next_steps:
        return ["Top level reached: keep the evidence current."] if a.level == top else []
    lines = [f"### Next steps to reach level {a.level + 1}", ""]
    lines += [f"- **{_esc(s.name)}** (`{s.capability}`): {_esc(s.remediation)}" for s in a.next_steps]
    return lines


def _notebooks(a: Assessment) -> str:
    measure = a.measurements.get("notebook")
    status = a.capabilities.get("notebook_centric")  # type: ignore[call-overload]
    if not isinstance(measure, dict) or not measure.get("notebooks"):
        return ""
    verdict = "notebook-centric" if status is not None and status.present else "not notebook-centric"
    return f"Notebooks: {measure['share']:.0%} of code lines in {measure['notebooks']} notebook(s) ({verdict})."


def _details(a: Assessment) -> list[str]:
    lines = []
    if a.inspected:
        listed, read = a.inspected.get("files_listed"), a.inspected.get("files_read")
        if listed is not None:
            lines.append(f"- {listed} file(s) listed, {read} read.")
    if a.skipped:
        first = a.skipped[0]
        lines.append(f"- Skipped {len(a.skipped)} file(s), e.g. `{_code(first.path)}`: {_esc(first.reason)}.")
    lines += [f"- {_esc(note)}" for note in a.notes]
    return lines


def _link(path: str, line: int | None, base: str) -> str:
    text = f"{path}:{line}" if line else path
    target = quote(path, safe="/-_.~") + (f"#L{line}" if line else "")
    return f"[{_esc(text)}]({base}{target})"


def _esc(text: str) -> str:
    """Escape Markdown syntax and keep the text on one line (table cells, link texts)."""
    return _ESCAPE.sub(r"\\\1", _one_line(str(text)))


def _code(text: str) -> str:
    """Text for inside single backticks."""
    return _one_line(text.replace("`", "'"))


def _one_line(text: str) -> str:
    """ASCII whitespace runs as one space; U+0085, U+2028 and the like are kept for the escaping to show."""
    return _ASCII_SPACE.sub(" ", text).strip(" ")
