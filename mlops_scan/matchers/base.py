"""The interface every matcher kind implements, and their discovery through entry points."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Generic, TypeAlias, TypeGuard, TypeVar

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
