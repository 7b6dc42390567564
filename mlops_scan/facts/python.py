"""Facts about one Python module, from one AST pass: imports, resolved calls, classes.

Names are resolved through the module's imports (``import mlflow as mf`` makes ``mf.log_metric``
``mlflow.log_metric``) and through simple assignments (``client = MlflowClient()`` makes
``client.create_model_version`` ``mlflow.MlflowClient().create_model_version``). Strings,
comments and mocks never count: only import statements, call nodes and class definitions.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """A call whose callee resolved to a qualified name."""

    name: str
    line: int
    kwargs: dict[str, str | None]
    """Keyword names, each with its value when it is a literal string/number/bool (else None)."""
    args: tuple[str | None, ...] = ()
    """Positional arguments: each one's value when it is a literal string/number/bool (else None)."""
    nones: frozenset[str] = frozenset()
    """The arguments written as a literal ``None``: keyword names, and positions as ``"0"``, ``"1"``..."""
    templates: dict[str, str] = field(default_factory=dict)
    """Strings built from parts (``"file://" + path``, ``f"file://{path}"``) by keyword name or position:
    the literal parts kept, each computed part written ``{}`` (``file://{}``)."""


@dataclass
class PyFacts:
    """Everything the python matcher looks at in one module."""

    imports: list[tuple[str, int]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    bases: list[tuple[str, int]] = field(default_factory=list)
    decorators: list[tuple[str, int]] = field(default_factory=list)
    functions: dict[str, int] = field(default_factory=dict)
    """Top-level function names and their lines."""
    assigns: list[tuple[str, int]] = field(default_factory=list)
    """Qualified attribute targets assigned to (``endpoint.traffic = ...``)."""
    classes: list[tuple[str, int]] = field(default_factory=list)
    """Names of the classes the module defines (any depth) and their lines."""


def extract(tree: ast.Module) -> PyFacts:
    """Collect the facts of a parsed module."""
    visitor = _Visitor()
    for node in statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                visitor.facts.imports.append((alias.name, node.lineno))
                if alias.asname:
                    visitor.names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    visitor.names[root] = root
        elif isinstance(node, ast.ImportFrom) and node.level:
            # Relative imports name the repository's own modules: kept with their leading dots
            # (``.nodes.train_model``) so they never resolve to a third-party tool.
            module = "." * node.level + (f"{node.module}." if node.module else "")
            for alias in node.names:
                visitor.facts.imports.append((f"{module}{alias.name}", node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                visitor.facts.imports.append((f"{node.module}.{alias.name}", node.lineno))
                if alias.name != "*":
                    visitor.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.ClassDef):
            visitor.facts.classes.append((node.name, node.lineno))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            visitor.facts.functions.setdefault(node.name, node.lineno)
    visitor.visit(tree)
    return visitor.facts


_BLOCKS = frozenset({"body", "handlers", "orelse", "finalbody", "cases"})
"""Fields that hold statements (or the handlers and cases that hold them)."""
_LEAVES = (
    *(ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop, ast.alias),
    *(ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Pass, ast.Break, ast.Continue),
)
"""Nodes no fact comes from and that hold none: never visited (imports are read before the walk)."""


_SCALAR_FIELDS = frozenset(
    {"id", "attr", "arg", "name", "module", "level", "kind", "type_comment", "is_async", "conversion", "simple"}
    | {"ctx", "op", "ops", "names"}  # leaves (contexts, operators, aliases) or lists of them or of names
)
"""Fields that never hold a node worth visiting: skipped without looking."""
_CHILD_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}
"""Node class -> its fields that may hold nodes to visit, each with whether it holds a list (the grammar fixes it
for each field of a class)."""


class _Handlers(dict[type, "Callable[[_Visitor, Any], None] | None"]):
    """Class of a child -> its handler, looked up once per class (see :func:`_handler_of`)."""

    def __missing__(self, cls: type) -> Callable[[_Visitor, Any], None] | None:
        return _handler_of(cls)


_HANDLERS = _Handlers()


_BLOCK_FIELDS: dict[type, tuple[str, ...]] = {}
"""Node class -> its fields in ``_BLOCKS``."""


def statements(tree: ast.Module) -> Iterator[ast.AST]:
    """The module, its statements, handlers and match cases, in the order of ``ast.walk`` (imports and
    classes are statements: expressions, most of the tree, are never entered)."""
    queue: deque[ast.AST] = deque([tree])
    blocks = _BLOCK_FIELDS
    while queue:
        node = queue.popleft()
        names = blocks.get(node.__class__)
        if names is None:
            names = blocks[node.__class__] = tuple(f for f in node._fields if f in _BLOCKS)
        for name in names:
            value = getattr(node, name, None)
            if value.__class__ is list:
                queue.extend(value)
        yield node


def _self_attribute(node: ast.expr) -> str | None:
    """``self.name`` for an attribute of ``self``, else None."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return f"self.{node.attr}"
    return None


def _handler_of(cls: type) -> Callable[[_Visitor, Any], None] | None:
    """How the walk handles a child of class ``cls`` (remembered): None for a leaf or a value that is no node."""
    handler = None
    if issubclass(cls, ast.AST) and not issubclass(cls, _LEAVES):
        handler = getattr(_Visitor, "visit_" + cls.__name__, _Visitor.generic_visit)
    _HANDLERS[cls] = handler
    return handler


class _Visitor(ast.NodeVisitor):
    """Walks in source order, so assignments resolve names used after them."""

    def __init__(self) -> None:
        self.facts = PyFacts()
        self.names: dict[str, str] = {}
        self.self_bound = False
        """Some ``self.name`` is bound (else no attribute is looked up as one)."""

    # ``visit`` and ``generic_visit`` of ast.NodeVisitor, made cheaper: each node class's handler (None for a
    # leaf or a value that is no node) is looked up once, so a child costs one dict look-up before its
    # handler runs (this walk is most of the cost of a Python file).
    def visit(self, node: ast.AST) -> None:
        handler = _HANDLERS[node.__class__]
        if handler is not None:
            handler(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        fields = _CHILD_FIELDS.get(node.__class__)
        if fields is None:
            fields = _CHILD_FIELDS[node.__class__] = tuple(
                (f, getattr(node, f, None).__class__ is list) for f in node._fields if f not in _SCALAR_FIELDS
            )
        handlers = _HANDLERS
        for name, many in fields:
            if many:
                for item in getattr(node, name):
                    handler = handlers[item.__class__]
                    if handler is not None:
                        handler(self, item)
            else:
                item = getattr(node, name, None)
                handler = handlers[item.__class__]
                if handler is not None:
                    handler(self, item)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        value = node.value  # the most frequent node: a chain of them is walked down at once
        while value.__class__ is ast.Attribute:
            value = value.value
        if value.__class__ is not ast.Name:
            self.visit(value)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.value.__class__ is not ast.Constant:
            self.visit(node.value)

    def resolve(self, node: ast.expr) -> str | None:
        """The qualified name of an expression, or None when it does not lead to an import."""
        parts: list[str] = []
        names = self.names
        while True:  # the parser makes nodes of these classes, never of subclasses
            kind = node.__class__
            if kind is ast.Attribute:
                bound = _self_attribute(node) if self.self_bound else None
                if bound is not None and bound in names:
                    parts.append(names[bound])  # ``self.client`` bound by ``self.client = Client()``
                    break
                parts.append(node.attr)  # type: ignore[attr-defined]
                node = node.value  # type: ignore[attr-defined]
            elif kind is ast.Call:
                parts.append("()")
                node = node.func  # type: ignore[attr-defined]
            elif kind is ast.Subscript:
                parts.append("[]")
                node = node.value  # type: ignore[attr-defined]
            elif kind is ast.Name:
                base = names.get(node.id)  # type: ignore[attr-defined]
                if base is None:
                    return None
                parts.append(base)
                break
            else:
                return None
        out = ""
        for part in reversed(parts):
            out = out + part if part in ("()", "[]") or not out else f"{out}.{part}"
        return out

    def _bind(self, target: ast.expr, value: str | None) -> None:
        if value is None:
            return
        if isinstance(target, ast.Name):
            self.names[target.id] = value
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            self.names[f"self.{target.attr}"] = value
            self.self_bound = True

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        value = self.resolve(node.value)
        for target in node.targets:
            self._bind(target, value)
            if isinstance(target, ast.Attribute):
                owner = self.resolve(target.value)
                if owner:
                    self.facts.assigns.append((f"{owner}.{target.attr}", node.lineno))

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.generic_visit(node)
        if node.value is not None:
            self._bind(node.target, self.resolve(node.value))

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind(item.optional_vars, self.resolve(item.context_expr))
        self.generic_visit(node)

    visit_AsyncWith = visit_With  # type: ignore[assignment]

    def visit_arg(self, node: ast.arg) -> None:
        if node.annotation is not None:
            kind = self.resolve(node.annotation)
            if kind:
                self.names[node.arg] = kind + "()"

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for base in node.bases:
            name = self.resolve(base)
            if name:
                self.facts.bases.append((name, node.lineno))
        self._decorators(node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._decorators(node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def _decorators(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = self.resolve(target)
            if name:
                self.facts.decorators.append((name, deco.lineno))

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        name = self.resolve(node.func)
        if not name:
            return
        kwargs: dict[str, str | None] = {}
        nones: list[str] = []
        templates: dict[str, str] = {}
        for kw in node.keywords:
            if kw.arg:
                kwargs[kw.arg] = _literal(kw.value)
                _note(kw.arg, kw.value, nones, templates)
        positional = _positional(node.args)
        for index, arg in enumerate(positional):
            _note(str(index), arg, nones, templates)
        args = tuple(_literal(a) for a in positional)
        self.facts.calls.append(Call(name, node.lineno, kwargs, args, frozenset(nones), templates))


def _note(key: str, value: ast.expr, nones: list[str], templates: dict[str, str]) -> None:
    """Note an argument written as a literal ``None`` or built from parts (a template)."""
    kind = value.__class__
    if kind is ast.Constant:
        if value.value is None:  # type: ignore[attr-defined]
            nones.append(key)
    elif kind is ast.JoinedStr or kind is ast.BinOp:  # the only nodes a template comes from
        text = _template(value)
        if text is not None:
            templates[key] = text


def _positional(args: list[ast.expr]) -> list[ast.expr]:
    """The arguments before any ``*args`` (positions after it are unknown)."""
    for index, arg in enumerate(args):
        if arg.__class__ is ast.Starred:
            return args[:index]
    return args


def _literal(node: ast.expr) -> str | None:
    """The text of a literal string, number or bool argument; None for anything else (``None`` included)."""
    value = node.value if isinstance(node, ast.Constant) else None
    return None if value is None else str(value)


def _template(node: ast.expr) -> str | None:
    """A string built by ``+`` or an f-string, its computed parts written ``{}``; None for anything else."""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}" for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        left = left if left is not None else _string(node.left)
        right = right if right is not None else _string(node.right)
        return None if left is None and right is None else (left or "{}") + (right or "{}")
    return None


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
