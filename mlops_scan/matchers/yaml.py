"""``yaml`` kind: manifests recognised by apiVersion/kind, ``$schema`` or keys, plus field conditions.

Each YAML (or JSON) file is composed once into line-annotated nodes for all rules, and
only when some rule's literal (api group, schema name, key, ``literals``) occurs in its text;
of a multi-document stream only the documents some rule can match are composed (their
``apiVersion``/``kind`` lines and literals decide, so huge CustomResourceDefinition schemas
are never composed). A rule tests each document; with ``each`` its conditions hold
together inside one selected node (one CloudFormation resource, one Databricks job).

A repository that defines a CustomResourceDefinition (project zone) owns its API group:
manifests of that group are its own product, not use of the tool, and are dropped when the
pass ends.

PyYAML and the node helpers are imported when a document is tested (a rescan that replays every file
needs neither).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlops_scan.facts.context import FileContext
from mlops_scan.facts.crds import CRD_KIND, crd_groups
from mlops_scan.matchers.base import Hit, Matcher, decode_hit, encode_hit
from mlops_scan.matchers.globs import compile_globs
from mlops_scan.matchers.names import TextGlob
from mlops_scan.matchers.regexes import LazyRegex
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import ProjectInfo, Zone

if TYPE_CHECKING:
    from yaml.nodes import Node

CONDITION_KEYS = {"path", "min_count", "equals", "matches", "contains", "min_keys", "min_items"}


@dataclass(frozen=True)
class YamlParams:
    """Params of a ``yaml`` rule; every given test must hold for one document."""

    paths: list[str] = field(default_factory=lambda: ["*.yaml", "*.yml"])
    """Files to look at (path globs)."""
    api_version: list[str] = field(default_factory=list)
    """Globs on the document's ``apiVersion`` (``serving.kserve.io/*``); always pair ``kind`` with it, kind names
    collide."""
    kind: list[str] = field(default_factory=list)
    """Accepted values of ``kind``."""
    schema: list[str] = field(default_factory=list)
    """Globs on the document's ``$schema`` (``*managedOnlineEndpoint.schema.json``)."""
    keys: list[str] = field(default_factory=list)
    """Top-level keys the document must all have."""
    each: str | list[str] | None = None
    """Path(s) of the nodes the conditions are tested in, one at a time (``Resources.*``); default the document."""
    where: list[dict[str, Any]] = field(default_factory=list)
    """Conditions that must all hold: ``{path, min_count, equals, matches, contains, min_keys, min_items}``."""
    any_where: list[dict[str, Any]] = field(default_factory=list)
    """Conditions of which at least one must hold."""
    none_where: list[dict[str, Any]] = field(default_factory=list)
    """Conditions of which none may hold (``State: DISABLED``, ``pause_status: PAUSED``)."""
    literals: list[str] = field(default_factory=list)
    """Strings the file text must contain before it is parsed (default: derived from the tests above)."""
    bundle_deployed: bool = False
    """Databricks Asset Bundle resources: only when the bundle (its root ``databricks.yml``) has a target that is not
    in ``mode: development``, which pauses every schedule (or a target that unpauses them with presets)."""

    def __post_init__(self) -> None:
        """Reject well-typed but meaningless values (ValueError, or re.error for a bad regex)."""
        if not (self.api_version or self.kind or self.schema or self.keys or self.where or self.any_where):
            raise ValueError("give at least one of api_version, kind, schema, keys, where, any_where")
        if isinstance(self.each, list) and not self.each:
            raise ValueError("'each' must name at least one path (Resources.*)")
        for cond in self.where + self.any_where + self.none_where:
            checked = _condition(cond)
            for regex in (checked.matches, checked.contains):
                if regex is not None:
                    re.compile(regex.source)  # a bad regex fails the pack here, not in a scan


