"""Where the data a call measures comes from (its module, and the repository's functions it calls): static or not.

A drift or quality library run on production data reads that data from somewhere only known when it runs (a
table, a prediction log, a path given at run time). Run on a static dataset, every value it measures traces back
to a train/test split, a toy or synthetic dataset, or a file the repository holds, or its current data is made
from the reference data it is compared with (``current = reference.sample(frac=1.0).assign(...)``).

Origins are followed through the module's assignments (tuple unpacking included), the returns of its own
top-level functions and of functions of the repository's modules it imports (at most :data:`MAX_HOPS` modules
away, facts/owncode.py), method calls on a value (``df.drop(...)`` comes from ``df``), subscripts, arithmetic and the
arguments of other calls, without scopes (a name means every value the module assigns to it), at most
:data:`MAX_STEPS` steps per argument.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mlops_scan.facts import notebooks
from mlops_scan.facts.context import FileContext
from mlops_scan.facts.owncode import OwnCode
from mlops_scan.facts.python import Call, extract

MAX_STEPS = 200
"""Expressions visited while tracing one argument."""
MAX_HOPS = 2
"""Functions of the repository's other modules followed from the measuring module (a loader, the loader's reader)."""
_DATA_FILE = re.compile(r"\.(?:csv|tsv|parquet|pq|feather|json|jsonl|xlsx?|pkl|pickle|npy|npz|arrow)(?:\.gz|\.zip)?$")
_STATIC_NAME = re.compile(
    r"(?i)(?:^|[/_.\-])(?:train|training|test|testing|valid|validation|holdout|sample|samples|example|examples|demo|toy|"
    r"synthetic|dummy|fake)(?:[/_.\-]|$)"
)
"""A data file whose name says it is a fixed split or a sample."""


Follow = Callable[[ast.Call], "tuple[DataOrigins, list[ast.expr]] | None"]
"""For a call of a function of another of the repository's modules: that module's origins and the values the
function returns."""


@dataclass
class Origins:
    """What one argument's values come from."""

    static: bool = False
    """Some value comes from a static dataset."""
    other: bool = False
    """Some value comes from elsewhere (a table, a path known at run time, a parameter)."""
    names: set[str] = field(default_factory=set)
    """The variables passed through on the way."""


class DataOrigins:
    """One module's assignments and returns, to trace the arguments of its calls."""

    def __init__(
        self,
        tree: ast.Module,
        calls: list[Call],
        is_static_source: Callable[[str], object],
        held: Callable[[str], object],
        follow: Follow | None = None,
    ) -> None:
        """``calls``: the module's resolved calls (their names, by line and last name); ``is_static_source``: a
        qualified call whose result is a static dataset; ``held``: a path (from the module's folder or the
        repository's top) the repository holds."""
        self.qualified = {(c.line, _last(c.name)): c.name for c in calls}
        self.is_static_source = is_static_source
        self.held = held
        self.follow = follow
        self.values: dict[str, list[tuple[ast.expr, int | None]]] = {}
        """Name -> each value assigned to it, with the position taken from a tuple (``a, b = f()``)."""
        self.returns: dict[str, list[ast.expr]] = {}
        """The module's own top-level function -> the values it returns."""
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    self._assign(target, node.value)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.returns[node.name] = [
                    r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None
                ]

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.values.setdefault(target.id, []).append((value, None))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for position, element in enumerate(target.elts):
                if isinstance(element, ast.Name):
                    self.values.setdefault(element.id, []).append((value, position))

    def trace(self, expr: ast.expr) -> Origins:
        """The origins of an argument's values."""
        found = Origins()
        budget = [MAX_STEPS]
        self._trace(expr, None, found, budget, set())
        return found

    def _trace(self, expr: ast.expr, position: int | None, found: Origins, budget: list[int], seen: set[str]) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            found.other = True
            return
        if isinstance(expr, (ast.Tuple, ast.List)) and position is not None:
            if position < len(expr.elts):
                self._trace(expr.elts[position], None, found, budget, seen)
            return
        if isinstance(expr, ast.Name):
            self._name(expr.id, position, found, budget, seen)
        elif isinstance(expr, ast.Constant):
            self._constant(expr.value, found)
        elif isinstance(expr, ast.Call):
            self._call(expr, position, found, budget, seen)
        elif isinstance(expr, (ast.Subscript, ast.Attribute, ast.Starred)):
            self._trace(expr.value, position, found, budget, seen)
        elif isinstance(expr, ast.BinOp):
            self._trace(expr.left, None, found, budget, seen)
            self._trace(expr.right, None, found, budget, seen)
        elif isinstance(expr, (ast.Tuple, ast.List)):
            for element in expr.elts:
                self._trace(element, None, found, budget, seen)
        elif not isinstance(expr, (ast.Lambda, ast.UnaryOp)):
            found.other = True

    def _name(self, name: str, position: int | None, found: Origins, budget: list[int], seen: set[str]) -> None:
        found.names.add(name)
        key = f"{id(self)}:{name}#{position}"  # names of another module's function are other variables
        if key in seen:
            return
        seen.add(key)
        values = self.values.get(name)
        if not values:
            found.other = True  # a parameter, a loop variable, a global of another module
            return
        for value, picked in values:
            self._trace(value, picked if picked is not None else position, found, budget, seen)

    def _constant(self, value: object, found: Origins) -> None:
        """A data file's path: static when its name says so or the repository holds it; other literals (numbers,
        options, a query) say nothing alone."""
        path = value.strip() if isinstance(value, str) else ""
        if _DATA_FILE.search(path):
            if _STATIC_NAME.search(path) or self.held(path):
                found.static = True
            else:
                found.other = True

    def _call(self, call: ast.Call, position: int | None, found: Origins, budget: list[int], seen: set[str]) -> None:
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        qualified = self.qualified.get((call.lineno, last))
        if qualified is not None and self.is_static_source(qualified):
            found.static = True
        elif isinstance(func, ast.Name) and func.id in self.returns:
            for value in self.returns[func.id]:
                self._trace(value, position, found, budget, seen)
        elif (followed := self.follow(call) if self.follow else None) is not None:
            other, values = followed  # a function of another of the repository's modules
            for value in values:
                other._trace(value, position, found, budget, seen)
        elif isinstance(func, ast.Attribute) and (qualified is None or "()" in qualified):
            self._trace(func.value, None, found, budget, seen)  # a method of a value: ``df.dropna()``
        elif call.args or call.keywords:  # a reader's options are keywords: its source is positional when given so
            for argument in call.args or [k.value for k in call.keywords]:
                self._trace(argument, None, found, budget, seen)
        else:
            found.other = True


