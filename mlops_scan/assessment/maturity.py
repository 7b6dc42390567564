"""The Assessment stage: a maturity model (data) applied to the evidence, as MATURITY.md says.

A capability is present with strong evidence, or medium evidence from two different
rules; weak evidence is shown but never decides. A level is reached when its required
capabilities are present and the level below is reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_scan import strictyaml
from mlops_scan.assessment.examples import demote_examples, examples_collection_note, is_examples_collection
from mlops_scan.data import DATA_DIR
from mlops_scan.errors import DataFileError, ModelError
from mlops_scan.rules.cache import cached
from mlops_scan.strictyaml import line_of
from mlops_scan.types import CapabilityId, Evidence, Skipped, Strength

if TYPE_CHECKING:
    from mlops_scan.assessment.projects import PerProject

BUILTIN_MODELS = ("microsoft", "google")
"""The maturity models shipped in ``mlops_scan/data`` (see docs/models.md)."""


@dataclass(frozen=True)
class CapabilityDef:
    """A capability as the model defines it."""

    id: CapabilityId
    name: str
    level: int
    role: str
    what: str
    remediation: str


@dataclass(frozen=True)
class LevelDef:
    """A level as the model defines it."""

    number: int
    name: str
    summary: str
    recommendation: str
    required: tuple[CapabilityId, ...]
    supporting: tuple[CapabilityId, ...]


@dataclass(frozen=True)
class MaturityModel:
    """Levels and capabilities, loaded from a model file."""

    id: str
    name: str
    source: str
    levels: tuple[LevelDef, ...]
    capabilities: dict[CapabilityId, CapabilityDef]


def model_path(name_or_path: str) -> Path:
    """A built-in model by name (``microsoft``) or a model file path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    return DATA_DIR / f"{name_or_path}.yaml"


MODEL_FIELDS = ("schema_version", "id", "name", "source", "levels", "capabilities")
LEVEL_FIELDS = ("name", "summary", "recommendation", "required", "supporting")
CAPABILITY_FIELDS = ("name", "what", "remediation")


def load_model(name_or_path: str = "microsoft") -> MaturityModel:
    """Load and check a maturity model strictly (from the start-up cache when the file did not change);
    problems raise ModelError naming the file, line and field."""
    path = model_path(name_or_path)
    return cached("model", [path], [], MaturityModel, lambda: _load_model(name_or_path, path))


def _load_model(name_or_path: str, path: Path) -> MaturityModel:
    if not path.is_file():
        raise ModelError(f"{name_or_path}: no such maturity model (built-in: {', '.join(BUILTIN_MODELS)})")
    try:
        return _model_from(strictyaml.load_file(path), str(path))
    except DataFileError as exc:
        raise ModelError(str(exc)) from None


def _model_from(data: Any, source: str) -> MaturityModel:
    data = strictyaml.mapping(data, source, "a model", MODEL_FIELDS, required=("levels", "capabilities"))
    if data.get("schema_version", 1) != 1:
        raise DataFileError(source, "schema_version must be 1", line_of(data, "schema_version"))
    levels_raw = strictyaml.mapping(data["levels"], source, "levels", line=line_of(data, "levels"))
    caps_raw = strictyaml.mapping(data["capabilities"], source, "capabilities", line=line_of(data, "capabilities"))
    placed: dict[str, tuple[int, str]] = {}
    levels = [_level(source, levels_raw, number, caps_raw, placed) for number in sorted(levels_raw, key=str)]
    levels.sort(key=lambda level: level.number)
    if not levels or levels[0].number != 0:
        raise DataFileError(source, "levels must start at 0", levels_raw.line)
    capabilities: dict[CapabilityId, CapabilityDef] = {}
    for cid, raw in caps_raw.items():
        where = f"capabilities.{cid}"
        if cid not in placed:
            raise DataFileError(source, f"{where}: not placed in any level", caps_raw.line_of(cid))
        raw = strictyaml.mapping(raw, source, where, CAPABILITY_FIELDS, line=caps_raw.line_of(cid))
        text = {key: _text(source, raw, key, where) for key in CAPABILITY_FIELDS}
        number, role = placed[cid]
        capabilities[CapabilityId(cid)] = CapabilityDef(
            CapabilityId(cid), text["name"] or cid, number, role, text["what"], text["remediation"]
        )
    stem = Path(source).stem
    return MaturityModel(
        _text(source, data, "id", "a model") or stem,
        _text(source, data, "name", "a model") or stem,
        _text(source, data, "source", "a model"),
        tuple(levels),
        capabilities,
    )


