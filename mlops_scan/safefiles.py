"""Reading one settings or data file (configuration, rule pack, model) that may come from a scanned repository.

The file is read only when its real path is inside the folder it must stay in, it is a regular
file (checked before opening, and again on the open file: a FIFO would block, ``/dev/zero``
never ends) and it is no larger than the cap. Problems are one-line :class:`DataFileError`
values that name the file and never quote its content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mlops_scan.errors import DataFileError

MAX_DATA_BYTES = 2 * 1024 * 1024
"""The largest rule pack or model file read (the largest built-in pack is about 25 KB)."""
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)


def is_inside(path: Path, folder: Path) -> bool:
    """Whether the real path of ``path`` (links resolved) is ``folder``'s real path or below it."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def read_bounded(path: Path, limit: int = MAX_DATA_BYTES, inside: Path | None = None) -> bytes:
    """The bytes of ``path``: a regular file (through links only when ``inside`` is None or they stay in it)."""
    source = str(path)
    if inside is not None and not is_inside(path, inside):
        raise DataFileError(source, "a link to a file outside the repository: not read")
    real = os.path.realpath(path)
    try:
        if not stat.S_ISREG(os.stat(real).st_mode):
            raise DataFileError(source, "not a regular file (a FIFO, device or folder): not read")
        descriptor = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise DataFileError(source, f"cannot read ({exc.strerror or exc.__class__.__name__})") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(source, "not a regular file (a FIFO, device or folder): not read")
        if info.st_size > limit:
            raise DataFileError(source, f"too large ({_size(info.st_size)} > {_size(limit)} limit): not read")
        data = handle.read(limit + 1)  # the caps are a few MiB: the buffer is small
    if len(data) > limit:
        raise DataFileError(source, f"too large (over {_size(limit)} limit): not read")
    return data


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MiB" if count >= 1024 * 1024 else f"{count / 1024:.0f} KiB"
