"""An on-disk cache of per-blob facts, so a rescan of a barely changed repository skips their parses.

Facts that depend on a file's bytes alone (a module's or a notebook's Python facts) are kept
under the file's git blob id, in one SQLite file in the user cache folder
(``$MLOPS_SCAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlops-scan``, else ``~/.cache/mlops-scan``).
Each entry's key also holds a namespace hashing the tool version and the code that computes
the facts, so a changed extractor never reads an old entry. The file is bounded (least recently
used entries are dropped past :data:`MAX_BYTES`), safe to delete at any time, and off with
``--no-cache`` (or ``MLOPS_SCAN_CACHE_DIR=`` empty). A file that is not a cache of this kind,
is damaged, or could have been written by another user is ignored; an entry of the wrong shape
is a miss. Values are JSON checked against the fact types: nothing read from the cache runs.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_scan import __version__
from mlops_scan.snapshot.statids import FORMAT as STAT_IDS_FORMAT
from mlops_scan.snapshot.statids import StatIds
from mlops_scan.snapshot.tree import Snapshot
from mlops_scan.startcache import cache_dir

if TYPE_CHECKING:  # sqlite3 and hashlib are imported where the cache is used: a scan without it never loads them
    import sqlite3

FORMAT = "mlops-scan blob facts 1"
FILE_NAME = "blob-facts.sqlite"
MAX_BYTES = 256 * 1024 * 1024
"""Values kept at most, in bytes of JSON; past it the least recently used entries go."""
_CODE = (
    "facts/python.py",
    "facts/notebooks.py",
    "facts/factcodec.py",
    "facts/blobcache.py",
    "snapshot/statids.py",
)
_PACKAGE = Path(__file__).resolve().parent.parent


def code_hash(files: tuple[str, ...] = _CODE) -> str:
    """A hash of the tool version and of the source of ``files`` (paths inside the package)."""
    import hashlib

    digest = hashlib.sha256(__version__.encode())
    for rel in files:
        try:
            digest.update((_PACKAGE / rel).read_bytes())
        except OSError:
            digest.update(b"missing " + rel.encode())
    return digest.hexdigest()[:16]


class BlobCache:
    """Per-blob values in one SQLite file; every failure turns the cache off for the run, never the scan."""

    def __init__(self, path: Path | None, max_bytes: int = MAX_BYTES):
        """A cache in the SQLite file ``path``, or in memory only (for one run) when ``path`` is None."""
        self.path = path
        self.max_bytes = max_bytes
        self.namespace = code_hash()
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, str] = {}
        self._pending_at_fork: set[str] = set()
        self._used: dict[str, int | None] = {}
        """The keys of the entries this run found, each with the mark of the last run that used it (None: stored by
        this run)."""
        self._db = self._open(path) if path is not None else None
        self._empty = self._db is not None and _holds_nothing(self._db)
        """The file holds no entry (a first scan on this machine, a CI job's): nothing is looked up in it."""

    @property
    def holds_nothing(self) -> bool:
        """Nothing can be found in the cache: its file held no entry and this run stored none yet."""
        return self._empty and not self._pending

    @property
    def persistent(self) -> bool:
        """Entries are read from and written to the file (else they live for this run only)."""
        return self._db is not None

    def get(self, kind: str, oid: str) -> Any | None:
        """The JSON value stored for ``(kind, oid)``, or None."""
        text = self.get_text(kind, oid)
        if text is None:
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return None

    def get_text(self, kind: str, oid: str) -> str | None:
        """The JSON text stored for ``(kind, oid)`` (not decoded, not checked), or None."""
        key = self._key(kind, oid)
        text, used = self._pending.get(key), None
        if text is None and self._db is not None and not self._empty:
            import sqlite3

            try:
                row = self._db.execute("SELECT value, used FROM entries WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                self._disable()
                row = None
            text, used = (row[0], row[1]) if row and isinstance(row[0], str) else (None, None)
        if text is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used[key] = used
        return text

    def put_text(self, kind: str, oid: str, text: str) -> None:
        """Store the JSON text ``text`` (of a value) for ``(kind, oid)``; written when the cache is closed."""
        self._pending[self._key(kind, oid)] = text

    def put(self, kind: str, oid: str, value: Any) -> str:
        """Store ``value`` (JSON-ready) for ``(kind, oid)``; written when the cache is closed. Returns its JSON text."""
        text = self._pending[self._key(kind, oid)] = json.dumps(value, separators=(",", ":"))
        return text

    def forked(self) -> None:
        """In a forked process (:mod:`mlops_scan.evidence.partner`): read through a connection of its own (SQLite's do
        not survive a fork: the parent's is left unused and never closed) and keep, for :meth:`handed_back`, only what
        this process stores and uses."""
        _parents.append(self._db)
        self._db = self._open(self.path) if self._db is not None and self.path is not None else None
        self._pending_at_fork = set(self._pending)
        self._used = {}

    def handed_back(self) -> tuple[dict[str, str], dict[str, int | None]]:
        """In a forked process: what it stored (key -> JSON text) and the entries it used with their marks, for
        :meth:`adopt`."""
        return {key: text for key, text in self._pending.items() if key not in self._pending_at_fork}, self._used

    def adopt(self, handed: object) -> None:
        """Take what a forked process stored and used (:meth:`handed_back`), to be written with this one's."""
        if isinstance(handed, tuple) and len(handed) == 2:
            stored, used = handed
            self._pending.update(stored)
            self._used.update(used)

    def close(self) -> None:
        """Write what was stored, mark what was used, drop the oldest entries past the size bound. A run that stored
        nothing and used only entries the last run marked writes nothing (the order of use is the same, and a write
        costs a checkpoint of the file)."""
        db, self._db = self._db, None
        if db is None:
            return
        import sqlite3

        try:
            with db:
                clock = db.execute("SELECT COALESCE(MAX(used), 0) + 1 FROM entries").fetchone()[0]
                if not self._pending and all(used == clock - 1 for used in self._used.values()):
                    return
                db.executemany(
                    "INSERT OR REPLACE INTO entries (key, value, size, used) VALUES (?, ?, ?, ?)",
                    [(k, v, len(v), clock) for k, v in self._pending.items()],
                )
                db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(clock, k) for k in self._used])
                if self._pending:  # summing the sizes reads the whole file: only when it may have grown
                    self._evict(db)
        except sqlite3.Error:
            pass
        finally:
            db.close()

    def _key(self, kind: str, oid: str) -> str:
        return f"{self.namespace}:{kind}:{oid}"

    def _evict(self, db: sqlite3.Connection) -> None:
        if self._file_bytes() + sum(map(len, self._pending.values())) <= self.max_bytes:
            return  # the values cannot hold more than the files and this run's writes (a sum reads every row)
        total = db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0]
        if total <= self.max_bytes:
            return
        keep = self.max_bytes * 3 // 4
        rows = db.execute("SELECT key, size FROM entries ORDER BY used DESC").fetchall()
        kept, gone = 0, []
        for key, size in rows:
            kept += size
            if kept > keep:
                gone.append((key,))
        db.executemany("DELETE FROM entries WHERE key = ?", gone)

    def _file_bytes(self) -> int:
        """The size of the database and of its write-ahead log (every value is in one of them)."""
        total = 0
        for name in (str(self.path), f"{self.path}-wal"):
            try:
                total += os.stat(name).st_size
            except OSError:
                continue
        return total

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection | None:
        """The database when it is ours (or new), else None: foreign, damaged or unsafe files are left alone."""
        import sqlite3

        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if path.exists() and not _owned_and_private(path):
                return None
            db = sqlite3.connect(path, timeout=2.0, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a commit is not flushed to disk; a crash loses it, never the file
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                _create(db)
            elif tables != {"meta", "entries"} or _format(db) != FORMAT:
                db.close()
                return None
            db.isolation_level = "DEFERRED"
            return db
        except (OSError, sqlite3.Error):
            return None

    def _disable(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()


def _create(db: sqlite3.Connection) -> None:
    os.chmod(db.execute("PRAGMA database_list").fetchone()[2], 0o600)
    db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value TEXT, size INTEGER, used INTEGER)")
    db.execute("CREATE INDEX entries_used ON entries (used)")
    db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))


