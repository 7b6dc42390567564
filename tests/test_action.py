"""The GitHub Action (action.yml): its metadata, the pinned dependencies it installs, and its run: steps executed as
the runner executes them (inputs through env, outputs read back from $GITHUB_OUTPUT), without act."""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from scanning import FIXTURES
from schemas import valid_report

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INPUTS = {
    "path": ".",
    "fail-under": "",
    "format": "text",
    "output": "",
    "badge": "",
    "config": "auto",
    "config-file": "",
    "args": "",
    "python-version": "3.12",
}
ASSUME = (
    '[assume]\ndeployment_automation = "the platform team deploys"\nab_testing = "the platform team splits traffic"\n'
)


def action() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def step(name: str) -> dict:  # type: ignore[type-arg]
    return next(s for s in action()["runs"]["steps"] if s["name"] == name)


def test_action_metadata() -> None:
    meta = action()
    assert set(meta["inputs"]) == set(INPUTS)
    assert {k: v["default"] for k, v in meta["inputs"].items()} == INPUTS
    assert meta["outputs"] == {
        "level": {"description": "The maturity level reached (0-4).", "value": "${{ steps.scan.outputs.level }}"},
        "json-report": {
            "description": "Path of the JSON report of the scan (docs/json-output.md).",
            "value": "${{ steps.scan.outputs.json-report }}",
        },
    }
    steps = meta["runs"]["steps"]
    assert [s["name"] for s in steps] == [
        "Set up Python",
        "Cache key",
        "Cache pip downloads",
        "Install mlops-scan",
        "Scan",
    ]
    assert steps[0]["uses"] == "actions/setup-python@v5"  # a pinned major
    assert steps[0]["with"] == {"python-version": "${{ inputs.python-version }}", "update-environment": False}
    assert steps[2]["uses"] == "actions/cache@v4"
    assert steps[2]["with"] == {"path": "~/.cache/mlops-scan/pip", "key": "${{ steps.cache.outputs.key }}"}
    install = steps[3]["run"]
    assert 'PIP_CACHE_DIR="$HOME/.cache/mlops-scan/pip"' in install  # the folder the cache step keeps
    assert '--constraint "$GITHUB_ACTION_PATH/action-constraints.txt"' in install
    assert all(s["shell"] == "bash" for s in steps if "run" in s)


def pins() -> dict[str, Requirement]:
    lines = (ROOT / "action-constraints.txt").read_text(encoding="utf-8").splitlines()
    found = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(r.name): r for r in found}


def test_every_runtime_dependency_is_pinned() -> None:
    pinned = pins()
    assert all(len(r.specifier) == 1 and next(iter(r.specifier)).operator == "==" for r in pinned.values())
    needed: dict[str, list[Requirement]] = {}
    queue = [Requirement(r) for r in metadata.requires("mlops-scan") or []]
    while queue:
        requirement = queue.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        needed.setdefault(name, []).append(requirement)
        if len(needed[name]) == 1:
            queue += [Requirement(r) for r in metadata.requires(requirement.name) or []]
    assert set(needed) <= set(pinned), sorted(set(needed) - set(pinned))
    for name, requirements in needed.items():
        version = next(iter(pinned[name].specifier)).version
        assert all(r.specifier.contains(version, prereleases=True) for r in requirements), (name, version)
    assert str(pinned["tomli"].marker) == 'python_version < "3.11"'  # for Python 3.10, which has no tomllib


def run_step(
    name: str, tmp_path: Path, cwd: Path, inputs: dict[str, str], **env: str
) -> subprocess.CompletedProcess[str]:
    """Run one step's script as the runner would: its env with the inputs substituted, bash -e."""
    values = INPUTS | inputs
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    environment |= {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "RUNNER_TEMP": str(tmp_path),
        "RUNNER_OS": "Linux",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_EVENT_NAME": "push",
    }
    for key, template in step(name).get("env", {}).items():
        environment[key] = re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: values[m.group(1)], template)
    environment |= env
    return subprocess.run(
        ["bash", "-e", "-c", step(name)["run"]], capture_output=True, text=True, env=environment, cwd=cwd, timeout=120
    )


def outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "output.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The level-2 fixture with a configuration that asserts the two capabilities of level 3."""
    root = Path(shutil.copytree(FIXTURES / "level2-mlflow-dvc", tmp_path / "repo"))
    (root / ".mlops-scan.toml").write_text(ASSUME, encoding="utf-8")
    return root


def pull_request(tmp_path: Path, head: str | None) -> str:
    """The event payload of a pull request to org/shop from ``head`` (None: the fork was deleted)."""
    payload = {
        "pull_request": {"head": {"repo": {"full_name": head} if head else None}},
        "repository": {"full_name": "org/shop"},
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)


def command_line(done: subprocess.CompletedProcess[str]) -> str:
    return next(line for line in done.stdout.splitlines() if line.startswith("mlops-scan . "))


