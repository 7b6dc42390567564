"""The interface every matcher kind implements, and their discovery through entry points."""

from __future__ import annotations

import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Generic, TypeAlias, TypeGuard, TypeVar

if sys.version_info >= (3, 11):
    from re import _constants as _sre
    from re import _parser as _sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

from mlops_scan.errors import MlopsScanError
from mlops_scan.facts.context import FileContext
from mlops_scan.rules.cache import entry_points, load_entry_point
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import ProjectInfo, Strength

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

ENTRY_POINT_GROUP = "mlops_scan.matchers"
P = TypeVar("P", bound="DataclassInstance", covariant=True)
"""A matcher kind's params dataclass."""


@dataclass(frozen=True)
class Hit:
    """A rule matching a place; the scanner turns it into Evidence (zone, down-grading)."""

    rule: Rule[object]
    path: str
    line: int | None
    snippet: str
    strength: Strength | None = None
    """Overrides the rule's strength (e.g. a notebook call counted as medium)."""
    via: tuple[str, ...] = ()
    """``path:line`` hops through the repository's own code from the match to what proves it."""


class Matcher(ABC, Generic[P]):
    """A matcher kind over rules whose params are ``P``. Subclasses set ``kind`` and ``Params`` (the
    dataclass ``P``, which checks its own values in ``__post_init__``) and implement the hooks."""

    kind: ClassVar[str]
    Params: type[P]
    """The dataclass a rule's ``params`` mapping is checked against and built into."""

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        self.rules: list[Rule[P]] = [self._own(rule) for rule in rules]
        self.project = project

    def _own(self, rule: Rule[object]) -> Rule[P]:
        """The rule, typed by this kind's params (a rule of another kind is a bug in the caller)."""
        if not has_params(rule, self.Params):
            raise TypeError(f"rule {rule.id} has {type(rule.params).__name__} params, not {self.Params.__name__}")
        return rule

    @abstractmethod
    def wants(self, entry: FileEntry) -> bool:
        """Cheap test on the path alone: should this file be read for this kind?"""

    @abstractmethod
    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        """Match every rule of this kind against one file."""

    def prefetch(self, ctx: FileContext) -> bool:
        """Called before ``scan``: True when ``scan`` will use ``ctx.python``, so the scanner may compute
        it ahead, in a worker process. The default (False) is always correct."""
        return False

    def finish(self, snapshot: Snapshot) -> Iterable[Hit]:
        """Repository-wide hits, after every file was scanned."""
        return ()

    def measurements(self) -> dict[str, object]:
        """Figures the kind measured for the report (e.g. the share of code in notebooks)."""
        return {}


def has_params(rule: Rule[object], params_type: type[P]) -> TypeGuard[Rule[P]]:
    """Whether ``rule``'s params are a ``params_type``."""
    return isinstance(rule.params, params_type)


AnyMatcher: TypeAlias = "Matcher[DataclassInstance]"
"""A matcher of any kind (the scanner runs the kinds side by side)."""


class MatcherLoadError(MlopsScanError):
    """An installed matcher kind could not be loaded."""


