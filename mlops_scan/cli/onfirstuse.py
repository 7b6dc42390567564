"""Standard-library modules the command line's process loads on first use, not when they are imported.

``dataclasses`` imports ``inspect`` when it is imported, and ``inspect`` imports ``dis``, ``tokenize`` and
``linecache``; yet ``dataclasses`` reads it only to write a docstring for a class without one, which this package's
classes all have. A scan that never reads it (one reported without click: :mod:`mlops_scan.cli.early`) saved some
2.5 % of a small repository's scan (``base64``, which PyYAML imports, a little more). :func:`defer` stands a
placeholder in for such a module: the first name read from it imports the real module, which takes the placeholder's
place in ``sys.modules``; a module that imported the placeholder before keeps reading the real module's names through
it.
"""

from __future__ import annotations

import sys
from types import ModuleType

DEFERRED = ("inspect", "base64")
"""The modules the command line defers: those its start-up imports and a scan reported without click never reads
(``base64``: PyYAML's constructor imports it for ``!!binary`` scalars, which a scan never meets in its own data)."""


class _Placeholder(ModuleType):
    """Stands in for a module not yet loaded: the first name read from it loads the module."""

    def __getattr__(self, name: str) -> object:
        return getattr(_load(self.__name__), name)


def defer(names: tuple[str, ...] = DEFERRED) -> None:
    """Stand a placeholder in for each module of ``names`` not yet imported."""
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = _Placeholder(name)


def _load(name: str) -> ModuleType:
    """The real module ``name``, imported on first use in place of its placeholder."""
    found = sys.modules.get(name)
    if isinstance(found, _Placeholder):
        del sys.modules[name]
    __import__(name)
    return sys.modules[name]
