"""Habits of the ecosystem: NO_COLOR/FORCE_COLOR (no-color.org), ``-o -`` for stdout, --exit-zero, and
write errors that name what could not be written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from scanning import FIXTURES, run_cli

LEVEL2 = str(FIXTURES / "level2-mlflow-dvc")
ANSI = "\x1b["


def env(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**base, **values}


@pytest.mark.parametrize(
    ("variables", "coloured"),
    [
        ({}, False),  # not a terminal
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": ""}, False),  # empty means unset
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
        ({"FORCE_COLOR": "1", "NO_COLOR": ""}, True),  # an empty NO_COLOR is no request
    ],
)
def test_colour_variables_off_a_terminal(variables: dict[str, str], coloured: bool) -> None:
    done = run_cli(LEVEL2, "--quiet", env=env(**variables))
    assert done.returncode == 0
    assert (ANSI in done.stdout) is coloured


def test_forced_colour_never_reaches_a_file_or_other_formats(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    assert run_cli(LEVEL2, "-q", "-o", str(report), env=env(FORCE_COLOR="1")).returncode == 0
    assert ANSI not in report.read_text()
    done = run_cli(LEVEL2, "-q", "--format", "json", env=env(FORCE_COLOR="1"))
    assert json.loads(done.stdout)["level"] == 2


def test_output_dash_is_stdout(tmp_path: Path) -> None:
    done = run_cli(LEVEL2, "-q", "--format", "json", "-o", "-", cwd=tmp_path)
    assert json.loads(done.stdout)["level"] == 2
    assert list(tmp_path.iterdir()) == []


def test_exit_zero_keeps_the_message_but_not_the_failure() -> None:
    failing = run_cli(LEVEL2, "-q", "--fail-under", "3")
    passing = run_cli(LEVEL2, "-q", "--fail-under", "3", "--exit-zero")
    assert (failing.returncode, passing.returncode) == (1, 0)
    message = "mlops-scan: level 2 (Automated training) is below --fail-under 3\n"
    assert failing.stderr == passing.stderr == message


@pytest.mark.parametrize(
    ("option", "what"), [("--badge", "badge"), ("--json-output", "JSON report"), ("--summary", "summary")]
)
def test_an_unwritable_target_names_what_could_not_be_written(tmp_path: Path, option: str, what: str) -> None:
    target = tmp_path / "missing" / "file"
    done = run_cli(LEVEL2, "-q", option, str(target))
    assert done.returncode == 2
    assert done.stderr == f"mlops-scan: error: {target}: cannot write {what} (No such file or directory)\n"


@pytest.mark.parametrize(
    "options",
    [["-q", "-f", "json"], ["-qf", "json"], ["-q", "-fjson"], ["-q", "-f=json"], ["--quiet", "--format=json"]],
    ids=["apart", "together", "attached", "equals", "long"],
)
def test_short_options_alone_together_or_with_their_value(options: list[str]) -> None:
    done = run_cli(LEVEL2, *options)
    assert (done.returncode, json.loads(done.stdout)["level"], done.stderr) == (0, 2, "")


@pytest.mark.parametrize("options", [["-x"], ["-qx"], ["-q", "-x"]])
def test_an_unknown_short_option_is_a_usage_error(options: list[str]) -> None:
    done = run_cli(LEVEL2, *options)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("mlops-scan: error: No such option") and "-x" in done.stderr  # click's words
    assert done.stderr.count("\n") == 1


def test_short_options_given_alone_are_found_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    from mlops_scan.cli.scan import scan

    missed: list[str] = []
    ordinary = click.exceptions.NoSuchOption.__init__

    def record(self: click.exceptions.NoSuchOption, option_name: str, *args: object, **kwargs: object) -> None:
        missed.append(option_name)
        ordinary(self, option_name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(click.exceptions.NoSuchOption, "__init__", record)
    scan.make_context("scan", ["-q", "-f", "json", "-o", str(tmp_path / "r.json"), LEVEL2])
    assert missed == []  # click's own way first makes a "no such option" error for each short option
    scan.make_context("scan", ["-qf", "json", LEVEL2])
    assert missed == ["-qf"]  # run together: click's own way
