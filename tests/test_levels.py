"""Each level fixture reaches exactly its level, with exactly the expected evidence, through the API and the CLI."""

from __future__ import annotations

import pytest
from scanning import assess_fixture, evidence_paths, json_evidence_paths, json_report

from mlops_scan.types import Strength, Zone

CI_GH = ".github/workflows/ci.yml"

# fixture -> (level, present capabilities, capability -> paths of all its evidence)
EXPECTED: dict[str, tuple[int, set[str], dict[str, set[str]]]] = {
    "level0-notebooks": (
        0,
        {"notebook_centric"},
        {"notebook_centric": {"notebooks/02-train.ipynb"}},
    ),
    "level1-actions-pytest": (
        1,
        {"ci", "automated_tests", "release_automation"},
        {
            "ci": {CI_GH},
            "automated_tests": {CI_GH, "pyproject.toml", "tests/test_discount.py"},
            "release_automation": {".github/workflows/release.yml"},
        },
    ),
    "level2-mlflow-dvc": (
        2,
        {"ci", "automated_tests", "training_pipeline", "experiment_tracking", "model_registry", "reproducibility"},
        {
            "ci": {".gitlab-ci.yml"},
            "automated_tests": {".gitlab-ci.yml", "requirements.txt", "tests/test_prepare.py"},
            "training_pipeline": {"dvc.yaml"},
            "experiment_tracking": {"requirements.txt", "src/churn/train.py"},
            "model_registry": {"src/churn/train.py"},
            "model_packaging": {"src/churn/train.py"},
            "reproducibility": {"params.yaml", "requirements.txt"},
            "collaboration": {"src/churn/train.py"},
        },
    ),
    "level3-azureml-bluegreen": (
        3,
        {
            "ci",
            "automated_tests",
            "ops_metrics",
            "training_pipeline",
            "experiment_tracking",
            "model_registry",
            "reproducibility",
            "model_packaging",
            "deployment_automation",
            "ab_testing",
        },
        {
            "ci": {".pipelines/ci.yml"},
            "automated_tests": {".pipelines/ci.yml", "requirements.txt", "tests/test_score.py"},
            "ops_metrics": {"azureml/deploy/blue.yml"},
            "training_pipeline": {"azureml/train-pipeline.yml"},
            "experiment_tracking": {"requirements.txt", "src/fraud/train.py"},
            "model_registry": {"azureml/model.yml"},
            "reproducibility": {"requirements.txt"},
            "collaboration": {"src/fraud/score.py", "src/fraud/train.py"},
            "model_packaging": {
                "azureml/deploy/blue.yml",
                "azureml/deploy/green.yml",
                "src/fraud/score.py",
                "src/fraud/train.py",
            },
            "deployment_automation": {
                "azureml/deploy/blue.yml",
                "azureml/deploy/endpoint.yml",
                "azureml/deploy/green.yml",
            },
            "ab_testing": {"azureml/deploy/endpoint.yml"},
        },
    ),
    "level4-kserve-evidently": (
        4,
        {
            "ci",
            "automated_tests",
            "training_pipeline",
            "experiment_tracking",
            "model_registry",
            "collaboration",
            "deployment_automation",
            "ab_testing",
            "model_monitoring",
            "automated_retraining",
        },
        {
            "ci": {CI_GH},
            "automated_tests": {CI_GH, "pyproject.toml", "tests/test_model.py"},
            "training_pipeline": {".github/workflows/retrain.yml", "src/recsys/pipeline.py", "src/recsys/retrain.py"},
            "experiment_tracking": {"pyproject.toml", "src/recsys/pipeline.py"},
            "model_registry": {"src/recsys/pipeline.py"},
            "collaboration": {"pyproject.toml", "src/recsys/model.py"},
            "deployment_automation": {"k8s/inferenceservice.yaml"},
            "ab_testing": {"k8s/inferenceservice.yaml"},
            "model_monitoring": {"pyproject.toml", "src/recsys/drift.py"},
            "automated_retraining": {".github/workflows/retrain.yml"},
        },
    ),
}

