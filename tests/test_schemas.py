"""The shipped JSON Schemas and the official SARIF schema: versions in step, GitHub's upload rules, packaging facts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from scanning import builtin_rules, run_cli
from schemas import problems, valid_sarif

from mlops_scan import __version__
from mlops_scan.data import REPORT_SCHEMA
from mlops_scan.reporters.json import SCHEMA_VERSION

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_report_schema_is_the_reports_version() -> None:
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["schema_version"] == {"const": SCHEMA_VERSION}
    assert f"this page describes **{SCHEMA_VERSION}**" in (ROOT / "docs" / "json-output.md").read_text(encoding="utf-8")


def test_report_schema_rejects_what_the_doc_forbids() -> None:
    report = json.loads(run_cli(str(ROOT / "fixtures" / "level1-actions-pytest"), "-q", "-f", "json").stdout)
    assert problems("report", report) == []
    report["capabilities"]["ci"]["evidence"][0]["strength"] = "certain"
    report["surprise"] = 1
    assert problems("report", report) == [
        "(root): Additional properties are not allowed ('surprise' was unexpected)",
        "capabilities/ci/evidence/0/strength: 'certain' is not one of ['strong', 'medium', 'weak']",
    ]


def test_sarif_schema_is_the_official_one_and_catches_a_bad_log() -> None:
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert problems("sarif", {"version": "2.0.0", "runs": []}) == ["version: '2.0.0' is not one of ['2.1.0']"]


def test_sarif_of_an_empty_repository_has_no_unlocated_result(tmp_path: Path) -> None:
    done = run_cli(str(tmp_path), "-q", "-f", "sarif", "--no-config")
    (run,) = valid_sarif(done.stdout)["runs"]
    assert run["results"] == []
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in notes] == [("ci", "warning"), ("automated_tests", "warning")]


def test_version_is_single_sourced_and_rules_are_not_from_the_future() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "urls" not in project  # no home page mlops-scan can vouch for yet
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert f"## {__version__} " in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")

    def key(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split("."))

    added = {rule.added_in for rule in builtin_rules()}
    assert added and all(key(v) <= key(__version__) for v in added), sorted(added)
