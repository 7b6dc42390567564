"""``route_split`` kind: a web route handler that splits requests between two model objects.

A handler is a function decorated ``@<app>.get/post/route(...)`` (or a BentoML ``@svc.api``/``@bentoml.api``) in a
module importing a web or serving framework. It splits traffic when a random draw or a hash of the request
(``random.random() < 0.1``, ``random.choices([a, b], weights=...)``, ``int(hashlib.md5(uid).hexdigest(), 16) % 100``)
picks which model object runs (``predict``, or a BentoML runner's ``predict.run``): an ``if`` on the draw with
different models in its two branches, a variable picked from two or more models by the draw, a model looked up by a
key derived from it (``models[arm].predict``); or when it runs a second model only to record its output (a shadow).
The draw, the pick or the whole split may sit in the repository's own functions the handler calls, in its module or
in a module it imports (facts/owncode.py), at most :data:`MAX_HOPS` calls deep; the evidence cites each call (``via``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import Hit, Matcher
from mlops_scan.matchers.names import name_patterns
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import ProjectInfo

if TYPE_CHECKING:
    from mlops_scan.matchers.routebody import Module, Summary, Vocabulary

MAX_HOPS = 2
"""Calls of the repository's own functions followed from a handler."""


@dataclass(frozen=True)
class RouteSplitParams:
    """Params of a ``route_split`` rule."""

    frameworks: list[str]
    """Modules whose import makes a route-decorated function a request handler (``fastapi``, ``flask``)."""
    choosers: list[str]
    """Qualified calls that draw at random or hash (``random.random``, ``numpy.random.*``, ``hashlib.*``,
    ``hash``), resolved through the module's imports."""
    route_decorators: list[str] = field(default_factory=lambda: ["get", "post", "put", "patch", "route", "api_route"])
    """The decorator's method name (``@app.post(...)``, ``@router.get(...)``, ``@bp.route(...)``)."""
    predict_methods: list[str] = field(default_factory=lambda: ["predict", "predict_proba"])
    """Methods that run a model (``model_b.predict(x)``)."""
    runner_methods: list[str] = field(default_factory=lambda: ["run", "async_run"])
    """Methods of a predict method that run it (a BentoML runner's ``runner.predict.run(x)``)."""
    sinks: list[str] = field(default_factory=list)
    """Calls that record a value rather than answer with it (``info``, ``add_task``, ``send``): a model whose output
    only goes to one of these, while another model's output is returned, is a shadow."""

    def __post_init__(self) -> None:
        """Reject well-typed but meaningless values."""
        if not self.frameworks or not self.choosers:
            raise ValueError("frameworks and choosers must each list at least one name")


class RouteSplitMatcher(Matcher[RouteSplitParams]):
    """Finds route handlers that pick a model per request at random or by a hash."""

    kind = "route_split"
    Params = RouteSplitParams
    reusable = True

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        super().__init__(rules, project)
        self._choosers = [name_patterns(r.params.choosers) for r in self.rules]
        self._imports = [[w for f in r.params.frameworks for w in (f"import {f}", f"from {f}")] for r in self.rules]

    def wants(self, entry: FileEntry) -> bool:
        return entry.suffix == ".py"

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        text = ctx.text or ""
        wanted = [
            (rule, chooser)
            for rule, chooser, imports in zip(self.rules, self._choosers, self._imports, strict=True)
            if chooser is not None and any(words in text for words in imports)
        ]
        if not wanted or ctx.tree is None:
            return
        from mlops_scan.matchers.routebody import Body, Vocabulary  # only for a module importing a web framework

        names = _import_names(ctx.tree)
        for rule, chooser in wanted:
            p = rule.params
            if not set(p.frameworks) & {n.split(".")[0] for n in names.values()}:
                continue
            words = Vocabulary(
                chooser.match, frozenset(p.predict_methods), frozenset(p.runner_methods), frozenset(p.sinks)
            )
            helpers = _Helpers(ctx.snapshot, ctx.path, ctx.tree, words)
            for handler, owner in _handlers(ctx.tree, p.route_decorators):
                body = Body(handler, helpers.module(ctx.path), words, helpers.finder(ctx.path, owner, 0))
                split = body.split_line()
                if split is not None:
                    via = tuple(h for h in helpers.chain(ctx.path, body.via, split) if h != f"{ctx.path}:{split}")
                    yield Hit(rule, ctx.path, split, ctx.line_text(split), via=via)
                    break


