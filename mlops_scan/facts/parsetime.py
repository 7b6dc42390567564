"""The time bound on one parse (:func:`time_bound`), and the alarm's handler installed once for a pass over many
files (:func:`parse_bounds`)."""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # C modules: signal, threading and math cost 1.6 ms a start
import _thread
import sys
from collections.abc import Iterator
from contextlib import contextmanager


class ParseTimeout(BaseException):
    """A parse ran past ``Limits.parse_timeout`` (a BaseException, so no parser's ``except Exception`` hides it)."""


_alarm = {"armed": False, "installed": False}
_LONGEST_TIMER = 365 * 24 * 3600.0
INFINITY = float("inf")
_MAIN_THREAD = sys.modules["threading"].main_thread().ident if "threading" in sys.modules else _thread.get_ident()
"""The thread signals are handled in: ``threading``'s main thread when it is loaded, else the one importing this
module (a command line's; ``threading`` assumes as much of its own import)."""


def _on_alarm(signum: int, frame: object) -> None:
    if _alarm["armed"]:
        _alarm["armed"] = False
        raise ParseTimeout


def timers_usable() -> bool:
    """A timer's signal can interrupt work here: POSIX, main thread."""
    return hasattr(_signal, "setitimer") and _thread.get_ident() == _MAIN_THREAD


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise :class:`ParseTimeout` in the body once ``seconds`` have passed.

    Uses a real-time timer, so only in the main thread on POSIX; elsewhere (and for 0) the
    body is unbounded in time and only the size limits bound it. Nested bounds use the outer one.
    Within :func:`parse_bounds` the alarm's handler is in place already: only the timer is set.
    """
    if not 0 < seconds < INFINITY or _alarm["armed"] or not timers_usable():
        yield
        return
    installed = _alarm["installed"]
    previous = None if installed else _signal.signal(_signal.SIGALRM, _on_alarm)
    _alarm["armed"] = True
    _signal.setitimer(_signal.ITIMER_REAL, min(seconds, _LONGEST_TIMER))
    try:
        yield
    finally:
        _alarm["armed"] = False
        _signal.setitimer(_signal.ITIMER_REAL, 0)
        if not installed:
            _signal.signal(_signal.SIGALRM, previous)


@contextmanager
def parse_bounds() -> Iterator[None]:
    """Around a pass over many files: the alarm's handler installed once for every :func:`time_bound` in it, the
    handler before restored at the end (swapping handlers at each parse cost as much as a small file's parse)."""
    if _alarm["installed"] or not timers_usable():
        yield
        return
    previous = _signal.signal(_signal.SIGALRM, _on_alarm)
    _alarm["installed"] = True
    try:
        yield
    finally:
        _alarm["installed"] = False
        _signal.signal(_signal.SIGALRM, previous)
