"""mlops-scan URL: a shallow, blob-filtered clone into a temporary folder, always removed."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from gitrepos import PRESENT, git, maturing_repo
from hostile.repos import run

from mlops_scan.snapshot.gitclone import is_url


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("url")
    target = base / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(maturing_repo(base / "work")), str(target)], check=True)
    git(target, "config", "uploadpack.allowFilter", "true")
    return target


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_file_url_is_cloned_scanned_and_removed(bare: Path, temp_root: Path) -> None:
    report = run("scan", "-f", "json", "-q", f"file://{bare}")
    assert report.code == 0, report.stderr
    data = json.loads(report.stdout)
    assert {c for c, s in data["capabilities"].items() if s["present"]} == PRESENT["v4"]
    assert data["root"] == f"file://{bare}"
    assert data["inspected"]["source"]["commit"] == git(bare, "rev-parse", "HEAD").strip()
    # the 2.9 MiB module is over the 2 MiB read limit: filtered out of the clone is fine, it is skipped either way
    assert data["skipped"][0]["path"] == "data/big.py"
    assert list(temp_root.iterdir()) == []


def test_url_with_rev_clones_that_tag(bare: Path, temp_root: Path) -> None:
    report = run("scan", "-f", "json", "-q", "--rev", "v2", f"file://{bare}")
    assert report.code == 0, report.stderr
    data = json.loads(report.stdout)
    assert {c for c, s in data["capabilities"].items() if s["present"]} == PRESENT["v2"]
    assert list(temp_root.iterdir()) == []


def test_unreachable_url_is_one_line_exit_2(tmp_path: Path, temp_root: Path) -> None:
    missing = tmp_path / "nowhere.git"
    report = run("scan", "-q", f"file://{missing}")
    assert report.code == 2
    assert report.stderr.startswith(f"mlops-scan: error: file://{missing}: cannot clone (")
    assert report.stderr.count("\n") == 1
    assert list(temp_root.iterdir()) == []


def test_password_in_url_is_not_printed(temp_root: Path) -> None:
    report = run("scan", "-q", "file://user:secret@/nowhere/x.git")
    assert report.code == 2 and "secret" not in report.stderr


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://github.com/o/r", True),
        ("ssh://git@host/o/r.git", True),
        ("git@github.com:o/r.git", True),
        ("file:///srv/r.git", True),
        ("./repo", False),
        ("C:/repo", False),
        ("repo@v1", False),
    ],
)
def test_what_counts_as_a_url(text: str, url: bool) -> None:
    assert is_url(text) is url