def test_cache_key(tmp_path: Path) -> None:
    done = run_step("Cache key", tmp_path, ROOT, {}, PYTHON_VERSION="3.12.7")
    assert done.returncode == 0, done.stderr
    digest = hashlib.sha256((ROOT / "action-constraints.txt").read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    assert outputs(tmp_path) == {"key": f"mlops-scan-pip-Linux-3.12.7-{digest.hexdigest()[:16]}"}


def test_scan_reads_the_repository_configuration_on_a_push(tmp_path: Path, repo: Path) -> None:
    done = run_step("Scan", tmp_path, repo, {"badge": str(tmp_path / "badge.svg")})
    assert done.returncode == 0, done.stderr
    report = tmp_path / "mlops-scan.json"
    assert command_line(done) == (
        f"mlops-scan . --format text --summary {tmp_path}/summary.md --json-output {report} --no-color"
        f" --badge {tmp_path}/badge.svg "
    )
    assert "MLOps maturity level 3: Automated model deployment" in done.stdout
    assert outputs(tmp_path) == {"level": "3", "json-report": str(report)}
    assert valid_report(report.read_text(encoding="utf-8"))["notes"][0] == "Configuration: .mlops-scan.toml."
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("<!-- mlops-scan report -->\n")


@pytest.mark.parametrize("head", ["someone/shop", None], ids=["fork", "deleted-fork"])
def test_a_pull_request_from_a_fork_scans_without_its_configuration(
    tmp_path: Path, repo: Path, head: str | None
) -> None:
    event = pull_request(tmp_path, head)
    done = run_step("Scan", tmp_path, repo, {}, GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=event)
    assert done.returncode == 0, done.stderr
    assert command_line(done).endswith(" --no-color --no-config ")
    assert done.stdout.startswith(
        "::notice title=mlops-scan::A pull request from a fork: the repository's configuration is not read"
        " (--no-config).\n"
    )
    assert outputs(tmp_path)["level"] == "2"
    assert valid_report((tmp_path / "mlops-scan.json").read_text(encoding="utf-8"))["notes"] == []


def test_a_pull_request_from_a_branch_reads_the_configuration(tmp_path: Path, repo: Path) -> None:
    event = pull_request(tmp_path, "org/shop")
    done = run_step("Scan", tmp_path, repo, {}, GITHUB_EVENT_NAME="pull_request_target", GITHUB_EVENT_PATH=event)
    assert done.returncode == 0, done.stderr
    assert command_line(done).endswith(" --no-color ") and outputs(tmp_path)["level"] == "3"


@pytest.mark.parametrize(
    ("inputs", "flags", "level"),
    [
        ({"config": "none"}, "--no-config", "2"),
        ({"config": "trusted"}, "--trusted-config", "3"),
        (
            {"config": "none", "config-file": "team.toml", "args": "--exclude 'legacy code' --per-project"},
            "--no-config --config team.toml --exclude legacy\\ code --per-project",
            "2",
        ),
    ],
    ids=["none", "trusted", "config-file-and-args"],
)
def test_config_inputs_choose_the_flags(
    tmp_path: Path, repo: Path, inputs: dict[str, str], flags: str, level: str
) -> None:
    (repo / "team.toml").write_text("fail-under = 1\n", encoding="utf-8")
    done = run_step("Scan", tmp_path, repo, inputs)
    assert done.returncode == 0, done.stderr
    assert command_line(done).endswith(f" --no-color {flags} ")
    assert outputs(tmp_path)["level"] == level


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"config": "yes"}, "::error title=mlops-scan::config must be auto, trusted or none, not 'yes'\n"),
        ({"args": "--exclude 'legacy"}, ""),
    ],
    ids=["config", "unclosed-quote"],
)
def test_bad_inputs_stop_the_step(tmp_path: Path, repo: Path, inputs: dict[str, str], message: str) -> None:
    done = run_step("Scan", tmp_path, repo, inputs)
    assert done.returncode == 2
    if message:
        assert done.stdout == message
    else:
        assert done.stderr == "::error title=mlops-scan::args cannot be split into words (No closing quotation)\n"
    assert not (tmp_path / "output.txt").exists()


def test_scan_step_fails_below_the_gate_after_the_summary(tmp_path: Path, repo: Path) -> None:
    done = run_step("Scan", tmp_path, repo, {"fail-under": "4", "format": "sarif", "output": str(tmp_path / "r.sarif")})
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "mlops-scan: warning: --fail-under 4: The assumptions come from the scanned repository's .mlops-scan.toml, not"
        " from mlops-scan or the command line: the level depends on them (scan with --no-config to leave them out, or"
        " --trusted-config if you vouch for them).",
        "mlops-scan: level 3 (Automated model deployment) is below --fail-under 4",
    ]
    assert (tmp_path / "summary.md").exists() and outputs(tmp_path)["level"] == "3"
    assert json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))["runs"][0]["properties"]["level"] == 3


def test_scan_step_reports_a_usage_error(tmp_path: Path, repo: Path) -> None:
    done = run_step("Scan", tmp_path, repo, {"path": "absent"})
    assert done.returncode == 2 and done.stderr == "mlops-scan: error: absent: no such file or directory\n"
    assert not (tmp_path / "output.txt").exists()