def _holds_nothing(db: sqlite3.Connection) -> bool:
    import sqlite3

    try:
        return bool(db.execute("SELECT NOT EXISTS (SELECT 1 FROM entries)").fetchone()[0])
    except sqlite3.Error:
        return False


def _format(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
    return row[0] if row else None


def _owned_and_private(path: Path) -> bool:
    """Written by this user only: a file others can write could hold anything."""
    info = os.lstat(path)
    owner = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISREG(info.st_mode) and owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


_STAT_IDS = "stat-ids"


def _stat_key(snapshot: Snapshot) -> str:
    import hashlib

    return hashlib.sha256(os.fsencode(str(snapshot.root))).hexdigest()


def remember_stat_ids(cache: BlobCache, snapshot: Snapshot) -> None:
    """Give a work-tree snapshot the blob ids remembered with their stat data (persistent caches only), kept as a
    base and a delta (:mod:`mlops_scan.facts.splitvalue`: a rescan after a few edits writes a few entries)."""
    from mlops_scan.facts.splitvalue import get_split

    if cache.persistent and snapshot.objects is None and snapshot.stat_ids is None:
        kept = get_split(cache, _STAT_IDS, _stat_key(snapshot))
        snapshot.stat_ids = StatIds.decode({**kept.head, "entries": kept.entries})
        snapshot.stat_ids.kept_as = kept


def keep_stat_ids(cache: BlobCache, snapshot: Snapshot) -> None:
    """Store the snapshot's blob ids and stat data for the next scan, when it recorded new ones."""
    from mlops_scan.facts.splitvalue import SplitValue, put_split

    ids = snapshot.stat_ids
    if ids is not None and ids.changed():
        before = ids.kept_as if isinstance(ids.kept_as, SplitValue) else SplitValue()
        entries = ids.entries({f.path for f in snapshot.files})
        put_split(cache, _STAT_IDS, _stat_key(snapshot), {"format": STAT_IDS_FORMAT}, entries, before)


_active: list[BlobCache] = []
_parents: list[object] = []
"""In a forked process, the connections it inherited: kept referenced, so they are never closed."""


def active() -> BlobCache | None:
    """The cache of the scan in progress, if one was opened (see :func:`opened`)."""
    return _active[-1] if _active else None


@contextmanager
def opened(enabled: bool = True, memory: bool = False) -> Iterator[BlobCache | None]:
    """The cache for the scans in the block, closed at the end: the on-disk one unless ``enabled`` is False or
    it cannot be used; then one in memory when ``memory`` (several scans in one run share it), else None."""
    folder = cache_dir() if enabled else None
    cache = BlobCache(folder / FILE_NAME) if folder is not None else None
    if cache is not None and not cache.persistent:
        cache = None
    if cache is None and memory:
        cache = BlobCache(None)
    if cache is None:
        yield None
        return
    _active.append(cache)
    try:
        yield cache
    finally:
        _active.remove(cache)
        cache.close()
