"""Where a command enters the repository's own Python, and what it reaches from there.

A CI step (with the scripts, Makefile targets and tasks it calls already expanded into its text) starts the
repository's code in three ways: ``python path/to/script.py``, ``python -m pkg.module`` (a package's
``__main__.py`` for ``-m pkg``) and a console script the repository declares (``[project.scripts]``,
``[tool.poetry.scripts]``, ``console_scripts`` in ``setup.cfg``) called by name, also through ``uv run``,
``poetry run`` and the like. From each, the :class:`ProjectIndex` follows the repository's own calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlops_scan.facts.context import FileContext
from mlops_scan.facts.index import Goal, Hop, ProjectIndex
from mlops_scan.snapshot.tree import Snapshot

_PYTHON = re.compile(
    r"(?<![\w/-])python[\d.]*(?:\s+-[A-Za-z]+)*\s+(?:-m\s+([A-Za-z_][\w.]*)|((?:\.{0,2}/)?[\w.-]+(?:/[\w.-]+)*\.py)\b)"
)
"""``python [options] -m pkg.mod`` or ``python [options] path/script.py``."""
_SCRIPT_TARGET = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?::\s*([A-Za-z_][\w.]*))?")
_MANIFESTS = ("pyproject.toml", "setup.cfg")


@dataclass(frozen=True)
class EntryPoint:
    """A place the command starts the repository's code: a module (all of it) or one function of it."""

    path: str
    line: int | None
    """The function's first line (a console script's target), None for a whole module run as a script."""


def console_scripts(snapshot: Snapshot) -> dict[str, str]:
    """Console-script name -> ``module:function`` (or ``module``), from the root manifests."""
    scripts: dict[str, str] = {}
    for name in _MANIFESTS:
        entry = snapshot.entry(name)
        if entry is None:
            continue
        ctx = FileContext(snapshot, entry)
        if name.endswith(".toml"):
            data = ctx.toml or {}
            for table in (_table(data, "project", "scripts"), _table(data, "tool", "poetry", "scripts")):
                scripts.update({k: v for k, v in table.items() if isinstance(v, str)})
        else:
            scripts.update(_setup_cfg_scripts(ctx.text or ""))
    return scripts


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The table at ``keys`` (empty when a key is missing or a value on the way is not a table)."""
    for key in keys:
        value = data.get(key)
        if not isinstance(value, dict):
            return {}
        data = value
    return data


def _setup_cfg_scripts(text: str) -> dict[str, str]:
    import configparser  # only a repository with a setup.cfg needs it

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
        block = parser.get("options.entry_points", "console_scripts", fallback="")
    except configparser.Error:
        return {}
    pairs = (line.split("=", 1) for line in block.splitlines() if "=" in line)
    return {name.strip(): target.strip() for name, target in pairs}


def entry_points(index: ProjectIndex, command: str, scripts: dict[str, str], importer: str) -> list[EntryPoint]:
    """The repository's modules and functions a command runs, in the order it names them."""
    found: list[EntryPoint] = []
    for match in _PYTHON.finditer(command):
        module, script = match.groups()
        point = _module_entry(index, module, importer) if module else _script_entry(index, script, importer)
        if point is not None:
            found.append(point)
    for name, target in scripts.items():
        if re.search(rf"(?<![\w./-]){re.escape(name)}(?![\w.-])", command):
            point = _function_entry(index, target, importer)
            if point is not None:
                found.append(point)
    return found


def _module_entry(index: ProjectIndex, module: str, importer: str) -> EntryPoint | None:
    resolved = index.resolve(importer, module)
    if resolved is None or resolved[1]:
        return None
    path = resolved[0]
    if path.endswith("/__init__.py"):  # ``python -m pkg`` runs the package's __main__.py
        main = path[: -len("__init__.py")] + "__main__.py"
        return EntryPoint(main, None) if index.snapshot.entry(main) is not None else None
    return EntryPoint(path, None)


def _script_entry(index: ProjectIndex, script: str, importer: str) -> EntryPoint | None:
    script = script.removeprefix("./")
    folder = importer.rsplit("/", 1)[0] if "/" in importer else ""
    for candidate in (script, f"{folder}/{script}" if folder else script):
        if index.snapshot.entry(candidate) is not None:
            return EntryPoint(candidate, None)
    return None


def _function_entry(index: ProjectIndex, target: str, importer: str) -> EntryPoint | None:
    match = _SCRIPT_TARGET.match(target)
    if match is None:
        return None
    module, function = match.groups()
    resolved = index.resolve(importer, module)
    if resolved is None or resolved[1]:
        return None
    parsed = index.module(resolved[0]) if function else None
    span = parsed.spans.get(function) if parsed is not None and function else None
    return EntryPoint(resolved[0], span[0] if span else None)


def reach_from(index: ProjectIndex, points: list[EntryPoint], goal: Goal) -> list[Hop] | None:
    """The first chain from an entry point to a call ``goal`` holds for: in the module (or function) itself, or
    through the repository's own code (at most the index's depth)."""
    for point in points:
        module = index.module(point.path)
        if module is None:
            continue
        span = next((s for s in module.spans.values() if s[0] == point.line), None) if point.line else None
        line = goal(module.calls(span))
        if line is not None:
            return [Hop(point.path, line)]
        chain = index.reach(point.path, goal, point.line)
        if chain is not None:
            return chain
    return None
