"""Watching a scan: which files the tool itself opens (audit hook) and which files git opens (strace)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mlops_scan

_opened: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.path.abspath(os.fsdecode(args[0])))


sys.addaudithook(_audit)  # audit hooks cannot be removed: it records only inside watch_opens()

TRUSTED = tuple(
    {
        str(Path(mlops_scan.__file__).resolve().parent.parent),  # the package and its data (detectors/)
        sys.prefix,
        sys.base_prefix,
        *(p for p in sysconfig.get_paths().values()),
        os.devnull,
    }
)
"""Places a scan may open besides the repository: the tool, Python, the installed libraries."""


@contextmanager
def watch_opens() -> Iterator[list[str]]:
    """Every path the current process opens inside the block."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        recorded, _opened = _opened, None
        del recorded


def outside(opened: list[str], repo: Path, allowed: tuple[str, ...] = ()) -> list[str]:
    """The opened paths that are neither in the repository nor in a trusted place (incl. the start-up cache)."""
    real = os.path.realpath(repo)
    cache = os.environ.get("MLOPS_SCAN_CACHE_DIR") or os.devnull
    places = (real, str(repo), *TRUSTED, cache, *allowed)
    return sorted({p for p in opened if not any(p == x or p.startswith(x.rstrip("/") + "/") for x in places)})


def strace_available() -> bool:
    """strace is installed and may trace a child here (containers often forbid ptrace)."""
    if shutil.which("strace") is None:
        return False
    done = subprocess.run(["strace", "-f", "-o", os.devnull, "true"], capture_output=True, timeout=20)
    return done.returncode == 0


def git_opens(
    argv: list[str], log: Path, repo: Path, timeout: float = 60
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``argv`` under strace; the paths every git process it started opened (relative ones from ``repo``)."""
    done = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2,execve", "-o", str(log), *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    git_pids: set[str] = set()
    paths = []
    for line in log.read_text(errors="replace").splitlines():
        pid, _, call = line.partition(" ")
        call = call.strip()
        if call.startswith("execve(") and '/git"' in call.split(",", 1)[0]:
            git_pids.add(pid)
        elif pid in git_pids and call.startswith(("open(", "openat(")) and "ENOENT" not in call:
            quoted = call.split('"')
            if len(quoted) >= 2:
                paths.append(os.path.normpath(os.path.join(repo, quoted[1])))
    return done, paths
