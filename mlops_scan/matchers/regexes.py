"""Regexes compiled on first use, and screened by the literal strings every match contains.

Working out a regex's literals parses it, which costs about as much as compiling it; the
literals depend on the pattern alone, so they are remembered across runs in the start-up
cache (:func:`save_literals`, called when a scan's file pass ends).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence

if sys.version_info >= (3, 11):
    from re import _constants as _sre
    from re import _parser as _sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

from mlops_scan.startcache import load_memo, store_memo

_MEMO_KIND = "regex-literals"
_literals: dict[str, tuple[str, ...] | None] | None = None
"""Pattern -> its literals, as loaded from the cache (None until first needed)."""
_learned = False
"""Whether a pattern was worked out in this process (the memo is then written back)."""


class LazyRegex:
    """A regex compiled on first use: the packs hold hundreds, and a small repository needs few of them."""

    __slots__ = ("_compiled", "flags", "source")

    def __init__(self, source: str, flags: int = 0):
        self.source = source
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
        return self._compiled

    def match(self, text: str) -> re.Match[str] | None:
        return self.compiled.match(text)

    def fullmatch(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.fullmatch(text, pos)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text)


class ScreenedRegex(LazyRegex):
    """A lazily compiled regex searched only in texts holding one of the strings every match contains
    (:func:`literals_of`, worked out on first use): most texts hold none, and a substring test is far
    cheaper than a regex tried at every position. A regex offering no such strings is always searched."""

    __slots__ = ("_literals",)

    def __init__(self, source: str, flags: int = 0):
        super().__init__(source, flags)
        self._literals: tuple[str, ...] | bool | None = False
        """False until worked out; None when the regex offers no literals."""

    def may_match(self, text: str) -> bool:
        """False only when no match of the regex can be in ``text``."""
        if self._literals is False:
            self._literals = None if self.flags & re.IGNORECASE else remembered_literals(self.source)
        literals = self._literals
        return not literals or any(lit in text for lit in literals)  # type: ignore[union-attr]

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text) if self.may_match(text) else None


def literals_of(pattern: str) -> tuple[str, ...] | None:
    """Strings of which every match of the regex contains one, for a substring test before searching
    (much cheaper than a regex tried at every position); None when the regex offers no such strings."""
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _required(list(parsed.data))
    return tuple(sorted(found)) if found else None


def _required(items: Sequence[tuple[object, object]]) -> set[str] | None:
    """The most selective set of strings one of which the parsed sequence's every match holds."""
    best: set[str] | None = None
    run: list[str] = []

    def consider(candidate: set[str] | None) -> None:
        nonlocal best
        if candidate and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    for op, av in [*items, (None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))  # type: ignore[arg-type]
            continue
        if run:
            consider({"".join(run)})
            run = []
        if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:  # type: ignore[index]
            consider(_required(list(av[3])))  # type: ignore[index]
        elif op is _sre.BRANCH:
            options = [_required(list(branch)) for branch in av[1]]  # type: ignore[index]
            if all(options):
                consider(set().union(*options))  # type: ignore[arg-type]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:  # type: ignore[index]
            consider(_required(list(av[2])))  # type: ignore[index]
    return best


def remembered_literals(pattern: str) -> tuple[str, ...] | None:
    """:func:`literals_of` without the literals holding another one (a text holding ``@otel/sdk-node`` holds
    ``@otel/sdk-``: one substring test covers both), looked up in the memo of earlier runs first."""
    global _literals, _learned
    if _literals is None:
        _literals = load_memo(_MEMO_KIND)
    if pattern in _literals:
        return _literals[pattern]
    found = literals_of(pattern)
    if found is not None:
        found = tuple(lit for lit in found if not any(other != lit and other in lit for other in found))
    _literals[pattern] = found
    _learned = True
    return found


def save_literals() -> None:
    """Write the memo back when this process worked out a pattern it did not hold."""
    global _learned
    if _learned and _literals is not None:
        store_memo(_MEMO_KIND, _literals)
        _learned = False
