"""Name patterns (qualified calls and imports, actions, API versions) matched with set and prefix look-ups.

Nearly every pattern a rule gives is a plain name or a name ending in ``*``; those are tested without a regex,
so a scan compiles none for them (compiling costs more than all the look-ups of a small repository). Only a
pattern with ``*`` elsewhere, or another glob character, falls back to a regex, compiled on first use.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence

from mlops_scan.matchers.regexes import LazyRegex

_GLOB_CHARACTERS = frozenset("*?[")
MEMO_NAMES = 4096
"""Names whose outcome a pattern set remembers (then it starts afresh)."""


class NamePatterns:
    """Qualified-name patterns (``*`` any characters, dots included); with ``prefix``, a name under a plain
    pattern matches too (``evidently`` matches ``evidently.presets``)."""

    __slots__ = ("_exact", "_memo", "_prefix", "_regex", "_starts")

    def __init__(self, patterns: Sequence[str], prefix: bool = False):
        general = [p for p in patterns if "*" in p[:-1]]
        self._exact = frozenset(p for p in patterns if "*" not in p)
        self._starts = tuple(p[:-1] for p in patterns if p.endswith("*") and p not in general)
        self._prefix = prefix
        self._regex = _name_regex(general, prefix) if general else None
        self._memo: dict[str, bool] = {}
        """Names tested before: a repository calls the same names in many modules, each tested by many rules."""

    def match(self, name: str) -> bool:
        """Whether ``name`` (all of it) matches one of the patterns."""
        found = self._memo.get(name)
        if found is None:
            if len(self._memo) >= MEMO_NAMES:
                self._memo.clear()
            found = self._memo[name] = self._test(name)
        return found

    def _test(self, name: str) -> bool:
        if name in self._exact or (self._starts and name.startswith(self._starts)):
            return True
        if self._prefix and self._exact:
            dot = name.find(".")
            while dot > 0:
                if name[:dot] in self._exact:
                    return True
                dot = name.find(".", dot + 1)
        return self._regex is not None and self._regex.match(name) is not None


def name_patterns(patterns: Sequence[str], prefix: bool = False) -> NamePatterns | None:
    """The patterns as one matcher, or None when there are none."""
    return NamePatterns(patterns, prefix) if patterns else None


def _name_regex(patterns: Sequence[str], prefix: bool) -> LazyRegex:
    parts = [re.escape(p).replace(r"\*", ".*") for p in patterns]
    tail = r"(?:\..*)?" if prefix else ""
    return LazyRegex("^(?:" + "|".join(parts) + ")" + tail + "$")


class TextGlob:
    """A shell-style glob on a whole string (``pypa/gh-action-pypi-publish@*``), as :func:`fnmatch.fnmatchcase`:
    a plain string or one ending in ``*`` is compared without a regex."""

    __slots__ = ("_regex", "_text", "_whole")

    def __init__(self, glob: str):
        plain = not _GLOB_CHARACTERS.intersection(glob[:-1]) and glob[-1:] not in ("?", "[")
        self._whole = plain and not glob.endswith("*")
        self._text = glob if self._whole else glob[:-1]
        self._regex = None if plain else LazyRegex(fnmatch.translate(glob))

    def match(self, text: str) -> bool:
        """Whether all of ``text`` matches the glob."""
        if self._regex is not None:
            return self._regex.match(text) is not None
        return text == self._text if self._whole else text.startswith(self._text)
