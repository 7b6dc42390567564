"""The Assessment stage: a maturity model (data) applied to the evidence, as MATURITY.md says.

A capability is present with strong evidence, or medium evidence from two different
rules; weak evidence is shown but never decides. A level is reached when its required
capabilities are present and the level below is reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlops_scan.data import DATA_DIR
from mlops_scan.errors import ModelError
from mlops_scan.rules.cache import cached
from mlops_scan.types import CapabilityId, Evidence, Skipped, Strength

ROLES = ("required", "supporting", "finding")


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


def load_model(name_or_path: str = "microsoft") -> MaturityModel:
    """Load and check a maturity model (from the start-up cache when the file did not change);
    problems raise ModelError naming the file and field."""
    path = model_path(name_or_path)
    return cached("model", [path], [], MaturityModel, lambda: _load_model(name_or_path, path))


def _load_model(name_or_path: str, path: Path) -> MaturityModel:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{name_or_path}: no such maturity model (built-in: microsoft)") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ModelError(f"{path}: cannot read maturity model ({str(exc).splitlines()[0]})") from exc
    except RecursionError:
        raise ModelError(f"{path}: cannot read maturity model (nested too deeply)") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("levels"), dict)
        or not isinstance(data.get("capabilities"), dict)
    ):
        raise ModelError(f"{path}: a model needs 'levels' and 'capabilities' mappings")
    caps_raw: dict[str, Any] = data["capabilities"]
    levels: list[LevelDef] = []
    placed: dict[str, tuple[int, str]] = {}
    for number in sorted(data["levels"]):
        raw = data["levels"][number]
        if not isinstance(number, int) or not isinstance(raw, dict):
            raise ModelError(f"{path}: levels are numbered mappings (field 'levels.{number}')")
        for role in ("required", "supporting"):
            for cid in raw.get(role) or []:
                if cid not in caps_raw:
                    raise ModelError(f"{path}: levels.{number}.{role}: unknown capability {cid!r}")
                if cid in placed:
                    raise ModelError(f"{path}: capability {cid!r} is placed in two levels")
                placed[cid] = (number, role if number else "finding")
        levels.append(
            LevelDef(
                number,
                str(raw.get("name", f"Level {number}")),
                str(raw.get("summary", "")),
                str(raw.get("recommendation", "")),
                tuple(raw.get("required") or ()),
                tuple(raw.get("supporting") or ()),
            )
        )
    if not levels or levels[0].number != 0:
        raise ModelError(f"{path}: levels must start at 0")
    capabilities: dict[CapabilityId, CapabilityDef] = {}
    for cid, raw in caps_raw.items():
        if cid not in placed:
            raise ModelError(f"{path}: capabilities.{cid}: not placed in any level")
        if not isinstance(raw, dict):
            raise ModelError(f"{path}: capabilities.{cid} must be a mapping")
        number, role = placed[cid]
        capabilities[CapabilityId(cid)] = CapabilityDef(
            CapabilityId(cid),
            str(raw.get("name", cid)),
            number,
            role,
            str(raw.get("what", "")),
            str(raw.get("remediation", "")),
        )
    return MaturityModel(
        str(data.get("id", path.stem)),
        str(data.get("name", path.stem)),
        str(data.get("source", "")),
        tuple(levels),
        capabilities,
    )


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
    level = model.capabilities[cid].level
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
) -> Assessment:
    """Place the evidence on the model's ladder."""
    assumed = assumed or {}
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
