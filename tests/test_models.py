"""The maturity models that ship (Microsoft's and Google's), `mlops-scan models`, and custom model files."""

from __future__ import annotations

from pathlib import Path

from scanning import FIXTURES, builtin_rules, run_cli

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import BUILTIN_MODELS, load_model
from mlops_scan.evidence.collect import collect
from mlops_scan.snapshot.tree import open_snapshot

GOOGLE = load_model("google")
MICROSOFT = load_model("microsoft")


def test_google_model_uses_every_capability_of_microsofts_once() -> None:
    assert set(GOOGLE.capabilities) == set(MICROSOFT.capabilities)
    assert [(lv.number, lv.name, lv.required, lv.supporting) for lv in GOOGLE.levels] == [
        (0, "Manual process", (), ("notebook_centric",)),
        (
            1,
            "ML pipeline automation",
            ("training_pipeline", "automated_retraining", "experiment_tracking", "data_validation"),
            ("model_registry", "deployment_automation", "model_packaging", "reproducibility"),
        ),
        (
            2,
            "CI/CD pipeline automation",
            ("ci", "automated_tests", "release_automation", "model_monitoring"),
            ("ab_testing", "ops_metrics", "collaboration"),
        ),
    ]
    assert all(c.name and c.what and c.remediation for c in GOOGLE.capabilities.values())
    assert GOOGLE.source.startswith("https://cloud.google.com/architecture/mlops-continuous-delivery")


def test_same_evidence_two_models() -> None:
    """One scan's evidence placed on both ladders: Microsoft counts CI first, Google continuous training first."""
    levels = {}
    for name in (
        "level1-actions-pytest",
        "level3-azureml-bluegreen",
        "level4-kserve-evidently",
        "google-level2-vertex",
    ):
        evidence = collect(open_snapshot(FIXTURES / name), builtin_rules()).evidence
        levels[name] = (assess(MICROSOFT, evidence).level, assess(GOOGLE, evidence).level)
    assert levels == {
        "level1-actions-pytest": (1, 0),
        "level3-azureml-bluegreen": (3, 0),
        "level4-kserve-evidently": (4, 0),
        "google-level2-vertex": (1, 2),
    }


def test_google_level_through_the_cli() -> None:
    done = run_cli(str(FIXTURES / "google-level2-vertex"), "--model", "google", "--format", "json", "--quiet")
    assert done.returncode == 0, done.stderr
    assert '"level": 2,\n  "level_name": "CI/CD pipeline automation"' in done.stdout


def test_models_list_and_show() -> None:
    done = run_cli("models", "list")
    assert (done.returncode, done.stdout) == (
        0,
        "microsoft    levels 0-4  Microsoft MLOps maturity model\ngoogle       levels 0-2  Google Cloud MLOps levels\n",
    )
    assert BUILTIN_MODELS == ("microsoft", "google")
    done = run_cli("models", "show", "google")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[:2] == [
        "Google Cloud MLOps levels (google)",
        "Source: https://cloud.google.com/architecture/mlops-continuous-delivery-and-automation-pipelines-in-machine-learning",
    ]
    assert "  required   data_validation        data and model validation" in lines
    assert "  finding    notebook_centric       notebook-centric code" in lines
    assert lines[-1] == (
        "A level is reached when all its required capabilities are present and the level below is reached."
    )


def test_custom_model_file_shown_and_used(tmp_path: Path) -> None:
    model = tmp_path / "platform.yaml"
    model.write_text(
        "id: platform\nname: Platform team rubric\nlevels:\n"
        "  0: {name: Ad hoc, required: [], supporting: []}\n"
        "  1: {name: Tested, required: [ci, automated_tests], supporting: []}\n"
        "capabilities:\n"
        "  ci: {name: CI, what: CI runs., remediation: Add CI.}\n"
        "  automated_tests: {name: tests, what: Tests run., remediation: Add tests.}\n",
        encoding="utf-8",
    )
    done = run_cli("models", "show", str(model))
    assert done.stdout.splitlines()[:4] == [
        "Platform team rubric (platform)",
        "Source: not given",
        "",
        "Level 0  Ad hoc",
    ]
    done = run_cli(str(FIXTURES / "level1-actions-pytest"), "--model", str(model), "--format", "json", "--quiet")
    assert '"level": 1,\n  "level_name": "Tested"' in done.stdout


def test_custom_model_with_a_misspelt_capability_id_fails_in_one_line(tmp_path: Path) -> None:
    model = tmp_path / "typo.yaml"
    model.write_text(
        "levels:\n  0: {required: [], supporting: []}\n  1: {required: [ci, automted_tests]}\n"
        "capabilities:\n  ci: {name: CI}\n  automated_tests: {name: tests}\n",
        encoding="utf-8",
    )
    for args in (("models", "show", str(model)), (str(FIXTURES / "level1-actions-pytest"), "--model", str(model))):
        done = run_cli(*args, "--quiet") if args[0] != "models" else run_cli(*args)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == f"mlops-scan: error: {model}:3: levels.1.required: unknown capability 'automted_tests'\n"


def test_models_show_rejects_a_misspelt_key(tmp_path: Path) -> None:
    model = tmp_path / "keys.yaml"
    model.write_text(
        "levels:\n  0: {required: [], supporting: [ci]}\ncapabilities:\n  ci: {name: CI, remedation: Add CI.}\n",
        encoding="utf-8",
    )
    done = run_cli("models", "show", str(model))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"mlops-scan: error: {model}:4: capabilities.ci: unknown key 'remedation' (allowed: name, remediation, what)\n"
    )