def _level(source: str, levels: Any, number: Any, caps: Any, placed: dict[str, tuple[int, str]]) -> LevelDef:
    """One level of a model file; ``placed`` records where each capability sits (once in the whole model)."""
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise DataFileError(source, f"levels: {number!r} is not a level number (0, 1, 2, ...)", levels.line_of(number))
    where = f"levels.{number}"
    raw = strictyaml.mapping(levels[number], source, where, LEVEL_FIELDS, line=levels.line_of(number))
    members: dict[str, tuple[CapabilityId, ...]] = {}
    for role in ("required", "supporting"):
        ids = raw.get(role) or []
        ids = strictyaml.typed(ids, list, source, f"{where}.{role}", raw.line_of(role), "a list of capability ids")
        for index, cid in enumerate(ids):
            line = line_of(ids, index) or raw.line_of(role)
            if cid not in caps:
                raise DataFileError(source, f"{where}.{role}: unknown capability {cid!r}", line)
            if cid in placed:
                raise DataFileError(source, f"capability {cid!r} is placed in two levels", line)
            placed[cid] = (number, role if number else "finding")
        members[role] = tuple(CapabilityId(c) for c in ids)
    text = {key: _text(source, raw, key, where) for key in ("name", "summary", "recommendation")}
    return LevelDef(
        number,
        text["name"] or f"Level {number}",
        text["summary"],
        text["recommendation"],
        members["required"],
        members["supporting"],
    )


def _text(source: str, raw: Any, key: str, where: str) -> str:
    """An optional string field ('' when absent)."""
    if key not in raw:
        return ""
    return strictyaml.typed(raw[key], str, source, f"{where}: {key}", line_of(raw, key), "a string")


@dataclass(frozen=True)
class CapabilityStatus:
    """One capability's verdict and the evidence behind it."""

    definition: CapabilityDef
    present: bool
    reason: str
    """Why: 'strong evidence', 'medium evidence from 2 rules', 'only weak evidence', 'no evidence', 'asserted: ...'."""
    evidence: tuple[Evidence, ...]
    """Best first."""
    asserted: str | None = None
    """The team's reason when the capability is declared present in configuration (never detected)."""

    @property
    def best(self) -> Evidence | None:
        """The strongest piece of evidence, if any."""
        return self.evidence[0] if self.evidence else None


@dataclass(frozen=True)
class LevelStatus:
    """One level's result."""

    definition: LevelDef
    reached: bool
    present: int
    total: int

    @property
    def completeness(self) -> float:
        """Present capabilities of this level over all of them."""
        return self.present / self.total if self.total else 1.0


@dataclass(frozen=True)
class NextStep:
    """A missing required capability of the next level, with what to do."""

    capability: CapabilityId
    name: str
    level: int
    remediation: str


@dataclass(frozen=True)
class Assessment:
    """Everything a report shows; reporters are functions of this alone."""

    root: str
    model: MaturityModel
    level: int
    levels: tuple[LevelStatus, ...]
    capabilities: dict[CapabilityId, CapabilityStatus]
    ahead: tuple[CapabilityId, ...]
    next_steps: tuple[NextStep, ...]
    skipped: tuple[Skipped, ...] = ()
    inspected: dict[str, object] = field(default_factory=dict)
    measurements: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    projects: PerProject | None = None
    """With ``--per-project``: each project's assessment and the roll-up (this one is the whole repository's)."""

    @property
    def level_name(self) -> str:
        """Name of the level reached."""
        return self.model.levels[self.level].name


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
) -> Assessment:
    """Place the evidence on the model's ladder (an examples collection's demonstrations down-graded first)."""
    assumed = assumed or {}
    if readme_title is not None and is_examples_collection(readme_title):
        evidence = demote_examples(evidence)
        notes = (examples_collection_note(readme_title), *notes)
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
