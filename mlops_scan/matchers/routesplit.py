"""``route_split`` kind: a web route handler that splits requests between two model objects.

A handler is a function decorated ``@<app>.get/post/route(...)`` in a module importing a web framework. It
splits traffic when a random draw or a hash of the request (``random.random() < 0.1``, ``random.choices([a, b],
weights=...)``, ``int(hashlib.md5(uid).hexdigest(), 16) % 100``) picks which model object's ``predict`` runs:
an ``if`` on the draw with ``predict`` of different objects in its two branches, a variable picked from two or more
objects by the draw, or a model looked up by a key derived from it (``models[arm].predict``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import Hit, Matcher
from mlops_scan.matchers.names import name_patterns
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry
from mlops_scan.types import ProjectInfo


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

    def wants(self, entry: FileEntry) -> bool:
        return entry.suffix == ".py"

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        text = ctx.text or ""
        wanted = [
            (rule, chooser)
            for rule, chooser in zip(self.rules, self._choosers, strict=True)
            if chooser is not None and any(f"import {f}" in text or f"from {f}" in text for f in rule.params.frameworks)
        ]
        if not wanted or ctx.tree is None:
            return
        names = _import_names(ctx.tree)
        for rule, chooser in wanted:
            p = rule.params
            if not set(p.frameworks) & {n.split(".")[0] for n in names.values()}:
                continue
            for handler in _handlers(ctx.tree, p.route_decorators):
                split = _Handler(handler, names, chooser.match, set(p.predict_methods)).split_line()
                if split is not None:
                    yield Hit(rule, ctx.path, split, ctx.line_text(split))
                    break


def _import_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, from the module's imports (``np`` -> ``numpy``)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                names[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _handlers(tree: ast.Module, methods: list[str]) -> Iterable[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Functions decorated ``@<name>.<method>(...)``."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in methods
            for d in node.decorator_list
        ):
            yield node


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


class _Handler:
    """One handler's body: which names a draw or a hash decides, and where it picks a model."""

    def __init__(
        self, fn: ast.AST, names: dict[str, str], is_chooser: Callable[[str], object], predict: set[str]
    ) -> None:
        self.nodes = sorted(
            (n for n in ast.walk(fn) if isinstance(n, (ast.stmt, ast.expr))), key=lambda n: (n.lineno, n.col_offset)
        )
        self.after = {
            id(stmt): block[i + 1 :]
            for n in ast.walk(fn)
            for block in (getattr(n, "body", None), getattr(n, "orelse", None))
            if isinstance(block, list)
            for i, stmt in enumerate(block)
        }
        """Each statement -> the statements after it in its block."""
        self.names = names
        self.is_chooser = is_chooser
        self.predict = predict
        self.derived: set[str] = set()
        """Variables whose value comes from a draw or a hash."""
        self.picked: dict[str, int] = {}
        """Variables holding one of several objects picked by a draw, and the line of the pick."""

    def _qualified(self, call: ast.Call) -> str | None:
        dotted = _dotted(call.func)
        if dotted is None:
            return None
        root, _, rest = dotted.partition(".")
        qualified = self.names.get(root, root)
        return f"{qualified}.{rest}" if rest else qualified

    def _drawn(self, node: ast.AST) -> bool:
        """The expression draws at random, hashes, or uses a variable that did."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.derived:
                return True
            if isinstance(sub, ast.Call):
                name = self._qualified(sub)
                if name is not None and self.is_chooser(name):
                    return True
        return False

    def _picks(self, value: ast.expr) -> bool:
        """``a if <draw> else b`` or ``random.choice([a, b])`` over two or more distinct non-literal objects."""
        while isinstance(value, ast.Subscript):
            value = value.value
        if isinstance(value, ast.IfExp):
            options = [value.body, value.orelse]
            drawn = self._drawn(value.test)
        elif isinstance(value, ast.Call) and value.args and isinstance(value.args[0], (ast.List, ast.Tuple)):
            options = list(value.args[0].elts)
            name = self._qualified(value)
            drawn = name is not None and bool(self.is_chooser(name))
        else:
            return False
        objects = {ast.unparse(o) for o in options if not isinstance(o, ast.Constant)}
        return drawn and len(objects) >= 2 and len(objects) == len(options)

    def _otherwise(self, node: ast.If) -> list[ast.stmt]:
        """What runs when the test fails: the ``else``, or the statements after an ``if`` whose body returns."""
        if node.orelse or not isinstance(node.body[-1], ast.Return):
            return node.orelse
        return self.after.get(id(node), [])

    def _receivers(self, nodes: Iterable[ast.AST]) -> set[str]:
        return {
            ast.unparse(n.func.value)
            for top in nodes
            for n in ast.walk(top)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in self.predict
        }

    def split_line(self) -> int | None:
        """The line where the handler picks one of two models by a draw or a hash, or None."""
        for node in self.nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                target = node.targets[0].id
                if self._picks(node.value):
                    self.picked[target] = node.lineno
                elif self._drawn(node.value):
                    self.derived.add(target)
            elif isinstance(node, ast.If) and self._drawn(node.test):
                body, orelse = self._receivers(node.body), self._receivers(self._otherwise(node))
                if body and orelse and body != orelse:
                    return node.lineno
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in self.predict:
                receiver = node.func.value
                if isinstance(receiver, ast.Name) and receiver.id in self.picked:
                    return self.picked[receiver.id]
                if isinstance(receiver, ast.Subscript) and self._drawn(receiver.slice):
                    return node.lineno
        return None
