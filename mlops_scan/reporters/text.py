"""The terminal report: the level, the ladder with evidence, what is ahead, next steps.

Lines are wrapped to ``options.width`` columns (the terminal's, 80 off a terminal); a path is never
shortened: a long one is folded after a ``/`` and continues on an indented line.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from mlops_scan.assessment.results import Assessment, CapabilityStatus
from mlops_scan.reporters import ansi, projects
from mlops_scan.reporters.options import PLAIN, RenderOptions

WIDTH = 80
"""Columns off a terminal (the default of :attr:`RenderOptions.width`)."""
MIN_WIDTH = 60
"""Narrower terminals get this width: the ladder's columns need it."""
DETAIL = "      "
"""Indent of a capability's reason, location and chain when they do not fit after its name."""


class _PathWrapper(textwrap.TextWrapper):
    """Breaks at spaces; a word longer than a line (a long path) is broken after a ``/`` where one fits."""

    def __init__(self, width: int, indent: str, first: str) -> None:
        super().__init__(width, initial_indent=first, subsequent_indent=indent, break_on_hyphens=False)

    def _handle_long_word(self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int) -> None:
        room = max(width - cur_len, 1)
        word = reversed_chunks[-1]
        cut = word.rfind("/", 0, room) + 1 or room
        cur_line.append(word[:cut])
        reversed_chunks[-1] = word[cut:]


@dataclass
class _Page:
    """The report's lines being written: the width, colour, and the helpers every section uses."""

    width: int
    color: bool
    lines: list[str] = field(default_factory=list)

    def style(self, text: str, **kw: Any) -> str:
        return ansi.style(text, **kw) if self.color else text

    def fold(self, text: str, indent: str = "  ", first: str = "") -> list[str]:
        """``text`` wrapped to the width (``first``: a prefix the first line starts with), continuations indented."""
        return _PathWrapper(self.width, indent, first).wrap(text) or [first]

    def wrap(self, text: str, indent: str = "  ", **kw: Any) -> None:
        self.lines.extend(self.style(line, **kw) if kw else line for line in self.fold(text, indent))


def render(assessment: Assessment, options: RenderOptions = PLAIN) -> str:
    """Render the assessment for a person reading a terminal (``options.verbose``: every skipped file and why)."""
    a = assessment
    page = _Page(max(options.width, MIN_WIDTH), options.color)
    page.wrap(f"mlops-scan: {a.root}")
    page.lines.append(page.style(f"MLOps maturity level {a.level}: {a.level_name}", bold=True, fg="cyan"))
    _model_lines(a, page)
    page.lines.append("")
    for status in a.levels[1:]:
        d = status.definition
        state = "reached" if status.reached else "not reached"
        tally = f"[{page.style(state, fg='green' if status.reached else 'red')}, {status.present}/{status.total} capabilities]"
        name = page.style(f"Level {d.number}  {d.name}", bold=True)
        fits = len(f"Level {d.number}  {d.name}  [{state}, {status.present}/{status.total} capabilities]") <= page.width
        page.lines.extend([f"{name}  {tally}"] if fits else [name, f"  {tally}"])
        for cid in d.required + d.supporting:
            page.lines.extend(_capability_lines(a.capabilities[cid], cid in d.required, page))
        page.lines.append("")
    _notebooks(a, page)
    _ahead_and_next(a, page)
    if a.projects is not None:
        page.lines += ["", *projects.text_lines(a)]
    _notes_and_skipped(a, page, options.verbose)
    return "\n".join(page.lines) + "\n"


def _model_lines(a: Assessment, page: _Page) -> None:
    """The model (and where it came from, when not built-in) with the level's recommendation, then the warning
    when the scanned repository supplied the model, rules or assumptions."""
    model = a.model.name if a.provenance.model_origin == "built-in" else f"{a.model.name}, {a.provenance.model_label()}"
    page.wrap(f"({model}; {a.model.levels[a.level].recommendation})", indent=" ", dim=True)
    warning = a.provenance.warning()
    if warning:
        page.wrap(f"Warning: {warning}", fg="yellow", bold=True)


