"""Rule packs: the data that says what evidence looks like. Loaded strictly, never executed.

A pack is a YAML file (see docs/writing-rules.md and the header of any file in
``detectors/``) with ``schema_version: 1``, optional ``namespace`` and ``patterns``, and
a list of ``rules``. Every problem is reported with the file, the rule id and the field.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from mlops_scan import strictyaml
from mlops_scan.errors import DataFileError, RulePackError
from mlops_scan.strictyaml import line_of
from mlops_scan.types import CapabilityId, RuleId, Strength

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SCHEMA_VERSION = 1
LIFECYCLES = ("experimental", "stable", "deprecated")
RULE_FIELDS = {
    "id",
    "capability",
    "kind",
    "params",
    "strength",
    "title",
    "description",
    "remediation",
    "docs",
    "lifecycle",
    "added_in",
}
REQUIRED_FIELDS = ("id", "capability", "kind", "params", "strength", "title", "description", "remediation")
PACK_FIELDS = {"schema_version", "namespace", "patterns", "rules", "removed"}
_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?$")
_PATTERN_REF = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")


ParamsTypes = Mapping[str, "type[DataclassInstance]"]
"""Matcher kind name -> the dataclass its rules' params are checked against and built into."""


P = TypeVar("P", covariant=True)
"""The params dataclass of a rule's matcher kind."""


@dataclass(frozen=True)
class Rule(Generic[P]):
    """One rule of a pack, its params already checked against its matcher kind."""

    id: RuleId
    capability: CapabilityId
    kind: str
    params: P
    """An instance of the matcher kind's ``Params`` dataclass."""
    strength: Strength
    title: str
    description: str
    remediation: str
    docs: str = ""
    lifecycle: str = "stable"
    added_in: str = "0.1.0"
    source: str = ""
    """The pack file the rule came from."""
    line: int = 0
    """The line of the rule's ``id`` in that file."""
    bounded: bool = False
    """The scanned repository supplied the pack: the rule runs under a CPU-time bound per file (docs/security.md)."""


_PACK_SHAPE = (
    re.compile(r"^schema_version:[ \t]*\d+[ \t]*$", re.M),
    re.compile(r"^rules:[ \t]*$", re.M),
    re.compile(r"^[ \t]*-[ \t]+id:[ \t]*[a-z_]+\.", re.M),
)


def looks_like_rule_pack(text: str | None) -> bool:
    """A YAML text shaped like an mlops-scan rule pack (its signatures must not count as evidence).

    Three linear searches in order: ``schema_version``, then ``rules:``, then a rule id.
    """
    if not text or "schema_version:" not in text:
        return False
    position = 0
    for pattern in _PACK_SHAPE:
        match = pattern.search(text, position)
        if match is None:
            return False
        position = match.end()
    return True


