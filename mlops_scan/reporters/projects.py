"""The per-project part of a report (``--per-project``): each project's level, a capability-by-project
table and the roll-up, for the text, Markdown and JSON reporters (docs/monorepos.md)."""

from __future__ import annotations

from collections.abc import Callable

from mlops_scan.assessment.results import Assessment, PerProject


def rollup_dict(per: PerProject, model_levels: list[str]) -> dict[str, object]:
    """The roll-up as JSON: the rule, the level (the minimum) and the distribution over every level."""
    return {
        "rule": "minimum",
        "level": per.minimum,
        "level_name": model_levels[per.minimum],
        "projects": len(per.projects),
        "distribution": {str(n): count for n, count in per.distribution.items()},
    }


def json_fields(a: Assessment, document: Callable[[Assessment], dict[str, object]]) -> dict[str, object]:
    """``projects`` and ``rollup`` for the JSON report; each project shaped like the report's own fields."""
    if a.projects is None:
        return {}
    kept = ("level", "level_name", "levels", "capabilities", "ahead", "next_steps")
    projects = []
    for p in a.projects.projects:
        full = document(p.assessment)
        entry: dict[str, object] = {"root": p.project.name, "markers": list(p.project.markers)}
        entry |= {key: full[key] for key in kept}
        entry["shared_evidence"] = p.shared
        projects.append(entry)
    return {"projects": projects, "rollup": rollup_dict(a.projects, [lv.name for lv in a.model.levels])}


def _rows(a: Assessment) -> list[tuple[str, int, list[bool]]]:
    """(capability id, its level, present in each project) in model order, the level-0 finding first."""
    assert a.projects is not None
    out: list[tuple[str, int, list[bool]]] = []
    for level in a.model.levels:
        for cid in level.required + level.supporting:
            out.append((cid, level.number, [p.assessment.capabilities[cid].present for p in a.projects.projects]))
    return out


def text_lines(a: Assessment) -> list[str]:
    """The per-project section of the terminal report."""
    if a.projects is None:
        return []
    per = a.projects
    width = max(len(p.project.name) for p in per.projects)
    names = max(len(p.assessment.level_name) for p in per.projects)
    out = [
        "Per project (the level above is the whole repository's)",
        f"Roll-up: {per.rollup_text()}",
        f"  #  {'project':<{width}}  {'level':<{names + 3}}  shared evidence",
    ]
    for number, p in enumerate(per.projects, 1):
        level = f"{p.assessment.level}  {p.assessment.level_name}"
        out.append(f"  {number:<2} {p.project.name:<{width}}  {level:<{names + 3}}  {p.shared}")
    columns = "".join(f"{n:>3}" for n in range(1, len(per.projects) + 1))
    out += ["", f"  {'capability':<22} level{columns}"]
    for cid, number, present in _rows(a):
        marks = "".join(f"{'x' if here else '.':>3}" for here in present)
        out.append(f"  {cid:<22} {number:<5}{marks}")
    return out


def markdown_lines(a: Assessment, esc: Callable[[str], str]) -> list[str]:
    """The per-project section of the Markdown report (``esc`` escapes Markdown)."""
    if a.projects is None:
        return []
    per = a.projects
    shown = " · ".join(f"level {n}: {count}" for n, count in per.distribution.items() if count)
    out = [
        "### Per project",
        "",
        f"Roll-up: **level {per.minimum}**, the lowest of {len(per.projects)} project(s) ({shown}). "
        "The level above is the whole repository's.",
        "",
        "| Project | Level | Shared evidence | Found by |",
        "|---|---|---|---|",
    ]
    for p in per.projects:
        found = ", ".join(f"`{m}`" for m in p.project.markers) or "the repository root"
        out.append(
            f"| `{p.project.name}` | {p.assessment.level} · {esc(p.assessment.level_name)} | {p.shared} | {found} |"
        )
    out += ["", "| Capability | Level | " + " | ".join(f"`{p.project.name}`" for p in per.projects) + " |"]
    out.append("|---|---|" + "---|" * len(per.projects))
    for cid, level, present in _rows(a):
        out.append(f"| {cid} | {level} | " + " | ".join("✅" if here else "—" for here in present) + " |")
    return out
