"""The parse time bound: within a pass's :func:`parse_bounds` the alarm's handler is installed once, a parse that
runs too long is still abandoned, and the handler in place before is restored."""

from __future__ import annotations

import _signal
import signal
import time

import pytest

from mlops_scan.facts.parsetime import ParseTimeout, parse_bounds, time_bound


def _endless() -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # a parser that does not return (the bound ends it long before)
        pass
    pytest.fail("the time bound did not interrupt the parse")


def _theirs(signum: int, frame: object) -> None:
    """A handler of the program that runs the scan."""


@pytest.fixture
def their_handler():
    before = signal.signal(signal.SIGALRM, _theirs)
    yield
    signal.signal(signal.SIGALRM, before)


def test_within_a_pass_the_handler_is_set_once_and_a_long_parse_still_ends(their_handler, monkeypatch) -> None:
    swaps: list[object] = []
    real = _signal.signal  # what the bounds call (signal.signal adds enums to it)

    def counted(signum: int, handler: object) -> object:
        swaps.append(handler)
        return real(signum, handler)  # type: ignore[arg-type]

    monkeypatch.setattr(_signal, "signal", counted)
    with parse_bounds():
        installed = len(swaps)
        for _ in range(3):
            with time_bound(5.0):
                pass
        with pytest.raises(ParseTimeout), time_bound(0.05):
            _endless()
        assert len(swaps) == installed == 1  # no swap at each parse
        with time_bound(5.0):
            pass  # the next parse is bounded as before
    assert swaps[-1] is _theirs
    assert signal.getsignal(signal.SIGALRM) is _theirs
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_a_pass_each_bound_installs_and_restores_the_handler(their_handler) -> None:
    with pytest.raises(ParseTimeout), time_bound(0.05):
        _endless()
    assert signal.getsignal(signal.SIGALRM) is _theirs
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_off_the_main_thread_a_parse_is_unbounded_and_no_handler_is_touched(their_handler) -> None:
    import threading

    from mlops_scan.evidence.bounded import cpu_bound
    from mlops_scan.facts.parsetime import timers_usable

    seen: list[object] = []

    def worker() -> None:
        seen.append(timers_usable())
        with parse_bounds(), time_bound(0.01), cpu_bound(0.01):  # signals are the main thread's: no timer set
            time.sleep(0.05)
        seen.append("done")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [False, "done"]
    assert timers_usable() and signal.getsignal(signal.SIGALRM) is _theirs