def measured_on_static_data(origins: DataOrigins, tree: ast.Module, measuring: list[Call], arguments: set[str]) -> bool:
    """Whether the data of every measuring call (its ``arguments``: keyword names or positions ``"0"``) comes only
    from static datasets, or some of it is made from another argument (the reference) of those calls; False when
    the module has no such call or one has no such argument."""
    nodes = _call_nodes(tree, {(c.line, _last(c.name)) for c in measuring})
    traced: list[tuple[ast.expr, Origins]] = []
    for node in nodes:
        picked = [a for i, a in enumerate(node.args) if str(i) in arguments]
        picked += [k.value for k in node.keywords if k.arg in arguments]
        if not picked:
            return False
        traced += [(a, o) for a, o in ((a, origins.trace(a)) for a in picked) if o.static or o.other or o.names]
    if not traced:
        return False
    passed = {a.id for a, _ in traced if isinstance(a, ast.Name)}
    made_from_another = any((o.names - {getattr(a, "id", "")}) & passed for a, o in traced)
    return made_from_another or all(o.static and not o.other for _, o in traced)


def _call_nodes(tree: ast.Module, wanted: set[tuple[int, str]]) -> list[ast.Call]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if (node.lineno, last) in wanted:
                out.append(node)
    return out


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1].removesuffix("()")


def on_static_data(
    ctx: FileContext,
    calls: list[Call],
    measures: Callable[[str], object],
    is_static_source: Callable[[str], object],
    arguments: set[str],
) -> bool:
    """Whether every call of the module (or notebook) that ``measures`` names measures static data only (see
    :func:`measured_on_static_data`); False when there is none, or the source does not parse whole."""
    measuring = [c for c in calls if measures(c.name)]
    if not measuring:
        return False
    if ctx.is_notebook:
        source = notebooks.as_python(ctx.cells)[0] if ctx.cells and ctx.line_map is not None else ""
        try:
            tree: ast.Module | None = ast.parse(source) if source else None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
    else:
        tree = ctx.tree
    if tree is None:
        return False

    code = OwnCode(ctx.snapshot, ctx.path, tree)
    modules: dict[str, DataOrigins] = {}

    def held(module: str) -> Callable[[str], bool]:
        return lambda literal: any(ctx.snapshot.entry(p) is not None for p in _repository_paths(module, literal))

    def follower(path: str, depth: int) -> Follow:
        def follow(call: ast.Call) -> tuple[DataOrigins, list[ast.expr]] | None:
            found = code.function(path, call.func) if depth < MAX_HOPS else None
            other = code.tree(found[0]) if found is not None and found[0] != path else None
            if found is None or other is None:
                return None
            if found[0] not in modules:
                own_calls = extract(other).calls
                modules[found[0]] = DataOrigins(
                    other, own_calls, is_static_source, held(found[0]), follower(found[0], depth + 1)
                )
            values = [r.value for r in ast.walk(found[1]) if isinstance(r, ast.Return) and r.value is not None]
            return modules[found[0]], values

        return follow

    origins = DataOrigins(tree, calls, is_static_source, held(ctx.path), follower(ctx.path, 0))
    return measured_on_static_data(origins, tree, measuring, arguments)


def _repository_paths(module: str, literal: str) -> list[str]:
    """Where a path literal written in ``module`` may point in the repository: from the top, from the module's
    folder."""
    literal = literal.strip().removeprefix("./")
    if literal.startswith("/") or "://" in literal:
        return []
    folder = posixpath.dirname(module)
    return [posixpath.normpath(literal), posixpath.normpath(posixpath.join(folder, literal))]
