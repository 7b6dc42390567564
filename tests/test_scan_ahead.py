"""The scan ahead: a command line whose last scan shared its file pass is scanned again before the command line is
parsed, and the scan command takes that outcome (the assessment or the error) when it asks for the same scan; the
report, the messages and the exit code are those of the scan run in its turn."""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from scanning import run_cli
from test_partner import _repository

from mlops_scan.cli import early, scanrun
from mlops_scan.cli import scan as scan_command
from mlops_scan.cli.app import main
from mlops_scan.evidence import partner
from mlops_scan.startcache import load_memo, store_memo

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the partner is forked")


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> Iterator[list[str]]:
    """What the command line did, in order: ``fork`` (a partner), ``assess`` (the stages of a scan), ``parsed`` (the
    scan command ran); two processes allowed, the command line's state reset after."""
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    done: list[str] = []
    fork, assess, settle = os.fork, scanrun.assess_request, early.settle

    def forked() -> int:
        pid = fork()
        if pid:
            done.append("fork")
        return pid

    def assessed(request: scanrun.ScanRequest) -> scanrun.Assessed:
        done.append("assess")
        return assess(request)

    def parsed(request: scanrun.ScanRequest | None) -> None:
        done.append("parsed")
        settle(request)

    monkeypatch.setattr(os, "fork", forked)
    monkeypatch.setattr(scanrun, "assess_request", assessed)
    monkeypatch.setattr(early, "settle", parsed)
    for name in ("_argv", "_expected", "_ahead", "_arguments"):
        monkeypatch.setattr(early, name, None)
    monkeypatch.setattr(partner, "_files_shared", 0)
    yield done
    atexit.unregister(early._remember)  # this process's exit is pytest's: nothing of the test is stored then


def _command_line(argv: list[str], code: int = 0) -> None:
    """What ``mlops-scan ARGV`` does up to its exit (:func:`mlops_scan.cli.run`), in this process."""
    early.start(argv)
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == code
    early._remember()
    partner._files_shared = 0


def _argv(root: Path, out: Path) -> list[str]:
    return ["scan", "-q", "--no-cache", "-f", "json", "-o", str(out), str(root)]


def test_a_shared_scan_is_remembered_and_its_next_run_scanned_ahead(
    tmp_path: Path, steps: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path / "repo")
    argv = _argv(root, tmp_path / "first.json")
    _command_line(argv)
    assert steps == ["parsed", "assess", "fork"]
    assert load_memo(early.MEMO)[tuple(argv)]["path"] == str(root)

    steps.clear()
    _command_line(argv)
    assert steps == ["assess", "fork", "parsed"]  # scanned before the command line was parsed, and only then
    assert early._ahead is None

    monkeypatch.setenv("MLOPS_SCAN_JOBS", "1")
    alone = tmp_path / "alone.json"
    with pytest.raises(SystemExit):
        main(_argv(root, alone))
    assert (tmp_path / "first.json").read_bytes() == alone.read_bytes()


def test_the_command_line_is_loaded_while_the_partner_scans(tmp_path: Path, steps: list[str]) -> None:
    loaded: list[list[str]] = []
    partner.meanwhile(lambda: loaded.append(list(steps)))
    _command_line(_argv(_repository(tmp_path / "repo"), tmp_path / "report.json"))
    assert loaded == [["parsed", "assess", "fork"]]  # once, just after the fork
    partner.meanwhile(lambda: loaded.append([]))
    partner.meanwhile(None)
    _command_line(_argv(_repository(tmp_path / "repo"), tmp_path / "report.json"))
    assert len(loaded) == 1


def test_a_scan_ahead_of_other_arguments_is_not_taken(tmp_path: Path, steps: list[str]) -> None:
    root = _repository(tmp_path / "repo")
    out = tmp_path / "report.json"
    argv = _argv(root, out)
    _command_line(argv)
    first = out.read_bytes()
    memo = load_memo(early.MEMO)
    memo[tuple(argv)] = {**memo[tuple(argv)], "max_file_size": 3 << 20}  # not this command line's scan
    store_memo(early.MEMO, memo)
    steps.clear()
    _command_line(argv)
    assert steps == ["assess", "fork", "parsed", "assess", "fork"]  # scanned again in its turn
    assert out.read_bytes() == first


def test_the_error_of_a_scan_ahead_is_the_error_of_the_command_line(
    tmp_path: Path, steps: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path / "repo")
    argv = _argv(root, tmp_path / "report.json")
    _command_line(argv)
    (root / ".mlops-scan.toml").write_text('model = "nope.yaml"\n', encoding="utf-8")
    steps.clear()
    capsys.readouterr()
    _command_line(argv, code=2)
    assert steps == ["assess", "parsed"]  # failed ahead; raised when the scan command asked for it, not run again
    assert (
        capsys.readouterr().err
        == f"mlops-scan: error: {root / 'nope.yaml'}: no such maturity model (built-in: microsoft, google)\n"
    )
    assert tuple(argv) not in load_memo(early.MEMO)  # it shared no pass: forgotten