def _import_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, from the module's imports (``np`` -> ``numpy``)."""
    from mlops_scan.facts.python import statements  # with the parse: a rescan that replays every file needs neither

    names: dict[str, str] = {}
    for node in statements(tree):  # imports are statements: the expressions are never entered
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                names[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _handlers(
    tree: ast.Module, methods: list[str]
) -> Iterable[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None]]:
    """Functions decorated ``@<name>.<method>(...)`` or ``@<name>.<method>``, with the class they are methods of."""
    from mlops_scan.facts.python import statements

    owners = {id(f): c for c in statements(tree) if isinstance(c, ast.ClassDef) for f in c.body}
    for node in statements(tree):  # in the order of ast.walk
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            _decorator_method(d) in methods for d in node.decorator_list
        ):
            yield node, owners.get(id(node))


def _decorator_method(decorator: ast.expr) -> str | None:
    """``route`` of ``@bp.route("/x")`` or ``@bentoml.api``."""
    named = decorator.func if isinstance(decorator, ast.Call) else decorator
    return named.attr if isinstance(named, ast.Attribute) else None


class _Helpers:
    """The repository's own functions a handler calls, in its module or in modules it imports, summarised once."""

    def __init__(self, snapshot: Snapshot, path: str, tree: ast.Module, words: Vocabulary) -> None:
        from mlops_scan.facts.owncode import OwnCode

        self.words = words
        self.code = OwnCode(snapshot, path, tree)
        self._modules: dict[str, Module] = {}
        self._summaries: dict[tuple[str, int], Summary | None] = {}

    def module(self, path: str) -> Module:
        from mlops_scan.matchers.routebody import Module

        if path not in self._modules:
            tree = self.code.tree(path) or ast.Module(body=[], type_ignores=[])
            self._modules[path] = Module(tree, _import_names(tree))
        return self._modules[path]

    def finder(self, path: str, owner: ast.ClassDef | None, depth: int) -> Callable[[ast.Call], Summary | None]:
        """What a call made in ``path`` (in a method of ``owner``) does, when it calls the repository's own code."""

        def helper(call: ast.Call) -> Summary | None:
            found = self.code.function(path, call.func, owner) if depth < MAX_HOPS else None
            if found is None:
                return None
            target, fn, target_owner = found
            key = (target, fn.lineno)
            if key not in self._summaries:
                self._summaries[key] = None  # a recursive call finds nothing
                from mlops_scan.matchers.routebody import Body

                body = Body(fn, self.module(target), self.words, self.finder(target, target_owner, depth + 1))
                summary = body.summary()
                line = summary.split or summary.picks or summary.draws
                hops = self.chain(target, body.via, line)
                end = f"{target}:{line}"
                trail = tuple(hops if end in hops else [*hops, end]) if line is not None else ()
                self._summaries[key] = replace(summary, trail=trail)
            return self._summaries[key]

        return helper

    def chain(self, path: str, via: dict[int, Summary], line: int | None) -> list[str]:
        """The hops of a finding at ``line`` of ``path``: each call it went through, then inside that function (the
        finding's own line is not among them)."""
        out = []
        for call_line, summary in sorted(via.items()):
            if summary.trail and (line is None or call_line <= line or summary.split):
                out += [f"{path}:{call_line}", *summary.trail]
        return out
