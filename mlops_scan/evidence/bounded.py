"""Rules from packs inside the scanned repository run with a time bound: the repository wrote their regexes.

A regular expression such as ``^(a+)+$`` takes exponential time on 41 bytes, and Python's
``re`` has no time limit of its own. Each rule of a pack that lies inside the scanned
repository gets its own matcher, run after the trusted ones (so the facts it needs are
already parsed) under a CPU-time bound of ``Limits.parse_timeout`` seconds per file. CPython's
regex engine checks for signals while it matches, so the bound interrupts it. A rule past its
bound has no match on that file, the file is listed in ``skipped`` with the rule's id, and
the rule runs on no further file: the scan's extra time is at most one bound per such rule.
The timer is the process's CPU-time timer (``ITIMER_VIRTUAL``), not the real-time timer
parses use, so a parse inside the rule's match keeps its own bound. POSIX main thread only.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # the C module (``signal`` builds enums at import)
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mlops_scan.evidence.ruleset import built_matchers
from mlops_scan.facts.context import FileContext
from mlops_scan.facts.parsetime import INFINITY, timers_usable
from mlops_scan.matchers.base import AnyMatcher, Hit, Matcher, installed_kinds
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import ProjectInfo


class RuleTimeout(BaseException):
    """A rule from the scanned repository ran past its CPU-time bound (a BaseException: no ``except Exception``
    in a matcher hides it)."""


def _on_timer(signum: int, frame: object) -> None:
    raise RuleTimeout


@contextmanager
def cpu_bound(seconds: float) -> Iterator[None]:
    """Raise :class:`RuleTimeout` in the body once it has used ``seconds`` of CPU time (unbounded for 0, off the
    main thread, or where there is no ``setitimer``)."""
    if not 0 < seconds < INFINITY or not timers_usable():
        yield
        return
    previous = _signal.signal(_signal.SIGVTALRM, _on_timer)
    _signal.setitimer(_signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        _signal.setitimer(_signal.ITIMER_VIRTUAL, 0)
        _signal.signal(_signal.SIGVTALRM, previous)


def build_matchers(rules: list[Rule[object]], project: ProjectInfo, snapshot: Snapshot) -> list[AnyMatcher]:
    """One matcher per kind for the trusted rules, then one bounded matcher per rule of a pack inside the scanned
    repository (run last, so the facts they need were parsed under the parse bound)."""
    kinds = installed_kinds()
    root = snapshot.root.resolve()
    inside = {source: Path(source).resolve().is_relative_to(root) for source in {r.source for r in rules} if source}
    by_kind: dict[str, list[Rule[object]]] = defaultdict(list)
    theirs = []
    for rule in rules:
        if rule.bounded or inside.get(rule.source):
            theirs.append(rule)
        else:
            by_kind[rule.kind].append(rule)
    matchers = built_matchers(by_kind, kinds, project)
    seconds = snapshot.limits.parse_timeout
    return matchers + [BoundedMatcher(kinds[rule.kind]([rule], project), seconds) for rule in theirs]


class BoundedMatcher(Matcher[Any]):
    """One rule of a repository's pack, its matcher run under :func:`cpu_bound` and dropped after a timeout."""

    kind = "repository-rule"

    def __init__(self, inner: AnyMatcher, seconds: float) -> None:
        super().__init__([], inner.project)
        self.inner, self.seconds = inner, seconds
        self.rule = inner.rules[0]
        self.timed_out = False

    def wants(self, entry: FileEntry) -> bool:
        return not self.timed_out and self.inner.wants(entry)

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        if self.timed_out:
            return []
        try:
            with cpu_bound(self.seconds):
                return list(self.inner.scan(ctx))
        except RuleTimeout:
            self.timed_out = True
            ctx.skip(self._reason())
            return []

    def finish(self, snapshot: Snapshot) -> Iterable[Hit]:
        if self.timed_out:
            return []
        try:
            with cpu_bound(self.seconds):
                return list(self.inner.finish(snapshot))
        except RuleTimeout:
            self.timed_out = True
            pack = Path(self.rule.source).resolve()
            snapshot.skip(pack.relative_to(snapshot.root.resolve()).as_posix(), self._reason())
            return []

    def _reason(self) -> str:
        return (
            f"rule {self.rule.id} (a pack of the scanned repository) ran past {self.seconds:g} s: "
            "no match, and the rule is not run on further files"
        )
