"""The files of a repository and a bounded, safe way to read them.

A snapshot lists the files once (through git for a git work tree, so ignored files stay
out; a filtered walk otherwise), assigns each a zone, and reads a file's bytes at most
once. Reads never follow a link out of the repository, skip binary and oversized files,
and tolerate any encoding. Whatever is not read is recorded as a :class:`Skipped`.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mlops_scan.errors import UsageError
from mlops_scan.snapshot.limits import Limits
from mlops_scan.snapshot.statids import StatIds
from mlops_scan.snapshot.text import ascii_screenable, decode, printable
from mlops_scan.snapshot.walk import walk
from mlops_scan.snapshot.worktree import WorkTree
from mlops_scan.snapshot.zones import zone_of, zone_policy
from mlops_scan.types import Skipped, Zone


@dataclass
class Consulted:
    """The paths looked up (:meth:`Snapshot.entry`) and read (:meth:`Snapshot.read_text`) while it was set."""

    looked_up: set[str] = field(default_factory=set)
    read: set[str] = field(default_factory=set)


class BlobSource(Protocol):
    """Files read from somewhere other than the work tree (a git revision's objects)."""

    def blob_id(self, path: str) -> str | None:
        """The blob id of ``path``'s content when known without reading it (None for links and submodules)."""

    def read(self, snapshot: Snapshot, path: str, limit: int) -> bytes | None:
        """The bytes of ``path`` (at most ``limit``), or None after recording a skip on ``snapshot``."""

    def close(self) -> None:
        """Release what reading needs (a git process)."""


@dataclass(frozen=True)
class FileEntry:
    """One listed file."""

    path: str
    """POSIX path relative to the scanned root."""
    zone: Zone
    """The zone the path is in."""

    @property
    def name(self) -> str:
        """The file's base name."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        """Lower-cased extension with its dot (``.py``), or '' when there is none."""
        name = self.name
        dot = name.rfind(".")
        return name[dot:].lower() if dot > 0 else ""


@dataclass
class Snapshot:
    """The listed files of one repository and the record of what was skipped."""

    root: Path
    files: list[FileEntry]
    source: str
    """How the files were listed: ``git`` or ``walk``."""
    limits: Limits = field(default_factory=Limits)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Remarks about the listing itself (e.g. git failed and a walk was used)."""
    read_sizes: dict[str, int] = field(default_factory=dict, repr=False)
    """Bytes of each file read (a file read twice counts once)."""
    consulted: Consulted | None = field(default=None, repr=False)
    """While set: where the paths looked up or read are recorded (what one file's results depend on)."""
    _by_path: dict[str, FileEntry] = field(default_factory=dict, repr=False)
    _kept: dict[str, str | None] = field(default_factory=dict, repr=False)
    _kept_bytes: int = 0
    _work_tree: WorkTree | None = field(default=None, repr=False)
    objects: BlobSource | None = field(default=None, repr=False)
    """Where a revision's files are read from (git objects) instead of the work tree."""
    revision: dict[str, str] | None = None
    """For a scan of a git revision: the revision asked for and the commit it names."""
    blob_ids: dict[str, str] | None = None
    """When not None: the git blob id of each Python module and notebook read (for the facts cache)."""
    stat_ids: StatIds | None = field(default=None, repr=False)
    """When set: work-tree blob ids remembered with their stat data, taken instead of reading unchanged files."""
    _peeked: dict[str, str | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {f.path: f for f in self.files}

    @property
    def files_read(self) -> int:
        """Files read so far."""
        return len(self.read_sizes)

    @property
    def bytes_read(self) -> int:
        """Bytes of the files read so far."""
        return sum(self.read_sizes.values())

    def entry(self, path: str) -> FileEntry | None:
        """The listed file at ``path``, if any."""
        if self.consulted is not None:
            self.consulted.looked_up.add(path)
        return self._by_path.get(path)

    def note_read(self, path: str) -> None:
        """Record that the content of ``path``, read before, was used again (while ``consulted`` is set)."""
        if self.consulted is not None:
            self.consulted.read.add(path)

    def blob_id(self, path: str) -> str | None:
        """The git blob id of a listed file's content (a revision's from its tree; a work tree's file hashed,
        read outside the count of files read), or None (a link or submodule in a revision, an unreadable file)."""
        if self.objects is not None:
            return self.objects.blob_id(path)
        if path not in self._peeked:
            self._peeked[path] = self._hash_file(path)
        return self._peeked[path]

    def blob_ids_since(self, known: set[str]) -> dict[str, tuple[str | None, object]]:
        """The blob ids worked out since only ``known`` paths had one (in a forked process: to hand back), each with
        the stat data it was recorded with (None when none was)."""
        fresh = self.stat_ids.fresh if self.stat_ids is not None else {}
        return {path: (oid, fresh.get(path)) for path, oid in self._peeked.items() if path not in known}

    def adopt_blob_ids(self, handed: object) -> None:
        """Take the blob ids another process worked out (:meth:`blob_ids_since`), with their stat data."""
        for path, item in handed.items() if isinstance(handed, dict) else ():
            if path not in self._by_path or path in self._peeked or not (isinstance(item, tuple) and len(item) == 2):
                continue
            oid, recorded = item
            if oid is None or isinstance(oid, str):
                self._peeked[path] = oid
                if isinstance(recorded, tuple) and len(recorded) == 3 and self.stat_ids is not None:
                    self.stat_ids.fresh[path] = recorded

    def known_blob_ids(self) -> set[str]:
        """The paths whose blob id this process worked out."""
        return set(self._peeked)

    def _hash_file(self, path: str) -> str | None:
        """The blob id of a work-tree file, read as :meth:`read_bytes` would but neither counted nor skipped."""
        if path not in self._by_path:
            return None
        limit = self.limits.max_notebook_bytes if path.endswith(".ipynb") else self.limits.max_file_bytes
        started, info = time.time_ns(), self._files().plain_stat(path) if self.stat_ids is not None else None
        if info is not None and info.st_size <= limit and self.stat_ids is not None:
            known = self.stat_ids.lookup(path, info)
            if known is not None:
                return known
        recorded = len(self.skipped)
        data = self._read_file(path, limit)
        del self.skipped[recorded:]
        return self._id_of(path, data, started, info) if data is not None else None

    def _id_of(self, path: str, data: bytes, started: int, info: os.stat_result | None) -> str:
        """The blob id of ``data``, read from ``path`` after its stat data ``info`` was taken at ``started`` (ns):
        remembered with that stat data for the next scans."""
        from mlops_scan.snapshot.blobids import git_blob_id  # imports hashlib: only the facts cache needs it

        oid = git_blob_id(data)
        if info is not None and self.stat_ids is not None:
            self.stat_ids.record(path, info, started, oid)
        return oid

    def skip(self, path: str, reason: str) -> None:
        """Record that ``path`` was not read (or not parsed), and why (the reason made printable)."""
        self.skipped.append(Skipped(path, printable(reason)))

    def read_bytes(self, path: str) -> bytes | None:
        """The bytes of a listed file, or None (and a recorded skip) when it must not be read. With the facts cache
        on a work tree, the blob id of the bytes read is worked out with them (:meth:`blob_id` then reads nothing)."""
        limit = self.limits.max_notebook_bytes if path.endswith(".ipynb") else self.limits.max_file_bytes
        peek = self.stat_ids is not None and self.objects is None and path in self._by_path and path not in self._peeked
        started, info = (time.time_ns(), self._files().plain_stat(path)) if peek else (0, None)
        data = self.objects.read(self, path, limit) if self.objects is not None else self._read_file(path, limit)
        if data is None:
            return None
        oid = self._id_of(path, data, started, info) if peek else None
        if oid is not None:
            self._peeked[path] = oid
        if self.blob_ids is not None and path not in self.blob_ids and path.endswith((".py", ".ipynb")):
            self.blob_ids[path] = oid or self._id_of(path, data, 0, None)
        self.read_sizes[path] = len(data)
        return data

    def _files(self) -> WorkTree:
        if self._work_tree is None:
            self._work_tree = WorkTree(str(self.root))
        return self._work_tree

    def _read_file(self, path: str, limit: int) -> bytes | None:
        """Read a work-tree file (:meth:`WorkTree.read`), recording why it was not read."""
        data = self._files().read(path, limit)
        if isinstance(data, str):
            self.skip(path, data)
            return None
        return data

    def read_text(self, path: str) -> str | None:
        """The decoded text of a listed file, or None (recorded as skipped) for binary or unreadable files.

        Files other files refer to (scripts, Makefiles, task files, manifests) are kept after the
        first read, so following a reference never reads a file twice.
        """
        if self.consulted is not None:
            self.consulted.read.add(path)
        if path in self._kept:
            return self._kept[path]
        return self._text_of(path, self.read_bytes(path))

    def read_screenable(self, path: str) -> bytes | str | None:
        """The bytes of a listed file, not decoded, when a string of ASCII characters is in them exactly when it is
        in the text (:func:`ascii_screenable`): most files are screened and never decoded. Else, and for the files
        :meth:`read_text` keeps, what :meth:`read_text` gives."""
        if path in self._kept or _is_referenced_kind(path):
            return self.read_text(path)
        if self.consulted is not None:
            self.consulted.read.add(path)
        data = self.read_bytes(path)
        return data if data is not None and ascii_screenable(data) else self._text_of(path, data)

    def _text_of(self, path: str, data: bytes | None) -> str | None:
        """The text of the bytes read from ``path`` (a skip recorded when they are binary), kept when others refer
        to the file."""
        text = None if data is None else decode(data)
        if data is not None and text is None:
            self.skip(path, "binary content")
        if _is_referenced_kind(path) and self._kept_bytes < KEEP_BYTES:
            self._kept[path] = text
            self._kept_bytes += len(text or "")
        return text


KEEP_BYTES = 32 * 1024 * 1024
_REFERENCED_NAMES = frozenset(
    {
        "Makefile",
        "makefile",
        "GNUmakefile",
        "mise.toml",
        ".mise.toml",
        "justfile",
        "Justfile",
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "tox.ini",
        "noxfile.py",
        "Taskfile.yml",
    }
)


def _is_referenced_kind(path: str) -> bool:
    """Files that CI steps and project detection refer to by name."""
    name = path.rsplit("/", 1)[-1]
    return name in _REFERENCED_NAMES or name.endswith((".sh", ".bash", ".ps1", ".mk"))


def open_snapshot(
    root: str | os.PathLike[str],
    limits: Limits | None = None,
    exclude: tuple[str, ...] = (),
    zone_overrides: dict[str, Zone] | None = None,
    git_dir: bool = False,
) -> Snapshot:
    """List the files under ``root`` (git when it is safe, else a filtered walk).

    ``git_dir``: ``root`` is a bare git repository the user named (``--git-dir``); a path
    ending in ``.git`` with git's layout is one too. Nothing else is taken for one.
    """
    from mlops_scan.snapshot.gitlist import list_work_tree
    from mlops_scan.snapshot.gitmeta import looks_like_git_dir
    from mlops_scan.snapshot.notes import inside_repository

    limits = limits or Limits()
    base = checked_root(root)
    if git_dir and not looks_like_git_dir(base):
        raise UsageError(f"--git-dir {root}: not a git directory (no HEAD, objects/ and refs/)")
    if git_dir or (base.name.endswith(".git") and looks_like_git_dir(base)):
        from mlops_scan.snapshot.gitrev import open_revision

        return open_revision(base, "HEAD", limits, exclude, zone_overrides, implicit=True, bare=True)
    skipped: list[Skipped] = []
    listing = list_work_tree(base, limits.git_timeout)
    notes = ([listing.note] if listing.note else []) + inside_repository(root, base, listing.top)
    if listing.paths is not None:
        # Untracked tool folders that no .gitignore covers (a .venv, node_modules) stay out too.
        never = zone_policy().never_walked
        paths = [p for p in listing.paths if never.isdisjoint(p.split("/")[:-1])]
    else:
        paths = walk(base, limits, skipped)
    source = "git" if listing.paths is not None else "walk"
    snapshot = assemble(Snapshot(base, [], source, limits, skipped, notes), paths, exclude, zone_overrides)
    if source == "git" and snapshot.entry(".gitmodules") is not None:
        _drop_submodules(snapshot)
    return snapshot


def checked_root(root: str | os.PathLike[str]) -> Path:
    """``root`` resolved, or a UsageError when it is not a folder."""
    base = Path(root)
    if not base.exists():
        raise UsageError(f"{root}: no such file or directory")
    if not base.is_dir():
        raise UsageError(f"{root}: not a directory (point mlops-scan at a repository folder)")
    return base.resolve()


def assemble(
    snapshot: Snapshot, paths: list[str], exclude: tuple[str, ...], zone_overrides: dict[str, Zone] | None
) -> Snapshot:
    """Fill an empty snapshot with the listed ``paths``: capped, excluded globs and unprintable names left out, zoned."""
    limits, listed = snapshot.limits, len(paths)
    if len(paths) > limits.max_files:
        snapshot.notes.append(
            f"more than {limits.max_files} files listed; only the first {limits.max_files} are scanned"
        )
        paths = paths[: limits.max_files]
    if exclude:
        from fnmatch import fnmatchcase

        paths = [p for p in paths if not any(fnmatchcase(p, g) or p.startswith(g.rstrip("/") + "/") for g in exclude)]
    kept = []
    for path in paths:
        problem = _name_problem(path)
        if problem:
            snapshot.skipped.append(Skipped(printable(path), problem))
        else:
            kept.append(path)
    snapshot.files = [FileEntry(p, zone_of(p, zone_overrides)) for p in sorted(kept)]
    snapshot._by_path = {f.path: f for f in snapshot.files}
    if not kept:
        from mlops_scan.snapshot.notes import nothing_to_scan

        snapshot.notes += nothing_to_scan(snapshot.source, listed, len(paths))
    return snapshot


def _name_problem(path: str) -> str | None:
    """Why a file name cannot be reported as it is (None when it can)."""
    if path.isprintable():  # nearly every name: no surrogate, no control character
        return None
    if any("\udc80" <= c <= "\udcff" for c in path):
        return "file name is not valid UTF-8: not scanned"
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return "file name contains control characters (e.g. a newline): not scanned"
    return None


_SUBMODULE_PATH = re.compile(r"^\s*path\s*=\s*(.+?)\s*$", re.M)


def submodule_paths(gitmodules: str) -> set[str]:
    """The ``path =`` values of a .gitmodules file."""
    return {m.strip('"') for m in _SUBMODULE_PATH.findall(gitmodules)}


def _drop_submodules(snapshot: Snapshot) -> None:
    """Git lists a submodule as one entry: record it as skipped rather than read a folder."""
    submodules = submodule_paths(snapshot.read_text(".gitmodules") or "")
    gone = [f for f in snapshot.files if f.path in submodules]
    for entry in gone:
        folder = snapshot.root / entry.path
        try:
            empty = folder.is_symlink() or not folder.is_dir() or not any(folder.iterdir())
        except OSError:
            empty = True
        snapshot.skip(
            entry.path,
            "git submodule not checked out: not scanned"
            if empty
            else "git submodule: a separate repository, not scanned",
        )
    if gone:
        snapshot.files = [f for f in snapshot.files if f.path not in submodules]
        snapshot._by_path = {f.path: f for f in snapshot.files}
