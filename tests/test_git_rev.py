"""--rev scans a revision from git objects, in a work tree or a bare repository, as a checkout scan would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from gitrepos import LEVEL, PRESENT, git, maturing_repo
from hostile.repos import run


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return maturing_repo(tmp_path_factory.mktemp("git") / "repo")


def scan_json(cwd: Path, *args: str) -> dict:  # type: ignore[type-arg]
    previous = Path.cwd()
    try:
        import os

        os.chdir(cwd)
        report = run("scan", "-f", "json", "-q", "--no-config", *args)
    finally:
        os.chdir(previous)
    assert report.code == 0, report.stderr
    return json.loads(report.stdout)


def present(report: dict) -> set[str]:  # type: ignore[type-arg]
    return {cid for cid, c in report["capabilities"].items() if c["present"]}


@pytest.mark.parametrize("tag", ["v1", "v3", "v4"])
def test_rev_scan_is_the_checkout_scan(repo: Path, tmp_path: Path, tag: str) -> None:
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", "--branch", tag, str(repo), str(checkout)], check=True, capture_output=True)
    from_objects = scan_json(repo, "--rev", tag, ".")
    from_checkout = scan_json(checkout, ".")
    source = from_objects["inspected"].pop("source")
    assert from_objects["inspected"].pop("listing") == "git-tree"
    assert from_checkout["inspected"].pop("listing") == "git"
    assert json.dumps(from_objects, indent=1) == json.dumps(from_checkout, indent=1)
    assert source == {"revision": tag, "commit": git(repo, "rev-parse", f"{tag}^{{commit}}").strip()}
    assert present(from_objects) == PRESENT[tag] and from_objects["level"] == LEVEL[tag]
    assert from_objects["skipped"] == [
        {"path": "data/big.py", "reason": "too large (2.9 MiB > 2.0 MiB limit)"},
        {"path": "src/app/outside.py", "reason": "symbolic link pointing outside the repository: not followed"},
    ]


def test_rev_scan_of_a_bare_repository(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True, capture_output=True)
    report = scan_json(tmp_path, "--rev", "v2", str(bare))
    assert present(report) == PRESENT["v2"]
    assert report["capabilities"]["experiment_tracking"]["evidence"][0]["path"] == "src/app/train.py"
    head = scan_json(tmp_path, str(bare))  # a bare repository without --rev: HEAD
    assert present(head) == PRESENT["v4"] and head["inspected"]["source"]["revision"] == "HEAD"


def test_rev_scan_of_a_folder_inside_the_repository(repo: Path) -> None:
    report = scan_json(repo / "src", "--rev", "v3", ".")
    evidence = report["capabilities"]["model_registry"]["evidence"]
    assert [(e["path"], e["line"]) for e in evidence] == [("app/train.py", 4)]
    assert report["inspected"]["files_listed"] == 4


def test_rev_scan_writes_nothing_and_leaves_the_work_tree_alone(repo: Path) -> None:
    before = git(repo, "status", "--porcelain", "--ignored")
    scan_json(repo, "--rev", "v1", ".")
    assert git(repo, "status", "--porcelain", "--ignored") == before
    assert git(repo, "rev-parse", "HEAD") == git(repo, "rev-parse", "v4^{commit}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rev", "no-such-tag", "."), "mlops-scan: error: --rev no-such-tag: no such commit, tag or branch\n"),
        (("--rev", "--help", "."), "mlops-scan: error: --rev --help: no such commit, tag or branch\n"),
    ],
)
def test_unknown_revision_is_one_line_exit_2(repo: Path, args: tuple[str, ...], message: str) -> None:
    import os

    previous = Path.cwd()
    os.chdir(repo)
    try:
        report = run("scan", "-q", *args)
    finally:
        os.chdir(previous)
    assert (report.code, report.stderr) == (2, message)


def test_rev_outside_a_repository_is_one_line_exit_2(tmp_path: Path) -> None:
    report = run("scan", "-q", "--rev", "HEAD", str(tmp_path))
    assert (report.code, report.stderr) == (2, f"mlops-scan: error: {tmp_path}: not a git repository\n")
