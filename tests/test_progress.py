"""The progress line: terminals only, delayed, throttled, erased at the end (a fake clock, never real time)."""

from __future__ import annotations

import io

from mlops_scan.evidence.collect import ProgressLine, progress_printer

ERASE = "\r\x1b[2K"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    assert progress_printer(io.StringIO()) is None


def test_a_terminal_gets_a_progress_line() -> None:
    assert isinstance(progress_printer(FakeTerminal()), ProgressLine)


def test_a_short_scan_draws_nothing() -> None:
    term, clock = FakeTerminal(), Clock()
    line = ProgressLine(term, clock, delay=0.5)
    line(0, 10, "scanning")
    clock.now += 0.4
    line(10, 10, "finishing")
    line(10, 10, "done")
    assert term.getvalue() == ""


def test_long_scan_shows_count_phase_and_time_then_erases_itself() -> None:
    term, clock = FakeTerminal(), Clock()
    line = ProgressLine(term, clock, delay=0.5, interval=0.25)
    clock.now += 0.5
    line(64, 1000, "scanning")
    assert term.getvalue() == ERASE + "mlops-scan: scanning 64/1000 files (6%) 0.5 s"
    clock.now += 0.125
    line(128, 1000, "scanning")  # within the interval: not redrawn
    assert term.getvalue().count(ERASE) == 1
    clock.now += 0.125
    line(192, 1000, "scanning")
    assert term.getvalue().endswith(ERASE + "mlops-scan: scanning 192/1000 files (19%) 0.8 s")
    line(1000, 1000, "finishing")  # a new phase is drawn at once
    assert term.getvalue().endswith(ERASE + "mlops-scan: finishing 1000/1000 files (100%) 0.8 s")
    line(1000, 1000, "done")
    assert term.getvalue().endswith("0.8 s" + ERASE)


def test_line_fits_the_terminal_width() -> None:
    term, clock = FakeTerminal(), Clock()
    line = ProgressLine(term, clock, delay=0.0, width=20)
    line(5, 10, "scanning")
    assert term.getvalue() == ERASE + "mlops-scan: scanning"[:19]


def test_a_broken_terminal_does_not_end_the_scan() -> None:
    term = FakeTerminal()
    term.close()
    ProgressLine(term, Clock(), delay=0.0)(1, 2, "scanning")
