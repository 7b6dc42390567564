"""The repository's own identity: the packages it defines and the distributions it publishes.

Read from every pyproject.toml, setup.cfg and setup.py of the project zone (parsed, never
run; a monorepo's ``python/<pkg>/pyproject.toml`` counts, an example's or a template's does
not) and from the layout (package folders at the root, under ``src/``, or beside a manifest),
so a tool's own source never counts as using that tool.
"""

from __future__ import annotations

import ast
import re

from mlops_scan.facts.context import FileContext
from mlops_scan.facts.requirements import normalise, table
from mlops_scan.snapshot.tree import Snapshot
from mlops_scan.types import ProjectInfo, Zone

MANIFESTS = ("pyproject.toml", "setup.cfg", "setup.py")


def detect_project(snapshot: Snapshot, contexts: dict[str, FileContext]) -> ProjectInfo:
    """Own packages and distribution names of the scanned repository (manifests of the project zone, layout).

    Contexts it opens are left in ``contexts`` so the scan reuses their parses.
    """
    names: set[str] = set()
    packages: set[str] = set()
    manifests = [e for e in snapshot.files if e.name in MANIFESTS and e.zone is Zone.PROJECT]
    roots = {e.path.rsplit("/", 1)[0] + "/" if "/" in e.path else "" for e in manifests}
    for entry in snapshot.files:
        parts = entry.path.split("/")
        if entry.name != "__init__.py" or len(parts) < 2:
            continue
        if len(parts) == 2 or (len(parts) == 3 and parts[0] in ("src", "lib", "python")):
            packages.add(parts[-2])
        folder = "/".join(parts[:-2]) + "/"  # a package folder beside a manifest, or in its src/
        if folder in roots or (folder.endswith("src/") and folder[:-4] in roots):
            packages.add(parts[-2])
    for entry in manifests:
        if entry.name == "pyproject.toml":
            contexts[entry.path] = FileContext(snapshot, entry)
            _pyproject_names(contexts[entry.path].toml, names, packages)
        elif entry.name == "setup.cfg":
            contexts[entry.path] = FileContext(snapshot, entry)
            names.update(_setup_cfg_names(contexts[entry.path]))
        else:
            contexts[entry.path] = FileContext(snapshot, entry)
            names.update(_setup_py_names(contexts[entry.path].tree))
    packages.update(re.sub(r"[-.]", "_", n).lower() for n in names)
    packages.discard("")
    return ProjectInfo(frozenset(packages), frozenset(normalise(n) for n in names if n))


def _pyproject_names(data: dict[str, object] | None, names: set[str], packages: set[str]) -> None:
    """PEP 621 and Poetry project names, and Poetry's declared packages."""
    project, poetry = table(data, "project"), table(data, "tool", "poetry")
    for value in (project.get("name"), poetry.get("name")):
        if isinstance(value, str):
            names.add(value)
    packages_list = poetry.get("packages")
    for item in packages_list if isinstance(packages_list, list) else []:
        if isinstance(item, dict) and isinstance(item.get("include"), str):
            packages.add(item["include"].split("/")[0])


def _setup_cfg_names(ctx: FileContext) -> set[str]:
    import configparser  # only a repository with a setup.cfg needs it

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(ctx.text or "")
        name = parser.get("metadata", "name", fallback="")
    except configparser.Error:
        ctx.skip("malformed setup.cfg: project name not read")
        return set()
    return {name} if name else set()


def _setup_py_names(tree: ast.Module | None) -> set[str]:
    """The name passed to ``setup(...)``, read from the AST (never executed): a literal, a module-level
    string constant (``name=NAME``), or the ``name`` of a module-level dict passed as ``**config``."""
    if tree is None:
        return set()
    constants: dict[str, ast.expr] = {}
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            constants[statement.targets[0].id] = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
            constants[statement.target.id] = statement.value

    def value(node: ast.expr) -> ast.expr:
        return constants.get(node.id, node) if isinstance(node, ast.Name) else node

    def string(node: ast.expr) -> str | None:
        node = value(node)
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    def mapping_name(node: ast.expr) -> str | None:
        node = value(node)
        if isinstance(node, ast.Dict):
            return next(
                (
                    string(v)
                    for k, v in zip(node.keys, node.values)
                    if isinstance(k, ast.Constant) and k.value == "name"
                ),
                None,
            )
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "dict":
            return next((string(kw.value) for kw in node.keywords if kw.arg == "name"), None)
        return None

    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup":
            for kw in node.keywords:
                name = string(kw.value) if kw.arg == "name" else mapping_name(kw.value) if kw.arg is None else None
                if name:
                    out.add(name)
    return out
