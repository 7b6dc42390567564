"""ML project roots below the repository root, from the file list, CI scopes and pipeline definitions.

What makes a root is data (``mlops_scan/data/roots.yaml``); docs/monorepos.md describes it.
Only listed paths are looked at here (CI scopes come from :mod:`mlops_scan.facts.ciscope`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from mlops_scan.data import DATA_DIR
from mlops_scan.facts.ciscope import CiScope
from mlops_scan.snapshot.tree import Snapshot
from mlops_scan.snapshot.zones import zone_of
from mlops_scan.types import Zone

_CODE_SUFFIXES = (".py", ".ipynb")
_GLOB_CHARS = "*?[{"


@dataclass(frozen=True)
class ProjectRoot:
    """A folder holding one ML project, and the files or scopes that make it one."""

    path: str
    """POSIX folder relative to the scanned root ('' is the repository root itself)."""
    markers: tuple[str, ...]
    """What made it a root: marker files (``projects/a/dvc.yaml``) or ``CI-FILE:LINE`` scopes, sorted."""

    @property
    def name(self) -> str:
        """The folder, or ``.`` for the repository root."""
        return self.path or "."

    def holds(self, path: str) -> bool:
        """Whether the repository path ``path`` (a file or folder) is inside this project."""
        return not self.path or path == self.path or path.startswith(self.path + "/")


@cache
def root_markers() -> dict[str, Any]:
    """The data of roots.yaml."""
    return yaml.safe_load((DATA_DIR / "roots.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def find_roots(snapshot: Snapshot, scopes: Iterable[CiScope], pipeline_files: Iterable[str] = ()) -> list[ProjectRoot]:
    """Outermost project roots below the repository root, sorted by path; none when it holds one project."""
    data = root_markers()
    never = set(data["never_roots"])
    code_folders = _code_folders(snapshot)
    packages = {e.path.rsplit("/", 1)[0] for e in snapshot.files if e.name == "__init__.py"}
    found: dict[str, set[str]] = {}
    for entry in snapshot.files:
        folder = _parent(entry.path)
        if entry.zone is not Zone.PROJECT or not folder:
            continue
        if entry.name in data["ml_markers"] or (entry.name in data["manifests"] and folder in code_folders):
            found.setdefault(folder, set()).add(entry.path)
    for path in pipeline_files:
        folder = _parent(path)
        while folder.rsplit("/", 1)[-1] in data["pipeline_folders"]:
            folder = _parent(folder)
        if folder:
            found.setdefault(folder, set()).add(path)
    roots = _outermost({f: m for f, m in found.items() if _may_be_root(f, never)})
    scoped: dict[str, set[str]] = {}
    for scope in scopes:  # a folder CI is scoped to is a root unless a root is inside it or it is inside one
        for folder in _scoped_folders(scope):
            if folder in code_folders and folder not in packages and _may_be_root(folder, never):
                scoped.setdefault(folder, set()).add(f"{scope.path}:{scope.first}")
    for folder in sorted(scoped, key=lambda f: -f.count("/")):  # the innermost scoped folder wins
        if folder in roots or not any(_nested(folder, r) or _nested(r, folder) for r in roots):
            roots.setdefault(folder, set()).update(scoped[folder])
    return [ProjectRoot(f, tuple(sorted(roots[f]))) for f in sorted(roots)]


def _may_be_root(folder: str, never: set[str]) -> bool:
    return not set(folder.split("/")) & never and zone_of(folder + "/") is Zone.PROJECT


def _nested(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer + "/")


def _outermost(found: dict[str, set[str]]) -> dict[str, set[str]]:
    """The folders not inside another one; an inner folder's markers go to the outer one."""
    outer = [f for f in sorted(found) if not any(_nested(f, o) for o in found if o != f)]
    merged = {f: set(found[f]) for f in outer}
    for folder, markers in found.items():
        for o in outer:
            if folder != o and _nested(folder, o):
                merged[o] |= markers
    return merged


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _code_folders(snapshot: Snapshot) -> set[str]:
    """Every folder with Python code or a notebook somewhere below it."""
    out: set[str] = set()
    for entry in snapshot.files:
        if entry.suffix in _CODE_SUFFIXES:
            folder = _parent(entry.path)
            while folder and folder not in out:
                out.add(folder)
                folder = _parent(folder)
    return out


def _scoped_folders(scope: CiScope) -> list[str]:
    """The folders a scope names: a working folder, or the literal folder of each path filter."""
    if scope.kind == "workdir":
        return [scope.patterns[0]] if scope.patterns[0] else []
    return [f for f in (literal_folder(p) for p in scope.patterns if not p.startswith("!")) if f]


def literal_folder(pattern: str) -> str:
    """The folder part of a filter pattern before any wildcard (``projects/a/**`` -> ``projects/a``)."""
    cut = min((i for i, c in enumerate(pattern) if c in _GLOB_CHARS), default=-1)
    if cut < 0:  # a plain path: a folder (Azure includes) or a file
        text = pattern.strip("/").removeprefix("./")
        return text if "." not in text.rsplit("/", 1)[-1] else _parent(text)
    return _parent(pattern[:cut].removeprefix("./") + "x")
