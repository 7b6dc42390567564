"""The terminal report: wrapped to the width it is given, never a path shortened."""

from __future__ import annotations

from pathlib import Path

from scanning import builtin_rules

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.collect import collect
from mlops_scan.reporters import text
from mlops_scan.reporters.options import RenderOptions
from mlops_scan.snapshot.tree import open_snapshot

DEEP = "tests/integration/authentication_services/single-sign-on-providers/azure_machine_learning"
TEST_FILE = f"{DEEP}/test_aml_authentication_token_refresh.py"
FLOW = "orchestration/nightly_flows_for_the_customer_churn_project/retrain_every_night.py"
MODEL = "shop/modelling_of_the_customer_churn_with_gradient_boosting/estimators_and_training.py"


def report(root: Path, files: dict[str, str], width: int) -> list[str]:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    snapshot = open_snapshot(root)
    result = collect(snapshot, builtin_rules())
    assessment = assess(load_model(), result.evidence, root="repo", skipped=tuple(result.skipped))
    return text.render(assessment, RenderOptions(width=width)).splitlines()


def capability_block(lines: list[str], capability: str) -> list[str]:
    """The capability's line and its indented detail lines."""
    start = next(i for i, line in enumerate(lines) if line[6:].startswith(capability + " "))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("      "))
    return lines[start:end]


def test_a_long_path_is_wrapped_after_a_slash_never_shortened(tmp_path: Path) -> None:
    lines = report(tmp_path, {TEST_FILE: "def test_token_refresh():\n    pass\n"}, 80)
    assert capability_block(lines, "automated_tests") == [
        "  [x] automated_tests        required",
        "      tests/integration/authentication_services/single-sign-on-providers/",
        "        azure_machine_learning/test_aml_authentication_token_refresh.py:1",
        "        (strong, tests)",
    ]
    assert max(len(line) for line in lines) <= 80
    assert not any("..." in line for line in lines)


def test_a_wide_terminal_gets_the_location_on_one_line(tmp_path: Path) -> None:
    lines = report(tmp_path, {TEST_FILE: "def test_token_refresh():\n    pass\n"}, 200)
    assert capability_block(lines, "automated_tests") == [
        f"  [x] automated_tests        required   {TEST_FILE}:1 (strong, tests)",
    ]
    ci_step = "- continuous integration: Add a CI pipeline that runs on every push and pull request (e.g. .github/workflows/ci.yml)."
    assert ci_step in lines


def test_a_chain_keeps_every_full_path(tmp_path: Path) -> None:
    files = {
        FLOW: "from prefect import flow\nfrom shop.modelling_of_the_customer_churn_with_gradient_boosting"
        ".estimators_and_training import fit_it\n@flow\ndef run():\n    fit_it()\n",
        MODEL: "from sklearn.svm import SVC\ndef fit_it():\n    SVC().fit([], [])\n",
    }
    lines = report(tmp_path, files, 80)
    assert capability_block(lines, "training_pipeline") == [
        "  [x] training_pipeline      required",
        "      orchestration/nightly_flows_for_the_customer_churn_project/",
        "        retrain_every_night.py:3 (strong)",
        "      via orchestration/nightly_flows_for_the_customer_churn_project/",
        "        retrain_every_night.py:5 -> shop/",
        "        modelling_of_the_customer_churn_with_gradient_boosting/",
        "        estimators_and_training.py:3",
    ]
    wide = report(tmp_path, {}, 200)
    assert capability_block(wide, "training_pipeline")[1] == f"      via {FLOW}:5 -> {MODEL}:3"


def test_a_narrow_terminal_still_gets_the_minimum_width(tmp_path: Path) -> None:
    lines = report(tmp_path, {"train.py": "import mlflow\nmlflow.log_metric('a', 1)\n"}, 10)
    assert max(len(line) for line in lines) <= text.MIN_WIDTH == 60
    assert "  [ ] ci                     required   no evidence" in lines
    assert lines[lines.index("Level 4  Full MLOps automated operations") + 1] == "  [not reached, 0/2 capabilities]"
