"""The terminal report: the level, the ladder with evidence, what is ahead, next steps (80 columns)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import click

from mlops_scan.assessment.results import Assessment, CapabilityStatus
from mlops_scan.reporters import projects
from mlops_scan.reporters.options import PLAIN, RenderOptions

WIDTH = 80


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """Render the assessment for a person reading a terminal (``options.verbose``: every skipped file and why)."""
    color, verbose = options.color, options.verbose

    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]

    a = assessment
    out: list[str] = []
    out.append(f"mlops-scan: {a.root}")
    heading = f"MLOps maturity level {a.level}: {a.level_name}"
    out.append(style(heading, bold=True, fg="cyan"))
    out.extend(_model_lines(a, style))
    out.append("")
    for status in a.levels[1:]:
        d = status.definition
        state = style("reached", fg="green") if status.reached else style("not reached", fg="red")
        out.append(
            style(f"Level {d.number}  {d.name}", bold=True)
            + f"  [{state}, {status.present}/{status.total} capabilities]"
        )
        for cid in d.required + d.supporting:
            out.extend(_capability_lines(a.capabilities[cid], cid in d.required, style))
        out.append("")
    notebook = a.capabilities.get("notebook_centric")  # type: ignore[call-overload]
    measure = a.measurements.get("notebook")
    if isinstance(measure, dict) and measure.get("notebooks"):
        verdict = "notebook-centric" if notebook and notebook.present else "not notebook-centric"
        out.append(
            f"Notebooks: {measure['share']:.0%} of code lines in {measure['notebooks']} notebook(s) ({verdict})."
        )
        if notebook and notebook.present and a.level == 0:
            out.extend(_wrap("  Most ML code lives in notebooks: " + notebook.definition.remediation, indent="    "))
        out.append("")
    if a.ahead:
        names = ", ".join(
            f"{a.capabilities[c].definition.name} (level {a.capabilities[c].definition.level})" for c in a.ahead
        )
        missing = [s.capability for s in a.next_steps]
        tail = f", but level {a.level + 1} is missing {', '.join(missing)}" if missing else ""
        out.extend(_wrap(f"Ahead of your level: {names}{tail}."))
        out.append("")
    if a.next_steps:
        out.append(style(f"Next steps to reach level {a.level + 1}:", bold=True))
        for step in a.next_steps:
            out.extend(_wrap(f"- {step.name}: {step.remediation}", indent="    "))
    elif a.level == len(a.model.levels) - 1:
        out.append("Top level reached: keep the evidence current.")
    if a.projects is not None:
        out += ["", *projects.text_lines(a)]
    skipped = len(a.skipped)
    if skipped or a.notes:
        out.append("")
        for note in a.notes:
            out.extend(_wrap(f"Note: {note}"))
        if skipped and verbose:
            out.append(f"Skipped {skipped} file(s):")
            out.extend(f"  {s.path}: {s.reason}" for s in a.skipped)
        elif skipped:
            first = a.skipped[0]
            out.extend(
                _wrap(
                    f"Skipped {skipped} file(s), e.g. {first.path}: {first.reason} (all with --verbose or --format json)."
                )
            )
    return "\n".join(out) + "\n"


def _capability_lines(status: CapabilityStatus, required: bool, style) -> list[str]:  # type: ignore[no-untyped-def]
    """One line per capability; the reason (when missing) and a long location get their own line."""
    mark = style("[x]", fg="green") if status.present else style("[ ]", fg="red")
    tag = "required" if required else "supporting"
    head = f"  {mark} {status.definition.id:<22} {tag:<10} "
    room = WIDTH - len(f"  [x] {status.definition.id:<22} {tag:<10} ")
    best = status.best
    if status.asserted is not None:
        parts = [f"asserted: {status.asserted}"]
    elif best is None:
        parts = ["no evidence"]
    else:
        zone = f", {best.zone.value}" if best.zone.value != "project" else ""
        location = f"{_shorten(best.location, WIDTH - 6 - len(zone) - 12)} ({best.strength.value}{zone})"
        parts = [location] if status.present else [status.reason, location]
    dim = not status.present
    if best is not None and best.via and status.asserted is None:
        parts.append(_chain(best.via, WIDTH - 6))
    if len(parts) == 1 and len(parts[0]) <= room:
        return [head + style(parts[0], dim=dim)]
    if len(parts[0]) <= room:
        return [head + style(parts[0], dim=dim)] + ["      " + style(p, dim=dim) for p in parts[1:]]
    return [head.rstrip()] + ["      " + style(p, dim=dim) for p in parts]


def _chain(hops: tuple[str, ...], width: int) -> str:
    """``via a.py:3 -> b.py:10,24 -> c.py:7`` in ``width`` columns: hops in one file share its name, and when
    the full paths do not fit, file names stand for them (the JSON report keeps every path)."""
    merged: list[tuple[str, list[str]]] = []
    for hop in hops:
        path, _, line = hop.rpartition(":")
        if merged and merged[-1][0] == path:
            merged[-1][1].append(line)
        else:
            merged.append((path, [line]))
    for full in (True, False):
        text = "via " + " -> ".join(
            f"{path if full else path.rsplit('/', 1)[-1]}:{','.join(lines)}" for path, lines in merged
        )
        if len(text) <= width:
            return text
    return _shorten(text, width)


def _shorten(path: str, width: int) -> str:
    """Keep a long path readable in ``width`` columns: its start and its end, the middle elided."""
    if len(path) <= width or width < 12:
        return path
    keep = width - 3
    return path[: keep // 3] + "..." + path[-(keep - keep // 3) :]


def _model_lines(a: Assessment, style: Callable[..., str]) -> list[str]:
    """The model (and where it came from, when not built-in) with the level's recommendation, then the warning
    when the scanned repository supplied the model, rules or assumptions."""
    model = a.model.name if a.provenance.model_origin == "built-in" else f"{a.model.name}, {a.provenance.model_label()}"
    recommendation = f"({model}; {a.model.levels[a.level].recommendation})"
    lines = [style(line, dim=True) for line in _wrap(recommendation, indent=" ")]
    warning = a.provenance.warning()
    if warning:
        lines += [style(line, fg="yellow", bold=True) for line in _wrap(f"Warning: {warning}")]
    return lines


def _wrap(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent, break_on_hyphens=False) or [""]
