"""One level per ML project of a monorepo: evidence attributed to project roots, and the roll-up.

Attribution (docs/monorepos.md): evidence inside a project's folder is that project's. Evidence in a
file outside every project is shared, and counts for every project, unless it narrows itself:

1. its matched text names project folders (``pytest projects/a/tests``, ``cd projects/b``): those;
2. else the innermost working folder of its CI step, job or file (``working-directory:``): the
   projects inside or around that folder;
3. else the path filters of its CI job or file (``paths: [projects/a/**]``): the projects the
   filters reach; filters that reach none (``**.py``, ``shared/**``) leave it shared.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import MaturityModel
from mlops_scan.assessment.results import Assessment, PerProject, ProjectAssessment
from mlops_scan.errors import UsageError
from mlops_scan.facts.ciscope import CiScope, read_scopes
from mlops_scan.facts.roots import ProjectRoot, find_roots, literal_folder, root_markers
from mlops_scan.snapshot.tree import Snapshot
from mlops_scan.types import Evidence


def pipeline_files(evidence: list[Evidence]) -> list[str]:
    """Files that define a training pipeline on an orchestrator (they make their folder a project root)."""
    wanted = set(root_markers()["pipeline_rules"])
    return sorted({e.path for e in evidence if e.rule in wanted})


def attribute(
    evidence: list[Evidence], roots: list[ProjectRoot], scopes: list[CiScope]
) -> dict[str, tuple[list[Evidence], int]]:
    """Project path -> (its evidence, how many of those pieces are shared)."""
    out: dict[str, tuple[list[Evidence], int]] = {r.path: ([], 0) for r in roots}
    by_file: dict[str, list[CiScope]] = {}
    for scope in scopes:
        by_file.setdefault(scope.path, []).append(scope)
    for item in evidence:
        owner = next((r for r in roots if r.holds(item.path)), None)
        if owner is not None:
            out[owner.path][0].append(item)
            continue
        for root in _shared_with(item, roots, by_file.get(item.path, [])):
            items, shared = out[root.path]
            items.append(item)
            out[root.path] = (items, shared + 1)
    return out


def _shared_with(item: Evidence, roots: list[ProjectRoot], scopes: list[CiScope]) -> list[ProjectRoot]:
    """The projects a piece of evidence outside every project counts for (the rules in the module doc)."""
    named = [r for r in roots if _names_folder(item.snippet, r.path)]
    if named:
        return named
    line = item.line or 1  # whole-file evidence: the scopes that start at the top of the file
    covering = sorted((s for s in scopes if s.first <= line <= s.last), key=lambda s: s.last - s.first)
    workdir = next((s.patterns[0] for s in covering if s.kind == "workdir"), None)
    if workdir is not None:
        return [r for r in roots if _reaches(workdir, r)]
    for scope in (s for s in covering if s.kind == "paths"):
        reached = [r for r in roots if any(_reaches(literal_folder(p), r) for p in scope.patterns if p[:1] != "!")]
        if reached:
            return reached
    return list(roots)


def _reaches(folder: str, root: ProjectRoot) -> bool:
    """Whether work in ``folder`` touches the project: the folder is inside it, or holds it."""
    return not folder or root.holds(folder) or root.path.startswith(folder + "/")


def _names_folder(text: str, folder: str) -> bool:
    return bool(folder) and re.search(rf"(^|[\s'\"=:,(\[])(\./)?{re.escape(folder)}(/|$|[\s'\",)\]])", text) is not None


def assess_projects(
    model: MaturityModel,
    evidence: list[Evidence],
    roots: list[ProjectRoot],
    scopes: list[CiScope],
    assumed: dict[str, str] | None = None,
) -> PerProject:
    """Assess each project on its attributed evidence; with no root below the top, the repository is the one project."""
    roots = roots or [ProjectRoot("", ())]
    attributed = attribute(evidence, roots, scopes)
    projects = tuple(
        ProjectAssessment(r, assess(model, attributed[r.path][0], root=r.name, assumed=assumed), attributed[r.path][1])
        for r in roots
    )
    return PerProject(projects, len(model.levels))


def with_projects(whole: Assessment, snapshot: Snapshot, evidence: list[Evidence]) -> Assessment:
    """The whole repository's assessment with every project's attached (``--per-project``)."""
    scopes = read_scopes(snapshot)
    roots = find_roots(snapshot, scopes, pipeline_files(evidence))
    return replace(whole, projects=assess_projects(whole.model, evidence, roots, scopes, _asserted(whole)))


def one_project(whole: Assessment, snapshot: Snapshot, evidence: list[Evidence], subdir: str) -> Assessment:
    """The assessment of the project in ``subdir`` alone, as if it were the repository (``--root``)."""
    folder = "/".join(p for p in subdir.replace("\\", "/").split("/") if p not in ("", "."))
    if not folder or ".." in folder.split("/") or not any(e.path.startswith(folder + "/") for e in snapshot.files):
        raise UsageError(f"--root {subdir}: not a folder with files below {whole.root}")
    scopes = read_scopes(snapshot)
    detected = find_roots(snapshot, scopes, pipeline_files(evidence))
    others = [r for r in detected if not (r.holds(folder) or r.path.startswith(folder + "/"))]
    target = ProjectRoot(folder, ())
    items, shared = attribute(evidence, [target, *others], scopes)[folder]
    note = f"Project {folder}: its own files and {shared} piece(s) of shared evidence from files outside every project."
    project = assess(whole.model, items, root=f"{whole.root.rstrip('/')}/{folder}", assumed=_asserted(whole))
    return replace(project, skipped=whole.skipped, inspected=whole.inspected, notes=(*whole.notes, note))


def _asserted(a: Assessment) -> dict[str, str]:
    return {cid: s.asserted for cid, s in a.capabilities.items() if s.asserted is not None}
