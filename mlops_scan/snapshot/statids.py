"""Blob ids of work-tree files remembered with their stat data, so an unchanged file is not read to learn its id.

As git's index does: a file whose ``lstat`` data (size, mtime, ctime, inode, device, mode) is exactly
the one recorded with its id takes that id without being read, unless it is *racily clean*: its mtime
is not safely older than the moment the id was recorded (a change within the file system's timestamp
granularity could leave the stat data as it was), then it is read and hashed again. Any doubt reads.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

RACY_MARGIN_NS = 2_000_000_000
"""A file modified less than this before its id was recorded is read again (FAT keeps mtimes to 2 s)."""
FORMAT = 1
_OID = re.compile(r"[0-9a-f]{40}")

StatData = tuple[int, int, int, int, int, int]
"""A file's size, mtime_ns, ctime_ns, inode, device and mode."""


def stat_data(info: os.stat_result) -> StatData:
    """The fields of ``info`` a change of content shows in."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev, info.st_mode)


@dataclass
class StatIds:
    """The ids remembered from the scans before (``known``) and those recorded in this one (``fresh``)."""

    known: dict[str, tuple[StatData, int, str]] = field(default_factory=dict)
    """Path -> (stat data, when the id was recorded in ns since the epoch, blob id)."""
    fresh: dict[str, tuple[StatData, int, str]] = field(default_factory=dict)
    kept_as: object = field(default=None, repr=False, compare=False)
    """How the remembered ids were kept (the cache's business: what a write of the next ones starts from)."""

    def lookup(self, path: str, info: os.stat_result) -> str | None:
        """The remembered id when ``info`` is the recorded stat data and the file is not racily clean."""
        found = self.known.get(path)
        if found is None:
            return None
        data, recorded, oid = found
        if data != stat_data(info) or info.st_mtime_ns >= recorded - RACY_MARGIN_NS:
            return None
        return oid

    def record(self, path: str, info: os.stat_result, recorded: int, oid: str) -> None:
        """Remember ``oid`` for ``path`` as statted (``info``) no later than ``recorded`` and then read."""
        self.fresh[path] = (stat_data(info), recorded, oid)

    def changed(self) -> bool:
        """Something was recorded that the scans before did not know."""
        return any(self.known.get(path) != value for path, value in self.fresh.items())

    def encode(self, listed: set[str]) -> dict[str, object]:
        """The entries of the listed paths, JSON-ready (recorded ones over remembered ones)."""
        return {"format": FORMAT, "entries": self.entries(listed)}

    def entries(self, listed: set[str]) -> dict[str, object]:
        """Path -> [size, mtime_ns, ctime_ns, inode, device, mode, when recorded, blob id] of the listed paths."""
        merged = {p: v for p, v in self.known.items() if p in listed} | self.fresh
        return {p: [*data, at, oid] for p, (data, at, oid) in merged.items()}

    @classmethod
    def decode(cls, value: object) -> StatIds:
        """The remembered ids in ``value``; a value or an entry of the wrong shape is left out (read again)."""
        known: dict[str, tuple[StatData, int, str]] = {}
        if not isinstance(value, dict) or value.get("format") != FORMAT or not isinstance(value.get("entries"), dict):
            return cls(known)
        for path, item in value["entries"].items():
            if not (isinstance(path, str) and isinstance(item, list) and len(item) == 8):
                continue
            *numbers, oid = item
            if all(type(n) is int for n in numbers) and isinstance(oid, str) and _OID.fullmatch(oid):
                size, mtime, ctime, inode, device, mode, recorded = numbers
                known[path] = ((size, mtime, ctime, inode, device, mode), recorded, oid)
        return cls(known)