@dataclass(frozen=True, eq=False, repr=False)
class _Condition:
    """One compiled ``where``/``any_where``/``none_where`` condition (never compared or shown: no generated
    ``__eq__``, ``__hash__`` or ``__repr__`` to compile at every start)."""

    path: str
    min_count: int
    equals: tuple[str, ...]
    matches: LazyRegex | None
    contains: LazyRegex | None
    min_keys: int
    min_items: int

    def test(self, node: Node) -> int | None:
        """The line of the first node satisfying the condition (its key's line), or None."""
        from yaml.nodes import MappingNode, SequenceNode

        from mlops_scan.facts import yamlnodes

        found = yamlnodes.select_keyed(node, self.path)
        if self.equals:
            found = [(k, v) for k, v in found if yamlnodes.scalar(v) in self.equals]
        if self.matches is not None:
            found = [(k, v) for k, v in found if self.matches.search(yamlnodes.scalar(v) or "")]
        if self.contains is not None:
            pattern = self.contains
            first = (next((s for s in yamlnodes.strings(v) if pattern.search(s.value)), None) for _, v in found)
            found = [(None, scalar) for scalar in first if scalar is not None]
        if self.min_keys:
            found = [(k, v) for k, v in found if isinstance(v, MappingNode) and len(v.value) >= self.min_keys]
        if self.min_items:
            found = [(k, v) for k, v in found if isinstance(v, SequenceNode) and len(v.value) >= self.min_items]
        return yamlnodes.keyed_line(*found[0]) if found and len(found) >= self.min_count else None


def _regex(raw: dict[str, Any], key: str) -> LazyRegex | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a regex string")
    return LazyRegex(value)


def _condition(raw: dict[str, Any]) -> _Condition:
    if not isinstance(raw, dict):
        raise ValueError("each condition must be a mapping with a 'path'")
    unknown = set(raw) - CONDITION_KEYS
    if unknown:
        raise ValueError(f"unknown condition key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(CONDITION_KEYS))})")
    if not isinstance(raw.get("path"), str):
        raise ValueError("each condition needs a 'path' string ('.' for the node itself)")
    equals = raw.get("equals", [])
    equals = [equals] if isinstance(equals, (str, int, float, bool)) else equals
    if not isinstance(equals, list) or not all(isinstance(e, (str, int, float, bool)) for e in equals):
        raise ValueError("'equals' must be a string or a list of strings")
    for key in ("min_count", "min_keys", "min_items"):
        if not isinstance(raw.get(key, 0), int) or isinstance(raw.get(key, 0), bool):
            raise ValueError(f"'{key}' must be an integer")
    return _Condition(
        raw["path"],
        raw.get("min_count", 1),
        tuple(str(e).lower() if isinstance(e, bool) else str(e) for e in equals),
        _regex(raw, "matches"),
        _regex(raw, "contains"),
        raw.get("min_keys", 0),
        raw.get("min_items", 0),
    )


def _root(path: str) -> str | None:
    """The root key a path starts with, or None (the node itself, any key, an index)."""
    first = _SEGMENT.match(path)
    key = first.group(1) if first else None
    return key if key and key != "*" else None


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")


def _roots(p: YamlParams) -> tuple[frozenset[str], frozenset[str]]:
    """Root keys a matching document has: all of the first set, and one of the second when it is not empty."""
    needed = set(p.keys)
    if p.api_version:
        needed.add("apiVersion")
    if p.kind:
        needed.add("kind")
    if p.schema:
        needed.add("$schema")
    each = [p.each] if isinstance(p.each, str) else p.each or []
    any_of: set[str] = set()
    if each:
        roots = [_root(e) for e in each]
        any_of = set() if None in roots else set(roots)  # type: ignore[arg-type]
    else:
        needed.update(r for r in (_root(c["path"]) for c in p.where) if r)
        roots = [_root(c["path"]) for c in p.any_where]
        any_of = set() if None in roots else set(roots)  # type: ignore[arg-type]
    return frozenset(needed), frozenset(any_of)


