"""A git revision's files, listed and read straight from git objects: no checkout, no work-tree writes.

``git ls-tree -r -z`` lists the revision's tree once; :class:`~mlops_scan.snapshot.gitobjects.BlobReader`
reads each blob through one long-lived ``git cat-file`` process. Reads behave as reads of a
checkout of that commit would: a symbolic link is followed inside the tree and never out of it,
submodules are not scanned, oversized blobs are skipped (without their bytes being read).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from mlops_scan.errors import UsageError
from mlops_scan.snapshot.gitobjects import MISSING, BlobReader
from mlops_scan.snapshot.gitrun import GitError, git_dir_of, run
from mlops_scan.snapshot.limits import Limits
from mlops_scan.snapshot.notes import bare_head
from mlops_scan.snapshot.text import human_size
from mlops_scan.snapshot.tree import (
    Snapshot,
    assemble,
    checked_root,
    submodule_paths,
)
from mlops_scan.snapshot.zones import zone_policy
from mlops_scan.types import Zone

LINK = "120000"
GITLINK = "160000"
MAX_LINK_HOPS = 40
MAX_LINK_BYTES = 4096


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a listed tree: git's mode (``100644``, ``120000``...) and object id."""

    mode: str
    oid: str


@dataclass
class RevisionFiles:
    """A revision's files (path -> entry) and folders, read through one ``cat-file`` process."""

    reader: BlobReader
    entries: dict[str, TreeEntry]
    folders: set[str] = field(default_factory=set)

    def blob_id(self, path: str) -> str | None:
        """The id of the blob at ``path`` (None for a link, whose target may change alone, and a submodule)."""
        entry = self.entries.get(path)
        return entry.oid if entry is not None and entry.mode not in (LINK, GITLINK) else None

    def read(self, snapshot: Snapshot, path: str, limit: int) -> bytes | None:
        """The blob at ``path`` (links followed inside the tree), or None with the skip a checkout would record."""
        target = self._resolve(snapshot, path)
        if target is None:
            return None
        entry = self.entries[target]
        if snapshot.blob_ids is not None:
            snapshot.blob_ids[path] = entry.oid
        if entry.mode == GITLINK:
            snapshot.skip(path, "a folder (git submodule?): not read")
            return None
        try:
            size = self.reader.size(entry.oid)
            if size == MISSING:
                snapshot.skip(path, "blob not in the local clone (left out by its size filter): not read")
                return None
            if size > limit:
                snapshot.skip(path, f"too large ({human_size(size)} > {human_size(limit)} limit)")
                return None
            return self.reader.read(entry.oid)
        except GitError as exc:
            snapshot.skip(path, f"git blob unreadable ({exc})")
            return None

    def close(self) -> None:
        """Stop the ``cat-file`` process."""
        self.reader.close()

    def _resolve(self, snapshot: Snapshot, path: str) -> str | None:
        """The path a chain of symbolic links starting at ``path`` ends at, or None (skip recorded)."""
        current = path
        for _ in range(MAX_LINK_HOPS):
            entry = self.entries.get(current)
            if entry is None:
                snapshot.skip(path, "listed but missing from the work tree")
                return None
            if entry.mode != LINK:
                return current
            raw = self.reader.read(entry.oid) if self.reader.size(entry.oid) <= MAX_LINK_BYTES else None
            target = (raw or b"").decode("utf-8", "surrogateescape")
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
            if not target or target.startswith("/") or joined == ".." or joined.startswith("../"):
                snapshot.skip(path, "symbolic link pointing outside the repository: not followed")
                return None
            if joined == "." or joined in self.folders:
                snapshot.skip(path, "a folder (git submodule?): not read")
                return None
            current = joined
        snapshot.skip(path, "too many levels of symbolic links: not followed")
        return None