def test_an_interrupted_scan_ahead_ends_the_command_line_as_an_interrupted_scan(
    tmp_path: Path, steps: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _argv(_repository(tmp_path / "repo"), tmp_path / "report.json")
    _command_line(argv)

    def interrupted(request: scanrun.ScanRequest) -> scanrun.Assessed:
        steps.append("interrupted")
        raise KeyboardInterrupt

    monkeypatch.setattr(scanrun, "assess_request", interrupted)
    capsys.readouterr()
    with pytest.raises(SystemExit) as in_its_turn:
        main(argv)
    told = capsys.readouterr().err
    steps.clear()
    _command_line(argv, code=in_its_turn.value.code)  # type: ignore[arg-type]
    assert steps == ["interrupted", "parsed"]
    assert (in_its_turn.value.code, capsys.readouterr().err) == (130, told)
    assert told == "\nmlops-scan: aborted\n"


def test_a_scan_that_shares_no_pass_is_not_remembered(tmp_path: Path, steps: list[str]) -> None:
    root = tmp_path / "small"
    (root / "src").mkdir(parents=True)
    (root / "src" / "train.py").write_text("import mlflow\nmlflow.log_metric('auc', 0.9)\n", encoding="utf-8")
    argv = _argv(root, tmp_path / "report.json")
    _command_line(argv)
    assert steps == ["parsed", "assess"]
    assert tuple(argv) not in load_memo(early.MEMO)


def test_a_scan_with_the_facts_cache_is_not_remembered(tmp_path: Path, steps: list[str]) -> None:
    argv = _argv(_repository(tmp_path / "repo"), tmp_path / "report.json")
    argv.remove("--no-cache")
    _command_line(argv)
    assert steps == ["parsed", "assess", "fork"]  # shared; the next run replays what it found
    assert tuple(argv) not in load_memo(early.MEMO)


@pytest.mark.parametrize("options", [["--no-cache"], []], ids=["no-cache", "facts-cache"])
def test_the_command_line_report_is_the_same_with_and_without_the_scan_ahead(
    tmp_path: Path, options: list[str]
) -> None:
    root = _repository(tmp_path / "repo")
    env = {**os.environ, "MLOPS_SCAN_CACHE_DIR": str(tmp_path / "cache"), "MLOPS_SCAN_JOBS": "2"}
    reports = []
    for _ in range(3):  # without the cache: remembered by the first run, scanned ahead in the next ones
        done = run_cli("-q", *options, "-f", "json", "-o", "report.json", str(root), cwd=tmp_path, env=env)
        assert (done.returncode, done.stderr) == (0, "")
        reports.append((tmp_path / "report.json").read_bytes())
    env["MLOPS_SCAN_JOBS"] = "1"
    done = run_cli("-q", "--no-cache", "-f", "json", "-o", "alone.json", str(root), cwd=tmp_path, env=env)
    assert done.returncode == 0
    assert reports == [(tmp_path / "alone.json").read_bytes()] * 3


def _click_parse(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, object] | None:
    """The scan command's arguments as click parses ``argv`` (None: not one scan)."""
    parsed: list[dict[str, object] | None] = []
    monkeypatch.setattr(early, "settle", lambda request: parsed.append(request and dict(vars(request))))
    monkeypatch.setattr(scan_command, "run_scan", lambda request, assessed: None)
    with pytest.raises(SystemExit):
        main(argv)
    return parsed[0] if parsed else None


@pytest.mark.parametrize(
    "argv",
    [[], ["scan"], ["."], ["scan", "."], ["repo"], ["scan", "repo"], ["rules"], ["scan", "rules"], ["history"]],
)
def test_the_plain_command_line_is_known_as_click_parses_it(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "rules").mkdir()  # a folder named as a command: a path only after `scan`
    monkeypatch.chdir(tmp_path)
    expected = early.plain_scan(argv)
    assert expected == _click_parse(argv, monkeypatch) or (expected is None and argv[:1] in (["rules"], ["history"]))


@pytest.mark.parametrize(
    "argv", [["rules"], ["-q"], [".", "-q"], ["missing"], ["scan", "missing"], ["scan", "--help"], [".", "."]]
)
def test_other_command_lines_are_not_plain(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules").mkdir()
    assert early.plain_scan(argv) is None


def test_a_plain_command_line_is_scanned_ahead_without_a_memory(tmp_path: Path, steps: list[str]) -> None:
    root = _repository(tmp_path / "repo")
    _command_line([str(root)], code=0)
    assert steps == ["assess", "fork", "parsed"]  # its first run: nothing remembered
    assert tuple([str(root)]) not in load_memo(early.MEMO)
    assert not list(early.cache_dir().glob(f"{early.MEMO}-*"))  # type: ignore[union-attr]  # nothing to remember


def test_a_plain_command_line_reports_as_it_does_without_the_scan_ahead(tmp_path: Path) -> None:
    root = _repository(tmp_path / "repo")
    outputs = []
    for jobs, cache in (("2", "ahead"), ("1", "alone")):  # one process: nothing forks, nothing runs ahead
        env = {**os.environ, "MLOPS_SCAN_CACHE_DIR": str(tmp_path / cache), "MLOPS_SCAN_JOBS": jobs}
        done = run_cli(str(root), cwd=tmp_path, env=env)
        outputs.append((done.returncode, done.stdout, done.stderr))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == 0 and "Level" in outputs[0][1]
