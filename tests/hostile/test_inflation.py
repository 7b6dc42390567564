"""Nothing inflates the level from places that are not the project's own, running code.

Each case is generated: the level-1 repository of :func:`hostile.repos.base_repo` (or, for the
CI cases, the same without its workflow, at level 0), plus evidence of level-2 capabilities
(MLflow tracking and registry, a training pipeline) or of CI placed where it must not count:
vendored or hidden folders written in any case, setuptools' build copy, or CI jobs and steps
switched off with a literal false. The level must stay where the repository's own code puts
it, the planted capability must not be present, and the scan must open nothing outside.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hostile.repos import TRACKING, base_repo, scan, write
from hostile.watch import outside, watch_opens

LEVEL_2_CODE = TRACKING + (
    "mlflow.register_model('runs:/abc/model', 'churn')\n"
    "from kfp import dsl\n\n\n@dsl.pipeline(name='train')\ndef train():\n    pass\n"
)
PLANTED_FOLDERS = [
    "Vendor/mlops_kit",
    "src/VENDORED/kit",
    "src/app/_vendor/kit",
    "ThirdParty/kit",
    "3rdparty/kit",
    "extern/kit",
    "build/lib/app",
    ".cache/pip/kit",
    "web/.Vite/deps",
    "Examples/churn",
]
DISABLED_WORKFLOWS = {
    "job-if-false": "    if: false\n",
    "job-if-expression-false": "    if: ${{ false }}\n",
    "job-if-zero": "    if: ${{ 0 }}\n",
    "job-if-False": "    if: False\n",
}
WORKFLOW = """\
name: ci
on: [push, pull_request]
jobs:
  test:
{condition}    runs-on: ubuntu-latest
    steps:
      - run: pytest -q
"""


def _watched_scan(repo: Path):
    with watch_opens() as opened:
        report = scan(repo)
    return report, list(opened)


@pytest.mark.parametrize("folder", PLANTED_FOLDERS)
def test_level_2_code_in_a_zone_does_not_raise_the_level(tmp_path: Path, folder: str) -> None:
    repo = base_repo(tmp_path / "repo")
    write(repo, f"{folder}/train.py", LEVEL_2_CODE)
    report, opened = _watched_scan(repo)
    assert report.level == 1
    tracking = report.data["capabilities"]["experiment_tracking"]
    assert not tracking["present"]
    assert tracking["evidence"] and {e["strength"] for e in tracking["evidence"]} == {"weak"}
    assert outside(opened, repo) == []


Variant = Callable[[Path], None]
STEP_OFF: dict[str, Variant] = {
    "gitlab-rules-never": lambda r: write(
        r, ".gitlab-ci.yml", "test:\n  rules:\n    - when: never\n  script:\n    - pytest -q\n"
    ),
    "gitlab-workflow-never": lambda r: write(
        r, ".gitlab-ci.yml", "workflow:\n  rules:\n    - when: never\ntest:\n  script:\n    - pytest -q\n"
    ),
    "azure-condition-false": lambda r: write(
        r,
        "azure-pipelines.yml",
        "trigger: [main]\npr: [main]\njobs:\n  - job: test\n    condition: False\n    steps:\n      - script: pytest -q\n",
    ),
    **{
        name: (lambda r, c=condition: write(r, ".github/workflows/ci.yml", WORKFLOW.format(condition=c)))
        for name, condition in DISABLED_WORKFLOWS.items()
    },
}


@pytest.mark.parametrize("case", sorted(STEP_OFF))
def test_ci_switched_off_with_a_literal_false_is_no_ci(tmp_path: Path, case: str) -> None:
    repo = base_repo(tmp_path / "repo")
    (repo / ".github/workflows/ci.yml").unlink()
    STEP_OFF[case](repo)
    report, opened = _watched_scan(repo)
    assert report.level == 0
    assert not report.data["capabilities"]["ci"]["present"]
    assert report.data["capabilities"]["ci"]["evidence"] == []
    assert outside(opened, repo) == []


def test_a_condition_that_depends_on_the_run_still_counts(tmp_path: Path) -> None:
    repo = base_repo(tmp_path / "repo")
    write(repo, ".github/workflows/ci.yml", WORKFLOW.format(condition="    if: ${{ github.event_name == 'x' }}\n"))
    report, _ = _watched_scan(repo)
    assert report.level == 1
    assert report.evidence("ci.github-actions-workflow") == [(".github/workflows/ci.yml", 2)]