def resolve_commit(git_dir: Path, rev: str) -> str:
    """The full id of the commit ``rev`` names; UsageError when it names none."""
    try:
        out = run(git_dir, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except GitError:
        out = b""
    commit = out.decode("ascii", "replace").strip()
    if not commit:
        raise UsageError(f"--rev {printable_rev(rev)}: no such commit, tag or branch")
    return commit


def printable_rev(rev: str) -> str:
    """A revision as typed, safe on one line."""
    return "".join(c if c.isprintable() else "?" for c in rev)[:100]


def list_tree(git_dir: Path, treeish: str) -> tuple[dict[str, TreeEntry], set[str]]:
    """Every file (blobs, links, submodules) and every folder of a tree, recursively."""
    out = run(git_dir, "ls-tree", "-r", "-t", "-z", "--full-tree", "--end-of-options", treeish)
    entries: dict[str, TreeEntry] = {}
    folders: set[str] = set()
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, oid = meta.decode("ascii", "replace").split(" ")
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind == "tree":
            folders.add(path)
        else:
            entries[path] = TreeEntry(mode, oid)
    return entries, folders


def locate(root: Path, bare: bool | None = None) -> tuple[Path, str]:
    """(git directory, path of ``root`` inside the revision's tree: '' at the top); ``bare``: see
    :func:`~mlops_scan.snapshot.gitrun.git_dir_of`."""
    try:
        git_dir, top = git_dir_of(root, bare)
    except GitError as exc:
        raise UsageError(f"{root}: {exc}") from None
    if top is None or root == top.resolve():
        return git_dir, ""
    return git_dir, root.relative_to(top.resolve()).as_posix()


def open_revision(
    root: str | Path,
    rev: str,
    limits: Limits | None = None,
    exclude: tuple[str, ...] = (),
    zone_overrides: dict[str, Zone] | None = None,
    implicit: bool = False,
    reader: BlobReader | None = None,
    bare: bool | None = None,
) -> Snapshot:
    """The snapshot of revision ``rev`` of the repository at ``root`` (a work tree, a folder in one, or bare).

    ``implicit``: the revision was not asked for (HEAD of a bare repository); a repository with
    no commits then gives an empty snapshot with a note instead of an error. ``reader``: a blob
    reader of the same repository to share (several revisions read through one git process).
    ``bare``: ``root`` is a git directory the user named (None: only a name ending in ``.git`` makes one).
    """
    base = checked_root(root)
    limits = limits or Limits()
    git_dir, prefix = locate(base, bare)
    snapshot = Snapshot(base, [], "git-tree", limits)
    try:
        commit = resolve_commit(git_dir, rev)
    except UsageError:
        if not implicit:
            raise
        snapshot.notes.append(bare_head(git_dir, None))
        return snapshot
    if implicit:
        snapshot.notes.append(bare_head(git_dir, commit))
    entries, folders = list_tree(git_dir, f"{commit}:{prefix}" if prefix else commit)
    snapshot.objects = RevisionFiles(reader or BlobReader(git_dir), entries, folders)
    snapshot.revision = {"revision": rev, "commit": commit}
    snapshot.blob_ids = {}
    never = zone_policy().never_walked
    paths = [p for p in entries if never.isdisjoint(p.split("/")[:-1])]
    assemble(snapshot, paths, exclude, zone_overrides)
    _drop_submodules(snapshot, entries)
    return snapshot


def _drop_submodules(snapshot: Snapshot, entries: dict[str, TreeEntry]) -> None:
    """Submodules that .gitmodules names are not checked out in a fresh checkout: skipped, as a scan of one would."""
    gitlinks = {path for path, entry in entries.items() if entry.mode == GITLINK}
    if not gitlinks or snapshot.entry(".gitmodules") is None:
        return
    named = gitlinks & submodule_paths(snapshot.read_text(".gitmodules") or "")
    for path in sorted(named):
        snapshot.skip(path, "git submodule not checked out: not scanned")
    if named:
        snapshot.files = [f for f in snapshot.files if f.path not in named]
        snapshot._by_path = {f.path: f for f in snapshot.files}
