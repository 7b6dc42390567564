"""A revision is scanned with the configuration in its own tree, not the work tree's."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from gitrepos import commit, git, write
from hostile.repos import WORKFLOW, run

RULES = """\
schema_version: 1
rules:
  - id: ci.team-marker
    capability: ci
    kind: file
    params: {paths: [TEAM_CI]}
    strength: strong
    title: Team CI marker
    description: The team's own CI marker file.
    remediation: Add the marker.
    added_in: "0.1.0"
"""


pytestmark = pytest.mark.usefixtures("cache_dir")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """c0: CI and tests; c1: .mlops-scan.toml disables ci; c2: pyproject excludes the workflows instead;
    c3: no configuration. The work tree then gets a configuration of its own that disables automated_tests."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "requirements.txt", "pytest==8.0.0\n")
    write(root, ".github/workflows/ci.yml", WORKFLOW)
    write(root, "tests/test_app.py", "def test_add():\n    assert 1 + 1 == 2\n")
    commit(root, "ci", 0, "c0")
    write(root, ".mlops-scan.toml", 'disable = ["ci"]\n')
    commit(root, "disable ci", 1, "c1")
    (root / ".mlops-scan.toml").unlink()
    write(root, "pyproject.toml", '[project]\nname = "app"\n\n[tool.mlops-scan]\nexclude = [".github/**"]\n')
    commit(root, "exclude workflows", 2, "c2")
    (root / "pyproject.toml").unlink()
    commit(root, "no configuration", 3, "c3")
    write(root, ".mlops-scan.toml", 'disable = ["automated_tests"]\n')
    return root


def present(args: list[str]) -> list[set[str]]:
    report = run("history", "--tags", "-f", "json", *args)
    assert report.code == 0, report.stderr
    return [set(r["present"]) for r in json.loads(report.stdout)["revisions"]]


def test_history_applies_each_revisions_own_configuration(repo: Path) -> None:
    both = {"ci", "automated_tests"}
    assert present([str(repo)]) == [both, {"automated_tests"}, {"automated_tests"}, both]
    assert present(["--no-config", str(repo)]) == [both] * 4


def test_diff_uses_each_sides_configuration(repo: Path) -> None:
    report = run("diff", "c0", "c1", "--repo", str(repo), "-f", "json")
    assert report.code == 0, report.stderr
    change = json.loads(report.stdout)
    assert change["lost"] == ["ci"] and change["gained"] == []
    report = run("diff", "c3", "--repo", str(repo), "-f", "json")  # against the work tree and its configuration
    change = json.loads(report.stdout)
    assert change["lost"] == ["automated_tests"] and change["gained"] == []


def test_rule_packs_named_by_a_revisions_configuration_come_from_that_revision(repo: Path) -> None:
    (repo / ".mlops-scan.toml").unlink()
    write(repo, "packs/team.yaml", RULES)
    write(repo, ".mlops-scan.toml", 'rules = ["packs"]\ndisable = ["ci.github-actions-workflow"]\n')
    commit(repo, "team rules", 4, "c4")
    write(repo, "TEAM_CI", "yes\n")
    commit(repo, "team marker", 5, "c5")
    write(repo, "packs/team.yaml", RULES.replace("TEAM_CI", "OTHER_MARKER"))  # the work tree's pack differs
    report = run("diff", "c4", "c5", "--repo", str(repo), "-f", "json")
    assert report.code == 0, report.stderr
    assert json.loads(report.stdout)["gained"] == ["ci"]


def test_a_broken_configuration_in_a_revision_is_a_one_line_error_naming_it(repo: Path) -> None:
    write(repo, ".mlops-scan.toml", "fail-under = 'high'\n")
    commit(repo, "broken", 4, "bad")
    report = run("diff", "c0", "bad", "--repo", str(repo))
    assert report.code == 2
    assert report.stderr.strip().splitlines() == [
        "mlops-scan: error: bad:.mlops-scan.toml: fail-under: must be a level number (0 or more)"
    ]


