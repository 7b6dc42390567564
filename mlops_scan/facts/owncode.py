"""The repository's own functions a module calls, found without the project index's listing walk.

A callee is a function of the module, a method of the class the call is made in (``self.pick``), or a function of
a module the repository holds that the module imports (``from .routing import pick``, ``from app.routing import
pick``, ``import app.routing as routing``: relative to the importer, else from its folders, nearest first, the top
or ``src/``). Only ``snapshot.entry`` look-ups and reads of the modules named (at most :data:`MAX_MODULES` besides
the first), so a matcher may ask while one file is scanned: every path it consults is recorded.
"""

from __future__ import annotations

import ast

from mlops_scan.facts.context import FileContext
from mlops_scan.snapshot.tree import Snapshot

MAX_MODULES = 8
"""Other modules read for one file's questions."""

Function = ast.FunctionDef | ast.AsyncFunctionDef
Found = tuple[str, Function, "ast.ClassDef | None"]
"""A function of the repository: its module, its definition, the class it is a method of."""


class OwnCode:
    """One file's view of the repository's functions it calls, the modules read once each."""

    def __init__(self, snapshot: Snapshot, path: str, tree: ast.Module) -> None:
        self.snapshot = snapshot
        self._trees: dict[str, ast.Module | None] = {path: tree}

    def tree(self, path: str) -> ast.Module | None:
        """A module already read (the first file, or one a call led to)."""
        return self._trees.get(path)

    def function(self, path: str, func: ast.expr, owner: ast.ClassDef | None = None) -> Found | None:
        """The definition a callee written in ``path`` (in a method of ``owner``) names, or None for any other."""
        tree = self._trees.get(path)
        if tree is None:
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self" and owner:
            method = defined(owner.body, func.attr)
            return (path, method, owner) if method is not None else None
        local: str | None = func.id if isinstance(func, ast.Name) else None
        attr: str | None = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            local, attr = func.value.id, func.attr
        if local is None:
            return None
        own = defined(tree.body, local) if attr is None else None
        if own is not None:
            return path, own, None
        imported = _imported(tree).get(local)
        if imported is None:
            return None
        module, level, name = imported
        if attr is not None:
            module, name = ".".join(p for p in (module, name) if p), attr
        target = self._load(_module_file(self.snapshot, path, module, level)) if name else None
        function = defined(target[1].body, name) if target is not None and name else None
        return (target[0], function, None) if target is not None and function is not None else None

    def _load(self, path: str | None) -> tuple[str, ast.Module] | None:
        if path is None:
            return None
        if path not in self._trees:
            entry = self.snapshot.entry(path)
            budget = len(self._trees) <= MAX_MODULES
            self._trees[path] = FileContext(self.snapshot, entry).tree if entry is not None and budget else None
        tree = self._trees[path]
        return (path, tree) if tree is not None else None


def defined(body: list[ast.stmt], name: str) -> Function | None:
    """The function ``name`` a block (a module's, a class's) defines."""
    return next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)


def _imported(tree: ast.Module) -> dict[str, tuple[str, int, str | None]]:
    """Local name -> (module, relative level, imported name or None for a module)."""
    out: dict[str, tuple[str, int, str | None]] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                out[alias.asname or alias.name] = (node.module or "", node.level, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = (alias.name, 0, None)
    return out


def _module_file(snapshot: Snapshot, importer: str, module: str, level: int) -> str | None:
    """The repository's file a module name imported in ``importer`` means: relative to it, or from one of its
    folders (the nearest first), the top or ``src/``; None for a third party's."""
    parts = module.split(".") if module else []
    folders = importer.split("/")[:-1]
    if level:
        bases = ["/".join(folders[: len(folders) - level + 1] + parts)] if level <= len(folders) + 1 else []
    else:
        bases = ["/".join(folders[:i] + parts) for i in range(len(folders), -1, -1)] + ["/".join(["src", *parts])]
    for base in bases:
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            if base and snapshot.entry(candidate) is not None:
                return candidate
    return None
