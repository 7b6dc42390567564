"""The configuration of a git revision: its ``.mlops-scan.toml`` or ``pyproject.toml [tool.mlops-scan]``, read
from the revision's tree, for ``--rev``, ``history`` and ``diff``.

The file's blob (and the rule packs and model file it names, which must lie inside the scanned folder)
are copied out of git objects into a private temporary folder, bounded in count and size, and read there
by the same loader as a work tree's configuration: parsed as TOML and checked key by key, never
executed. Symbolic links are not followed. Messages name the file as ``REV:PATH``.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from mlops_scan.cli.config import FILE_NAME, MAX_CONFIG_BYTES, Config, load_config
from mlops_scan.errors import ConfigError, MlopsScanError, UsageError
from mlops_scan.snapshot.gitobjects import BlobReader
from mlops_scan.snapshot.gitrev import GITLINK, LINK, TreeEntry, list_tree, locate, printable_rev, resolve_commit
from mlops_scan.snapshot.gitrun import GitError, run
from mlops_scan.snapshot.tree import checked_root
from mlops_scan.startcache import cache_dir

MAX_PACK_FILES = 2_000
"""Rule-pack files copied out of a revision at most."""
MAX_PACK_BYTES = 64 * 1024 * 1024
"""Bytes of rule packs and model copied out of a revision at most."""
_PACK_SUFFIXES = (".yaml", ".yml")


def scan_config(root: Path, rev: str, bare: bool | None) -> Config:
    """The configuration of revision ``rev`` of the repository at ``root``, for a scan of it (``--rev``, a bare
    repository's HEAD); its files live as long as the command. An empty Config when the revision is unknown (the
    scan then says so) or the repository has no commits."""
    try:
        git_dir, prefix = locate(checked_root(root), bare)
        commit = resolve_commit(git_dir, rev)
    except UsageError:
        return Config()
    return click.get_current_context().with_resource(revision_config(git_dir, commit, prefix, rev))


@contextmanager
def revision_config(git_dir: Path, commit: str, prefix: str, rev: str) -> Iterator[Config]:
    """The configuration of the scanned folder (``prefix``, '' at the top) at ``commit``; an empty Config when it
    has none. Rule-pack and model paths point into a temporary folder that lives as long as the block."""
    folder = _private_folder(git_dir, commit, prefix)
    label = f"{printable_rev(rev)}:{prefix + '/' if prefix else ''}"
    try:
        with BlobReader(git_dir) as reader:
            copier = _Copier(reader, folder, label)
            top = _entries(git_dir, f"{commit}:{prefix}" if prefix else commit, recursive=False)
            name = _config_name(top, reader)
            if name is None:
                yield Config()
                return
            copier.copy(name, top[name], MAX_CONFIG_BYTES)
            config = copier.relabelled(lambda: load_config(folder / name, root=folder))
            for pack in config.rules:
                copier.copy_folder(git_dir, commit, prefix, pack)
            if config.model and config.model.endswith(_PACK_SUFFIXES):
                copier.copy_file(git_dir, commit, prefix, Path(config.model))
        try:
            yield config
        except MlopsScanError as exc:  # a rule pack or model of the revision: named as REV:PATH too
            exc.args = tuple(str(a).replace(f"{folder}/", label) for a in exc.args)
            raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _private_folder(git_dir: Path, commit: str, prefix: str) -> Path:
    """An empty folder only this user can enter: in the user cache folder, named after the revision (so rules read
    from it keep their paths, and results made with them stay reusable), else a new temporary one."""
    base = cache_dir()
    if base is None:
        return Path(tempfile.mkdtemp(prefix="mlops-scan-config-")).resolve()
    name = hashlib.sha256(f"{git_dir.resolve()}\0{commit}\0{prefix}".encode()).hexdigest()[:24]
    folder = (base / "revision-config" / name).resolve()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, mode=0o700)
    return folder


def _entries(git_dir: Path, treeish: str, recursive: bool) -> dict[str, TreeEntry]:
    """The entries of a tree (its files and links; with ``recursive``, those of every folder below)."""
    if recursive:
        return list_tree(git_dir, treeish)[0]
    try:
        out = run(git_dir, "ls-tree", "-z", "--full-tree", "--end-of-options", treeish)
    except GitError:
        return {}
    entries: dict[str, TreeEntry] = {}
    for record in out.split(b"\0"):
        meta, _, raw = record.partition(b"\t")
        parts = meta.decode("ascii", "replace").split(" ")
        if len(parts) == 3 and parts[1] == "blob":
            entries[raw.decode("utf-8", "surrogateescape")] = TreeEntry(parts[0], parts[2])
    return entries


def _config_name(top: dict[str, TreeEntry], reader: BlobReader) -> str | None:
    """``.mlops-scan.toml`` when the tree has one, else ``pyproject.toml`` when it mentions mlops-scan."""
    if FILE_NAME in top:
        return FILE_NAME
    entry = top.get("pyproject.toml")
    if entry is None or entry.mode in (LINK, GITLINK) or not 0 <= reader.size(entry.oid) <= MAX_CONFIG_BYTES:
        return None
    data = reader.read(entry.oid) or b""
    return "pyproject.toml" if b"mlops-scan" in data.lower() or b"mlops_scan" in data.lower() else None


class _Copier:
    """Copies blobs of a revision into the temporary folder, within the bounds."""

    def __init__(self, reader: BlobReader, folder: Path, label: str):
        self.reader = reader
        self.folder = folder
        self.label = label
        self.files = 0
        self.bytes = 0

    def relabelled(self, load: Callable[[], Config]) -> Config:
        """``load()``, its messages naming ``REV:PATH`` instead of the temporary folder."""
        try:
            return load()
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(f"{self.folder}/", self.label)) from None

    def copy(self, rel: str, entry: TreeEntry, limit: int) -> None:
        """Write one blob at ``rel`` (a link, a submodule or an oversized blob is a one-line error)."""
        shown = self.label + rel
        if entry.mode in (LINK, GITLINK):
            raise ConfigError(f"{shown}: a link or submodule: not read as configuration")
        size = self.reader.size(entry.oid)
        if not 0 <= size <= limit or self.bytes + size > MAX_PACK_BYTES or self.files >= MAX_PACK_FILES:
            raise ConfigError(f"{shown}: too large for configuration, or too many rule-pack files")
        data = self.reader.read(entry.oid)
        if data is None:
            raise ConfigError(f"{shown}: blob not in the repository")
        target = self.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(target, "xb") as handle:
            handle.write(data)
        os.chmod(target, 0o600)
        self.files += 1
        self.bytes += size

    def copy_folder(self, git_dir: Path, commit: str, prefix: str, folder: Path) -> None:
        """Copy the rule packs (YAML files) of a folder the configuration names."""
        rel = folder.relative_to(self.folder).as_posix()
        tree = posixpath.join(prefix, rel) if prefix else rel
        try:
            entries = _entries(git_dir, f"{commit}:{tree}", recursive=True)
        except GitError:
            raise ConfigError(f"{self.label}{rel}: no such rule-pack folder in the revision") from None
        for path, entry in sorted(entries.items()):
            if path.endswith(_PACK_SUFFIXES) and entry.mode not in (LINK, GITLINK):
                self.copy(posixpath.join(rel, path), entry, MAX_PACK_BYTES)

    def copy_file(self, git_dir: Path, commit: str, prefix: str, file: Path) -> None:
        """Copy the model file the configuration names (when the revision has it)."""
        rel = file.relative_to(self.folder).as_posix()
        parent, _, name = rel.rpartition("/")
        tree = posixpath.join(prefix, parent) if prefix else parent
        entry = _entries(git_dir, f"{commit}:{tree}" if tree else commit, recursive=False).get(name)
        if entry is not None:
            self.copy(rel, entry, MAX_PACK_BYTES)
