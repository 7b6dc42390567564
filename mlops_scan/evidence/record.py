"""The scan record: what the last scan of a root made of each listed file, and its result, kept in the cache.

One value per scanned root, kept in the facts cache (:mod:`mlops_scan.facts.blobcache`) in a namespace of the tool's
code, the rules and the limits, as a base and a delta (:mod:`mlops_scan.facts.splitvalue`: a rescan after a few
edits writes their records, not every file's). It holds, for each listed path, its zone, the matcher kinds that
wanted it (an index into the record's table of kind sets), its blob id and the outcome kept for it
(:mod:`mlops_scan.evidence.reuse`): as the JSON text it is kept as, decoded afresh for each use, so nothing a scan
does to what it replayed can change what is written back; or, for an outcome that carries nothing but counts (no
hits, no state, no problems, nothing consulted but the file itself: most files), in the compact form :data:`Plain`,
replayed without decoding anything. Then the project's packages and distributions; and, when every part of the scan
can be replayed, the scan's result with what it depends on beyond the files' own scans: the listing's skips, the
revision, and the blob id and zone (or absence) of every path consulted outside them (the manifests the project is
read from, the README, the kinds' repository-wide ``finish``).

A rescan asks the record first. When the listing is the same, every file some kind wanted has its recorded blob id,
and every path consulted outside the files' scans is as it was, the recorded result is the result (a handful of
cache reads, no file read, parsed or matched). Otherwise a file recorded as it is now (same zone, same blob id)
takes the kinds that wanted it and its recorded outcome (then checked like any kept outcome: every path its scan
read must be as it was), and its record is carried over; another path listed before in the same zone takes the
kinds that wanted it without asking each kind again. Only what changed is written again (the head, with the
records that changed). The result's text carries its SHA-256, so a damaged record is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from typing import TypeGuard

from mlops_scan.facts.blobcache import BlobCache
from mlops_scan.facts.splitvalue import get_split, put_split
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import ProjectInfo

FORMAT = 3

Recorded = list[object]
"""One path's record: [zone, index of the kinds that wanted it, blob id or None, its outcome or None]; the outcome
is its JSON text or its :data:`Plain` form."""
Plain = list[object]
"""The compact form of an outcome with no hits, no state, no problems and nothing consulted but the file itself:
[the size of the file as read (None when its text was not read), the parses run (names)...]."""


class ScanRecord:
    """The record of the scan before (``before``, as read) and of this one (``after``, as it is made)."""

    def __init__(self, cache: BlobCache, namespace: str, snapshot: Snapshot) -> None:
        self.cache = cache
        self.kind = f"scan-record-{namespace}"
        self.key = hashlib.sha256(os.fsencode(f"{snapshot.root}\0{snapshot.source}")).hexdigest()
        self.kept = get_split(cache, self.kind, self.key)
        self.value: dict[str, object] = self.kept.head if self.kept.head.get("format") == FORMAT else {}
        files, sets = self.kept.entries if self.value else None, self.value.get("kinds")
        self.before: dict[str, object] = {}
        self.kind_sets: list[tuple[str, ...]] = []
        """The table of kind sets the records index: the record's, then those new in this scan (so a record carried
        over unchanged keeps its index)."""
        if isinstance(files, dict) and _kind_sets(sets):
            self.before, self.kind_sets = files, [tuple(kinds) for kinds in sets]
        self._set_index = {kinds: index for index, kinds in reversed(list(enumerate(self.kind_sets)))}
        self.unchanged: dict[str, tuple[int, Recorded]] = {}
        """The listed files recorded as they are now (see :meth:`compare`): their kind set's index, their record."""
        self.after: dict[str, Recorded] = {}
        self.listing = [[s.path, s.reason] for s in snapshot.skipped]
        """What the listing skipped (before any file was read): part of what the result depends on."""
        self.revision = snapshot.revision

    def compare(self, snapshot: Snapshot) -> None:
        """Find the listed files recorded as they are now: in the same zone, with a kind set of the table and, when
        some kind wanted the file, its blob id and a kept outcome (unchecked)."""
        sets = len(self.kind_sets)
        for entry in snapshot.files:
            item = self.before.get(entry.path)
            if type(item) is not list or len(item) != 4 or item[0] != entry.zone:
                continue
            index = item[1]
            if type(index) is not int or not 0 <= index < sets:
                continue
            if self.kind_sets[index] and (type(item[3]) not in (str, list) or item[2] != snapshot.blob_id(entry.path)):
                continue
            self.unchanged[entry.path] = (index, item)

    def kept_result(self, snapshot: Snapshot, state: Callable[[str], str | None]) -> object | None:
        """The recorded result (JSON-ready, unchecked) when nothing it depends on changed; ``state`` gives a
        path's zone and blob id as the outcomes record them. None otherwise."""
        text, outside = self.value.get("result"), self.value.get("outside")
        if type(text) is not str or self.value.get("sha") != _sha(text) or not isinstance(outside, dict):
            return None
        if self.value.get("listing") != self.listing or self.value.get("revision") != self.revision:
            return None
        if not len(snapshot.files) == len(self.before) == len(self.unchanged):
            return None
        if any(state(path) != known for path, known in outside.items()):
            return None
        try:
            result: object = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return result

    def use_for(self, project: ProjectInfo) -> None:
        """Forget the recorded kinds and outcomes when they were made for another project's packages."""
        if self.value.get("project") != _project(project):
            self.before, self.unchanged = {}, {}

    def kind_set(self, entry: FileEntry) -> int | None:
        """The index in :attr:`kind_sets` of the kinds that wanted ``entry`` when it was recorded in the same zone, or
        None (not recorded, or in another zone, or damaged)."""
        item = self._item(entry)
        index = item[1] if item is not None else None
        return index if type(index) is int and 0 <= index < len(self.kind_sets) else None

    def outcome(self, entry: FileEntry, oid: str, kinds: tuple[str, ...]) -> str | Plain | None:
        """The outcome recorded for ``entry`` in the same zone, with blob id ``oid``, for the same ``kinds`` (its JSON
        text or its :data:`Plain` form, unchecked), or None."""
        item, index = self._item(entry), self.kind_set(entry)
        if item is None or index is None or item[2] != oid or self.kind_sets[index] != kinds:
            return None
        outcome = item[3]
        return outcome if type(outcome) is str or type(outcome) is list else None

    def _item(self, entry: FileEntry) -> Recorded | None:
        """The record of ``entry`` when it has the record's shape and was made in the same zone, else None."""
        item = self.before.get(entry.path)
        return item if type(item) is list and len(item) == 4 and item[0] == entry.zone else None

    def carry(self, path: str, item: Recorded) -> None:
        """Carry the record of a file recorded as it is now (:attr:`unchanged`), whose outcome holds, over to this
        scan's."""
        self.after[path] = item

    def note(self, entry: FileEntry, kinds: tuple[str, ...]) -> None:
        """Record that ``kinds`` want ``entry`` in this scan (no outcome yet)."""
        index = self._set_index.get(kinds)
        if index is None:
            index = self._set_index[kinds] = len(self.kind_sets)
            self.kind_sets.append(kinds)
        self.after[entry.path] = [entry.zone.value, index, None, None]

    def keep(self, path: str, oid: str, outcome: str | Plain) -> None:
        """Record the outcome (JSON text or :data:`Plain` form) ``path`` (noted before) has in this scan, for its blob
        id ``oid``."""
        item = self.after.get(path)
        if item is not None:
            item[2], item[3] = oid, outcome

    def store(self, result: object | None, outside: dict[str, str], project: ProjectInfo) -> None:
        """Keep this scan's record for the next one, when it differs from the one read; its ``result`` (JSON-ready)
        only when every file some kind wanted has a kept outcome (all of the scan can be replayed)."""
        kinds = [list(kinds) for kinds in self.kind_sets]
        value: dict[str, object] = {"format": FORMAT, "kinds": kinds, "project": _project(project)}
        wanted = {index for index, kinds in enumerate(self.kind_sets) if kinds}
        if result is not None and all(item[3] is not None for item in self.after.values() if item[1] in wanted):
            text = json.dumps(result, separators=(",", ":"))
            value |= {"result": text, "sha": _sha(text), "outside": outside}
            value |= {"listing": self.listing, "revision": self.revision}
        put_split(self.cache, self.kind, self.key, value, dict(self.after), self.kept)


def _kind_sets(value: object) -> TypeGuard[list[list[str]]]:
    """Whether ``value`` is a table of kind sets (lists of names)."""
    return isinstance(value, list) and all(isinstance(k, list) and all(type(n) is str for n in k) for k in value)


def _project(project: ProjectInfo) -> list[list[str]]:
    return [sorted(project.packages), sorted(project.distributions)]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