@lru_cache(maxsize=1)
def installed_kinds() -> dict[str, type[AnyMatcher]]:
    """Matcher kinds declared in the ``mlops_scan.matchers`` entry-point group (built-ins included)."""
    kinds: dict[str, type[AnyMatcher]] = {}
    for name, value in entry_points(ENTRY_POINT_GROUP):
        try:
            cls = load_entry_point(value)
        except Exception as exc:  # a broken plug-in must name itself
            raise MatcherLoadError(f"matcher kind '{name}' from {_distribution(name)} failed to load: {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, Matcher)):
            raise MatcherLoadError(f"matcher kind '{name}' ({value}) is not a Matcher subclass")
        kinds[name] = cls
    return kinds


def _distribution(kind: str) -> str:
    """The name of the distribution declaring a matcher kind (for an error message)."""
    from importlib.metadata import entry_points as declared

    found = next((ep for ep in declared(group=ENTRY_POINT_GROUP) if ep.name == kind), None)
    return str(getattr(getattr(found, "dist", None), "name", None) or "unknown distribution")


def installed_params() -> dict[str, type[DataclassInstance]]:
    """Installed matcher kind -> its params dataclass (what the rule loader checks packs against)."""
    return {name: cls.Params for name, cls in installed_kinds().items()}


def glob_to_regex(glob: str) -> str:
    """Translate a path glob: ``**/`` any folders, ``*`` within a name, ``?`` one character.

    A glob without ``/`` matches a file name in any folder (like .gitignore).
    """
    anchored = "/" in glob.rstrip("/")
    body = _glob_body(glob)
    return f"^{body}$" if anchored else f"(?:^|/){body}$"


@lru_cache(maxsize=4096)
def _glob_body(glob: str) -> str:
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "{" and "}" in glob[i:]:
            end = glob.index("}", i)
            out.append("(?:" + "|".join(re.escape(x) for x in glob[i + 1 : end].split(",")) + ")")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


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
            self._literals = None if self.flags & re.IGNORECASE else literals_of(self.source)
        literals = self._literals
        return not literals or any(lit in text for lit in literals)  # type: ignore[union-attr]

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text) if self.may_match(text) else None


class GlobSet:
    """Path globs compiled once for many tests: a glob of a name (no ``/``, no ``**``) tests the
    file name alone, anchored; the others test the path. Much cheaper than one unanchored regex."""

    def __init__(self, globs: list[str]):
        self._globs: list[str] | None = globs
        """Until the first test: the globs, translated then (a small repository tests few of the sets)."""
        self._names: re.Pattern[str] | None = None
        self._paths: re.Pattern[str] | None = None

    def _compile(self, globs: list[str]) -> None:
        names = [g for g in globs if "/" not in g and "**" not in g]
        paths = [g for g in globs if "/" in g or "**" in g]
        self._names = re.compile("|".join(f"(?:{_glob_body(g)})" for g in names)) if names else None
        self._paths = re.compile("|".join(f"(?:{glob_to_regex(g)})" for g in paths)) if paths else None
        self._globs = None

    def search(self, path: str) -> bool:
        """Whether any glob matches the POSIX path."""
        if self._globs is not None:
            self._compile(self._globs)
        if self._names is not None and self._names.fullmatch(path, path.rfind("/") + 1):
            return True
        return self._paths is not None and self._paths.search(path) is not None


_WILDCARD = re.compile(r"[*?{}\[\]]")


def _glob_key(glob: str) -> str | None:
    """What every file a glob matches has: its exact name (``=Dockerfile``), or its extension from the
    last dot (``*.py`` -> ``.py``); None when neither is fixed (``Dockerfile.*``)."""
    last = glob.rsplit("/", 1)[-1]
    if not _WILDCARD.search(last):
        return "=" + last
    tail = _WILDCARD.split(last)[-1]
    return tail[tail.rfind(".") :] if "." in tail else None


class GlobIndex:
    """Which of many glob lists may match a path, looked up by the path's name and extension instead of
    testing every list; a list with a glob of no fixed name or extension is a candidate for every path."""

    def __init__(self, glob_lists: list[list[str]]):
        self._by_key: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, globs in enumerate(glob_lists):
            keys = {_glob_key(g) for g in globs}
            if None in keys:
                self._always.append(index)
                continue
            for key in keys:
                self._by_key.setdefault(key, []).append(index)  # type: ignore[arg-type]
        self._by_extension: dict[str, list[int]] = {}

    def candidates(self, path: str) -> list[int]:
        """Ascending indexes of the lists that may match ``path`` (confirm each with its :class:`GlobSet`)."""
        name = path[path.rfind("/") + 1 :]
        ext = name[name.rfind(".") :] if "." in name else ""
        found = self._by_extension.get(ext)
        if found is None:
            found = self._by_extension[ext] = sorted(set(self._by_key.get(ext, []) + self._always))
        named = self._by_key.get("=" + name)
        return sorted(set(found).union(named)) if named else found


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


def compile_globs(globs: list[str]) -> GlobSet:
    """One matcher for all of the globs."""
    return GlobSet(globs)