def scan_json(root: Path, *args: str) -> dict[str, object]:
    report = run("scan", "-f", "json", "-q", *args, str(root))
    assert report.code == 0, report.stderr
    data: dict[str, object] = json.loads(report.stdout)
    return data


@pytest.mark.parametrize("tag", ["c1", "c2"])
def test_a_rev_scan_is_the_scan_of_a_checkout_configuration_included(repo: Path, tmp_path: Path, tag: str) -> None:
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--branch", tag, str(repo), str(checkout))
    from_objects = scan_json(repo, "--rev", tag)
    from_checkout = scan_json(checkout)
    for report in (from_objects, from_checkout):
        report.pop("root")
        inspected = report["inspected"]
        assert isinstance(inspected, dict)
        inspected.pop("listing"), inspected.pop("source", None)
    assert from_objects == from_checkout
    assert "ci" not in {c for c, s in from_objects["capabilities"].items() if s["present"]}  # type: ignore[attr-defined]
    unconfigured = scan_json(repo, "--rev", tag, "--no-config")
    assert unconfigured["capabilities"]["ci"]["present"]  # type: ignore[index]


def test_a_rev_scan_ignores_the_work_trees_configuration(repo: Path) -> None:
    assert scan_json(repo)["capabilities"]["automated_tests"]["present"] is False  # type: ignore[index]
    assert scan_json(repo, "--rev", "c3")["capabilities"]["automated_tests"]["present"] is True  # type: ignore[index]


def test_history_skips_a_revision_whose_configuration_is_broken_and_goes_on(repo: Path, tmp_path: Path) -> None:
    (repo / ".mlops-scan.toml").unlink()
    write(repo, ".mlops-scan.toml", "fail-under = 'high'\n")
    commit(repo, "broken", 4, "bad")
    (repo / ".mlops-scan.toml").unlink()
    write(repo, "packs/team.yaml", "schema_version: 1\nrules: [{id: 7}]\n")
    write(repo, ".mlops-scan.toml", 'rules = ["packs"]\n')
    commit(repo, "broken pack", 5, "badpack")
    write(repo, ".mlops-scan.toml", 'disable = ["ci"]\n')
    commit(repo, "fixed", 6, "fixed")
    reason = "bad:.mlops-scan.toml: fail-under: must be a level number (0 or more)"
    chart = tmp_path / "history.svg"
    report = run("history", "--tags", "-f", "json", "--svg", str(chart), str(repo))
    assert report.code == 0, report.stderr
    data = json.loads(report.stdout)
    rows = data["revisions"]
    assert [r["revision"] for r in rows] == ["c0", "c1", "c2", "c3", "bad", "badpack", "fixed"]
    assert [r["skipped"] for r in rows[:4]] == [None] * 4 and rows[6]["skipped"] is None
    assert rows[4]["skipped"] == reason and rows[4]["level"] is None and rows[4]["present"] == []
    assert rows[5]["skipped"].startswith("badpack:packs/team.yaml")
    assert (rows[6]["gained"], rows[6]["lost"]) == ([], ["ci"])  # against c3, not against the skipped ones
    assert rows[6]["level"] == rows[1]["level"] == 0 and rows[3]["level"] == 1
    assert data["notes"] == ["2 revision(s) skipped: their configuration is broken (see each one's reason)"]
    tips = [t.text for t in ElementTree.parse(chart).getroot().iter("{http://www.w3.org/2000/svg}title")]
    assert f"bad (2023-11-19): skipped: {reason}" in [t.replace(rows[4]["date"][:10], "2023-11-19") for t in tips if t]
    table = run("history", "--tags", str(repo))
    assert table.code == 0
    bad = next(line for line in table.stdout.splitlines() if line.startswith("bad "))
    assert bad.endswith(f"-      skipped: {reason}")