def pack_files(folders: list[Path]) -> list[Path]:
    """The ``*.yaml``/``*.yml`` files of each folder (or the file itself), sorted, folders in order."""
    out: list[Path] = []
    for folder in folders:
        if folder.is_file():
            out.append(folder)
        elif folder.is_dir():
            out.extend(sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif folder.exists():
            raise RulePackError(str(folder), "not a regular file or folder (a FIFO or device): not read")
        else:
            raise RulePackError(str(folder), "no such rule-pack file or folder")
    return out


def load_rules(files: list[Path], kinds: ParamsTypes, capabilities: set[str]) -> list[Rule[object]]:
    """Load and check every rule of the given packs; ids must be unique across all of them."""
    rules: list[Rule[object]] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule in load_pack(path, kinds, capabilities):
            if rule.id in seen:
                message = f"duplicate rule id (already defined in {seen[rule.id]})"
                raise RulePackError(str(path), message, rule.id, "id", rule.line)
            seen[rule.id] = str(path)
            rules.append(rule)
    return rules


def load_pack(path: Path, kinds: ParamsTypes, capabilities: set[str]) -> list[Rule[object]]:
    """Load one pack file strictly: duplicate keys, unknown fields and wrong types name the file and line."""
    source = str(path)
    try:
        data = strictyaml.load_file(path)
    except DataFileError as exc:
        raise RulePackError(source, exc.problem, line=exc.line) from None
    if not isinstance(data, dict):
        raise RulePackError(source, "a rule pack is a mapping with 'schema_version' and 'rules'", line=line_of(data))
    for key in data:
        if key not in PACK_FIELDS:
            allowed = ", ".join(sorted(PACK_FIELDS))
            raise RulePackError(
                source, f"unknown top-level field (allowed: {allowed})", field=str(key), line=line_of(data, key)
            )
    if data.get("schema_version") != SCHEMA_VERSION:
        raise RulePackError(
            source,
            f"schema_version must be {SCHEMA_VERSION}",
            field="schema_version",
            line=line_of(data, "schema_version"),
        )
    namespace = data.get("namespace")
    if namespace is not None and not (isinstance(namespace, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", namespace)):
        raise RulePackError(
            source,
            "namespace must be lower-case letters, digits and dashes",
            field="namespace",
            line=line_of(data, "namespace"),
        )
    patterns = data.get("patterns") or {}
    if not isinstance(patterns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in patterns.items()
    ):
        raise RulePackError(
            source,
            "patterns must map names to regular-expression strings",
            field="patterns",
            line=line_of(data, "patterns"),
        )
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulePackError(source, "a non-empty list of rules is required", field="rules", line=line_of(data, "rules"))
    rules = [
        _with_line(raw, functools.partial(_load_rule, source, raw, namespace, patterns, kinds, capabilities))
        for raw in raw_rules
    ]
    from mlops_scan.rules.tombstones import tombstones_of  # with the packs' YAML: not when the rules are cached

    active = {str(raw.get("id")) for raw in raw_rules}
    for tombstone in tombstones_of(data.get("removed"), source):
        if tombstone.id in active:
            message = "a removed rule id is never reused: it is also a rule of this pack"
            raise RulePackError(source, message, tombstone.id, "removed", line_of(data, "removed"))
    return rules


def _with_line(raw: Any, load: Callable[[], Rule[object]]) -> Rule[object]:
    """``load()``, its errors completed with the line of the field they name (or of the rule ``raw``)."""
    try:
        return load()
    except RulePackError as exc:
        if exc.line is not None:
            raise
        container, key = raw, exc.field
        if key and key.startswith("params.") and isinstance(raw, dict):
            container, key = raw.get("params"), key.split(".", 1)[1]
        line = line_of(container, key) if key else line_of(raw)
        raise RulePackError(exc.source, exc.problem, exc.rule, exc.field, line or line_of(raw)) from None


def _load_rule(
    source: str,
    raw: Any,
    namespace: str | None,
    patterns: dict[str, str],
    kinds: ParamsTypes,
    capabilities: set[str],
) -> Rule[object]:
    if not isinstance(raw, dict):
        raise RulePackError(source, "each rule is a mapping")
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        raise RulePackError(
            source, "id must look like '<capability>.<tool>-<signal>' (lower case, dashes)", str(rid), "id"
        )
    unknown = set(raw) - RULE_FIELDS
    if unknown:
        raise RulePackError(
            source, f"unknown field (allowed: {', '.join(sorted(RULE_FIELDS))})", rid, sorted(unknown)[0]
        )
    for name in REQUIRED_FIELDS:
        if name not in raw:
            raise RulePackError(source, "required field is missing", rid, name)
    for name in ("title", "description", "remediation", "docs", "added_in"):
        if name in raw and not (isinstance(raw[name], str) and raw[name].strip()):
            raise RulePackError(source, "must be a non-empty string", rid, name)
    capability = raw["capability"]
    if capability not in capabilities:
        raise RulePackError(
            source, f"unknown capability {capability!r} (known: {', '.join(sorted(capabilities))})", rid, "capability"
        )
    if rid.split(".", 1)[0] != capability:
        raise RulePackError(source, f"id must start with its capability '{capability}.'", rid, "id")
    if raw["strength"] not in {s.value for s in Strength}:
        raise RulePackError(source, "strength must be strong, medium or weak", rid, "strength")
    lifecycle = raw.get("lifecycle", "stable")
    if lifecycle not in LIFECYCLES:
        raise RulePackError(source, f"lifecycle must be one of {', '.join(LIFECYCLES)}", rid, "lifecycle")
    kind = raw["kind"]
    if kind not in kinds:
        raise RulePackError(
            source, f"unknown matcher kind {kind!r} (installed kinds: {', '.join(sorted(kinds))})", rid, "kind"
        )
    params = _build_params(source, rid, kind, kinds[kind], raw["params"], patterns)
    full_id = rid if namespace is None else f"{capability}.{namespace}/{rid.split('.', 1)[1]}"
    return Rule(
        id=RuleId(full_id),
        capability=CapabilityId(capability),
        kind=kind,
        params=params,
        strength=Strength(raw["strength"]),
        title=raw["title"].strip(),
        description=" ".join(raw["description"].split()),
        remediation=" ".join(raw["remediation"].split()),
        docs=raw.get("docs", ""),
        lifecycle=lifecycle,
        added_in=str(raw.get("added_in", "0.1.0")),
        source=source,
        line=line_of(raw, "id") or 0,
    )


@functools.cache
def _type_hints(params_type: type[DataclassInstance]) -> dict[str, Any]:
    """The resolved field types of a Params dataclass (resolving them is slow; packs have hundreds of rules)."""
    return typing.get_type_hints(params_type)


def _build_params(
    source: str, rid: str, kind: str, params_type: type[DataclassInstance], raw: Any, patterns: dict[str, str]
) -> object:
    """Check ``raw`` against the ``Params`` dataclass of matcher kind ``kind`` and build it."""
    if not isinstance(raw, dict):
        raise RulePackError(source, "params must be a mapping", rid, "params")
    hints = _type_hints(params_type)
    names = {f.name for f in dataclasses.fields(params_type)}
    for key in raw:
        if key not in names:
            raise RulePackError(
                source,
                f"unknown param for kind '{kind}' (allowed: {', '.join(sorted(names))})",
                rid,
                f"params.{key}",
            )
    values = {}
    for key, value in raw.items():
        if not _type_ok(value, hints[key]):
            raise RulePackError(source, f"must be {_type_name(hints[key])}", rid, f"params.{key}")
        values[key] = _expand(value, patterns, source, rid, key)
    try:
        params = params_type(**values)  # the dataclass's __post_init__ checks the values' meaning
    except TypeError as exc:
        raise RulePackError(source, f"missing required param ({exc})", rid, "params") from exc
    except re.error as exc:
        key = next((k for k, v in values.items() if _mentions(v, exc.pattern)), None)
        raise RulePackError(
            source, f"bad regular expression ({exc})", rid, f"params.{key}" if key else "params"
        ) from exc
    except ValueError as exc:
        raise RulePackError(source, str(exc), rid, "params") from exc
    return params


def _mentions(value: Any, pattern: Any) -> bool:
    """True when a param value is, or contains, the regular expression ``pattern``."""
    if isinstance(value, str):
        return bool(value == pattern)
    if isinstance(value, list):
        return any(_mentions(v, pattern) for v in value)
    if isinstance(value, dict):
        return any(_mentions(v, pattern) for v in value.values())
    return False


def _expand(value: Any, patterns: dict[str, str], source: str, rid: str, key: str) -> Any:
    """Replace ``${name}`` references to the pack's named patterns."""
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in patterns:
                raise RulePackError(source, f"unknown named pattern ${{{m.group(1)}}}", rid, f"params.{key}")
            return patterns[m.group(1)]

        return _PATTERN_REF.sub(sub, value)
    if isinstance(value, list):
        return [_expand(v, patterns, source, rid, key) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, patterns, source, rid, key) for k, v in value.items()}
    return value


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in args)
    if hint is type(None):
        return value is None
    if origin is list:
        return isinstance(value, list) and all(_type_ok(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(_type_ok(k, args[0]) and _type_ok(v, args[1]) for k, v in value.items())
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is Any:
        return True
    if dataclasses.is_dataclass(hint):
        return isinstance(value, dict)
    return isinstance(value, hint)


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None))
    if origin is list:
        return f"a list of {_type_name(args[0]).removeprefix('a ').removeprefix('an ')}s"
    if origin is dict:
        return "a mapping"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )
