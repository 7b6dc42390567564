"""The progress line: terminals only, delayed, throttled, erased at the end (a fake clock, never real time)."""

from __future__ import annotations

import functools
import io
import itertools
import json
import os
import shutil
import sys

import pytest
from scanning import FIXTURES, builtin_rules

from mlops_scan.cli.app import main
from mlops_scan.evidence import collect as collecting
from mlops_scan.evidence.collect import PROGRESS_EVERY, ProgressLine, collect, progress_printer
from mlops_scan.snapshot.tree import open_snapshot

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


def test_a_terminal_gets_a_line_as_wide_as_the_terminal_counting_its_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback: os.terminal_size((30, 5)))
    term = FakeTerminal()
    line = progress_printer(term, unit="repositories")
    assert isinstance(line, ProgressLine)
    line.delay = 0.0
    line(3, 7, "fleet")
    assert term.getvalue() == ERASE + "mlops-scan: fleet 3/7 reposit"  # 29 columns: the last one stays free


def test_a_scan_reports_its_files_every_few_files_then_finishes() -> None:
    calls: list[tuple[int, int, str]] = []
    snapshot = open_snapshot(FIXTURES / "level3-azureml-bluegreen")
    collect(snapshot, builtin_rules(), lambda done, total, phase: calls.append((done, total, phase)))
    total = len(snapshot.files)
    scanning = [done for done, _, phase in calls if phase == "scanning"]
    assert calls[-2:] == [(total, total, "finishing"), (total, total, "done")]
    assert [phase for _, _, phase in calls[:-2]] == ["scanning"] * len(scanning) and scanning
    assert all(t == total for _, t, _ in calls) and scanning[0] < PROGRESS_EVERY
    assert all(b - a >= PROGRESS_EVERY for a, b in itertools.pairwise(scanning)) and scanning[-1] < total


def _scan_on(stderr: io.StringIO, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):  # type: ignore[no-untyped-def]
    """``mlops-scan ARGS --format json`` in this process with ``stderr`` as the standard error; the line draws at once."""
    monkeypatch.setattr(collecting, "ProgressLine", functools.partial(ProgressLine, delay=0.0, interval=0.0))
    monkeypatch.setattr(sys, "stderr", stderr)
    with pytest.raises(SystemExit) as done:
        main([str(FIXTURES / "level3-azureml-bluegreen"), "--format", "json", "--no-cache", *args])
    assert done.value.code == 0
    return json.loads(capsys.readouterr().out)


def test_the_scan_command_draws_progress_on_a_terminal_and_erases_it(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    term = FakeTerminal()
    report = _scan_on(term, monkeypatch, capsys)
    total = report["inspected"]["files_listed"]
    drawn = term.getvalue().split(ERASE)
    assert (
        len(drawn) >= 4 and drawn[0] == "" and drawn[-1] == ""
    )  # every line erases the one before; the last erase leaves it clean
    assert all(d.startswith("mlops-scan: scanning ") and f"/{total} files (" in d for d in drawn[1:-2])
    assert drawn[-2].startswith(f"mlops-scan: finishing {total}/{total} files (100%) ")


def test_the_scan_command_draws_nothing_off_a_terminal_or_when_quiet(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    piped, quiet = io.StringIO(), FakeTerminal()
    _scan_on(piped, monkeypatch, capsys)
    _scan_on(quiet, monkeypatch, capsys, "--quiet")
    assert (piped.getvalue(), quiet.getvalue()) == ("", "")


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
    line = ProgressLine(term, Clock(), delay=0.0)
    line(1, 2, "scanning")  # writing to a closed stream raises ValueError inside: swallowed
    assert line.phase == "scanning" and line.drawn_at == 100.0
