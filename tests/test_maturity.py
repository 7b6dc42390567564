"""The assessment: presence rule, zone down-grading, cumulative levels, completeness, ahead, next steps, asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from scanning import builtin_rules

from mlops_scan.assessment.ladder import assess, capability_status
from mlops_scan.assessment.maturity import load_model
from mlops_scan.errors import ModelError
from mlops_scan.evidence.collect import collect
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import CapabilityId, Evidence, RuleId, Strength, Zone

MODEL = load_model()
S, M, W = Strength.STRONG, Strength.MEDIUM, Strength.WEAK


def ev(
    capability: str,
    rule: str,
    strength: Strength = S,
    path: str = "src/train.py",
    line: int | None = 1,
    zone: Zone = Zone.PROJECT,
) -> Evidence:
    return Evidence(CapabilityId(capability), RuleId(f"{capability}.{rule}"), path, line, "", strength, zone)


def strong(*capabilities: str) -> list[Evidence]:
    return [ev(c, "signal") for c in capabilities]


LEVEL1 = ("ci", "automated_tests")
LEVEL2 = ("training_pipeline", "experiment_tracking", "model_registry")
LEVEL3 = ("deployment_automation", "ab_testing")
LEVEL4 = ("model_monitoring", "automated_retraining")


# presence rule (MATURITY.md 2)


@pytest.mark.parametrize(
    ("evidence", "present", "reason"),
    [
        ([ev("ci", "a", S)], True, "strong evidence"),
        ([ev("ci", "a", M), ev("ci", "b", M)], True, "medium evidence from 2 rules"),
        ([ev("ci", "a", M), ev("ci", "a", M, path="other.yml")], False, "medium evidence from only 1 rule (2 needed)"),
        ([ev("ci", "a", M)], False, "medium evidence from only 1 rule (2 needed)"),
        ([ev("ci", "a", W), ev("ci", "b", W), ev("ci", "c", W)], False, "only weak evidence"),
        ([ev("ci", "a", W), ev("ci", "b", M)], False, "medium evidence from only 1 rule (2 needed)"),
        ([], False, "no evidence"),
    ],
)
def test_presence_rule(evidence: list[Evidence], present: bool, reason: str) -> None:
    status = capability_status(MODEL.capabilities[CapabilityId("ci")], evidence)
    assert (status.present, status.reason) == (present, reason)


def test_evidence_is_ordered_best_first() -> None:
    items = [
        ev("ci", "w", W, "a.yml"),
        ev("ci", "m", M, "b.yml"),
        ev("ci", "s", S, "z.yml"),
        ev("ci", "s2", S, "c.yml"),
    ]
    status = capability_status(MODEL.capabilities[CapabilityId("ci")], items)
    assert [e.path for e in status.evidence] == ["c.yml", "z.yml", "b.yml", "a.yml"]
    assert status.best == items[3]


def test_best_evidence_prefers_a_place_proving_same_level_capabilities() -> None:
    docs, tests = ".github/workflows/docs.yml", ".github/workflows/tests.yml"
    items = [
        ev("ci", "github-actions-workflow", S, docs),
        ev("ci", "github-actions-workflow", S, tests),
        ev("automated_tests", "ci-runs-tests", S, tests),
        ev("release_automation", "deploy-step", S, docs),
        ev("automated_tests", "notebook-asserts", W, docs),
    ]
    caps = assess(MODEL, items).capabilities
    assert [e.path for e in caps[CapabilityId("ci")].evidence] == [tests, docs]
    assert caps[CapabilityId("release_automation")].best.path == docs  # type: ignore[union-attr]


def test_best_evidence_prefers_code_to_a_notebook() -> None:
    notebook, module = "experiments/Pipeline.ipynb", "pipelines/build_train.py"
    items = [
        ev("training_pipeline", "azureml-sdk-pipeline", S, notebook),
        ev("experiment_tracking", "run-log", S, notebook),
        ev("training_pipeline", "azureml-sdk-pipeline", S, module),
    ]
    caps = assess(MODEL, items).capabilities
    assert [e.path for e in caps[CapabilityId("training_pipeline")].evidence] == [module, notebook]


# down-grading (MATURITY.md 3), through the Evidence stage


def test_zones_downgrade_to_weak(tmp_path: Path) -> None:
    call = "import mlflow\n\nwith mlflow.start_run():\n    mlflow.log_metric('auc', 0.9)\n"
    for folder in ("src/app", "examples", "docs", "tests", "vendor/lib", "{{ cookiecutter.name }}"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "run.py").write_text(call, encoding="utf-8")
    (tmp_path / "tests" / "test_run.py").write_text("def test_run():\n    assert True\n", encoding="utf-8")
    evidence = collect(open_snapshot(tmp_path), builtin_rules()).evidence
    tracking = {
        (e.path, e.strength, e.zone, e.rule_strength)
        for e in evidence
        if e.rule == "experiment_tracking.mlflow-log-call"
    }
    assert tracking == {
        ("src/app/run.py", S, Zone.PROJECT, None),
        ("examples/run.py", W, Zone.EXAMPLES, S),
        ("docs/run.py", W, Zone.DOCS, S),
        ("tests/run.py", W, Zone.TESTS, S),
        ("vendor/lib/run.py", W, Zone.VENDORED, S),
        ("{{ cookiecutter.name }}/run.py", W, Zone.TEMPLATES, S),
    }
    [test_file] = [e for e in evidence if e.rule == "automated_tests.pytest-test-function"]
    assert (test_file.path, test_file.strength, test_file.zone) == (
        "tests/test_run.py",
        S,
        Zone.TESTS,
    )  # not down-graded


# cumulative level (MATURITY.md 4)


@pytest.mark.parametrize(
    ("present", "level"),
    [
        ((), 0),
        (("ci",), 0),
        (LEVEL1, 1),
        (LEVEL1 + LEVEL2, 2),
        (LEVEL1 + LEVEL2[:2], 1),
        (LEVEL1 + LEVEL2 + LEVEL3, 3),
        (LEVEL1 + LEVEL2 + LEVEL3 + LEVEL4, 4),
        (LEVEL2 + LEVEL3 + LEVEL4, 0),  # everything but CI and tests: still level 0
        (("ci",) + LEVEL2 + LEVEL3 + LEVEL4, 0),
        (LEVEL1 + LEVEL2 + LEVEL4, 2),  # level 4's capabilities without level 3's do not count
        (
            LEVEL1
            + (
                "release_automation",
                "ops_metrics",
                "reproducibility",
                "collaboration",
                "model_packaging",
                "data_validation",
            ),
            1,
        ),  # supporting capabilities never gate
    ],
)
def test_level_is_strictly_cumulative(present: tuple[str, ...], level: int) -> None:
    a = assess(MODEL, strong(*present))
    assert a.level == level
    assert [s.reached for s in a.levels] == [n <= level for n in range(5)]
    assert a.level_name == MODEL.levels[level].name


def test_weak_evidence_never_lifts_a_level() -> None:
    weak = [ev(c, "hint", W) for c in LEVEL1 + LEVEL2]
    assert assess(MODEL, weak).level == 0


def test_notebook_centric_is_a_finding_not_a_gate() -> None:
    a = assess(MODEL, strong("notebook_centric", *LEVEL1))
    assert a.level == 1
    assert a.capabilities[CapabilityId("notebook_centric")].present
    assert a.capabilities[CapabilityId("notebook_centric")].definition.role == "finding"
    assert a.ahead == ()
    assert (a.levels[0].present, a.levels[0].total) == (0, 0)


# completeness (present / total of each level's capabilities)


def test_completeness_per_level() -> None:
    a = assess(MODEL, strong(*LEVEL1, "ops_metrics", "experiment_tracking", "reproducibility", "data_validation"))
    assert [(s.present, s.total) for s in a.levels] == [(0, 0), (3, 4), (2, 6), (1, 3), (0, 2)]
    assert a.levels[1].completeness == 0.75
    assert a.levels[0].completeness == 1.0
    assert a.levels[4].completeness == 0.0


# ahead of the level and next steps (MATURITY.md 5)


def test_ahead_and_next_steps() -> None:
    a = assess(MODEL, strong("automated_tests", "model_registry", "ab_testing", "model_monitoring"))
    assert a.level == 0
    assert a.ahead == ("automated_tests", "model_registry", "ab_testing", "model_monitoring")
    assert [(n.capability, n.level) for n in a.next_steps] == [("ci", 1)]
    assert a.next_steps[0].remediation == MODEL.capabilities[CapabilityId("ci")].remediation
    assert a.next_steps[0].name == "continuous integration"


def test_next_steps_are_the_missing_required_capabilities_of_the_next_level() -> None:
    a = assess(MODEL, strong(*LEVEL1, "experiment_tracking", "reproducibility"))
    assert a.level == 1
    assert [n.capability for n in a.next_steps] == ["training_pipeline", "model_registry"]
    assert all(n.level == 2 for n in a.next_steps)


def test_top_level_has_no_next_steps_and_nothing_ahead() -> None:
    a = assess(MODEL, strong(*LEVEL1, *LEVEL2, *LEVEL3, *LEVEL4))
    assert (a.level, a.next_steps, a.ahead) == (4, (), ())


# asserted capabilities (declared by the team, never detected)


def test_asserted_capability_counts_and_says_why() -> None:
    reason = "models are promoted in the vendor console"
    a = assess(MODEL, strong(*LEVEL1, "training_pipeline", "experiment_tracking"), assumed={"model_registry": reason})
    status = a.capabilities[CapabilityId("model_registry")]
    assert (status.present, status.asserted, status.reason, status.evidence) == (
        True,
        reason,
        f"asserted: {reason}",
        (),
    )
    assert a.level == 2


def test_asserted_capability_keeps_its_evidence() -> None:
    weak = ev("model_registry", "hint", W)
    status = assess(MODEL, [weak], assumed={"model_registry": "console"}).capabilities[CapabilityId("model_registry")]
    assert status.present and status.evidence == (weak,)


# the model file


def test_builtin_model_matches_the_specification() -> None:
    assert [(lv.number, lv.required, lv.supporting) for lv in MODEL.levels] == [
        (0, (), ("notebook_centric",)),
        (1, LEVEL1, ("release_automation", "ops_metrics")),
        (2, LEVEL2, ("reproducibility", "collaboration", "model_packaging")),
        (3, LEVEL3, ("data_validation",)),
        (4, LEVEL4, ()),
    ]
    assert list(MODEL.capabilities) == [
        "notebook_centric",
        *LEVEL1,
        "release_automation",
        "ops_metrics",
        *LEVEL2,
        "reproducibility",
        "collaboration",
        "model_packaging",
        *LEVEL3,
        "data_validation",
        *LEVEL4,
    ]
    assert {c.id: (c.level, c.role) for c in MODEL.capabilities.values()}["notebook_centric"] == (0, "finding")
    assert all(c.remediation and c.name for c in MODEL.capabilities.values())
    assert [lv.name for lv in MODEL.levels] == [
        "No MLOps",
        "DevOps but no MLOps",
        "Automated training",
        "Automated model deployment",
        "Full MLOps automated operations",
    ]


def test_model_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such maturity model"):
        load_model("ibm")
    bad = tmp_path / "model.yaml"
    bad.write_text(
        "levels:\n  0: {required: [], supporting: []}\n  1: {required: [ci]}\ncapabilities: {}\n", encoding="utf-8"
    )
    with pytest.raises(ModelError) as info:
        load_model(str(bad))
    assert str(info.value) == f"{bad}:3: levels.1.required: unknown capability 'ci'"


def test_another_model_is_another_data_file(tmp_path: Path) -> None:
    path = tmp_path / "two-step.yaml"
    path.write_text(
        "id: two-step\nname: Two steps\nlevels:\n"
        "  0: {name: Manual, required: [], supporting: []}\n"
        "  1: {name: Automated, required: [ci, experiment_tracking]}\n"
        "capabilities:\n  ci: {name: CI, remediation: add CI}\n  experiment_tracking: {name: tracking}\n",
        encoding="utf-8",
    )
    model = load_model(str(path))
    assert assess(model, strong("ci", "experiment_tracking")).level == 1
    assert assess(model, strong("ci")).level == 0


def test_evidence_order_is_the_one_the_json_documentation_promises() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "json-output.md").read_text(encoding="utf-8")
    assert (
        "best first: by strength, then code files before notebooks (run by hand), then files that also prove more of"
        " the other capabilities required at the same level (the workflow that runs the tests before one that builds"
        " the docs), then path, line and rule id." in doc
    )
    evidence = [
        ev("ci", "b", M, path="a.yml", line=9),
        ev("ci", "a", M, path="a.yml", line=9),
        ev("ci", "a", M, path="a.yml", line=2),
        ev("ci", "a", S, path="z.ipynb"),
        ev("ci", "a", S, path="y.yml"),
        ev("ci", "a", S, path="docs.yml"),
        ev("ci", "a", W, path="0.yml"),
    ]
    status = capability_status(MODEL.capabilities[CapabilityId("ci")], evidence, peers={"y.yml": 1})
    assert [(e.strength, e.path, e.line, e.rule) for e in status.evidence] == [
        (S, "y.yml", 1, "ci.a"),  # strong, proves a peer capability too
        (S, "docs.yml", 1, "ci.a"),  # strong
        (S, "z.ipynb", 1, "ci.a"),  # strong, but a notebook
        (M, "a.yml", 2, "ci.a"),
        (M, "a.yml", 9, "ci.a"),
        (M, "a.yml", 9, "ci.b"),
        (W, "0.yml", 1, "ci.a"),
    ]