def _notebooks(a: Assessment, page: _Page) -> None:
    """The notebook share of the code, and the notebook-centric remediation at level 0."""
    notebook = a.capabilities.get("notebook_centric")  # type: ignore[call-overload]
    measure = a.measurements.get("notebook")
    if not isinstance(measure, dict) or not measure.get("notebooks"):
        return
    verdict = "notebook-centric" if notebook and notebook.present else "not notebook-centric"
    page.wrap(f"Notebooks: {measure['share']:.0%} of code lines in {measure['notebooks']} notebook(s) ({verdict}).")
    if notebook and notebook.present and a.level == 0:
        page.wrap("  Most ML code lives in notebooks: " + notebook.definition.remediation, indent="    ")
    page.lines.append("")


def _ahead_and_next(a: Assessment, page: _Page) -> None:
    """Capabilities ahead of the level reached, then the next steps (or the top level's message)."""
    if a.ahead:
        names = ", ".join(
            f"{a.capabilities[c].definition.name} (level {a.capabilities[c].definition.level})" for c in a.ahead
        )
        missing = [s.capability for s in a.next_steps]
        tail = f", but level {a.level + 1} is missing {', '.join(missing)}" if missing else ""
        page.wrap(f"Ahead of your level: {names}{tail}.")
        page.lines.append("")
    if a.next_steps:
        page.wrap(f"Next steps to reach level {a.level + 1}:", bold=True)
        for step in a.next_steps:
            page.wrap(f"- {step.name}: {step.remediation}", indent="    ")
    elif a.level == len(a.model.levels) - 1:
        page.wrap("Top level reached: keep the evidence current.")


def _notes_and_skipped(a: Assessment, page: _Page, verbose: bool) -> None:
    """The scan's notes, then the skipped files (every one with ``verbose``, else the first and a count)."""
    skipped = len(a.skipped)
    if not skipped and not a.notes:
        return
    page.lines.append("")
    for note in a.notes:
        page.wrap(f"Note: {note}")
    if skipped and verbose:
        page.lines.append(f"Skipped {skipped} file(s):")
        for s in a.skipped:
            page.wrap(f"  {s.path}: {s.reason}", indent="    ")
    elif skipped:
        first = a.skipped[0]
        page.wrap(
            f"Skipped {skipped} file(s), e.g. {first.path}: {first.reason} (all with --verbose or --format json)."
        )


def _capability_lines(status: CapabilityStatus, required: bool, page: _Page) -> list[str]:
    """One line per capability; the reason (when missing), a long location and the chain get lines of their own."""
    mark = page.style("[x]", fg="green") if status.present else page.style("[ ]", fg="red")
    tag = "required" if required else "supporting"
    plain_head = f"  [x] {status.definition.id:<22} {tag:<10} "
    head = f"  {mark} {status.definition.id:<22} {tag:<10} "
    best = status.best
    if status.asserted is not None:
        parts = [f"asserted: {status.asserted}"]
    elif best is None:
        parts = ["no evidence"]
    else:
        zone = f", {best.zone.value}" if best.zone.value != "project" else ""
        location = f"{best.location} ({best.strength.value}{zone})"
        parts = [location] if status.present else [status.reason, location]
    if best is not None and best.via and status.asserted is None:
        parts.append(_chain(best.via))
    dim = not status.present
    out: list[str] = []
    if len(plain_head) + len(parts[0]) <= page.width:
        out.append(head + page.style(parts.pop(0), dim=dim))
    else:
        out.append(head.rstrip())
    for part in parts:
        out.extend(page.style(line, dim=dim) for line in page.fold(part, DETAIL + "  ", DETAIL))
    return out


def _chain(hops: tuple[str, ...]) -> str:
    """``via a.py:3 -> b.py:10,24 -> c.py:7``: the hops in order, those in one file sharing its name."""
    merged: list[tuple[str, list[str]]] = []
    for hop in hops:
        path, _, line = hop.rpartition(":")
        if merged and merged[-1][0] == path:
            merged[-1][1].append(line)
        else:
            merged.append((path, [line]))
    return "via " + " -> ".join(f"{path}:{','.join(lines)}" for path, lines in merged)
