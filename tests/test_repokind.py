"""A repository whose README presents it as a collection of examples demonstrates tools; it does not use them."""

from __future__ import annotations

from pathlib import Path

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.collect import collect
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.facts.readme import course_parts
from mlops_scan.snapshot.tree import open_snapshot

TRAIN = "import mlflow\n\n\ndef main():\n    with mlflow.start_run():\n        mlflow.log_metric('auc', 0.9)\n"
WORKFLOW = (
    "on:\n  push:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
)


def _repo(tmp_path: Path, title: str) -> Path:
    (tmp_path / "README.md").write_text(f"# {title}\n\nSamples for the platform.\n")
    (tmp_path / "jobs" / "churn").mkdir(parents=True)
    (tmp_path / "jobs" / "churn" / "train.py").write_text(TRAIN)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    return tmp_path


def _scan(root: Path):  # type: ignore[no-untyped-def]
    model = load_model()
    result = collect(open_snapshot(root), load_all_rules(model.capabilities))
    return result, assess(model, result.evidence, readme_title=result.readme_title)


def test_examples_collection_demotes_demonstrated_ml_capabilities(tmp_path: Path) -> None:
    _, assessment = _scan(_repo(tmp_path, "Contoso Machine Learning examples"))
    tracking = assessment.capabilities["experiment_tracking"]
    assert not tracking.present
    assert [
        (e.path, e.strength.value, e.zone.value)
        for e in tracking.evidence
        if e.rule == "experiment_tracking.mlflow-log-call"
    ] == [("jobs/churn/train.py", "weak", "examples")]
    assert assessment.capabilities["ci"].present, "the repository's own CI still counts"
    assert assessment.notes[0].startswith(
        "the README title ('Contoso Machine Learning examples') presents this repository"
    )


def test_ordinary_project_keeps_its_evidence(tmp_path: Path) -> None:
    result, assessment = _scan(_repo(tmp_path, "Churn prediction service"))
    assert assessment.capabilities["experiment_tracking"].present
    assert result.readme_title == "Churn prediction service"
    assert not any("collection of examples" in n for n in assessment.notes)


def test_html_heading_title_is_read(tmp_path: Path) -> None:
    root = _repo(tmp_path, "placeholder")
    (root / "README.md").write_text('<p align="center">\n<h1 align="center">Contoso <b>samples</b></h1>\n</p>\n')
    _, assessment = _scan(root)
    assert not assessment.capabilities["experiment_tracking"].present
    assert "('Contoso samples')" in assessment.notes[0]


def _course(root: Path, folders: list[str]) -> Path:
    for folder in folders:
        (root / folder).mkdir(parents=True)
        (root / folder / "train.py").write_text(TRAIN)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    return root


def test_a_course_laid_out_as_lessons_is_judged_as_examples(tmp_path: Path) -> None:
    root = _course(tmp_path, ["01-intro", "02-experiment-tracking", "03-orchestration", "week4", "src"])
    snapshot = open_snapshot(root)
    parts = course_parts(snapshot)
    assert parts == ("01-intro", "02-experiment-tracking", "03-orchestration", "week4")
    model = load_model()
    result = collect(snapshot, load_all_rules(model.capabilities))
    assessment = assess(model, result.evidence, course_parts=parts)
    tracking = assessment.capabilities["experiment_tracking"]
    assert not tracking.present
    assert {(e.path, e.strength.value, e.zone.value) for e in tracking.evidence} == {
        (f"{folder}/train.py", "weak", "examples")
        for folder in ("01-intro", "02-experiment-tracking", "03-orchestration", "week4", "src")
    }
    assert assessment.capabilities["ci"].present, "the course's own CI still counts"
    assert assessment.notes[0] == (
        "the top-level folders (01-intro, 02-experiment-tracking, 03-orchestration, week4) lay this repository out "
        "as a course of 4 separate exercises: the ML capabilities it demonstrates count as examples (weak)"
    )


def test_one_week_folder_or_numbered_data_folders_do_not_make_a_course(tmp_path: Path) -> None:
    root = _course(tmp_path, ["week5", "src", "notebooks", "2024-runs", "v2"])
    assert course_parts(open_snapshot(root)) == ()
