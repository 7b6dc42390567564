"""Maturity models: levels and capabilities as data (``mlops_scan/data/*.yaml`` or a file), and their strict loader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_scan import strictyaml
from mlops_scan.data import DATA_DIR
from mlops_scan.errors import DataFileError, ModelError
from mlops_scan.startcache import cached
from mlops_scan.strictyaml import line_of
from mlops_scan.types import CapabilityId

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
    if [level.number for level in levels] != list(range(len(levels))):
        raise DataFileError(source, "levels must be numbered 0, 1, 2, ... without gaps", levels_raw.line)
    capabilities: dict[CapabilityId, CapabilityDef] = {}
    for cid, raw in caps_raw.items():
        where = f"capabilities.{cid}"
        if not isinstance(cid, str):
            raise DataFileError(source, f"{where}: a capability id must be a string", caps_raw.line_of(cid))
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
            if not isinstance(cid, str):
                raise DataFileError(source, f"{where}.{role}: each item must be a capability id (a string)", line)
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