# The evidence that decides each required capability (best first): rule id and path:line.
DECIDING: dict[str, dict[str, tuple[str, str]]] = {
    "level1-actions-pytest": {
        "ci": ("ci.github-actions-workflow", ".github/workflows/ci.yml:3"),
        "automated_tests": ("automated_tests.ci-runs-tests", ".github/workflows/ci.yml:15"),
    },
    "level2-mlflow-dvc": {
        "training_pipeline": ("training_pipeline.dvc-stages", "dvc.yaml:3"),
        "experiment_tracking": ("experiment_tracking.mlflow-log-call", "src/churn/train.py:16"),
        "model_registry": ("model_registry.mlflow-register-model", "src/churn/train.py:22"),
    },
    "level3-azureml-bluegreen": {
        "deployment_automation": ("deployment_automation.azureml-endpoint-yaml", "azureml/deploy/endpoint.yml:1"),
        "ab_testing": ("ab_testing.azureml-endpoint-traffic", "azureml/deploy/endpoint.yml:5"),
        "model_registry": ("model_registry.azureml-model-yaml", "azureml/model.yml:1"),
    },
    "level4-kserve-evidently": {
        "ab_testing": ("ab_testing.kserve-canary", "k8s/inferenceservice.yaml:7"),
        "model_monitoring": ("model_monitoring.evidently-report", "src/recsys/drift.py:9"),
        "automated_retraining": ("automated_retraining.scheduled-training-ci", ".github/workflows/retrain.yml:12"),
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_level_and_evidence_through_api(name: str) -> None:
    level, present, paths = EXPECTED[name]
    a = assess_fixture(name)
    assert a.level == level
    assert a.levels[level].reached and (level + 1 == len(a.levels) or not a.levels[level + 1].reached)
    assert {c for c, s in a.capabilities.items() if s.present} == present
    assert evidence_paths(a) == paths
    assert a.ahead == ()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_required_capabilities_rest_on_strong_project_evidence(name: str) -> None:
    """Each fixture earns its level from project code, not from tests, docs or examples."""
    level = EXPECTED[name][0]
    a = assess_fixture(name)
    for definition in a.model.levels[1 : level + 1]:
        for cid in definition.required:
            best = a.capabilities[cid].best
            assert best is not None and best.strength is Strength.STRONG, (cid, best)
            allowed = {Zone.PROJECT, Zone.TESTS} if cid == "automated_tests" else {Zone.PROJECT}
            assert best.zone in allowed, (cid, best)


@pytest.mark.parametrize("name", sorted(DECIDING))
def test_best_evidence_of_required_capabilities(name: str) -> None:
    a = assess_fixture(name)
    for cid, (rule, location) in DECIDING[name].items():
        best = a.capabilities[cid].best
        assert best is not None and (best.rule, best.location) == (rule, location)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_level_and_evidence_through_cli_json(name: str) -> None:
    level, present, paths = EXPECTED[name]
    report = json_report(name)
    assert report["level"] == level
    assert report["level_name"] == assess_fixture(name).model.levels[level].name
    assert {c for c, v in report["capabilities"].items() if v["present"]} == present
    assert json_evidence_paths(report) == paths
    assert [lv["reached"] for lv in report["levels"]] == [n <= level for n in range(5)]


def test_notebook_fixture_measures_its_notebooks() -> None:
    a = assess_fixture("level0-notebooks")
    # 7 code lines in 01-explore (2 + 2 + 3) and 10 in 02-train (3 + 4 + 3); the fit call is in 02-train.
    measured = a.measurements["notebook"]
    assert {
        k: measured[k]
        for k in (
            "notebooks",
            "notebook_code_lines",
            "python_code_lines",
            "share",
            "notebooks_with_outputs",
            "training_in_notebooks",
            "training_in_modules",
        )
    } == {
        "notebooks": 2,
        "notebook_code_lines": 17,
        "python_code_lines": 0,
        "share": 1.0,
        "notebooks_with_outputs": 0,
        "training_in_notebooks": 1,
        "training_in_modules": 0,
    }
    assert a.capabilities["notebook_centric"].present
    assert [s.capability for s in a.next_steps] == ["ci", "automated_tests"]


def test_top_level_has_no_next_steps() -> None:
    a = assess_fixture("level4-kserve-evidently")
    assert a.next_steps == ()
    assert all(status.reached for status in a.levels)


def test_test_file_evidence_points_at_the_first_test_function() -> None:
    """Blank lines above ``def test_...`` are not the match (the rule's pattern starts with ``^\\s*``)."""
    a = assess_fixture("level1-actions-pytest")
    [found] = [
        e for e in a.capabilities["automated_tests"].evidence if e.rule == "automated_tests.pytest-test-function"
    ]
    assert (found.location, found.snippet) == ("tests/test_discount.py:6", "def test_ten_percent_off():")


def test_tag_only_release_workflow_is_not_ci() -> None:
    a = assess_fixture("level1-actions-pytest")
    assert {e.path for e in a.capabilities["ci"].evidence} == {".github/workflows/ci.yml"}
    assert {e.rule for e in a.capabilities["release_automation"].evidence} == {
        "release_automation.github-release-trigger",
        "release_automation.publish-step",
    }
