"""The scan record: what the last scan of a root made of each listed file, read and written as one cache entry.

For each listed path (in one JSON value, kept in the facts cache under the scanned root, in the namespace of
the per-file outcomes, :mod:`mlops_scan.evidence.reuse`): its zone, the matcher kinds that wanted it, its blob
id and the outcome kept for it (as the JSON text it is kept as, decoded afresh for each use: nothing a scan does
to what it replayed can change what is written back). A rescan asks the record first: a path listed before in the same zone takes
the kinds that wanted it without asking each kind again, and a file whose blob id is the recorded one takes the
recorded outcome without a query of its own; the outcome is then checked like any kept outcome (every path its
scan consulted must be as it was). So a rescan of a barely changed repository costs one read of the record,
not one per file; the record is written again only when something in it changed.
"""

from __future__ import annotations

import hashlib
import os

from mlops_scan.facts.blobcache import BlobCache
from mlops_scan.snapshot.tree import FileEntry, Snapshot

FORMAT = 1

Recorded = list[object]
"""One path's record: [zone, kinds that wanted it, blob id or None, the outcome's JSON text or None]."""


class ScanRecord:
    """The record of the scan before (``before``, as read) and of this one (``after``, as it is made)."""

    def __init__(self, cache: BlobCache, namespace: str, snapshot: Snapshot) -> None:
        self.cache = cache
        self.kind = f"scan-record-{namespace}"
        self.key = hashlib.sha256(os.fsencode(f"{snapshot.root}\0{snapshot.source}")).hexdigest()
        value = cache.get(self.kind, self.key)
        files = value.get("files") if isinstance(value, dict) and value.get("format") == FORMAT else None
        self.before: dict[str, object] = files if isinstance(files, dict) else {}
        self.after: dict[str, Recorded] = {}

    def kinds(self, entry: FileEntry) -> list[str] | None:
        """The kinds that wanted ``entry`` when it was recorded in the same zone, or None (not recorded, or in
        another zone, or damaged)."""
        item = self.before.get(entry.path)
        if type(item) is not list or len(item) != 4 or item[0] != entry.zone.value:
            return None
        kinds = item[1]
        return kinds if type(kinds) is list and all(type(k) is str for k in kinds) else None

    def outcome(self, path: str, oid: str) -> str | None:
        """The outcome recorded for ``path`` with blob id ``oid`` (its JSON text, unchecked), or None."""
        item = self.before.get(path)
        if type(item) is not list or len(item) != 4 or item[2] != oid:
            return None
        text = item[3]
        return text if type(text) is str else None

    def note(self, entry: FileEntry, kinds: list[str]) -> None:
        """Record that ``kinds`` want ``entry`` in this scan (no outcome yet)."""
        self.after[entry.path] = [entry.zone.value, kinds, None, None]

    def keep(self, path: str, oid: str, outcome: str) -> None:
        """Record the outcome (JSON text) ``path`` (noted before) has in this scan, for its blob id ``oid``."""
        item = self.after.get(path)
        if item is not None:
            item[2], item[3] = oid, outcome

    def store(self) -> None:
        """Keep this scan's record for the next one, when it differs from the one read."""
        if self.after != self.before:
            self.cache.put(self.kind, self.key, {"format": FORMAT, "files": self.after})
