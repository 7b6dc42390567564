"""The file pass shared with a forked partner: this process scans the files from the first on, the partner from the
last back, and each stops where the other has been.

Reading, parsing and matching a file needs nothing but the file and the matchers, both in place when the process
forks, so the partner starts at once, with every import, rule and matcher of this process (no pickling, no second
start-up: a fork costs about a millisecond). It hands back what each file it scanned produced, as an outcome
(:func:`~mlops_scan.evidence.filescan.outcome_of`) which this process replays in the order of the files: the result
is the one a single process gives. A file the partner cannot hand back (a rule pack, a matcher failure), or every
file when the partner fails, is scanned here. So the pass is shared only when every matcher kind can hand back its
outcomes (``Matcher.reusable``: a plug-in kind that is not would have every file scanned twice) and none runs a
repository's own rules (their time bounds are per process).

Claims are two integers in memory both processes share: how many files this process took from the front, and the
first file the partner took from the back. Each process writes its claim, then reads the other's; a file both
took (each read the other's claim before the other's write showed) is counted once, from this process's scan. So
neither process waits for the other while it scans, and a slow file on one side leaves the rest to the other.
"""

from __future__ import annotations

import _pickle  # the C pickler itself (``pickle`` adds a pure-Python one on top: a millisecond of each start)
import _signal  # type: ignore[import-not-found]  # the C modules: ``signal`` and ``threading`` cost 2 ms a start
import _thread
import atexit
import json
import mmap
import os
from typing import Protocol

DEFAULT_JOBS = 2
"""Processes by default, when that many cores are usable: the file pass uses two at most (this one and a partner)."""
MIN_FILES = 32
"""Files to scan from which a partner is started (the break-even measured in docs/performance.md)."""
FRONT, BACK = 0, 1
"""The claims: how many files this process took from the front, the first file the partner took. Each is one machine
word written and read in one access (``memoryview`` items: ``struct.pack_into`` zeroes its bytes before it writes
them, and the other process could read that zero)."""


def jobs() -> int:
    """Processes to use: ``MLOPS_SCAN_JOBS`` when set to a positive number, else ``DEFAULT_JOBS`` or the usable
    cores, whichever is fewer."""
    setting = os.environ.get("MLOPS_SCAN_JOBS", "")
    if setting.strip().isdigit() and int(setting) > 0:
        return int(setting)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(DEFAULT_JOBS, usable))


def may_fork() -> bool:
    """Whether a partner may be forked: two processes allowed (``MLOPS_SCAN_JOBS``, the usable cores), ``fork``
    available and no thread running besides this one (a forked thread's locks would stay held)."""
    return jobs() >= 2 and hasattr(os, "fork") and _thread._count() == 0


def pays(files: int) -> bool:
    """Whether a pass over ``files`` files to scan is shared with a partner."""
    return files >= MIN_FILES and may_fork()


class Job(Protocol):
    """The partner's work, run in the partner."""

    def enter(self) -> None:
        """Make the forked process ready (release what must not be shared with the parent)."""

    def scan(self, position: int) -> dict[str, object] | None:
        """Scan the file at ``position``: what it produced (JSON-ready), or None when it cannot be handed back."""

    def leave(self) -> object:
        """What else to hand back (picklable), once the partner stops."""


class Partner:
    """A forked copy of this process scanning the files from the last back."""

    def __init__(self, pid: int, results: int, claims: memoryview, count: int) -> None:
        self.pid = pid
        self.count = count
        self._results = results
        self._claims = claims
        self._ended = False

    @classmethod
    def start(cls, count: int, job: Job) -> Partner | None:
        """A partner doing ``job`` from position ``count - 1`` down (None when the process cannot fork)."""
        _reap(wait=True)  # the partners ended before: a process never holds more than one unreaped
        claims = memoryview(mmap.mmap(-1, mmap.PAGESIZE)).cast("i")  # shared with the fork, not copied
        claims[FRONT], claims[BACK] = 0, count
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the partner: never returns (a failure shows as a message cut short or missing)
            try:
                os.close(read_end)
                _serve(claims, count, job, write_end)
            finally:
                os._exit(0)  # no exit handlers, no buffers flushed twice: they are this process's
        os.close(write_end)
        return cls(pid, read_end, claims, count)

    def claim(self, position: int) -> bool:
        """Take the file at ``position`` (positions are taken in order from 0): False when the partner has it."""
        if position >= self._claims[BACK]:
            return False
        self._claims[FRONT] = position + 1
        return True

    def first(self) -> int:
        """The first position the partner took so far (``count`` before it took one)."""
        return int(self._claims[BACK])

    def results(self) -> tuple[dict[int, dict[str, object]], object]:
        """Wait for the partner to stop: what it made of each file it scanned, by position, and what its job's
        ``leave()`` gave; nothing when it failed (a message cut short or missing). It is reaped by :meth:`stop`,
        while this process takes the files over."""
        with os.fdopen(self._results, "rb") as stream:
            data = stream.read()
        self._results = -1
        try:
            text, left = _pickle.loads(data)  # from a fork of this process: as trusted as its own memory
            files = {position: outcome for position, outcome in json.loads(text)}
        except (ValueError, TypeError, KeyError, RecursionError, _pickle.UnpicklingError, EOFError):
            return {}, None
        if not all(type(p) is int and isinstance(o, dict) for p, o in files.items()):
            return {}, None
        return files, left

    def stop(self) -> None:
        """End the partner if it still runs (this process stopped early: an error, Ctrl-C), and reap it if it has
        exited. One that has not (its memory still being freed: about a millisecond after it hands back) is reaped
        by the next partner's start or at this process's exit, whichever comes first: so this process does not wait
        for it, and still counts its CPU time as its own (a parent's is its reaped children's)."""
        if self._results >= 0:
            os.close(self._results)
            self._results = -1
        if not self._ended:
            self._ended = True
            os.kill(self.pid, _signal.SIGKILL)  # not reaped yet: it exists, if only as a zombie
            _unreaped.append(self.pid)
            _reap(wait=False)


_unreaped: list[int] = []
"""Partners ended and not yet reaped."""
atexit.register(lambda: _reap(wait=True))


def _reap(wait: bool) -> None:
    """Reap the ended partners that have exited (``wait``: all of them, once they have)."""
    for pid in list(_unreaped):
        try:
            done, _ = os.waitpid(pid, 0 if wait else os.WNOHANG)
        except ChildProcessError:  # reaped by someone else
            done = pid
        if done:
            _unreaped.remove(pid)


def _serve(claims: memoryview, count: int, job: Job, results: int) -> None:
    """The partner's work: take positions from the last back until this process has one, then hand back."""
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # Ctrl-C is the other process's to handle: it ends this one
    job.enter()
    files = []
    for position in range(count - 1, -1, -1):
        claims[BACK] = position
        if claims[FRONT] > position:
            break
        outcome = job.scan(position)
        if outcome is not None:
            files.append([position, outcome])
    data = _pickle.dumps((json.dumps(files, separators=(",", ":")), job.leave()), protocol=-1)  # the highest
    with os.fdopen(results, "wb") as stream:
        stream.write(data)
