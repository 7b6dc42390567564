"""Command-line habits: a group alone shows its help, a mistyped command gets a suggestion, configuration is found
walking up to the repository's top."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepos import git
from scanning import run_cli


@pytest.mark.parametrize("group", ["rules", "models"])
def test_a_group_alone_shows_its_help(group: str) -> None:
    done = run_cli(group)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith(f"Usage: mlops-scan {group} [OPTIONS] COMMAND [ARGS]...\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["histroy"], "No such command or path 'histroy'. Did you mean 'history'?"),
        (["rulse", "list"], "No such command or path 'rulse'. Did you mean 'rules'?"),
        (["rules", "lisst"], "No such command 'lisst'. Did you mean 'list'?"),
        (["nothing-like-a-command"], "nothing-like-a-command: no such file or directory"),
    ],
)
def test_a_mistyped_command_gets_a_suggestion(args: list[str], message: str, tmp_path: Path) -> None:
    done = run_cli(*args, cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"mlops-scan: error: {message}\n")


def test_a_folder_named_like_a_command_is_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "histroy").mkdir()
    done = run_cli("histroy", "-q", "--no-color", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("mlops-scan: histroy\n")


def notes(done_stdout: str) -> list[str]:
    return json.loads(done_stdout)["notes"]  # type: ignore[no-any-return]


def test_configuration_is_found_walking_up_to_the_repository_top(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlops-scan]\nfail-under = 4\n", encoding="utf-8")  # above: unread
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    (repo / "pyproject.toml").write_text('[tool.mlops-scan]\nfail-under = 2\nexclude = ["**/legacy/**"]\n')
    (repo / "services" / "churn").mkdir(parents=True)
    (repo / "services" / "churn" / "train.py").write_text("import mlflow\n", encoding="utf-8")
    done = run_cli("services/churn", "-q", "-f", "json", cwd=repo)
    assert done.returncode == 1
    assert done.stderr == "mlops-scan: level 0 (No MLOps) is below --fail-under 2\n"
    assert notes(done.stdout)[0] == (
        "Configuration: ../../pyproject.toml [tool.mlops-scan], found above the scanned folder."
    )
    (repo / "services" / "churn" / ".mlops-scan.toml").write_text("fail-under = 0\n", encoding="utf-8")
    nearest = run_cli("services/churn", "-q", "-f", "json", cwd=repo)
    assert nearest.returncode == 0 and notes(nearest.stdout)[0] == "Configuration: .mlops-scan.toml."


def test_outside_git_only_the_folder_itself_is_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mlops-scan]\nfail-under = 2\n", encoding="utf-8")
    (tmp_path / "project").mkdir()
    done = run_cli("project", "-q", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0
    assert notes(done.stdout) == ["nothing to scan: the folder has no files; level 0 here means nothing was assessed"]


def test_show_settings_names_where_each_value_came_from(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", str(repo))
    config = '[tool.mlops-scan]\nfail-under = 2\nexclude = ["legacy"]\n[tool.mlops-scan.limits]\nmax-files = 1000\n'
    (repo / "pyproject.toml").write_text(config, encoding="utf-8")
    (repo / "services").mkdir()
    done = run_cli("services", "--show-settings", "--exclude", "tmp", "--limit", "parse-timeout=3", cwd=repo)
    assert done.returncode == 0 and done.stderr == ""
    origin = "../pyproject.toml [tool.mlops-scan]"
    assert done.stdout.splitlines() == [
        "# settings of a scan of services",
        f"# configuration: {origin}, found above the scanned folder",
        'format = "text"  # default',
        f"fail-under = 2  # {origin}",
        'model = "microsoft"  # default',
        "preview = false  # default",
        f'exclude = ["legacy", "tmp"]  # {origin} + --exclude',
        "disable = []  # default",
        "rules = []  # default",
        "limits.max-file-bytes = 2097152  # default",
        "limits.max-notebook-bytes = 33554432  # default",
        f"limits.max-files = 1000  # {origin}",
        "limits.max-depth = 64  # default",
        "limits.max-yaml-nodes = 200000  # default",
        "limits.max-evidence-per-rule = 50  # default",
        "limits.parse-timeout = 3.0  # --limit",
        "limits.git-timeout = 60.0  # default",
    ]
    ignored = run_cli("services", "--show-settings", "--no-config", "--fail-under", "1", cwd=repo)
    assert ignored.stdout.splitlines()[1:4] == [
        "# configuration: none (--no-config)",
        'format = "text"  # default',
        "fail-under = 1  # --fail-under",
    ]


def test_several_paths_one_report_each_and_the_worst_exit_code(tmp_path: Path) -> None:
    for name, level in (("a", 0), ("b", 2)):
        (tmp_path / name).mkdir()
        (tmp_path / name / ".mlops-scan.toml").write_text(f"fail-under = {level}\n", encoding="utf-8")
    done = run_cli("a", "b", "absent", "-q", "--no-color", cwd=tmp_path)
    assert done.returncode == 2
    assert [line for line in done.stdout.splitlines() if line.startswith("mlops-scan: ")] == [
        "mlops-scan: a",
        "mlops-scan: b",
    ]
    assert done.stderr == (
        "mlops-scan: level 0 (No MLOps) is below --fail-under 2\nmlops-scan: error: absent: no such file or directory\n"
    )
    gated = run_cli("a", "b", "-q", cwd=tmp_path)
    assert gated.returncode == 1
    refused = run_cli("a", "b", "--badge", "level.svg", cwd=tmp_path)
    assert (refused.returncode, refused.stderr) == (
        2,
        "mlops-scan: error: --badge level.svg: one file cannot hold the reports of several PATHs (scan one at a time)\n",
    )
