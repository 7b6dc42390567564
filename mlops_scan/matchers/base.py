"""The interface every matcher kind implements, and their discovery through entry points."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeAlias, TypeGuard, TypeVar

from mlops_scan.errors import MlopsScanError
from mlops_scan.facts.context import FileContext
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.startcache import entry_points, load_entry_point
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


def encode_hit(hit: Hit) -> list[object]:
    """A hit as JSON-ready data (its rule by id), for the per-file results cache."""
    return [hit.rule.id, hit.path, hit.line, hit.snippet, hit.strength.value if hit.strength else None, list(hit.via)]


def decode_hit(data: object, rules: dict[str, Rule[object]]) -> Hit:
    """The hit :func:`encode_hit` made; ValueError when ``data`` has another shape or names an unknown rule."""
    if not isinstance(data, list) or len(data) != 6:
        raise ValueError("not a hit")
    rule_id, path, line, snippet, strength, via = data
    rule = rules.get(rule_id) if isinstance(rule_id, str) else None
    if rule is None or not isinstance(path, str) or not isinstance(snippet, str) or not isinstance(via, list):
        raise ValueError("not a hit")
    if not (line is None or type(line) is int) or not all(isinstance(v, str) for v in via):
        raise ValueError("not a hit")
    return Hit(rule, path, line, snippet, Strength(strength) if strength is not None else None, tuple(via))


def state_pairs(state: object, key: str, valid: Callable[[object, object], bool]) -> list[Any]:
    """``state[key]``, a JSON list of two-item lists each ``valid``, as pairs; ValueError otherwise (a kept state is
    data from disk)."""
    items = state.get(key) if isinstance(state, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, list) and len(i) == 2 and valid(*i) for i in items):
        raise ValueError(f"{key}: not a list of pairs of the expected types")
    return [(a, b) for a, b in items]


def int_list(data: object) -> TypeGuard[list[int]]:
    """A JSON list of whole numbers."""
    return isinstance(data, list) and all(type(n) is int for n in data)


class Matcher(ABC, Generic[P]):
    """A matcher kind over rules whose params are ``P``. Subclasses set ``kind`` and ``Params`` (the
    dataclass ``P``, which checks its own values in ``__post_init__``) and implement the hooks."""

    kind: ClassVar[str]
    Params: type[P]
    """The dataclass a rule's ``params`` mapping is checked against and built into."""
    reusable: ClassVar[bool] = False
    """The hits ``scan`` yields for a file, and what it adds to the kind's state (``file_state``), may be kept and
    replayed in a later scan (``restore_state``) where the file, every path the scan consulted through
    ``ctx.snapshot`` (``entry``, ``read_text``), the rules and the project info are the same. A kind sets it only
    when its ``scan`` depends on nothing else (other files are reached through ``ctx.snapshot``; the whole listing
    is ``finish``'s, which always runs)."""

    scan_modules: ClassVar[tuple[str, ...]] = ()
    """Modules ``scan`` imports when it first needs them (a repository with no file that needs them never loads
    them). A file pass shared with a partner process imports them before it forks, not once in each process."""

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        """A built-in kind keeps ``project`` and reads it only while scanning: its matchers are built once, with an
        empty project, kept in the start-up cache and given each scan's project (``evidence.ruleset.built_matchers``)."""
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

    def finish(self, snapshot: Snapshot) -> Iterable[Hit]:
        """Repository-wide hits, after every file was scanned."""
        return ()

    def file_state(self, path: str) -> object:
        """JSON-ready: what the last ``scan`` (of ``path``) added to the kind's state; None when nothing (then a
        rescan replays the file without asking the kind: see :meth:`restore_state`)."""
        return None

    def restore_state(self, path: str, state: object) -> Callable[[], None]:
        """What adds the ``file_state`` kept for ``path`` in an earlier scan, as if the file were scanned again
        (nothing is added before it is called); ValueError when ``state`` has another shape. A state of None adds
        nothing, whatever the kind (this method, which kinds call for None)."""
        if state is not None:
            raise ValueError(f"the {self.kind} matcher keeps no state")
        return _nothing

    def rule_by_id(self) -> dict[str, Rule[object]]:
        """This kind's rules by id (to decode kept hits)."""
        return {rule.id: rule for rule in self.rules}

    def measurements(self) -> dict[str, object]:
        """Figures the kind measured for the report (e.g. the share of code in notebooks)."""
        return {}


def has_params(rule: Rule[object], params_type: type[P]) -> TypeGuard[Rule[P]]:
    """Whether ``rule``'s params are a ``params_type``."""
    return isinstance(rule.params, params_type)


def _nothing() -> None:
    """Adds nothing (a kind without state)."""


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
