"""The Assessment stage: a maturity model (data) applied to the evidence, as MATURITY.md says.

A capability is present with strong evidence, or medium evidence from two different
rules; weak evidence is shown but never decides. A level is reached when its required
capabilities are present and the level below is reached.
"""

from __future__ import annotations

from mlops_scan.assessment.examples import judge_collection
from mlops_scan.assessment.maturity import CapabilityDef, MaturityModel
from mlops_scan.assessment.results import Assessment, CapabilityStatus, LevelStatus, NextStep
from mlops_scan.types import CapabilityId, Evidence, Skipped, Strength


def capability_status(
    definition: CapabilityDef,
    evidence: list[Evidence],
    asserted: str | None = None,
    peers: dict[str, int] | None = None,
) -> CapabilityStatus:
    """Apply the presence rule of MATURITY.md to one capability's evidence.

    Evidence is ordered strongest first; at equal strength, code files before notebooks (run by hand), then places
    that also prove more of the capabilities required at the same level (``peers``: path -> count), so ``ci``'s best
    evidence is the workflow that runs the tests rather than one that builds the docs."""
    peers = peers or {}
    ordered = tuple(
        sorted(
            evidence,
            key=lambda e: (
                -e.strength.rank,
                e.path.endswith(".ipynb"),
                -peers.get(e.path, 0),
                e.path,
                e.line or 0,
                e.rule,
            ),
        )
    )
    strong = [e for e in ordered if e.strength is Strength.STRONG]
    medium_rules = sorted({e.rule for e in ordered if e.strength is Strength.MEDIUM})
    if asserted is not None:
        return CapabilityStatus(definition, True, f"asserted: {asserted}", ordered, asserted)
    if strong:
        return CapabilityStatus(definition, True, "strong evidence", ordered)
    if len(medium_rules) >= 2:
        return CapabilityStatus(definition, True, f"medium evidence from {len(medium_rules)} rules", ordered)
    if medium_rules:
        return CapabilityStatus(definition, False, "medium evidence from only 1 rule (2 needed)", ordered)
    if ordered:
        return CapabilityStatus(definition, False, "only weak evidence", ordered)
    return CapabilityStatus(definition, False, "no evidence", ordered)


def _peers(model: MaturityModel, by_cap: dict[str, list[Evidence]], cid: str) -> dict[str, int]:
    """Path -> how many other capabilities required at ``cid``'s level have strong or medium evidence there."""
    level = model.capabilities[CapabilityId(cid)].level
    counts: dict[str, int] = {}
    for other, definition in model.capabilities.items():
        if other != cid and definition.level == level and definition.role == "required":
            for path in {e.path for e in by_cap.get(other, []) if e.strength is not Strength.WEAK}:
                counts[path] = counts.get(path, 0) + 1
    return counts


def assess(
    model: MaturityModel,
    evidence: list[Evidence],
    root: str = ".",
    assumed: dict[str, str] | None = None,
    skipped: tuple[Skipped, ...] = (),
    inspected: dict[str, object] | None = None,
    measurements: dict[str, object] | None = None,
    notes: tuple[str, ...] = (),
    readme_title: str | None = None,
    course_parts: tuple[str, ...] = (),
) -> Assessment:
    """Place the evidence on the model's ladder (what an examples collection or a course shows down-graded first)."""
    assumed = assumed or {}
    evidence, note = judge_collection(evidence, readme_title, course_parts)
    notes = (note, *notes) if note else notes
    by_cap: dict[str, list[Evidence]] = {cid: [] for cid in model.capabilities}
    for item in evidence:
        by_cap.setdefault(item.capability, []).append(item)
    caps = {
        cid: capability_status(d, by_cap[cid], assumed.get(cid), _peers(model, by_cap, cid))
        for cid, d in model.capabilities.items()
    }
    levels: list[LevelStatus] = []
    level = 0
    below_reached = True
    for definition in model.levels:
        members = definition.required + definition.supporting
        reached = below_reached and all(caps[c].present for c in definition.required)
        if definition.number == 0:
            reached = True
            members = ()
        levels.append(LevelStatus(definition, reached, sum(caps[c].present for c in members), len(members)))
        if reached:
            level = definition.number
        below_reached = reached
    ahead = tuple(
        c for c, s in caps.items() if s.present and s.definition.role != "finding" and s.definition.level > level
    )
    next_steps: tuple[NextStep, ...] = ()
    if level + 1 < len(model.levels):
        nxt = model.levels[level + 1]
        next_steps = tuple(
            NextStep(c, caps[c].definition.name, nxt.number, caps[c].definition.remediation)
            for c in nxt.required
            if not caps[c].present
        )
    return Assessment(
        root,
        model,
        level,
        tuple(levels),
        caps,
        ahead,
        next_steps,
        tuple(sorted(skipped)),
        inspected or {},
        measurements or {},
        notes,
    )
