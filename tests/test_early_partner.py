"""The early partner: forked before the command line is parsed when the same command line ran a shared scan before,
joined only when the scan and its work are the ones it expected; the report is the one-process report either way."""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from scanning import run_cli
from test_partner import _repository

from mlops_scan.cli import early
from mlops_scan.cli.app import main
from mlops_scan.evidence import partner
from mlops_scan.evidence.handover import Handover
from mlops_scan.startcache import load_memo

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the partner is forked")


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> Iterator[list[int]]:
    """The processes this test forks (their ids); two processes allowed, the command line's state reset after."""
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    monkeypatch.setattr(partner, "JOIN_WAIT", 30.0)  # a busy machine may hold the early partner back
    forked: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    for name in ("_argv", "_expected", "_arguments"):
        monkeypatch.setattr(early, name, None)
    monkeypatch.setattr(partner, "_files_shared", 0)
    yield forked
    partner.drop_early()
    atexit.unregister(early._remember)  # this process's exit is pytest's: nothing of the test is stored then
    atexit.unregister(partner.drop_early)


def _command_line(argv: list[str]) -> None:
    """What ``mlops-scan ARGV`` does up to its exit (:func:`mlops_scan.cli.run`), in this process."""
    early.start(argv)
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    early._remember()
    partner._files_shared = 0


def _argv(root: Path, out: Path) -> list[str]:
    return ["scan", "-q", "--no-cache", "-f", "json", "-o", str(out), str(root)]


def test_a_shared_scan_is_remembered_and_its_next_run_joins_the_early_partner(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path / "repo")
    argv = _argv(root, tmp_path / "first.json")
    _command_line(argv)
    assert len(forks) == 1  # the partner forked at the file pass
    assert load_memo(early.MEMO)[tuple(argv)]["path"] == str(root)

    _command_line(argv)
    assert len(forks) == 2  # the early partner, joined: no other fork at the pass

    monkeypatch.setenv("MLOPS_SCAN_JOBS", "1")
    alone = tmp_path / "alone.json"
    with pytest.raises(SystemExit):
        main(_argv(root, alone))
    assert (tmp_path / "first.json").read_bytes() == alone.read_bytes()


def test_an_early_partner_with_other_work_is_ended_and_the_usual_partner_forked(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path / "repo")
    out = tmp_path / "report.json"
    argv = _argv(root, out)
    _command_line(argv)
    first = out.read_bytes()
    fingerprint = Handover.fingerprint
    early.start(argv)  # the early partner works out the fingerprint of its work as it is
    monkeypatch.setattr(Handover, "fingerprint", lambda self: fingerprint(self) + 1)  # here the work is another
    with pytest.raises(SystemExit):
        main(argv)
    assert len(forks) == 3  # the first run's partner, the early partner (ended), the partner forked at the pass
    assert out.read_bytes() == first


def test_an_early_partner_expecting_another_scan_is_ended(tmp_path: Path, forks: list[int]) -> None:
    root = _repository(tmp_path / "repo")
    out = tmp_path / "report.json"
    argv = _argv(root, out)
    _command_line(argv)
    first = out.read_bytes()
    early.start(argv)
    with pytest.raises(SystemExit):
        main([*argv, "--max-file-size", "3MiB"])  # not the scan remembered for this command line
    assert len(forks) == 3
    assert out.read_bytes() == first


def test_a_scan_that_shares_no_pass_is_not_remembered(tmp_path: Path, forks: list[int]) -> None:
    root = tmp_path / "small"
    (root / "src").mkdir(parents=True)
    (root / "src" / "train.py").write_text("import mlflow\nmlflow.log_metric('auc', 0.9)\n", encoding="utf-8")
    argv = _argv(root, tmp_path / "report.json")
    _command_line(argv)
    assert forks == []
    assert tuple(argv) not in load_memo(early.MEMO)


def test_a_scan_with_the_facts_cache_is_not_remembered(tmp_path: Path, forks: list[int]) -> None:
    argv = _argv(_repository(tmp_path / "repo"), tmp_path / "report.json")
    argv.remove("--no-cache")
    _command_line(argv)
    assert len(forks) == 1  # shared; the next run replays what it found
    assert tuple(argv) not in load_memo(early.MEMO)


def test_a_scan_past_the_size_bound_is_not_remembered(
    tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(early, "MAX_FILES", 10)
    argv = _argv(_repository(tmp_path / "repo"), tmp_path / "report.json")
    _command_line(argv)
    assert len(forks) == 1  # shared
    assert tuple(argv) not in load_memo(early.MEMO)


@pytest.mark.parametrize("options", [["--no-cache"], []], ids=["no-cache", "facts-cache"])
def test_the_command_line_report_is_the_same_with_and_without_the_early_partner(
    tmp_path: Path, options: list[str]
) -> None:
    root = _repository(tmp_path / "repo")
    env = {**os.environ, "MLOPS_SCAN_CACHE_DIR": str(tmp_path / "cache"), "MLOPS_SCAN_JOBS": "2"}
    reports = []
    for _ in range(3):  # without the cache: remembered by the first run, the early partner in the next ones
        done = run_cli("-q", *options, "-f", "json", "-o", "report.json", str(root), cwd=tmp_path, env=env)
        assert (done.returncode, done.stderr) == (0, "")
        reports.append((tmp_path / "report.json").read_bytes())
    env["MLOPS_SCAN_JOBS"] = "1"
    done = run_cli("-q", "--no-cache", "-f", "json", "-o", "alone.json", str(root), cwd=tmp_path, env=env)
    assert done.returncode == 0
    assert reports == [(tmp_path / "alone.json").read_bytes()] * 3
