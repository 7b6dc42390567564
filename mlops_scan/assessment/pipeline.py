"""One scan, for every command (scan, fleet, history, diff): a snapshot's evidence placed on a maturity model."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import MaturityModel, load_model
from mlops_scan.assessment.results import Assessment
from mlops_scan.evidence import collect as evidence
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.facts.readme import course_parts
from mlops_scan.rules.lifecycle import rules_to_run
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import Snapshot


def model_rules(
    model: MaturityModel, extra: Sequence[Path] = (), repository: Sequence[Path] = ()
) -> list[Rule[object]]:
    """Every rule for the model's capabilities: built-in, plug-in, ``extra`` and ``repository`` packs (those the
    scanned repository supplied: their rules run under a time bound). A rule for a capability neither the model
    nor the built-in model knows is an error; one the model leaves out sits out."""
    catalogue = set(model.capabilities) | set(load_model("microsoft").capabilities)
    rules = [r for r in load_all_rules(catalogue, [*repository, *extra]) if r.capability in model.capabilities]
    if not repository:
        return rules
    supplied = _supplied({r.source for r in rules if r.source}, [p.resolve() for p in repository])
    return [replace(r, bounded=True) if r.source in supplied else r for r in rules]


def _supplied(sources: set[str], packs: list[Path]) -> set[str]:
    """The pack files among ``sources`` that lie in one of the repository's pack files or folders."""
    resolved = {source: Path(source).resolve() for source in sources}
    return {s for s, path in resolved.items() if any(path == p or path.is_relative_to(p) for p in packs)}


def rules_to_scan(
    rules: Sequence[Rule[object]], preview: bool = False, disable: Collection[str] = ()
) -> list[Rule[object]]:
    """The rules a scan runs: not disabled (by id or capability), experimental ones only in preview."""
    return rules_to_run([r for r in rules if r.id not in disable and r.capability not in disable], preview)


def assess_snapshot(
    snapshot: Snapshot,
    model: MaturityModel,
    rules: list[Rule[object]],
    label: str,
    *,
    assumed: dict[str, str] | None = None,
    notes: Sequence[str] = (),
    progress: evidence.Progress | None = None,
    per_project: bool = False,
    project_root: str | None = None,
) -> Assessment:
    """Snapshot -> Evidence -> Assessment: collect the rules' evidence (each file read and parsed once) and
    place it on the model; ``label`` names the scanned root in the report, ``notes`` lead the report's notes.
    With ``per_project`` every ML project is placed too; with ``project_root`` only that project is reported."""
    result = evidence.collect(snapshot, rules, progress)
    assessment = assess(
        model,
        result.evidence,
        root=label,
        assumed=assumed,
        skipped=tuple(result.skipped),
        inspected=result.inspected,
        measurements=result.measurements,
        notes=(*notes, *snapshot.notes, *result.errors),
        readme_title=result.readme_title,
        course_parts=course_parts(snapshot),
    )
    if project_root is None and not per_project:
        return assessment
    from mlops_scan.assessment import projects  # the project index: only when projects are placed

    if project_root is not None:
        return projects.one_project(assessment, snapshot, result.evidence, project_root)
    return projects.with_projects(assessment, snapshot, result.evidence)
