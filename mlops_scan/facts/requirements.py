"""Declared dependencies of a project, read from every common manifest without running anything."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_scan.facts.context import FileContext

_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_CONDA = re.compile(r"^\s*(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")


@dataclass(frozen=True)
class Requirement:
    """One declared dependency."""

    name: str
    """Normalised name (PEP 503: lower case, runs of ``-_.`` as ``-``)."""
    line: int | None
    pinned: bool
    """Pinned to one version (``==`` / conda ``=x.y``)."""
    text: str
    optional: bool = False
    """An optional extra, a dependency group, or a dev or test requirement: not installed with the package."""


MANIFEST_KINDS = ("requirements", "pyproject", "pipfile", "setup.cfg", "setup.py", "conda")
"""The manifest readers, by the kind names rules use."""


def normalise(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def is_requirements_file(name: str) -> bool:
    """``requirements.txt``, ``requirements-dev.txt``, ``dev-requirements.in`` and the like."""
    lower = name.lower()
    return "requirements" in lower and lower.endswith((".txt", ".in"))


def is_conda_file(path: str) -> bool:
    """Conda environment files by name."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith((".yml", ".yaml")) and ("environment" in name or "conda" in name or name.startswith("env"))


def manifest_kind(path: str) -> str | None:
    """Which reader applies to a path, if any."""
    name = path.rsplit("/", 1)[-1]
    if is_requirements_file(name) or ("/requirements/" in f"/{path}" and name.endswith(".txt")):
        return "requirements"
    if name == "pyproject.toml":
        return "pyproject"
    if name == "Pipfile":
        return "pipfile"
    if name == "setup.cfg":
        return "setup.cfg"
    if name == "setup.py":
        return "setup.py"
    if is_conda_file(path):
        return "conda"
    return None


def read_requirements(ctx: FileContext) -> Iterator[Requirement]:
    """Every dependency a manifest declares (direct dependencies only; lock files are not read)."""
    kind = manifest_kind(ctx.path)
    if kind == "requirements":
        yield from _requirements_txt(ctx.lines)
    elif kind == "pyproject":
        yield from _from_toml_lists(ctx, _pyproject_lists(ctx.toml or {}))
    elif kind == "pipfile":
        yield from _from_toml_lists(
            ctx, [(list(table(ctx.toml, "packages")), False), (list(table(ctx.toml, "dev-packages")), True)]
        )
    elif kind == "setup.cfg":
        yield from _setup_cfg(ctx)
    elif kind == "setup.py":
        yield from _setup_py(ctx)
    elif kind == "conda":
        yield from _conda(ctx)


def pins(spec: str) -> bool:
    """A specifier that admits one version (``==1.2.3``, ``===1.2.3``); ``==2.*`` is a prefix match (PEP 440), not a pin."""
    version = spec.split(";", 1)[0]
    return any(clause.strip().startswith("==") and "*" not in clause for clause in version.split(","))


