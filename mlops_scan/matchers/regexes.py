"""Regexes compiled on first use, and screened by the literal strings every match contains.

Working out a regex's literals parses it, which costs about as much as compiling it, and grouping
them by shared substrings costs more; the result depends on the pattern alone, so it is remembered
across runs in the start-up cache (:func:`save_literals`, called when a scan's file pass ends).
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

from mlops_scan.matchers.linelocal import line_local
from mlops_scan.startcache import learner, load_memo, store_memo

Screen = tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]
"""Each set of strings a regex's every match holds one of, grouped by :func:`shared_keys`."""
Worked = tuple[Screen | None, bool]
"""What :func:`remembered_screen` works out for a pattern: its screen (None: it offers no strings) and whether its
matches stay within a line (:func:`line_local`)."""
_MEMO_KIND = "regex-screens"
_screens: dict[str, Worked] | None = None
"""Pattern -> what :func:`remembered_screen` worked out, as loaded from the cache (None until first needed)."""
_learned: dict[str, Worked] = {}
"""The patterns worked out in this process (the memo is then written back)."""
_used: set[str] = set()
"""Patterns looked up in this process: past :data:`MAX_SCREENS`, the memo keeps only these."""
MAX_SCREENS = 2000
"""Screens the memo keeps at most (the built-in packs have a few hundred), so the patterns of the packs of every
repository ever scanned do not pile up."""


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
    """A lazily compiled regex searched only in texts holding one of the strings every match contains, for each set
    of such strings (:func:`requirements_of`, worked out on first use): most texts hold none, and a substring test
    is far cheaper than a regex tried at every position. A regex offering no such strings is always searched.

    A multi-line regex whose matches stay within a line (:func:`line_local`) is tried by :meth:`finditer` only on
    the lines holding one of those strings: the same matches, without trying the regex at every position of a
    large file (a notebook's outputs) that holds the strings somewhere."""

    __slots__ = ("_anchors", "_bytes_screen", "_screen")

    def __init__(self, source: str, flags: int = 0):
        super().__init__(source, flags)
        self._screen: Screen | bool | None = False
        """False until worked out; None when the regex offers no literals; else each set of literals it requires,
        grouped by :func:`shared_keys`."""
        self._bytes_screen: tuple[tuple[tuple[bytes, tuple[bytes, ...]], ...], ...] | bool | None = False
        """The screen's strings as bytes (False until worked out; None when one is not ASCII)."""
        self._anchors: tuple[str, ...] = ()
        """The keys of the screen's smallest set when the regex's matches stay within a line: every line holding
        a match holds one of them (else empty: the regex is searched through the whole text)."""

    def may_match(self, text: str) -> bool:
        """False only when no match of the regex can be in ``text``."""
        if self._screen is False:
            screen, local = (None, False) if self.flags & re.IGNORECASE else remembered_screen(self.source)
            self._screen = tuple(sorted(screen, key=len)) if screen else None  # the fewest substring tests first
            if self._screen and local and self.flags == re.M:
                self._anchors = tuple(key for key, _ in self._screen[0])
        if not self._screen:
            return True
        for groups in self._screen:  # type: ignore[union-attr]
            if not any(key in text and (not held or any(lit in text for lit in held)) for key, held in groups):
                return False
        return True

    def may_match_bytes(self, data: bytes) -> bool | None:
        """:meth:`may_match` on the bytes of a text that hold an ASCII string exactly when the text does
        (:func:`~mlops_scan.snapshot.text.ascii_screenable`); None when the screen holds other strings."""
        if self._bytes_screen is False:
            self.may_match("")  # works the screen out
            screen: Screen = self._screen or ()  # type: ignore[assignment]
            strings = [s for groups in screen for key, held in groups for s in (key, *held)]
            self._bytes_screen = (
                tuple(tuple((k.encode(), tuple(h.encode() for h in held)) for k, held in groups) for groups in screen)
                if all(s.isascii() for s in strings)
                else None
            )
        if self._bytes_screen is None:
            return None
        for groups in self._bytes_screen:  # type: ignore[union-attr]
            if not any(key in data and (not held or any(lit in data for lit in held)) for key, held in groups):
                return False
        return True

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The regex's matches in ``text``, in order; a line-local regex's found line by line (see the class)."""
        self.may_match("")  # works the anchors out
        if not self._anchors:
            yield from self.compiled.finditer(text)
            return
        compiled, end, start = self.compiled, len(text), 0
        upcoming = {key: at for key in self._anchors if (at := text.find(key)) >= 0}
        for _ in range(MAX_ANCHOR_LINES):
            if not upcoming:
                return
            at = min(upcoming.values())
            begin = text.rfind("\n", start, at) + 1 or start
            start = text.find("\n", at) + 1 or end + 1
            yield from compiled.finditer(text, begin, start - 1)
            for key, found in list(upcoming.items()):
                if found < start:
                    if (found := text.find(key, start)) < 0:
                        del upcoming[key]
                    else:
                        upcoming[key] = found
        yield from compiled.finditer(text, start)  # the strings on line after line: the rest searched whole


MAX_ANCHOR_LINES = 256
"""Lines holding its strings a line-local regex is tried on one by one; past them the rest of the text is searched
whole (each line costs a call: a text holding the strings on most of its lines gains nothing line by line)."""
KEY_SIZES = (12, 10, 8)
"""Lengths of the common substrings :func:`shared_keys` tries, longest first (a longer one is rarer, and found faster)."""


def shared_keys(literals: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The literals in groups sharing a substring (the key), each as (key, its literals), or (literal, ()) for one
    sharing none: a text holding none of the keys holds none of the literals, so one substring test can rule out
    several literals (a pass over the text each). Greedy: the key held by the most literals still left first."""
    left = list(literals)
    groups: list[tuple[str, tuple[str, ...]]] = []
    while len(left) > 1:
        keys = {lit[i : i + size] for lit in left for size in KEY_SIZES for i in range(len(lit) - size + 1)}
        best = max(keys, key=lambda k: (sum(k in lit for lit in left), len(k), k), default=None)
        held = tuple(lit for lit in left if best is not None and best in lit)
        if len(held) < 2:
            break
        groups.append((best, held))  # type: ignore[arg-type]
        left = [lit for lit in left if lit not in held]
    return (*groups, *((lit, ()) for lit in left))


