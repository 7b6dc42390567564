"""Repositories that look like MLOps but are not: each stays at its true level, with only the evidence it deserves."""

from __future__ import annotations

import pytest
from scanning import FIXTURES, assess_fixture, evidence_paths, json_evidence_paths, json_report

from mlops_scan.facts.project import detect_project
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import Strength, Zone

TEMPLATE = "{{ cookiecutter.repo_name }}"
TEMPLATE_TRAIN = f"{TEMPLATE}/src/{{{{ cookiecutter.package_name }}}}/train.py"

# trap -> (level, present capabilities, capability -> paths of all its evidence)
EXPECTED: dict[str, tuple[int, set[str], dict[str, set[str]]]] = {
    "traps/tool-own-source": (0, set(), {}),
    "traps/examples-only": (
        1,
        {"ci", "automated_tests"},
        {
            "ci": {".github/workflows/ci.yml"},
            "automated_tests": {".github/workflows/ci.yml", "tests/test_join.py"},
            "training_pipeline": {"examples/churn-training/dvc.yaml"},
            "experiment_tracking": {"examples/churn-training/train.py"},
            "model_registry": {"examples/churn-training/train.py"},
            "model_packaging": {"examples/churn-training/train.py"},
            "deployment_automation": {"examples/churn-training/inferenceservice.yaml"},
            "ab_testing": {"examples/churn-training/inferenceservice.yaml"},
        },
    ),
    "traps/tests-mock-mlflow": (
        0,
        {"automated_tests"},
        {
            "automated_tests": {"tests/test_train.py"},
            "experiment_tracking": {"tests/test_train.py"},
            "model_registry": {"tests/test_train.py"},
            "collaboration": {"src/forecast/train.py"},
        },
    ),
    "traps/readme-only": (0, set(), {}),
    "traps/cookiecutter-template": (
        0,
        set(),
        {
            "ci": {f"{TEMPLATE}/.github/workflows/ci.yml"},
            "automated_tests": {f"{TEMPLATE}/tests/test_train.py"},
            "training_pipeline": {f"{TEMPLATE}/dvc.yaml"},
            "experiment_tracking": {TEMPLATE_TRAIN},
            "model_registry": {TEMPLATE_TRAIN},
            "collaboration": {TEMPLATE_TRAIN},
        },
    ),
    "traps/k8s-no-model": (0, set(), {"ops_metrics": {"deploy/web.yaml"}}),  # a readiness probe: service health only
    "traps/commented-out": (0, set(), {"collaboration": {"src/scoring/train.py"}}),
}
# Present above the level reached: tests exist, but no CI runs them (MATURITY.md, automated_tests convention).
AHEAD = {"traps/tests-mock-mlflow": ["automated_tests"]}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_trap_through_api(name: str) -> None:
    level, present, paths = EXPECTED[name]
    a = assess_fixture(name)
    assert a.level == level
    assert {c for c, s in a.capabilities.items() if s.present} == present
    assert evidence_paths(a) == paths
    assert list(a.ahead) == AHEAD.get(name, [])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_trap_through_cli_json(name: str) -> None:
    level, present, paths = EXPECTED[name]
    report = json_report(name)
    assert report["level"] == level
    assert {c for c, v in report["capabilities"].items() if v["present"]} == present
    assert json_evidence_paths(report) == paths
    assert report["ahead"] == AHEAD.get(name, [])


def test_tool_own_source_is_not_use_of_the_tool() -> None:
    """A repository whose pyproject names the package ``mlflow`` calls its own API, not a tracker."""
    snapshot = open_snapshot(FIXTURES / "traps/tool-own-source")
    project = detect_project(snapshot, {})
    assert project.packages == {"mlflow"}
    assert project.distributions == {"mlflow"}
    a = assess_fixture("traps/tool-own-source")
    for cid in ("experiment_tracking", "model_registry"):
        assert a.capabilities[cid].reason == "no evidence"


def test_examples_evidence_is_weak_and_does_not_lift_the_level() -> None:
    a = assess_fixture("traps/examples-only")
    examples = [e for s in a.capabilities.values() for e in s.evidence if e.path.startswith("examples/")]
    assert {(e.rule, e.location) for e in examples} == {
        ("training_pipeline.dvc-stages", "examples/churn-training/dvc.yaml:3"),
        ("experiment_tracking.mlflow-log-call", "examples/churn-training/train.py:10"),
        ("model_registry.mlflow-log-model-registered", "examples/churn-training/train.py:13"),
        ("model_packaging.mlflow-model-format", "examples/churn-training/train.py:13"),
        ("deployment_automation.kserve-inferenceservice", "examples/churn-training/inferenceservice.yaml:2"),
        ("ab_testing.kserve-canary", "examples/churn-training/inferenceservice.yaml:7"),
    }
    assert all(e.strength is Strength.WEAK and e.zone is Zone.EXAMPLES for e in examples)
    assert all(e.rule_strength is not None for e in examples)  # the rule's own strength is kept for the report
    for cid in ("training_pipeline", "experiment_tracking", "model_registry"):
        assert a.capabilities[cid].reason == "only weak evidence"
    assert a.level == 1
    assert [s.capability for s in a.next_steps] == ["training_pipeline", "experiment_tracking", "model_registry"]


def test_examples_evidence_in_json_keeps_the_rule_strength() -> None:
    report = json_report("traps/examples-only")
    [item] = report["capabilities"]["experiment_tracking"]["evidence"]
    assert item == {
        "rule": "experiment_tracking.mlflow-log-call",
        "path": "examples/churn-training/train.py",
        "line": 10,
        "strength": "weak",
        "zone": "examples",
        "snippet": "with mlflow.start_run():",
        "rule_strength": "strong",
    }


def test_mocked_mlflow_in_tests_is_weak() -> None:
    a = assess_fixture("traps/tests-mock-mlflow")
    for cid in ("experiment_tracking", "model_registry"):
        status = a.capabilities[cid]
        assert not status.present and status.reason == "only weak evidence"
        assert {(e.strength, e.zone) for e in status.evidence} == {(Strength.WEAK, Zone.TESTS)}
    tests = a.capabilities["automated_tests"]
    assert tests.present and tests.best is not None and tests.best.strength is Strength.STRONG  # tests count for tests


def test_readme_mention_is_no_evidence() -> None:
    a = assess_fixture("traps/readme-only")
    assert all(not s.evidence for s in a.capabilities.values())


def test_template_evidence_is_weak_in_templates_zone() -> None:
    a = assess_fixture("traps/cookiecutter-template")
    found = [e for s in a.capabilities.values() for e in s.evidence]
    assert found and all(e.zone is Zone.TEMPLATES and e.strength is Strength.WEAK for e in found)


def test_commented_out_code_is_no_evidence() -> None:
    a = assess_fixture("traps/commented-out")
    for cid in (
        "ci",
        "automated_tests",
        "training_pipeline",
        "experiment_tracking",
        "model_registry",
        "reproducibility",
    ):
        assert a.capabilities[cid].evidence == (), cid


def test_manifests_that_serve_no_model_prove_no_model_capability() -> None:
    a = assess_fixture("traps/k8s-no-model")
    for cid in (
        "deployment_automation",
        "ab_testing",
        "model_packaging",
        "model_monitoring",
        "automated_retraining",
        "training_pipeline",
    ):
        assert a.capabilities[cid].evidence == (), cid
