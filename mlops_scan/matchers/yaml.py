"""``yaml`` kind: manifests recognised by apiVersion/kind, ``$schema`` or keys, plus field conditions.

Each YAML (or JSON) file is composed once into line-annotated nodes for all rules, and
only when some rule's literal (api group, schema name, key) occurs in its text.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from mlops_scan import yamlnodes
from mlops_scan.filecontext import FileContext
from mlops_scan.matchers.base import Hit, Matcher, compile_globs
from mlops_scan.rules import Rule
from mlops_scan.snapshot import FileEntry

CONDITION_KEYS = {"path", "min_count", "equals", "matches", "min_keys", "min_items"}


@dataclass(frozen=True)
class YamlParams:
    """Params of a ``yaml`` rule; every given test must hold for one document."""

    paths: list[str] = field(default_factory=lambda: ["*.yaml", "*.yml"])
    """Files to look at (path globs)."""
    api_version: list[str] = field(default_factory=list)
    """Globs on the document's ``apiVersion`` (``serving.kserve.io/*``)."""
    kind: list[str] = field(default_factory=list)
    """Accepted values of ``kind``."""
    schema: list[str] = field(default_factory=list)
    """Globs on the document's ``$schema`` (``*managedOnlineEndpoint.schema.json``)."""
    keys: list[str] = field(default_factory=list)
    """Top-level keys the document must all have."""
    where: list[dict[str, Any]] = field(default_factory=list)
    """Conditions that must all hold: ``{path, min_count, equals, matches, min_keys, min_items}``."""
    any_where: list[dict[str, Any]] = field(default_factory=list)
    """Conditions of which at least one must hold."""


@dataclass(frozen=True)
class _Condition:
    path: str
    min_count: int
    equals: tuple[str, ...]
    matches: re.Pattern[str] | None
    min_keys: int
    min_items: int

    def test(self, doc: Node) -> Node | None:
        """The first node satisfying the condition (for its line), or None."""
        nodes = yamlnodes.select(doc, self.path)
        if self.equals:
            nodes = [n for n in nodes if yamlnodes.scalar(n) in self.equals]
        if self.matches is not None:
            nodes = [n for n in nodes if self.matches.search(yamlnodes.scalar(n) or "")]
        if self.min_keys:
            nodes = [n for n in nodes if isinstance(n, MappingNode) and len(n.value) >= self.min_keys]
        if self.min_items:
            nodes = [n for n in nodes if isinstance(n, SequenceNode) and len(n.value) >= self.min_items]
        return nodes[0] if len(nodes) >= self.min_count and nodes else None


def _condition(raw: dict[str, Any]) -> _Condition:
    unknown = set(raw) - CONDITION_KEYS
    if unknown:
        raise ValueError(f"unknown condition key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(CONDITION_KEYS))})")
    if not isinstance(raw.get("path"), str):
        raise ValueError("each condition needs a 'path' string")
    equals = raw.get("equals", [])
    equals = [equals] if isinstance(equals, str) else equals
    if not isinstance(equals, list) or not all(isinstance(e, (str, int, float, bool)) for e in equals):
        raise ValueError("'equals' must be a string or a list of strings")
    for key in ("min_count", "min_keys", "min_items"):
        if not isinstance(raw.get(key, 0), int):
            raise ValueError(f"'{key}' must be an integer")
    matches = raw.get("matches")
    if matches is not None and not isinstance(matches, str):
        raise ValueError("'matches' must be a regex string")
    return _Condition(
        raw["path"], raw.get("min_count", 1), tuple(str(e).lower() if isinstance(e, bool) else str(e) for e in equals),
        re.compile(matches) if matches else None, raw.get("min_keys", 0), raw.get("min_items", 0),
    )


class _Compiled:
    def __init__(self, rule: Rule):
        p: YamlParams = rule.params
        self.rule = rule
        self.paths = compile_globs(p.paths)
        self.api = [re.compile(fnmatch.translate(g)) for g in p.api_version]
        self.schema = [re.compile(fnmatch.translate(g)) for g in p.schema]
        self.where = [_condition(c) for c in p.where]
        self.any_where = [_condition(c) for c in p.any_where]
        # Cheap prefilter: a file is parsed for this rule only if one of these strings occurs in it.
        literals = [g.split("*")[0].split("/")[0] for g in p.api_version] + [g.split("*")[-1] for g in p.schema]
        literals += [f"{k}:" for k in p.keys[:1]]
        self.literals = [lit for lit in literals if lit] or list(p.kind)

    def match(self, doc: Node) -> int | None:
        p: YamlParams = self.rule.params
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
        first: Node | None = None
        for cond in self.where:
            found = cond.test(doc)
            if found is None:
                return None
            first = first or found
        if self.any_where:
            found = next((n for n in (c.test(doc) for c in self.any_where) if n is not None), None)
            if found is None:
                return None
            first = first or found
        return yamlnodes.line_of(first) if first is not None else line


class YamlMatcher(Matcher):
    """Serves every ``yaml`` rule from one composition of each relevant file."""

    kind = "yaml"
    Params = YamlParams

    @classmethod
    def check_params(cls, params: YamlParams) -> None:
        if not (params.api_version or params.kind or params.schema or params.keys or params.where or params.any_where):
            raise ValueError("give at least one of api_version, kind, schema, keys, where, any_where")
        for cond in params.where + params.any_where:
            _condition(cond)

    def __init__(self, rules, project):  # type: ignore[no-untyped-def]
        super().__init__(rules, project)
        self._rules = [_Compiled(r) for r in rules]
        self._any_path = compile_globs([g for r in rules for g in r.params.paths])

    def wants(self, entry: FileEntry) -> bool:
        return bool(self._any_path.search(entry.path))

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        candidates = [c for c in self._rules if c.paths.search(ctx.path)]
        text = ctx.text
        if not text:
            return
        candidates = [c for c in candidates if not c.literals or any(lit in text for lit in c.literals)]
        if not candidates:
            return
        docs = ctx.yaml
        for compiled in candidates:
            for doc in docs:
                line = compiled.match(doc)
                if line is not None:
                    yield Hit(compiled.rule, ctx.path, line, ctx.line_text(line))
                    break
