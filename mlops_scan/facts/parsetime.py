"""The time bound on one parse (:func:`time_bound`), and the alarm's handler installed once for a pass over many
files (:func:`parse_bounds`)."""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ParseTimeout(BaseException):
    """A parse ran past ``Limits.parse_timeout`` (a BaseException, so no parser's ``except Exception`` hides it)."""


_alarm = {"armed": False, "installed": False}
_LONGEST_TIMER = 365 * 24 * 3600.0


def _on_alarm(signum: int, frame: object) -> None:
    if _alarm["armed"]:
        _alarm["armed"] = False
        raise ParseTimeout


def _usable() -> bool:
    """A real-time timer can interrupt parses here: POSIX, main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise :class:`ParseTimeout` in the body once ``seconds`` have passed.

    Uses a real-time timer, so only in the main thread on POSIX; elsewhere (and for 0) the
    body is unbounded in time and only the size limits bound it. Nested bounds use the outer one.
    Within :func:`parse_bounds` the alarm's handler is in place already: only the timer is set.
    """
    if not 0 < seconds < math.inf or _alarm["armed"] or not _usable():
        yield
        return
    installed = _alarm["installed"]
    previous = None if installed else signal.signal(signal.SIGALRM, _on_alarm)
    _alarm["armed"] = True
    signal.setitimer(signal.ITIMER_REAL, min(seconds, _LONGEST_TIMER))
    try:
        yield
    finally:
        _alarm["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        if not installed:
            signal.signal(signal.SIGALRM, previous)


@contextmanager
def parse_bounds() -> Iterator[None]:
    """Around a pass over many files: the alarm's handler installed once for every :func:`time_bound` in it, the
    handler before restored at the end (swapping handlers at each parse cost as much as a small file's parse)."""
    if _alarm["installed"] or not _usable():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _alarm["installed"] = True
    try:
        yield
    finally:
        _alarm["installed"] = False
        signal.signal(signal.SIGALRM, previous)