class _Compiled:
    """A yaml rule with its globs, regexes and conditions compiled."""

    def __init__(self, rule: Rule[YamlParams]) -> None:
        p = rule.params
        self.rule = rule
        self.paths = compile_globs(p.paths)
        self.api = [TextGlob(g) for g in p.api_version]
        self.schema = [TextGlob(g) for g in p.schema]
        self.where = [_condition(c) for c in p.where]
        self.any_where = [_condition(c) for c in p.any_where]
        self.none_where = [_condition(c) for c in p.none_where]
        self.literals = list(p.literals) or self._derived_literals(p)
        self.root_keys, self.any_root = _roots(p)

    def _derived_literals(self, p: YamlParams) -> list[str]:
        """Cheap prefilter: a file is parsed for this rule only if one of these strings occurs in it."""
        literals = [g.split("*")[0].split("/")[0] for g in p.api_version] + [g.split("*")[-1] for g in p.schema]
        literals += [f"{k}:" for k in p.keys[:1]]
        literals = [lit for lit in literals if lit]
        if not literals and self.where and self.where[0].equals:
            literals = list(self.where[0].equals)
        return literals or list(p.kind)

    def may_match(self, text: str) -> bool:
        """Whether one document's text can match (never False for one that matches): its literals, and, when
        its lines show the root keys, the ``apiVersion``, ``kind`` and root keys the rule needs."""
        if self.literals and not any(lit in text for lit in self.literals):
            return False
        if not (self.root_keys or self.any_root):
            return True
        from mlops_scan.facts import yamlnodes

        fields = yamlnodes.root_fields(text)
        if fields is None:
            return True
        if not all(k in fields for k in self.root_keys) or (self.any_root and not self.any_root & fields.keys()):
            return False
        p = self.rule.params
        api, kind = fields.get("apiVersion"), fields.get("kind")
        if self.api and api != yamlnodes.UNKNOWN and not any(r.match(api or "") for r in self.api):
            return False
        return not (p.kind and kind != yamlnodes.UNKNOWN and kind not in p.kind)

    def match(self, doc: Node) -> int | None:
        """The line where the rule matches this document, or None."""
        from yaml.nodes import MappingNode

        from mlops_scan.facts import yamlnodes

        p = self.rule.params
        if not isinstance(doc, MappingNode):
            return None
        line = yamlnodes.line_of(doc)
        if self.api and not any(r.match(yamlnodes.scalar(yamlnodes.get(doc, "apiVersion")) or "") for r in self.api):
            return None
        if p.kind:
            if yamlnodes.scalar(yamlnodes.get(doc, "kind")) not in p.kind:
                return None
            line = yamlnodes.line_of(yamlnodes.key_node(doc, "kind"))  # type: ignore[arg-type]
        if self.schema:
            if not any(r.match(yamlnodes.scalar(yamlnodes.get(doc, "$schema")) or "") for r in self.schema):
                return None
            line = yamlnodes.line_of(yamlnodes.key_node(doc, "$schema"))  # type: ignore[arg-type]
        if p.keys and not all(yamlnodes.get(doc, k) is not None for k in p.keys):
            return None
        if p.each is None:
            return self._conditions(doc, line)
        for each in [p.each] if isinstance(p.each, str) else p.each:
            for key, scope in yamlnodes.select_keyed(doc, each):
                found = self._conditions(scope, yamlnodes.keyed_line(key, scope))
                if found is not None:
                    return found
        return None

    def _conditions(self, scope: Node, line: int) -> int | None:
        """Where the conditions prove the rule in this scope, or None.

        The line is the first ``any_where`` hit (the evidence), else the first ``where`` hit,
        else ``line`` (the document's kind or schema, or the scope).
        """
        where_line: int | None = None
        for cond in self.where:
            found = cond.test(scope)
            if found is None:
                return None
            where_line = where_line or found
        any_line: int | None = None
        if self.any_where:
            any_line = next((n for n in (c.test(scope) for c in self.any_where) if n is not None), None)
            if any_line is None:
                return None
        if any(c.test(scope) is not None for c in self.none_where):
            return None
        return any_line or where_line or line


