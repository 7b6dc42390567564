"""Warm imports: this package's modules run from their code objects kept by the last run, in one cache file.

A scan imports some ninety of this package's modules, and the import system looks for each one on its own
(the folder's listing checked, the source and its ``.pyc`` found, opened, read and checked): about a tenth
of a small repository's scan. A module's code object depends only on its source and the interpreter, so
the start-up cache keeps those a run imported (marshalled; the key names the size and time of every module
of the package, see :mod:`mlops_scan.startcache`) and :class:`CodeMemoFinder` serves them from there. A
module the memo lacks, or whose entry cannot be read, is imported the ordinary way and kept at exit.
"""

from __future__ import annotations

import atexit
import marshal
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec, SourceFileLoader
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, cast

from mlops_scan.startcache import learner, load_memo, store_memo

if TYPE_CHECKING:  # importlib.abc imports importlib.resources: a tenth of a small scan
    from importlib.abc import Loader

KIND = "module-code"
Code = bytes | memoryview
"""A module's marshalled code: a view of the cache file when read from it."""
SUBMODULES = __name__.partition(".")[0] + "."
"""Names the memo keeps (the package itself is imported before the finder is installed)."""


class CodeMemoFinder:
    """Finder and loader of the package's modules whose code the memo holds (``{name: (origin, is_package, code)}``)."""

    def __init__(self, memo: dict[str, tuple[str, bool, Code]]) -> None:
        self.memo = memo
        self.missed: list[str] = []
        """The package's modules asked for that the memo could not serve: imported the ordinary way."""

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        entry = self.memo.get(name)
        try:
            origin, package, stored = entry  # type: ignore[misc]  # None: not held
            code = marshal.loads(stored)
        except Exception:  # not held, or damaged: the ordinary import finds it
            code = None
        if not isinstance(code, CodeType) or code.co_filename != origin:
            if name.startswith(SUBMODULES):
                self.missed.append(name)
            return None
        spec = ModuleSpec(name, cast("Loader", self), origin=origin, is_package=package, loader_state=code)
        if package:
            spec.submodule_search_locations = [os.path.dirname(origin)]
        spec.has_location = True  # sets __file__, as the ordinary import does
        return spec

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        exec(module.__spec__.loader_state, module.__dict__)  # type: ignore[union-attr]


def install() -> None:
    """Serve the package's modules from the memo of the last run, for this process, and keep the ones it adds (and
    those a forked process adds: see :func:`mlops_scan.startcache.learned`)."""
    finder = CodeMemoFinder(load_memo(KIND))
    sys.meta_path.insert(0, finder)
    adopted: dict[str, tuple[str, bool, Code]] = {}
    learner(KIND, lambda: _added(finder), adopted.update)
    atexit.register(save, finder, adopted)


def save(finder: CodeMemoFinder, adopted: dict[str, tuple[str, bool, Code]] | None = None) -> None:
    """Store the memo with the code of every module of the package this process imported the ordinary way, and of
    those another process did (``adopted``)."""
    added = {**(adopted or {}), **_added(finder)}
    if added:
        store_memo(KIND, {**finder.memo, **added})


def _added(finder: CodeMemoFinder) -> dict[str, tuple[str, bool, Code]]:
    """The code of the package's modules this process imported the ordinary way (the memo lacked them)."""
    added: dict[str, tuple[str, bool, Code]] = {}
    for name in finder.missed:
        spec = getattr(sys.modules.get(name), "__spec__", None)
        if not isinstance(getattr(spec, "loader", None), SourceFileLoader):
            continue
        try:
            code = spec.loader.get_code(name)  # type: ignore[union-attr]  # its .pyc, written by the import
        except Exception:  # a source removed since: nothing to keep
            continue
        if code is not None:
            added[name] = (spec.origin, spec.submodule_search_locations is not None, marshal.dumps(code))  # type: ignore[union-attr]
    return added
