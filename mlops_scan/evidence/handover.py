"""The file pass's partner at work (:mod:`mlops_scan.evidence.partner`): what it makes of each file it takes, and
how this process takes its outcomes over, in the order of the files."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from mlops_scan import startcache
from mlops_scan.evidence.filescan import Gathered, Outcome, Work, decode_outcome, outcome_of, scan_file
from mlops_scan.facts import blobcache
from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import AnyMatcher
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import Consulted, FileEntry, Snapshot
from mlops_scan.types import Skipped

if TYPE_CHECKING:
    from mlops_scan.evidence.partner import Partner
    from mlops_scan.evidence.reuse import Reuse

ScanHere = Callable[[int, FileEntry, list[AnyMatcher]], None]
"""Scans a file (its index in the listing, its entry, the kinds that want it) in this process."""


def context(snapshot: Snapshot, entry: FileEntry, contexts: dict[str, FileContext]) -> FileContext:
    """The context of a file to scan: the one made while the project was read, else a new one."""
    return contexts.pop(entry.path) if entry.path in contexts else FileContext(snapshot, entry)


class Handover:
    """The partner's job (:class:`~mlops_scan.evidence.partner.Job`): scan files as this process does, and hand back
    their outcomes (with what the facts cache keeps of them), what the cache stored, the blob ids worked out and what
    the memos worked out."""

    def __init__(
        self, snapshot: Snapshot, work: list[Work], contexts: dict[str, FileContext], reuse: Reuse | None
    ) -> None:
        """The job for ``work`` (its outcomes encoded for the facts cache with ``reuse``); the modules its kinds'
        scans import on first use are imported now, in this process, so the two processes do not each import them."""
        self.snapshot = snapshot
        self.work = work
        self.contexts = contexts
        self.reuse = reuse
        self.known: set[str] = set()
        """The files whose blob id was known when the partner started."""
        kinds = {matcher.kind: matcher for _, _, interested in work for matcher in interested}
        for name in sorted({name for matcher in kinds.values() for name in matcher.scan_modules}):
            importlib.import_module(name)

    def enter(self) -> None:
        cache = blobcache.active()
        if cache is not None:
            cache.forked()
        self.known = self.snapshot.known_blob_ids()

    def scan(self, position: int) -> dict[str, object] | None:
        _, entry, interested = self.work[position]
        snapshot = self.snapshot
        ctx = context(snapshot, entry, self.contexts)
        consulted = snapshot.consulted = Consulted()
        skips = len(snapshot.skipped)
        value = outcome_of(ctx, interested, scan_file(ctx, interested), consulted)
        if value is None:
            return None
        reuse = self.reuse
        kept = reuse.encoded(entry, value, consulted, ctx.text_loaded, ctx.timed_out) if reuse is not None else None
        return value | {
            "kept": kept,
            "listed": [[s.path, s.reason] for s in snapshot.skipped[skips:]],
        }

    def leave(self) -> object:
        cache = blobcache.active()
        stored = cache.handed_back() if cache is not None else None
        return stored, startcache.learned(), self.snapshot.blob_ids_since(self.known)


def take_over(
    helper: Partner,
    gathered: Gathered,
    matchers: list[AnyMatcher],
    work: list[Work],
    start: int,
    scan_here: ScanHere,
    reuse: Reuse | None,
) -> None:
    """The files of ``work`` from position ``start`` on, which the partner took: replay on ``gathered`` what it made
    of each, in order (kept in the scan record with ``reuse``), and scan here those it could not hand back."""
    outcomes, handed_back = helper.results()
    rules = {rule_id: rule for matcher in matchers for rule_id, rule in matcher.rule_by_id().items()}
    given: tuple[object, ...] = handed_back if isinstance(handed_back, tuple) and len(handed_back) == 3 else (None,) * 3
    stored, learned, blob_ids = given
    cache = blobcache.active()
    if cache is not None:
        cache.adopt(stored)
    startcache.adopt(learned)  # what its memos worked out, kept for the next runs
    gathered.snapshot.adopt_blob_ids(blob_ids)  # the blob ids of the files it kept, worked out there
    for position in range(start, len(work)):
        index, entry, interested = work[position]
        found = outcomes.get(position)
        handed = _handed(found, entry, interested, rules) if found is not None else None
        if found is None or handed is None:
            scan_here(index, entry, interested)
            continue
        outcome, listed = handed
        gathered.replay_before(index)
        gathered.snapshot.skipped += listed
        gathered.replay(outcome)
        if reuse is not None:
            reuse.keep_encoded(entry, found.get("kept"))


def _handed(
    found: dict[str, object], entry: FileEntry, matchers: list[AnyMatcher], rules: dict[str, Rule[object]]
) -> tuple[Outcome, list[Skipped]] | None:
    """What the partner handed back for ``entry`` (:meth:`Handover.scan`): its outcome ready to replay and the
    problems reading files recorded while it was scanned; None when it is damaged."""
    try:
        outcome = decode_outcome(found, entry.path, matchers, rules)
        listed = [Skipped(path, reason) for path, reason in cast("list[list[str]]", found["listed"])]
    except (ValueError, TypeError, KeyError):
        return None
    return outcome, listed