class YamlMatcher(Matcher[YamlParams]):
    """Serves every ``yaml`` rule from one composition of each relevant file."""

    kind = "yaml"
    Params = YamlParams
    reusable = True
    scan_modules = ("mlops_scan.facts.yamlnodes",)

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        super().__init__(rules, project)
        self._rules = [_Compiled(r) for r in self.rules]
        self._any_path = compile_globs([g for r in self.rules for g in r.params.paths])
        groups: dict[tuple[str, ...], list[_Compiled]] = {}
        for compiled in self._rules:  # most rules keep the default globs: each distinct list is tested once
            groups.setdefault(tuple(compiled.rule.params.paths), []).append(compiled)
        self._by_paths = [(compiled[0].paths, compiled) for compiled in groups.values()]
        self._owned_groups: set[str] = set()
        self._by_group: list[tuple[str, Hit]] = []
        """Hits held until the pass ends: on a manifest of an API group (the group may be the repository's own),
        or on a bundle resource (group ``BUNDLE``: the bundle may deploy to development targets only)."""
        self._last: tuple[list[str], int] = ([], 0)
        """Of the last file scanned: the API groups its CRDs define, and how many hits were held before it."""

    def wants(self, entry: FileEntry) -> bool:
        return bool(self._any_path.search(entry.path))

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        self._last = ([], len(self._by_group))
        wanted = {id(c) for globs, group in self._by_paths if globs.search(ctx.path) for c in group}
        candidates = [c for c in self._rules if id(c) in wanted]
        if not candidates:
            return
        text = ctx.text
        if not text:
            return
        if ctx.entry.zone is Zone.PROJECT and CRD_KIND in text:
            self._last = (sorted(crd_groups(text)), self._last[1])
            self._owned_groups.update(self._last[0])
        candidates = [c for c in candidates if not c.literals or any(lit in text for lit in c.literals)]
        if not candidates:
            return
        from mlops_scan.facts.yamlnodes import get, scalar

        docs = ctx.yaml_documents(lambda chunk: any(c.may_match(chunk) for c in candidates))
        for compiled in candidates:
            for doc in docs:
                line = compiled.match(doc)
                if line is not None:
                    hit = Hit(compiled.rule, ctx.path, line, ctx.line_text(line))
                    api = scalar(get(doc, "apiVersion")) or ""
                    if compiled.rule.params.bundle_deployed:
                        self._by_group.append((BUNDLE, hit))
                    elif "/" in api:
                        self._by_group.append((api.split("/")[0], hit))
                    else:
                        yield hit
                    break

    def file_state(self, path: str) -> object:
        """The API groups the file's CRDs define and its held hits; None when neither."""
        groups, held = self._last
        if not groups and held == len(self._by_group):
            return None
        return {"groups": groups, "held": [[group, encode_hit(hit)] for group, hit in self._by_group[held:]]}

    def restore_state(self, path: str, state: object) -> Callable[[], None]:
        if state is None:
            return super().restore_state(path, state)
        if not isinstance(state, dict) or set(state) != {"groups", "held"} or not isinstance(state["groups"], list):
            raise ValueError("not a yaml matcher state")
        rules = self.rule_by_id()
        held = [(g, decode_hit(h, rules)) for g, h in state["held"]] if isinstance(state["held"], list) else None
        if held is None or not all(isinstance(g, str) for g in [*state["groups"], *(g for g, _ in held)]):
            raise ValueError("not a yaml matcher state")
        groups = state["groups"]

        def add() -> None:
            self._owned_groups.update(groups)
            self._by_group.extend(held)

        return add

    def finish(self, snapshot: Snapshot) -> Iterable[Hit]:
        """The held hits, but those on an API group the repository defines itself: it ships a CRD of the group
        and the Go API types an operator is built from. A CRD alone is a third-party operator installed with
        the platform (its chart or manifests copied into a setup folder), and the group stays a tool in use."""
        operator = any(e.zone is Zone.PROJECT and _API_TYPES.search(e.path) for e in snapshot.files)
        owned = self._owned_groups if operator else set()
        return [
            hit
            for group, hit in self._by_group
            if (_deployed(snapshot, hit.path) if group == BUNDLE else group not in owned)
        ]


def _deployed(snapshot: Snapshot, path: str) -> bool:
    """A bundle resource's hit stands unless its bundle deploys to development targets only."""
    from mlops_scan.facts.bundles import development_only  # its bundle's YAML: read only for such a hit

    return not development_only(snapshot, path)


BUNDLE = ""
"""The group of held bundle-resource hits (an API group is never empty)."""
_API_TYPES = re.compile(r"(?:^|/)(?:[^/]+_types\.go|zz_generated\.deepcopy\.go|groupversion_info\.go)$")
"""Files of an operator's own API: kubebuilder and code-generator type definitions and their generated code."""
