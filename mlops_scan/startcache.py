"""Start-up cache: rule packs and the maturity model loaded once, then read back as one pickle.

Loading and checking the packs (YAML, hundreds of rules, their params and regexes) costs more
than the interpreter's own start; the result depends only on the files loaded, on the code
that checks them and on the installed plug-ins. So it is kept in the user's cache folder
(``$MLOPS_SCAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlops-scan``, else ``~/.cache/mlops-scan``)
with a key naming all of them: the tool version, the Python version, the stamp (size, times,
inode) of every file loaded and of every module of this package, and the folders of
``sys.path`` (installing or removing a distribution changes its folder). The key is stored
in the file and compared whole when it is read (the file name carries only its CRC), so two
keys never share an entry. A cache file that cannot be read, holds another key or a value
not of the expected type is ignored and rebuilt; one that another user could have written is
never read. ``MLOPS_SCAN_CACHE_DIR=`` (empty) turns the cache off.
"""

from __future__ import annotations

import _pickle  # the C pickler itself (``pickle`` adds a pure-Python one on top: a millisecond of each start)
import importlib
import os
import stat
import sys
from binascii import crc32
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from mlops_scan import __version__

T = TypeVar("T")
KEEP_FILES = 16
"""Cache files kept per kind of entry; older ones are removed when a new one is written."""
BLOBS_AT = 8
"""A cache file starts with the size of its pickle in this many bytes; the byte strings stored apart follow it."""
BLOB_SIZE = 256
"""Byte strings (compiled code in the memos) of this size or more are stored after the pickle and read back as views
of the mapped file: a run reads only those it uses, and copies none of them."""
_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """The folder cache files live in, or None when caching is turned off."""
    chosen = os.environ.get("MLOPS_SCAN_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlops-scan"


def cached(
    kind: str,
    inputs: Iterable[Path],
    parts: Iterable[str],
    expected: type,
    build: Callable[[], T],
    shared: Mapping[str, object] | None = None,
) -> T:
    """``build()``, or its result stored by an earlier run with the same inputs.

    ``inputs`` are the files ``build`` reads (their stamps enter the key); ``parts`` anything
    else the result depends on. A result that is not an instance of ``expected`` is rebuilt.
    ``shared`` names objects the result refers to that the caller holds already (the rules a
    matcher keeps): they are stored as their names and the caller's are put back in their place.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    try:
        key = _key(kind, inputs, parts)
    except OSError:  # an input is missing or not a regular file: ``build`` reports it as it always has
        return build()
    path = _path(folder, kind, key)
    found = _read(path, key, shared)
    if isinstance(found, expected):
        return found  # type: ignore[return-value]
    value = build()
    _write(folder, path, key, value, shared)
    return value


def entry_points(group: str) -> list[tuple[str, str]]:
    """``(name, value)`` of the entry points of ``group``, sorted by name, without importing
    ``importlib.metadata`` when the installed distributions are as they were at the last run."""
    return cached("entry-points", (), [group], list, lambda: _scan_entry_points(group))


def load_entry_point(value: str) -> object:
    """The object an entry point's value (``package.module:Attr.attr``) names."""
    module_name, _, attrs = value.partition(":")
    target: object = importlib.import_module(module_name.strip())
    for attr in filter(None, attrs.strip().split(".")):
        target = getattr(target, attr)
    return target


def _scan_entry_points(group: str) -> list[tuple[str, str]]:
    from importlib.metadata import entry_points as installed

    return sorted({(ep.name, ep.value) for ep in installed(group=group)})


def _key(kind: str, inputs: Iterable[Path], parts: Iterable[str]) -> tuple[str, ...]:
    """Everything the entry depends on; an input that is not a regular file raises ``OSError``."""
    return (*_environment(), kind, *parts, *map(stamp, inputs))


def stamp(path: Path) -> str:
    """A file's path with its size, inode and times: a write changes ``st_ctime_ns``, which no one can set."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):  # a FIFO or /dev/zero: ``build`` reports it
        raise OSError(f"not a regular file: {path}")
    return f"{path}:{info.st_size}:{info.st_ino}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def _path(folder: Path, kind: str, key: tuple[str, ...]) -> Path:
    """The file of ``key``, named by its CRC (the environment's part worked out once: it is most of every key)."""
    own = chr(0).join(key[len(_environment()) :]).encode("utf-8", "surrogateescape")
    return folder / f"{kind}-{crc32(own, _environment_crc()):08x}.pickle"


@cache
def code_stamps(package: Path = _PACKAGE) -> tuple[str, ...]:
    """Every module of this package with its size and modification time (any change may change a result)."""
    found = []
    folders = [(str(package), ".")]
    while folders:
        folder, shown = folders.pop()
        with os.scandir(folder) as entries:  # one listing and one stat a module: this runs at every start
            for entry in entries:
                if entry.name.endswith(".py") and not entry.is_dir():
                    info = entry.stat()
                    found.append(f"{shown}/{entry.name}:{info.st_size}:{info.st_mtime_ns}")
                elif entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    folders.append((entry.path, entry.name if shown == "." else f"{shown}/{entry.name}"))
    return tuple(sorted(found))


@cache
def _environment() -> tuple[str, ...]:
    """What every cached result depends on besides its inputs: the tool and the interpreter, this package's code and
    the installed distributions."""
    found = [str(_PACKAGE), *code_stamps()]
    for entry in sys.path:
        try:
            found.append(f"{entry}:{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            found.append(f"{entry}:-")
    return (__version__, sys.version, sys.executable, *sorted(found))


@cache
def _environment_crc() -> int:
    return crc32(chr(0).join(_environment()).encode("utf-8", "surrogateescape"))


def _read(path: Path, key: tuple[str, ...], shared: Mapping[str, object] | None = None) -> object:
    """The value stored at ``path`` under ``key`` (objects stored by name taken from ``shared``, byte strings stored
    apart read as views of the mapped file), else None."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None  # written by someone else: never unpickled
            start = BLOBS_AT + int.from_bytes(handle.read(BLOBS_AT), "little")
            blobs = _mapped(handle.fileno(), start) if info.st_size > start else memoryview(b"")
            names = shared or {}
            reader = _pickle.Unpickler(handle)
            reader.persistent_load = (  # type: ignore[method-assign]  # a missing name: rebuilt
                (lambda pid: blobs[pid[0] : pid[1]] if type(pid) is tuple else names[pid])
                if blobs
                else names.__getitem__
            )
            stored_key, value = reader.load()
    except Exception:  # missing, truncated, corrupt or from an incompatible version: rebuilt
        return None
    return value if stored_key == key else None  # another key with the same CRC


def _mapped(fd: int, start: int) -> memoryview:
    """The file's bytes from ``start`` on, mapped (read when a view of them is used, shared with a forked process)."""
    import mmap

    return memoryview(mmap.mmap(fd, 0, access=mmap.ACCESS_READ))[start:]


def _write(
    folder: Path, path: Path, key: tuple[str, ...], value: object, shared: Mapping[str, object] | None = None
) -> None:
    """Store atomically (a reader never sees half a file), the objects of ``shared`` by name and byte strings of
    ``BLOB_SIZE`` or more after the pickle; a failure only costs the next run the rebuild."""
    import tempfile  # a run that finds its cache never writes (tempfile imports shutil, bz2, lzma)

    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".tmp-", delete=False)  # noqa: SIM115 (closed below)
    except OSError:
        return
    try:
        names = {id(obj): name for name, obj in (shared or {}).items()}
        blobs: list[bytes | memoryview] = []
        end = 0

        def stored_apart(obj: object) -> object:
            nonlocal end
            if type(obj) in (bytes, memoryview) and len(obj) >= BLOB_SIZE:  # type: ignore[arg-type]
                blobs.append(obj)  # type: ignore[arg-type]
                end += len(obj)  # type: ignore[arg-type]
                return (end - len(obj), end)  # type: ignore[arg-type]
            return names.get(id(obj))

        writer = _pickle.Pickler(handle, protocol=-1)  # the highest
        writer.persistent_id = stored_apart  # type: ignore[method-assign]
        with handle:
            handle.write(bytes(BLOBS_AT))
            writer.dump((key, value))
            size = handle.tell() - BLOBS_AT
            handle.writelines(blobs)
            handle.seek(0)
            handle.write(size.to_bytes(BLOBS_AT, "little"))
        os.replace(handle.name, path)
        _prune(folder, path.name.rsplit("-", 1)[0])
    except Exception:  # unpicklable value, full disk: the next run builds again
        Path(handle.name).unlink(missing_ok=True)


def _prune(folder: Path, kind: str) -> None:
    entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP_FILES:]:
        old.unlink(missing_ok=True)


_learners: dict[str, tuple[Callable[[], dict[Any, Any]], Callable[[dict[Any, Any]], None]]] = {}


def learner(name: str, learned: Callable[[], dict[Any, Any]], adopt: Callable[[dict[Any, Any]], None]) -> None:
    """Register a memo of this process: ``learned()`` gives the entries it worked out, ``adopt(entries)`` takes those
    another process worked out (a forked process hands them back: see :func:`learned`)."""
    _learners[name] = (learned, adopt)


def learned() -> dict[str, dict[Any, Any]]:
    """What each registered memo worked out in this process: a forked process (the file pass's partner) hands it back
    to its parent (:func:`adopt`), which keeps it with its own, so the next run need not work it out again."""
    return {name: give() for name, (give, _) in _learners.items()}


def adopt(handed: object) -> None:
    """Take what another process's memos worked out (:func:`learned`)."""
    for name, entries in handed.items() if isinstance(handed, dict) else ():
        if name in _learners and isinstance(entries, dict) and entries:
            _learners[name][1](entries)


def load_memo(kind: str) -> dict[Any, Any]:
    """The mapping stored by :func:`store_memo` for ``kind`` under this tool and environment, else empty."""
    folder = cache_dir()
    key = _key(kind, (), ())
    found = _read(_path(folder, kind, key), key) if folder is not None else None
    return dict(found) if isinstance(found, dict) else {}


def store_memo(kind: str, value: dict[Any, Any]) -> None:
    """Keep ``value`` for the next runs' :func:`load_memo` (a failure only costs them the work again)."""
    folder = cache_dir()
    if folder is not None:
        key = _key(kind, (), ())
        _write(folder, _path(folder, kind, key), key, value)
