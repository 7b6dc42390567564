"""Entry points a CI step starts in the repository's own Python, and the chains from them (``via``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitrepos import commit, git, write
from hostile.repos import run

from mlops_scan.cli.app import cli
from mlops_scan.facts.entrypoints import EntryPoint, console_scripts, entry_points
from mlops_scan.facts.index import ProjectIndex
from mlops_scan.snapshot.tree import open_snapshot

CASE = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "automated_retraining" / "scheduled-ci-reaches"


def test_a_scheduled_step_cites_every_hop_to_the_training_call() -> None:
    result = CliRunner().invoke(cli, ["scan", str(CASE), "--no-config", "--format", "json"])
    evidence = json.loads(result.output)["capabilities"]["automated_retraining"]["evidence"]
    chains = {f"{e['path']}:{e['line']}": e.get("via", []) for e in evidence}
    assert chains == {
        ".github/workflows/nightly.yml:12": [
            "src/churn/pipeline.py:8",
            "src/churn/steps.py:13",
            "src/churn/model.py:16",
        ],
        # make retrain -> uv run churn-retrain (a console script) -> churn.cli:retrain
        ".github/workflows/weekly.yml:12": [
            "src/churn/cli.py:10",
            "src/churn/pipeline.py:8",
            "src/churn/steps.py:13",
            "src/churn/model.py:16",
        ],
    }


def _write(root: Path, files: dict[str, str]) -> ProjectIndex:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return ProjectIndex(open_snapshot(root))


def test_modules_packages_scripts_and_console_scripts_are_entry_points(tmp_path: Path) -> None:
    index = _write(
        tmp_path,
        {
            "setup.cfg": "[options.entry_points]\nconsole_scripts =\n    fraud-train = fraud.jobs:train\n",
            "fraud/__init__.py": "",
            "fraud/__main__.py": "print('hi')\n",
            "fraud/jobs.py": "def helper():\n    pass\n\n\ndef train():\n    pass\n",
            "ci/run_all.py": "print('all')\n",
        },
    )
    scripts = console_scripts(index.snapshot)
    assert scripts == {"fraud-train": "fraud.jobs:train"}
    command = "python -m fraud\npython3.11 -u ./run_all.py\nfraud-train --days 3\npython -m fraud.jobs"
    assert entry_points(index, command, scripts, "ci/nightly.yml") == [
        EntryPoint("fraud/__main__.py", None),
        EntryPoint("ci/run_all.py", None),
        EntryPoint("fraud/jobs.py", None),
        EntryPoint("fraud/jobs.py", 5),
    ]


def test_commands_that_start_no_code_of_the_repository_are_not_entry_points(tmp_path: Path) -> None:
    index = _write(tmp_path, {"pkg/__init__.py": "", "pkg/report.py": "print(1)\n"})
    command = (
        "pip install -e .\npython -m pytest -q\npython -c 'import pkg'\npython -m pkg\npython missing.py\nmy-pkg-tool"
    )
    assert entry_points(index, command, {}, ".github/workflows/ci.yml") == []


NIGHTLY = """on:
  schedule:
    - cron: "0 3 * * *"
jobs:
  retrain:
    runs-on: ubuntu-latest
    steps:
      - run: python -m shop.pipeline
"""
PIPELINE = "from shop.model import fit_model\n\n\ndef main():\n    fit_model()\n"
TRAINS = "from sklearn.linear_model import LogisticRegression\n\n\ndef fit_model():\n    LogisticRegression().fit([[0]], [0])\n"
IDLE = "def fit_model():\n    return None\n"


def test_a_kept_workflow_outcome_follows_the_code_its_schedule_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workflow never changes; the module its step reaches does: warm scans of each revision (the workflow's
    outcome kept from the first) say what cold scans say."""
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, ".github/workflows/nightly.yml", NIGHTLY)
    write(repo, "shop/__init__.py", "")
    write(repo, "shop/pipeline.py", PIPELINE)
    for day, model in enumerate((IDLE, TRAINS, IDLE)):
        write(repo, "shop/model.py", model)
        commit(repo, f"model {day}", day, f"m{day}")
    rule = "automated_retraining.scheduled-ci-reaches-training"
    for tag, trains in (("m0", False), ("m1", True), ("m2", False), ("m1", True)):
        warm = run("scan", "-f", "json", "-q", "--no-config", "--rev", tag, str(repo))
        cold = run("scan", "-f", "json", "-q", "--no-config", "--no-cache", "--rev", tag, str(repo))
        assert warm.stdout == cold.stdout, tag
        found = json.loads(warm.stdout)["capabilities"]["automated_retraining"]["evidence"]
        assert any(e["rule"] == rule for e in found) is trains, tag
