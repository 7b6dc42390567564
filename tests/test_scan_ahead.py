"""The scan ahead: a command line whose arguments are known without parsing it (the plain command line, or one that
ran a scan before) is scanned before it is parsed and reported without click; when that scan fails, the command line
is parsed and the scan command raises its error. The report, the messages and the exit code are those of the scan
run in its turn."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scanning import check_written_reports, run_cli
from test_partner import _repository

from mlops_scan.cli import app, early, scanrun
from mlops_scan.cli import scan as scan_command
from mlops_scan.cli.app import main
from mlops_scan.startcache import load_memo, store_memo

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the partner is forked")

PARSED_ONLY = "import sys; from mlops_scan.cli.app import main; main(sys.argv[1:])"
"""The command line parsed by click, never run ahead (the reference the scan ahead is held to)."""


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> Iterator[list[str]]:
    """What the command line did, in order: ``parsed`` (click parsed it), ``settle`` (a scan's arguments taken),
    ``assess`` (the stages of a scan), ``fork`` (a partner); two processes allowed, the command line's state reset
    after."""
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    done: list[str] = []
    fork, assess, settle, parse = os.fork, scanrun.assess_request, early.settle, app._parsed

    def forked() -> int:
        pid = fork()
        if pid:
            done.append("fork")
        return pid

    def assessed(request: scanrun.ScanRequest) -> scanrun.Assessed:
        done.append("assess")
        return assess(request)

    def settled(request: scanrun.ScanRequest | None) -> None:
        done.append("settle")
        settle(request)

    def parsed(argv: list[str] | None) -> int | None:
        done.append("parsed")
        return parse(argv)

    monkeypatch.setattr(os, "fork", forked)
    monkeypatch.setattr(scanrun, "assess_request", assessed)
    monkeypatch.setattr(early, "settle", settled)
    monkeypatch.setattr(app, "_parsed", parsed)
    for name in ("_argv", "_known", "_plain", "_expected", "_ahead", "_arguments"):
        monkeypatch.setattr(early, name, None)
    yield done
    atexit.unregister(early._remember)  # this process's exit is pytest's: nothing of the test is stored then


def _command_line(argv: list[str], code: int = 0) -> None:
    """What ``mlops-scan ARGV`` does up to its exit (:func:`mlops_scan.cli.run`), in this process."""
    early.start(argv)
    with pytest.raises(SystemExit) as done:
        early.finish()
        main(argv)
    assert done.value.code == code
    early._remember()


def _argv(root: Path, out: Path) -> list[str]:
    return ["scan", "-q", "--no-cache", "-f", "json", "-o", str(out), str(root)]


def _parsed_only(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``mlops-scan ARGS`` parsed by click in a subprocess, never run ahead."""
    done = subprocess.run(
        [sys.executable, "-c", PARSED_ONLY, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    check_written_reports(list(args), done.stdout, cwd)
    return done


def test_a_scan_is_remembered_and_its_next_run_scanned_ahead_and_reported_without_a_parse(
    tmp_path: Path, steps: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path / "repo")
    argv = _argv(root, tmp_path / "first.json")
    _command_line(argv)
    assert steps == ["parsed", "settle", "assess", "fork"]
    assert load_memo(early.MEMO)[tuple(argv)]["path"] == str(root)

    steps.clear()
    _command_line(argv)
    assert steps == ["assess", "fork", "settle"]  # scanned before anything was parsed, and never parsed
    assert early._ahead is None

    monkeypatch.setenv("MLOPS_SCAN_JOBS", "1")
    alone = tmp_path / "alone.json"
    with pytest.raises(SystemExit):
        main(_argv(root, alone))
    assert (tmp_path / "first.json").read_bytes() == alone.read_bytes()


def test_a_remembered_command_line_is_scanned_with_its_remembered_arguments(tmp_path: Path, steps: list[str]) -> None:
    root = _repository(tmp_path / "repo")
    out = tmp_path / "report.json"
    argv = _argv(root, out)
    _command_line(argv)
    memo = load_memo(early.MEMO)
    memo[tuple(argv)] = {**memo[tuple(argv)], "fmt": "markdown"}  # what the parse gave, as far as the scan ahead knows
    store_memo(early.MEMO, memo)
    steps.clear()
    _command_line(argv)
    assert steps == ["assess", "fork", "settle"]
    assert out.read_text(encoding="utf-8").startswith("<!-- mlops-scan report -->")  # the memo's format: trusted
    assert load_memo(early.MEMO)[tuple(argv)]["fmt"] == "markdown"


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
    assert steps == [
        "assess",
        "parsed",
        "settle",
    ]  # failed ahead; raised when the scan command asked for it, not run again
    assert (
        capsys.readouterr().err
        == f"mlops-scan: error: {root / 'nope.yaml'}: no such maturity model (built-in: microsoft, google)\n"
    )
    assert tuple(argv) in load_memo(early.MEMO)  # its arguments are still what the command line asks for


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
    assert steps == ["interrupted", "parsed", "settle"]
    assert (in_its_turn.value.code, capsys.readouterr().err) == (130, told)
    assert told == "\nmlops-scan: aborted\n"


def test_an_interrupted_report_ends_the_command_line_as_an_interrupted_scan(
    tmp_path: Path, steps: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repository(tmp_path / "repo")
    _command_line([str(root)])

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scanrun, "_write_reports", interrupted)
    capsys.readouterr()
    _command_line([str(root)], code=130)
    assert "parsed" not in steps
    assert capsys.readouterr().err == "\nmlops-scan: aborted\n"


@pytest.mark.parametrize("options", [[], ["--no-cache"]], ids=["facts-cache", "no-cache"])
def test_a_scan_that_shares_no_pass_is_remembered_too(tmp_path: Path, steps: list[str], options: list[str]) -> None:
    root = tmp_path / "small"
    (root / "src").mkdir(parents=True)
    (root / "src" / "train.py").write_text("import mlflow\nmlflow.log_metric('auc', 0.9)\n", encoding="utf-8")
    argv = ["scan", "-q", *options, "-f", "json", "-o", str(tmp_path / "report.json"), str(root)]
    _command_line(argv)
    assert steps == ["parsed", "settle", "assess"]
    assert load_memo(early.MEMO)[tuple(argv)]["no_cache"] == bool(options)
    steps.clear()
    _command_line(argv)
    assert steps == ["assess", "settle"]


def test_several_paths_are_not_remembered(tmp_path: Path, steps: list[str]) -> None:
    root = _repository(tmp_path / "repo")
    argv = ["scan", "-q", "--no-cache", "-f", "json", str(root), str(root)]
    _command_line(argv)
    assert tuple(argv) not in load_memo(early.MEMO)


@pytest.mark.parametrize("options", [["--no-cache"], []], ids=["no-cache", "facts-cache"])
def test_the_command_line_report_is_the_same_with_and_without_the_scan_ahead(
    tmp_path: Path, options: list[str]
) -> None:
    root = _repository(tmp_path / "repo")
    env = {**os.environ, "MLOPS_SCAN_CACHE_DIR": str(tmp_path / "cache"), "MLOPS_SCAN_JOBS": "2"}
    reports = []
    for _ in range(3):  # remembered by the first run, scanned ahead in the next ones
        done = run_cli("-q", *options, "-f", "json", "-o", "report.json", str(root), cwd=tmp_path, env=env)
        assert (done.returncode, done.stderr) == (0, "")
        reports.append((tmp_path / "report.json").read_bytes())
    env["MLOPS_SCAN_JOBS"] = "1"
    done = _parsed_only("-q", "--no-cache", "-f", "json", "-o", "alone.json", str(root), cwd=tmp_path, env=env)
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


def test_a_plain_command_line_is_scanned_ahead_without_a_memory(
    tmp_path: Path, steps: list[str], cache_dir: Path
) -> None:
    root = _repository(tmp_path / "repo")
    _command_line([str(root)], code=0)
    assert steps == ["assess", "fork", "settle"]  # its first run: nothing remembered, nothing parsed
    assert tuple([str(root)]) not in load_memo(early.MEMO)
    assert not list(cache_dir.glob(f"{early.MEMO}-*"))  # nothing to remember


@pytest.mark.parametrize(
    ("options", "env"),
    [([], {}), ([], {"FORCE_COLOR": "1"}), (["--fail-under", "4"], {}), (["-f", "markdown", "--exit-zero"], {})],
    ids=["text", "colour", "gate", "markdown"],
)
def test_a_command_line_reports_as_it_does_without_the_scan_ahead(
    tmp_path: Path, options: list[str], env: dict[str, str]
) -> None:
    root = _repository(tmp_path / "repo")
    outputs = []
    for run in (run_cli, run_cli, _parsed_only):  # remembered (or plain) then scanned ahead; parsed only
        environment = {**os.environ, "MLOPS_SCAN_CACHE_DIR": str(tmp_path / "cache"), **env}
        environment.pop("NO_COLOR", None)
        done = run(*options, str(root), cwd=tmp_path, env=environment)
        outputs.append((done.returncode, done.stdout, done.stderr))
    assert outputs[1] == outputs[2]
    assert outputs[0] == outputs[2]
    assert ("\x1b[" in outputs[0][1]) == ("FORCE_COLOR" in env)
    assert outputs[0][0] == (1 if "--fail-under" in options else 0) and "Level" in outputs[0][1]


@pytest.mark.parametrize("parsed_only", [False, True], ids=["run-ahead", "parsed"])
def test_a_report_to_a_closed_pipe_ends_quietly_with_code_1(tmp_path: Path, parsed_only: bool) -> None:
    root = _repository(tmp_path / "repo")
    env = {**os.environ, "MLOPS_SCAN_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", PARSED_ONLY] if parsed_only else [sys.executable, "-m", "mlops_scan"]
    done = subprocess.Popen([*command, str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert done.stdout is not None and done.stderr is not None
    done.stdout.close()  # the reader gone before the report is written (``mlops-scan PATH | head -0``)
    assert (done.wait(timeout=120), done.stderr.read()) == (1, b"")
    done.stderr.close()
