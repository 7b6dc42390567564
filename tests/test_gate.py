"""The CI gate: each exit code, the files written before a failing gate, and the integrations
(action.yml, .pre-commit-hooks.yaml, docs/ci.md) running the commands they show."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from scanning import FIXTURES, run_cli

ROOT = Path(__file__).resolve().parent.parent
LEVEL2 = FIXTURES / "level2-mlflow-dvc"
BIN = Path(sys.executable).parent


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the level-2 fixture (MLflow + DVC + GitLab CI)."""
    return Path(shutil.copytree(LEVEL2, tmp_path / "repo"))


def ci_env(**extra: str) -> dict[str, str]:
    """The environment of a CI job: mlops-scan on PATH, no CI variables unless given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_", "RUNNER_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


# Exit codes


@pytest.mark.parametrize("fail_under, code", [(None, 0), ("0", 0), ("1", 0), ("2", 0), ("3", 1), ("4", 1)])
def test_fail_under(fail_under: str | None, code: int) -> None:
    args = ["--fail-under", fail_under] if fail_under else []
    done = run_cli(str(LEVEL2), "--quiet", "--format", "shields", *args)
    assert done.returncode == code
    assert json.loads(done.stdout)["message"] == "2 · automated training"
    expected = f"mlops-scan: level 2 (Automated training) is below --fail-under {fail_under}\n" if code else ""
    assert done.stderr == expected


@pytest.mark.parametrize(
    "args, message",
    [
        (["--fail-under", "5"], "mlops-scan: error: --fail-under 5: the model's levels go from 0 to 4"),
        (["--fail-under", "-1"], "mlops-scan: error: Invalid value for '--fail-under': -1 is not in the range x>=0."),
        (
            ["--fail-under", "two"],
            "mlops-scan: error: Invalid value for '--fail-under': 'two' is not a valid integer range.",
        ),
        (
            ["--format", "html"],
            "mlops-scan: error: Invalid value for '--format' / '-f': 'html' is not one of "
            "'text', 'json', 'markdown', 'sarif', 'shields', 'github', 'gitlab'.",
        ),
        (["--model", "nope"], "mlops-scan: error: nope: no such maturity model (built-in: microsoft, google)"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    done = run_cli(str(LEVEL2), "--quiet", *args)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message + "\n")


def test_missing_path_exits_2(tmp_path: Path) -> None:
    done = run_cli(str(tmp_path / "absent"), "--fail-under", "1")
    assert (
        done.returncode == 2 and done.stderr == f"mlops-scan: error: {tmp_path / 'absent'}: no such file or directory\n"
    )


def test_unwritable_badge_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "no" / "badge.svg"
    done = run_cli(str(LEVEL2), "--quiet", "--badge", str(target))
    assert done.returncode == 2
    assert done.stderr == f"mlops-scan: error: {target}: cannot write badge (No such file or directory)\n"


def test_help_documents_the_exit_codes() -> None:
    text = " ".join(run_cli("scan", "--help").stdout.split())
    assert (
        "Exit codes: 0 scan done (and the level is at least --fail-under); 1 the level is below --fail-under; "
        "2 usage, configuration, input or rule-pack error; 3 internal error (a bug)."
    ) in text


def test_reports_are_written_before_a_failing_gate(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    done = run_cli(
        str(LEVEL2),
        "--quiet",
        "--fail-under",
        "3",
        "--format",
        "sarif",
        "--output",
        str(tmp_path / "r.sarif"),
        "--badge",
        str(tmp_path / "b.svg"),
        "--summary",
        str(summary),
        "--json-output",
        str(tmp_path / "r.json"),
    )
    assert done.returncode == 1 and done.stdout == ""
    assert json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert "2 · automated training" in (tmp_path / "b.svg").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["level"] == 2
    text = summary.read_text(encoding="utf-8")
    assert text.startswith(
        "earlier step\n<!-- mlops-scan report -->\n## MLOps maturity: level 2 of 4 · Automated training\n"
    )


def test_summary_links_point_at_the_commit_on_github_actions(tmp_path: Path) -> None:
    env = ci_env(GITHUB_SERVER_URL="https://github.com", GITHUB_REPOSITORY="acme/churn", GITHUB_SHA="f00d")
    done = subprocess.run(
        [sys.executable, "-m", "mlops_scan", str(LEVEL2), "-q", "-f", "markdown"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "(https://github.com/acme/churn/blob/f00d/fixtures/level2-mlflow-dvc/dvc.yaml#L" in done.stdout


def test_sarif_points_repository_level_results_at_the_readme(repo: Path) -> None:
    (repo / "README.md").write_text("# churn\n", encoding="utf-8")
    log = json.loads(run_cli(str(repo), "-q", "-f", "sarif").stdout)
    missing = [r for r in log["runs"][0]["results"] if r["properties"]["category"] == "missing"]
    assert [r["ruleId"] for r in missing] == ["deployment_automation", "ab_testing"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in missing} == {"README.md"}


def test_sarif_points_asserted_results_at_the_configuration(repo: Path) -> None:
    (repo / "README.md").write_text("# churn\n", encoding="utf-8")
    (repo / ".mlops-scan.toml").write_text(
        '[assume]\nab_testing = "traffic split by the gateway team"\n', encoding="utf-8"
    )
    results = json.loads(run_cli(str(repo), "-q", "-f", "sarif").stdout)["runs"][0]["results"]
    located = {
        r["properties"]["capability"]: (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in results
    }
    assert located["ab_testing"] == ("ab_testing", ".mlops-scan.toml")
    assert located["deployment_automation"] == ("deployment_automation", ".mlops-scan.toml")
    assert located["collaboration"] == ("collaboration.importable-ml-package", "src/churn/train.py")


# The GitHub Action


def action() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


# The action's own tests: tests/test_action.py


# pre-commit


def test_pre_commit_hook(repo: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["pass_filenames"], hook["always_run"]) == (
        "mlops-scan",
        "python",
        False,
        True,
    )
    command = shlex.split(hook["entry"])
    passed = subprocess.run(
        [*command, "--fail-under", "2"], capture_output=True, text=True, cwd=repo, env=ci_env(), timeout=120
    )
    assert passed.returncode == 0 and passed.stdout.startswith("mlops-scan: .\nMLOps maturity level 2")
    (repo / "pyproject.toml").write_text("[tool.mlops-scan]\nfail-under = 3\n", encoding="utf-8")
    failed = subprocess.run(command, capture_output=True, text=True, cwd=repo, env=ci_env(), timeout=120)
    assert failed.returncode == 1 and "\x1b[" not in failed.stdout


# docs/ci.md: the commands it shows work when pasted


def doc_commands() -> list[str]:
    """Every mlops-scan command line in docs/ci.md's code blocks (YAML list items and run: keys unwrapped)."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|yaml)\n(.*?)```", text, re.S)
    lines = [re.sub(r"^\s*(?:- )?(?:run: )?", "", line) for block in blocks for line in block.splitlines()]
    return [line.split(" || ")[0] for line in lines if line.startswith("mlops-scan ")]


def test_docs_show_the_expected_commands() -> None:
    assert len(doc_commands()) == 9
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert (
        "- id: mlops-scan" in text
        and "uses: your-org/mlops-scan@v0.2.0" in text
        and "pip install mlops-scan" not in text
    )
    for name in action()["inputs"]:
        assert f"`{name}`" in text


@pytest.mark.parametrize("command", doc_commands())
def test_doc_command_runs(command: str, repo: Path, tmp_path: Path) -> None:
    (repo / "docs").mkdir()
    env = ci_env(GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"), RUNNER_TEMP=str(tmp_path))
    done = subprocess.run(
        ["bash", "-c", command.replace("$(Agent.TempDirectory)", str(tmp_path))],
        capture_output=True,
        text=True,
        cwd=repo,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, (command, done.stderr)
    for produced in re.findall(r"(?:--output|--badge|--summary) \"?([^\s\"]+)", command):
        target = Path(
            re.sub(
                r"\$\((Agent\.TempDirectory)\)|\$(\w+)",
                lambda m: str(tmp_path) if m.group(1) else env[m.group(2)],
                produced,
            )
        )
        assert (target if target.is_absolute() else repo / target).stat().st_size > 0, produced
