"""The repository's own identity: the packages it defines and the distributions it publishes.

Read from pyproject.toml, setup.cfg and setup.py (parsed, never run) and from the layout
(top-level or ``src/`` folders with an ``__init__.py``), so a tool's own source never
counts as using that tool.
"""

from __future__ import annotations

import ast
import configparser
import re
import warnings

from mlops_scan.filecontext import FileContext
from mlops_scan.matchers.base import ProjectInfo
from mlops_scan.requirements import normalise, table
from mlops_scan.snapshot import Snapshot


def detect_project(snapshot: Snapshot, contexts: dict[str, FileContext]) -> ProjectInfo:
    """Own packages and distribution names of the scanned repository (root manifests and layout).

    Contexts it opens are left in ``contexts`` so the scan reuses their parses.
    """
    names: set[str] = set()
    packages: set[str] = set()
    for entry in snapshot.files:
        parts = entry.path.split("/")
        if entry.name == "__init__.py" and (len(parts) == 2 or (len(parts) == 3 and parts[0] in ("src", "lib", "python"))):
            packages.add(parts[-2])
    pyproject = snapshot.entry("pyproject.toml")
    if pyproject is not None:
        contexts["pyproject.toml"] = FileContext(snapshot, pyproject)
        data = contexts["pyproject.toml"].toml
        project, poetry = table(data, "project"), table(data, "tool", "poetry")
        for value in (project.get("name"), poetry.get("name")):
            if isinstance(value, str):
                names.add(value)
        packages_list = poetry.get("packages")
        for item in packages_list if isinstance(packages_list, list) else []:
            if isinstance(item, dict) and isinstance(item.get("include"), str):
                packages.add(item["include"].split("/")[0])
    if snapshot.entry("setup.cfg") is not None:
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read_string(snapshot.read_text("setup.cfg") or "")
            name = parser.get("metadata", "name", fallback="")
            if name:
                names.add(name)
        except configparser.Error:
            snapshot.skip("setup.cfg", "malformed setup.cfg: project name not read")
    if snapshot.entry("setup.py") is not None:
        names.update(_setup_py_names(snapshot.read_text("setup.py") or ""))
    packages.update(re.sub(r"[-.]", "_", n).lower() for n in names)
    packages.discard("")
    return ProjectInfo(frozenset(packages), frozenset(normalise(n) for n in names if n))


def _setup_py_names(text: str) -> set[str]:
    """``name="..."`` passed to ``setup(...)``, read from the AST (never executed)."""
    try:
        with warnings.catch_warnings():  # invalid escapes in the scanned file are not our warnings
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return set()
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup":
            for kw in node.keywords:
                if kw.arg == "name" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    out.add(kw.value.value)
    return out