MAX_REQUIREMENTS = 3
"""Sets of strings a screen tests at most: the most selective, then the next ones whose strings are not short."""


def requirements_of(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """Sets of strings, each of which every match of the regex holds one of (``serve.*cron``: ``serve`` and
    ``cron``), the most selective first (its shortest string the longest); None when the regex offers none."""
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _required(list(parsed.data))
    if not found:
        return None
    best = _best(found)
    others = {tuple(sorted(s)) for s in found if min(map(len, s)) >= 3} - {tuple(sorted(best))}
    ordered = sorted(others, key=lambda s: (-min(map(len, s)), s))
    return (tuple(sorted(best)), *ordered[: MAX_REQUIREMENTS - 1])


def _best(sets: list[set[str]]) -> set[str]:
    """The most selective set: its shortest string the longest (the first of equals)."""
    best = sets[0]
    for candidate in sets[1:]:
        if min(map(len, candidate)) > min(map(len, best)):
            best = candidate
    return best


MAX_JOINED = 8
"""Strings a set may hold when the fixed text around a group is joined to its alternatives."""


def _required(items: Sequence[tuple[object, object]]) -> list[set[str]]:
    """Every set of strings one of which the parsed sequence's every match holds, in the order of the pattern. Fixed
    text next to a group of alternatives is joined to each (``\\.(get|route)\\(``: ``.get(`` or ``.route(``, rarer than
    ``get`` or ``route``) unless that makes more strings to test than either part alone."""
    found: list[set[str]] = []
    run = {""}
    for op, av in [*items, (None, None)]:
        exact = _exact(op, av)
        if exact is not None:
            joined = {a + b for a in run for b in exact}
            if _worth_joining(run, exact, joined):
                run = joined
                continue
        if "" not in run:
            found.append(_minimal(run))
        run = exact if exact is not None else {""}
        if exact is not None:
            continue
        if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:  # type: ignore[index]
            found += _required(list(av[3]))  # type: ignore[index]
        elif op is _sre.BRANCH:
            options = [_required(list(branch)) for branch in av[1]]  # type: ignore[index]
            if all(options):
                found.append(set().union(*map(_best, options)))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:  # type: ignore[index]
            found += _required(list(av[2]))  # type: ignore[index]
    return found


def _exact(op: object, av: object) -> set[str] | None:
    """The strings a parsed item matches when they are few and fixed (a literal, a group of literal alternatives,
    an optional one, a zero-width assertion), else None. A set of characters is not one: ``['"]/(a|b)`` would join
    the quotes to ``/`` and then not to the group, which makes more strings."""
    if op is _sre.LITERAL:
        return {chr(av)}  # type: ignore[arg-type]
    if op is _sre.AT:
        return {""}
    if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:  # type: ignore[index]
        return _exact_sequence(av[3])  # type: ignore[index]
    if op is _sre.BRANCH:
        options = [_exact_sequence(branch) for branch in av[1]]  # type: ignore[index]
        union = set().union(*options) if all(o is not None for o in options) else None  # type: ignore[arg-type]
        return union if union is not None and len(union) <= MAX_JOINED else None
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[:2] == (0, 1):  # type: ignore[index]
        inner = _exact_sequence(av[2])  # type: ignore[index]
        return inner | {""} if inner is not None else None
    return None


def _exact_sequence(items: Sequence[tuple[object, object]]) -> set[str] | None:
    """The strings a parsed sequence matches, when each item's are fixed and joining them adds none to test."""
    strings = {""}
    for op, av in items:
        exact = _exact(op, av)
        if exact is None:
            return None
        strings, before = {a + b for a in strings for b in exact}, strings
        if not _worth_joining(before, exact, strings):
            return None
    return strings


def _worth_joining(left: set[str], right: set[str], joined: set[str]) -> bool:
    """Whether ``joined`` (each of ``left`` followed by each of ``right``) holds no more strings to test than the
    larger of the two (and at most :data:`MAX_JOINED`)."""
    return len(_minimal(joined)) <= min(MAX_JOINED, max(len(_minimal(left)), len(_minimal(right))))


def _minimal(strings: set[str]) -> set[str]:
    """The strings holding no other one of the set (a text holding one of the set holds one of these)."""
    return {s for s in strings if not any(other != s and other in s for other in strings)}


def screen_requirements(pattern: str) -> tuple[tuple[str, ...], ...] | None:
    """:func:`requirements_of`, each set without the strings holding another one (a text holding ``@otel/sdk-node``
    holds ``@otel/sdk-``: one substring test covers both)."""
    found = requirements_of(pattern)
    if found is None:
        return None
    return tuple(tuple(lit for lit in s if not any(other != lit and other in lit for other in s)) for s in found)


def remembered_screen(pattern: str) -> Worked:
    """The screen of a :class:`ScreenedRegex` (each set of :func:`screen_requirements` grouped by :func:`shared_keys`;
    None when the regex offers no literals) and whether its matches stay within a line in multi-line mode
    (:func:`line_local`), looked up in the memo of earlier runs first."""
    screens = _loaded()
    _used.add(pattern)
    if pattern in screens:
        return screens[pattern]
    found = screen_requirements(pattern)
    worked = (tuple(shared_keys(s) for s in found) if found else None, line_local(pattern))
    screens[pattern] = _learned[pattern] = worked
    return worked


def _loaded() -> dict[str, Worked]:
    """The screens of the memo of earlier runs, loaded on first need."""
    global _screens
    if _screens is None:
        _screens = load_memo(_MEMO_KIND)
    return _screens


def save_literals() -> None:
    """Write the memo back when this process worked out a pattern it did not hold."""
    if _learned and _screens is not None:
        kept = _screens if len(_screens) <= MAX_SCREENS else {p: _screens[p] for p in _used if p in _screens}
        store_memo(_MEMO_KIND, kept)
        _learned.clear()


def _adopt(handed: dict[str, Worked]) -> None:
    """Keep the screens another process worked out with this one's."""
    _loaded().update(handed)
    _used.update(handed)
    _learned.update(handed)


learner(_MEMO_KIND, lambda: dict(_learned), _adopt)