def _requirements_txt(lines: list[str]) -> Iterator[Requirement]:
    for number, raw in enumerate(lines, 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-", "git+", "http:", "https:", ".", "/")):
            continue
        match = _REQ.match(line)
        if match:
            spec = match.group(3)
            yield Requirement(normalise(match.group(1)), number, pins(spec), line[:160])


def table(data: Any, *keys: str) -> dict[str, Any]:
    """The TOML table under ``keys`` (``table(doc, "tool", "poetry")``), or {} when any level is not a table."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _pyproject_lists(data: dict[str, Any]) -> list[tuple[list[Any], bool]]:
    """Dependency lists, each with whether it is optional (extras, groups, dev dependencies)."""
    project = table(data, "project")
    lists: list[tuple[Any, bool]] = [(project.get("dependencies") or [], False)]
    lists += [(v, True) for v in table(project, "optional-dependencies").values()]
    lists += [(v, True) for v in table(data, "dependency-groups").values()]
    poetry = table(data, "tool", "poetry")
    main = poetry.get("dependencies")
    if isinstance(main, dict):
        lists.append(([k for k, v in main.items() if not (isinstance(v, dict) and v.get("optional"))], False))
        lists.append(([k for k, v in main.items() if isinstance(v, dict) and v.get("optional")], True))
    tables = [poetry.get("dev-dependencies")] + [table(g, "dependencies") for g in table(poetry, "group").values()]
    lists += [(list(t), True) for t in tables if isinstance(t, dict)]
    lists += [(v, True) for v in table(data, "tool", "pdm", "dev-dependencies").values()]
    return [(entries, optional) for entries, optional in lists if isinstance(entries, list)]


def _from_toml_lists(ctx: FileContext, lists: list[tuple[list[Any], bool]]) -> Iterator[Requirement]:
    for entries, optional in lists:
        for entry in entries:
            if not isinstance(entry, str):
                continue
            match = _REQ.match(entry)
            if not match or match.group(1).lower() == "python":
                continue
            name = match.group(1)
            yield Requirement(normalise(name), _find_line(ctx.lines, name), pins(match.group(3)), entry[:160], optional)


def _find_line(lines: list[str], name: str) -> int | None:
    pattern = re.compile(r"(^|[\s\"'])" + re.escape(name) + r"\b", re.I)
    for number, line in enumerate(lines, 1):
        if pattern.search(line) and not line.lstrip().startswith("#"):
            return number
    return None


def _setup_cfg(ctx: FileContext) -> Iterator[Requirement]:
    """Requirements under ``[options] install_requires``/``tests_require`` and ``[options.extras_require]``."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(ctx.text or "")
    except configparser.Error:
        ctx.skip("malformed setup.cfg: dependencies not read")
        return
    values = [
        (parser.get("options", "install_requires", fallback=""), False),
        (parser.get("options", "tests_require", fallback=""), True),
    ]
    if parser.has_section("options.extras_require"):
        values += [(v, True) for _, v in parser.items("options.extras_require")]
    for value, optional in values:
        for entry in value.splitlines():
            entry = entry.split("#", 1)[0].strip()
            match = _REQ.match(entry)
            if entry and match:
                name = match.group(1)
                yield Requirement(
                    normalise(name), _find_line(ctx.lines, name), pins(match.group(3)), entry[:160], optional
                )


def _setup_py(ctx: FileContext) -> Iterator[Requirement]:
    """String literals in ``install_requires=[...]`` and friends (parsed, never run)."""
    tree = ctx.tree
    if tree is None:
        return
    lists = {  # module-level `REQUIRED = [...]` passed as install_requires=REQUIRED
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, (ast.List, ast.Tuple, ast.Dict))
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("install_requires", "extras_require", "tests_require"):
            value = lists.get(node.value.id, node.value) if isinstance(node.value, ast.Name) else node.value
            parts = value.values if isinstance(value, ast.Dict) else [value]  # extras: names of extras are no packages
            for const in (c for part in parts if part is not None for c in ast.walk(part)):
                if isinstance(const, ast.Constant) and isinstance(const.value, str):
                    match = _REQ.match(const.value)
                    if match:
                        yield Requirement(
                            normalise(match.group(1)),
                            const.lineno,
                            pins(match.group(3)),
                            const.value[:160],
                            node.arg != "install_requires",
                        )


def _conda(ctx: FileContext) -> Iterator[Requirement]:
    from mlops_scan.facts import yamlnodes  # YAML only for a conda environment file

    for doc in ctx.yaml:
        for item in yamlnodes.seq(yamlnodes.get(doc, "dependencies")):
            value = yamlnodes.scalar(item)
            if value is not None:
                match = _CONDA.match(value)
                if match:
                    spec = match.group(2)
                    pinned = bool(re.match(r"^=?=\s*\d", spec.strip())) and "*" not in spec
                    yield Requirement(normalise(match.group(1)), yamlnodes.line_of(item), pinned, value[:160])
            for pip_item in yamlnodes.seq(yamlnodes.get(item, "pip")):
                value = yamlnodes.scalar(pip_item)
                match = _REQ.match(value or "")
                if match:
                    yield Requirement(
                        normalise(match.group(1)),
                        yamlnodes.line_of(pip_item),
                        pins(match.group(3)),
                        (value or "")[:160],
                    )
