"""Bounded reads of a work tree's files that never follow a link out of it."""

from __future__ import annotations

import os
import stat

from mlops_scan.snapshot.text import human_size

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
"""A file replaced since it was looked up by a FIFO (which would block) or by a link (which could lead out) is not
followed: a link fails to open, anything but a regular file is found out on the open descriptor."""


class WorkTree:
    """The files under one resolved root, read within a size limit; each folder's real path and whether it is
    reached through a link are worked out once."""

    def __init__(self, root: str):
        self.root = root
        self._inside = root.rstrip("/") + "/"
        self._real_folders: dict[str, str] = {}
        self._plain_folders: dict[str, bool] = {"": True}

    def read(self, path: str, limit: int) -> bytes | str:
        """The bytes of ``path`` (at most ``limit``), or why it was not read: never through a link (of the file or
        of a folder) leading out of the root."""
        root = self.root
        full = os.path.join(root, path)
        try:
            info = os.lstat(full)
            target = os.path.realpath(full) if stat.S_ISLNK(info.st_mode) else self._real_path(path)
            if target != root and not target.startswith(self._inside):
                return "symbolic link pointing outside the repository: not followed"
            if stat.S_ISLNK(info.st_mode) or target != full:
                info = os.stat(target)
            if not stat.S_ISREG(info.st_mode):
                return "a folder (git submodule?): not read" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            if info.st_size > limit:
                return f"too large ({human_size(info.st_size)} > {human_size(limit)} limit)"
            data = _read_bounded(target, info.st_size, limit)
            if data is None:
                return "not a regular file"
        except FileNotFoundError:
            return "listed but missing from the work tree"
        except PermissionError:
            return "permission denied"
        except OSError as exc:
            return f"unreadable ({exc.strerror or exc.__class__.__name__})"
        if len(data) > limit:
            return f"too large (over {human_size(limit)} limit)"
        return data

    def _real_path(self, path: str) -> str:
        """``os.path.realpath`` of a listed file that is no link itself: its folder's, resolved once per folder."""
        folder, _, name = path.rpartition("/")
        return os.path.join(self._real_folder(folder), name)

    def _real_folder(self, folder: str) -> str:
        """``os.path.realpath`` of a listed folder, from its parent's (one ``lstat`` per folder, not one per folder
        on the way): a folder that is no link is its resolved parent's child."""
        real = self._real_folders.get(folder)
        if real is None:
            if not folder:
                real = os.path.realpath(self.root)
            else:
                parent, _, name = folder.rpartition("/")
                real = os.path.join(self._real_folder(parent), name)
                try:
                    linked = stat.S_ISLNK(os.lstat(real).st_mode)
                except OSError:
                    linked = False  # realpath leaves a missing folder as it is
                if linked:
                    real = os.path.realpath(real)
            self._real_folders[folder] = real
        return real

    def plain_stat(self, path: str) -> os.stat_result | None:
        """``lstat`` of a work-tree file that is a regular file reached through no link, else None."""
        try:
            info = os.lstat(os.path.join(self.root, path))
        except OSError:
            return None
        return info if stat.S_ISREG(info.st_mode) and self._plain_folder(path.rpartition("/")[0]) else None

    def _plain_folder(self, folder: str) -> bool:
        """Whether a listed folder is reached through no link: each folder on the way is one (one lstat each)."""
        if folder not in self._plain_folders:  # the root ('') is known
            try:
                mode = os.lstat(os.path.join(self.root, folder)).st_mode
            except OSError:
                mode = 0
            self._plain_folders[folder] = stat.S_ISDIR(mode) and self._plain_folder(folder.rpartition("/")[0])
        return self._plain_folders[folder]


def _read_bounded(path: str, size: int, limit: int) -> bytes | None:
    """At most ``limit + 1`` bytes of a file whose size was ``size`` when looked up: one read of the size and a byte
    more, through the bare file descriptor (a file object costs a buffer, a seek, a terminal test and a second read
    to find the end). Asking for ``limit + 1`` bytes would allocate, and page in, the whole limit for every small
    file. A file shorter or longer than its size (changed since, or a short read) is read on to its end or the
    limit. None when what was opened is no regular file (replaced since it was looked up)."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, min(size, limit) + 1)
        if len(data) != size:
            while len(data) <= limit and (more := os.read(fd, limit + 1 - len(data))):
                data += more
    finally:
        os.close(fd)
    return data
