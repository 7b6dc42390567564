"""Nothing inflates silently: every report names the model and says when the scanned repository supplied it.

The canonical assessment of tests/test_formats.py is rendered with three provenances: all
built-in (no warning anywhere), supplied by the repository's configuration (a warning in
every format, the badge marked), and the same vouched for with ``--trusted-config``.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from test_formats import canonical

from mlops_scan.assessment.provenance import Provenance
from mlops_scan.reporters import badge, markdown, sarif, shields, text
from mlops_scan.reporters import json as json_report

FROM_REPOSITORY = Provenance(
    model_origin="repository",
    model_file="models/ours.yaml",
    config_file=".mlops-scan.toml",
    from_repository=("model", "rules", "assumptions"),
)
WARNING = (
    "The model, rules and assumptions come from the scanned repository's .mlops-scan.toml, not from "
    "mlops-scan or the command line: the level depends on them (scan with --no-config to leave them out, "
    "or --trusted-config if you vouch for them)."
)


def test_the_warning_names_what_the_repository_supplied() -> None:
    assert FROM_REPOSITORY.warning() == WARNING
    only_rules = Provenance(config_file="pyproject.toml [tool.mlops-scan]", from_repository=("rules",))
    assert only_rules.warning() == (
        "The rules come from the scanned repository's pyproject.toml [tool.mlops-scan], not from mlops-scan or "
        "the command line: the level depends on them (scan with --no-config to leave them out, or "
        "--trusted-config if you vouch for them)."
    )
    assert Provenance(config_file="x.toml", from_repository=("model",)).warning() == (
        "The model comes from the scanned repository's x.toml, not from mlops-scan or the command line: the level "
        "depends on it (scan with --no-config to leave it out, or --trusted-config if you vouch for it)."
    )
    assert replace(FROM_REPOSITORY, trusted=True).warning() == (
        "The model, rules and assumptions come from the scanned repository's .mlops-scan.toml "
        "(trusted with --trusted-config)."
    )
    assert Provenance().warning() is None
    assert Provenance(config_file="ci/mlops.toml").warning() is None  # a --config file is the user's own


def test_json_names_the_model_source_and_the_configuration() -> None:
    data = json.loads(json_report.render(replace(canonical(), provenance=FROM_REPOSITORY)))
    assert data["model"] == {
        "id": "microsoft",
        "name": "Microsoft MLOps maturity model",
        "source": "repository",
        "file": "models/ours.yaml",
    }
    assert data["configuration"] == {
        "file": ".mlops-scan.toml",
        "from_repository": ["model", "rules", "assumptions"],
        "trusted": False,
        "warning": WARNING,
    }


def test_text_and_markdown_show_the_warning_under_the_headline() -> None:
    assessment = replace(canonical(), provenance=FROM_REPOSITORY)
    lines = text.render(assessment).splitlines()
    assert lines[1] == "MLOps maturity level 2: Automated training"
    warning = " ".join(line.strip() for line in lines[2:12] if line.strip())
    assert "Microsoft MLOps maturity model, from the scanned repository (models/ours.yaml)" in warning
    assert "Warning: " + WARNING in warning
    report = markdown.render(assessment).splitlines()
    assert report[2:6] == ["", "> [!WARNING]", "> " + WARNING, ""]
    assert report[6].startswith(
        "**2 · automated training (1 asserted) (repository's own config)** on the Microsoft MLOps maturity "
        "model (`microsoft`, from the scanned repository (models/ours.yaml))."
    )


def test_sarif_run_properties_carry_the_provenance() -> None:
    log = json.loads(sarif.render(replace(canonical(), provenance=FROM_REPOSITORY)))
    properties = log["runs"][0]["properties"]
    assert properties["modelSource"] == "repository"
    assert properties["modelFile"] == "models/ours.yaml"
    assert properties["fromRepository"] == ["model", "rules", "assumptions"]
    assert (properties["trustedConfig"], properties["warning"]) == (False, WARNING)


@pytest.mark.parametrize(("trusted", "marked"), [(False, True), (True, False)])
def test_badge_and_shields_are_marked_unless_trusted(trusted: bool, marked: bool) -> None:
    assessment = replace(canonical(), provenance=replace(FROM_REPOSITORY, trusted=trusted))
    expected = "2 · automated training (1 asserted)" + (" (repository's own config)" if marked else "")
    assert badge.message(assessment) == expected
    assert json.loads(shields.render(assessment))["message"] == expected
    assert ("(repository's own config)</title>" in badge.render(assessment)) is marked


def test_built_in_reports_say_nothing_more() -> None:
    assessment = canonical()
    assert "Warning" not in text.render(assessment)
    assert "[!WARNING]" not in markdown.render(assessment)
    assert badge.message(assessment) == "2 · automated training (1 asserted)"
