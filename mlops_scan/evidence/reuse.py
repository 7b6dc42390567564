"""Per-file results kept across scans: a file whose content, and everything its scan consulted, is unchanged is not
read, parsed or matched again; what its scan produced is replayed.

A file's *outcome* is what the Evidence stage got from it: the hits each matcher kind yielded, what the kind added
to its repository-wide state (:meth:`Matcher.file_state`), the parses run, the problems recorded, and the files
whose content was used (with their sizes, for the report's counts). It is kept in the facts cache
(:mod:`mlops_scan.facts.blobcache`) under the file's path, git blob id and zone, in a namespace of everything else
it depends on: the tool's code, the rules, the limits, the repository's own packages and distributions. Reads of
other files (a CI step's script, a Makefile, an ``__init__.py`` beside a module) go through the snapshot, which
records every path looked up or read while a file is scanned; the outcome keeps the blob id and zone of each path
read, the zone (or the absence) of each path only looked up (its content was not used: a module's ``__init__.py``
edited leaves its siblings' outcomes valid), and is replayed only where all of them are the same. Repository-wide
judgements (``Matcher.finish``, the project index, zones, the project info) are made afresh each scan from the
replayed and fresh states alike.

An outcome is not kept when a matcher kind is not declared reusable, a matcher failed, a parse ran out of time, or
the content of the file or of a path it consulted has no known blob id.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any, cast

from mlops_scan import __version__
from mlops_scan.evidence.bounded import BoundedMatcher
from mlops_scan.evidence.filescan import FileScan, Gathered, Outcome, Work, decode_outcome, outcome_of, scan_file
from mlops_scan.evidence.record import Plain, Recorded, ScanRecord
from mlops_scan.evidence.result import ScanResult, decode_result, encode_result
from mlops_scan.evidence.ruleset import rules_hash
from mlops_scan.facts import blobcache
from mlops_scan.facts.blobcache import BlobCache
from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import AnyMatcher
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import Consulted, FileEntry, Snapshot
from mlops_scan.startcache import code_stamps
from mlops_scan.types import ProjectInfo, Skipped

FORMAT = 3
_TIMED_OUT = "parse took longer than"


@lru_cache(maxsize=1)
def package_hash() -> str:
    """A hash of the tool version and of every module of the package (any change may change a result): their
    sizes and modification times, as the start-up cache keys them (reading them all cost more than a small scan)."""
    return hashlib.sha256("\n".join([__version__, *code_stamps()]).encode()).hexdigest()[:16]


class Reuse:
    """Looks outcomes up before the file pass (in the scan record first, :mod:`.record`), and keeps the outcomes
    of the files scanned afresh."""

    def __init__(self, cache: BlobCache, snapshot: Snapshot, rules: list[Rule[object]]) -> None:
        """Read what the scans before kept (stat ids, the scan record) and start recording what the scan consults
        outside the files' own scans (the project's manifests, the README, the kinds' ``finish``)."""
        self.cache = cache
        self.snapshot = snapshot
        self.rules: dict[str, Rule[object]] = {rule.id: rule for rule in rules}
        blobcache.remember_stat_ids(cache, snapshot)
        namespace = f"{FORMAT} {__version__} {package_hash()} {rules_hash(rules)} {snapshot.limits!r}"
        self.namespace = hashlib.sha256(namespace.encode()).hexdigest()[:16]
        self.kind = f"outcome-{self.namespace}"
        self.record = ScanRecord(cache, self.namespace, snapshot)
        self._zones = {entry.path: entry.zone.value for entry in snapshot.files}
        self.outside = snapshot.consulted = Consulted()
        self.bounded = False
        """A repository's rule runs bounded: its interest in files changes after a timeout, its outcomes are not kept."""
        self._skips: dict[str, list[Skipped]] = {}
        self._skips_seen = 0

    def kept_result(self) -> ScanResult | None:
        """The result of the scan before, when the listing, every wanted file and every path consulted outside the
        files' scans are as they were then (nothing it depends on changed); None otherwise."""
        self.record.compare(self.snapshot)
        value = self.record.kept_result(self.snapshot, self._state)
        try:
            result = decode_result(value, self.rules) if value is not None else None
        except (ValueError, TypeError):
            return None
        if result is not None:
            self.snapshot.consulted = None
            blobcache.keep_stat_ids(self.cache, self.snapshot)
        return result

    def begin(self, project: ProjectInfo) -> None:
        """The file pass starts: outcomes are kept for this project's packages and distributions (what dependency
        and python rules leave out)."""
        mine = f"{self.namespace} {sorted(project.packages)} {sorted(project.distributions)}"
        self.kind = "outcome-" + hashlib.sha256(mine.encode()).hexdigest()[:16]
        self.record.use_for(project)

    def store(self, result: ScanResult) -> None:
        """Keep the record of this scan (with its result, when every part of it can be replayed) for the next one."""
        self.snapshot.consulted = None
        outside = self._depends(self.outside.looked_up | self.outside.read)
        timed_out = any(_TIMED_OUT in s.reason for s in result.skipped)
        whole = not self.bounded and outside is not None and not timed_out
        self.record.store(encode_result(result) if whole else None, outside or {}, result.project)
        blobcache.keep_stat_ids(self.cache, self.snapshot)

    def plan(self, matchers: list[AnyMatcher], gathered: Gathered) -> list[Work]:
        """The files to scan afresh, with the kinds that want each; the outcomes of the others are replayed on
        ``gathered`` (queued in the order of the files, or at once when they carry nothing but counts). A file the
        record holds as it is now takes the kinds that wanted it then and its recorded outcome (both checked), and
        its record is carried over; another path the record knows in the same zone takes the kinds that wanted it
        then (the rules and the code are the same: the record's namespace). Neither when a kind's interest can
        change during a scan (a repository's rule dropped after a timeout)."""
        self.bounded = any(isinstance(m, BoundedMatcher) for m in matchers)
        known = {m.kind for m in matchers}
        matchers_of = [
            [m for m in matchers if m.kind in kinds] if known.issuperset(kinds) and not self.bounded else None
            for kinds in self.record.kind_sets
        ]
        """The matchers of each recorded kind set (None when one is not in this scan, or for a bounded scan)."""
        reusable = [wanted is not None and all(m.reusable for m in wanted) for wanted in matchers_of]
        work: list[Work] = []
        for index, entry in enumerate(self.snapshot.files):
            found = self.record.unchanged.get(entry.path)
            if found is not None and reusable[found[0]] and self._replayed(index, entry, found, matchers_of, gathered):
                continue
            recorded = self.record.kind_set(entry)
            wanted = matchers_of[recorded] if recorded is not None else None
            kinds = self.record.kind_sets[recorded] if recorded is not None else ()
            if wanted is None:
                wanted = [m for m in matchers if m.wants(entry)]
                kinds = tuple(m.kind for m in wanted)
            self.record.note(entry, kinds)
            if not wanted:
                continue
            outcome = self.lookup(entry, kinds, wanted)
            if outcome is None:
                work.append((index, entry, wanted))
            else:
                gathered.replays.append((index, outcome))
        return work

    def _replayed(
        self,
        index: int,
        entry: FileEntry,
        found: tuple[int, Recorded],
        matchers_of: list[list[AnyMatcher] | None],
        gathered: Gathered,
    ) -> bool:
        """Replay the recorded outcome of a file recorded as it is now (``found``: the index of its kind set, its
        record), and carry its record over; False when the outcome does not hold (or is damaged)."""
        kind_set, item = found
        matchers, kept = matchers_of[kind_set] or [], item[3]
        if matchers and isinstance(kept, list):
            counts = _plain_counts(kept)
            if counts is None:
                return False
            gathered.replay_counts(entry.path, *counts)
        elif matchers:
            outcome = self._decoded(kept, entry, matchers) if isinstance(kept, str) else None
            if outcome is None:
                return False
            gathered.replays.append((index, outcome))
        self.record.carry(entry.path, item)
        return True

    def lookup(self, entry: FileEntry, kinds: tuple[str, ...], matchers: list[AnyMatcher]) -> Outcome | None:
        """The outcome kept for this file (wanted by ``matchers``, of ``kinds``) where it still holds, ready to
        replay; None otherwise. When nothing kept can be found (a first scan on this machine, a CI job's), the file's
        blob id is not worked out here, before the pass (read and hashed, one file after another): the scan that keeps
        its outcome works it out, in whichever process scans it (:meth:`encoded`)."""
        if self.cache.holds_nothing and entry.path not in self.record.before:
            return None
        oid = self.snapshot.blob_id(entry.path)
        if oid is None or not all(m.reusable for m in matchers):
            return None
        kept = self.record.outcome(entry, oid, kinds)
        if isinstance(kept, list):
            counts = _plain_counts(kept)
            if counts is None:
                return None
            self.record.keep(entry.path, oid, kept)
            size, parsed = counts
            return Outcome([], [], parsed, [], {} if size is None else {entry.path: size})
        text = kept or self.cache.get_text(self.kind, _key(entry, oid))
        if text is None:
            return None
        outcome = self._decoded(text, entry, matchers)
        if outcome is not None:
            self.record.keep(entry.path, oid, outcome.plain or text)
        return outcome

    def _decoded(self, text: str, entry: FileEntry, matchers: list[AnyMatcher]) -> Outcome | None:
        """The kept outcome ``text`` of ``entry`` when it still holds, ready to replay; None otherwise."""
        try:
            value = json.loads(text)
            return self._decode(value, entry, matchers) if isinstance(value, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None

    def scan(self, ctx: FileContext, matchers: list[AnyMatcher]) -> FileScan:
        """Scan one file afresh, recording what it consults, and keep its outcome."""
        consulted = self.snapshot.consulted = Consulted()
        try:
            done = scan_file(ctx, matchers)
        finally:
            self.snapshot.consulted = self.outside
        self.keep(ctx, matchers, done, consulted)
        return done

    def keep(self, ctx: FileContext, matchers: list[AnyMatcher], done: FileScan, consulted: Consulted) -> None:
        """Keep the outcome of a file scanned afresh, when it can be replayed safely."""
        value = outcome_of(ctx, matchers, done, consulted)
        if value is not None:
            self.keep_value(ctx.entry, value, consulted, ctx.text_loaded, ctx.timed_out)

    def keep_value(
        self, entry: FileEntry, value: dict[str, object], consulted: Consulted, loaded: bool, timed_out: bool
    ) -> None:
        """Keep the outcome ``value`` (:func:`outcome_of`'s) of a file scanned afresh here, with what its scan
        consulted, whether it read the file itself and whether a parse ran out of time."""
        self.keep_encoded(entry, self.encoded(entry, value, consulted, loaded, timed_out))

    def encoded(
        self, entry: FileEntry, value: dict[str, object], consulted: Consulted, loaded: bool, timed_out: bool
    ) -> tuple[str, str, Plain | None] | None:
        """What :meth:`keep_value` keeps of an outcome, made in whichever process scanned the file (the partner's
        come back with its outcomes): the file's blob id, the outcome's JSON text and its plain form; None when it
        is not to be kept."""
        oid = self.snapshot.blob_id(entry.path)
        skipped = cast("list[list[str]]", value["skipped"])
        if oid is None or timed_out or any(_TIMED_OUT in reason for _, reason in skipped):
            return None  # a parse ran out of time (a referenced file's, too): the outcome depends on the machine
        depends = self._depends(consulted.read)
        if depends is None:
            return None
        used = consulted.read | ({entry.path} if loaded else set())
        listing_skips = [(s.path, s.reason) for path in sorted(used) for s in self._listing_skips(path)]
        value = {
            "depends": depends,
            "present": {p: self._zones.get(p, "") for p in sorted(consulted.looked_up - consulted.read)},
            **value,
            "skipped": [list(pair) for pair in dict.fromkeys([*listing_skips, *map(tuple, skipped)])],
        }
        return oid, json.dumps(value, separators=(",", ":")), _plain(value, entry.path)

    def keep_encoded(self, entry: FileEntry, encoded: object) -> None:
        """Keep an outcome as :meth:`encoded` made it (here, or a list from the partner); anything else is ignored."""
        if not (isinstance(encoded, (tuple, list)) and len(encoded) == 3):
            return
        oid, text, plain = encoded
        if isinstance(oid, str) and isinstance(text, str) and (plain is None or isinstance(plain, list)):
            self.cache.put_text(self.kind, _key(entry, oid), text)
            self.record.keep(entry.path, oid, plain or text)

    def _listing_skips(self, path: str) -> list[Skipped]:
        """The problems the snapshot recorded reading ``path`` (indexed as they come)."""
        for skip in self.snapshot.skipped[self._skips_seen :]:
            self._skips.setdefault(skip.path, []).append(skip)
        self._skips_seen = len(self.snapshot.skipped)
        return self._skips.get(path, [])

    def _depends(self, paths: set[str]) -> dict[str, str] | None:
        """Each path's blob id and zone ('' when not listed); None when a listed one's content has no known id."""
        out: dict[str, str] = {}
        for path in sorted(paths):
            state = self._state(path)
            if state is None:
                return None
            out[path] = state
        return out

    def _state(self, path: str) -> str | None:
        """``zone:blob id`` of a listed path, '' when it is not listed (looked up without being recorded as consulted:
        what the scan consulted is the scan's, not this bookkeeping's)."""
        zone = self._zones.get(path)
        if zone is None:
            return ""
        oid = self.snapshot.blob_id(path)
        return f"{zone}:{oid}" if oid is not None else None

    def _decode(self, value: dict[str, object], entry: FileEntry, matchers: list[AnyMatcher]) -> Outcome | None:
        depends, present = value["depends"], value["present"]
        if not isinstance(depends, dict) or any(self._state(p) != s for p, s in depends.items()):
            return None
        if not isinstance(present, dict) or any(self._zones.get(p, "") != z for p, z in present.items()):
            return None
        outcome = decode_outcome(value, entry.path, matchers, self.rules)
        outcome.plain = _plain(value, entry.path)
        return outcome


def _plain(value: dict[str, Any], path: str) -> Plain | None:
    """The :data:`~mlops_scan.evidence.record.Plain` form of the outcome ``value`` of ``path`` (as kept, or as
    checked by decoding it) when it carries nothing but counts: no hits, no state, no problems, nothing consulted or
    read but the file itself (whose zone and blob id the record holds)."""
    if value["hits"] or value["skipped"] or any(state is not None for state in value["states"].values()):
        return None
    if any(p != path for p in (*value["depends"], *value["present"], *value["reads"])):
        return None
    return [value["reads"].get(path), *value["parsed"]]


def _plain_counts(kept: Plain) -> tuple[int | None, list[str]] | None:
    """The size read and the parses of the :data:`~mlops_scan.evidence.record.Plain` form ``kept``; None when it has
    another shape."""
    size = kept[0] if kept else ""
    if not (size is None or type(size) is int):
        return None
    parsed = [p for p in kept[1:] if type(p) is str] if len(kept) > 1 else []
    return (size, parsed) if len(parsed) == len(kept) - 1 else None


def _key(entry: FileEntry, oid: str) -> str:
    return hashlib.sha256(f"{entry.path}\0{oid}\0{entry.zone.value}".encode()).hexdigest()
