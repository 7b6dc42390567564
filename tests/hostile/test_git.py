"""Git repositories in every state: the listing falls back or adapts, and the report says how it listed."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from hostile.repos import TRACKING, TRACKING_RULE, assert_base_level, base_repo, commit_all, git, run, scan, write


def test_not_a_git_repository_is_walked(tmp_path):
    report = scan(base_repo(tmp_path))
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "walk"
    assert report.skipped == {} and report.data["notes"] == []


def test_empty_repository_lists_untracked_files(tmp_path):
    base_repo(tmp_path)
    git(tmp_path, "init", "-q")
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "git"
    assert report.data["inspected"]["files_listed"] == 4


def test_bare_repository_is_read_from_heads_tree(tmp_path):
    work, bare = tmp_path / "work", tmp_path / "bare.git"
    base_repo(work)
    write(work, "src/app/train.py", TRACKING)
    os.symlink("/etc/passwd", work / "src/app/link.py")
    write(work, "src/app/huge.py", TRACKING + "#\n" * (1024 * 1024 + 10))
    commit_all(work)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    report = scan(bare)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "git-tree"
    assert report.evidence(TRACKING_RULE) == [("src/app/train.py", 3)]
    assert report.skipped == {
        "src/app/huge.py": ["too large (2.0 MiB > 2.0 MiB limit)"],
        "src/app/link.py": ["symbolic link pointing outside the repository: not followed"],
    }


def test_bare_repository_without_commits_says_so(tmp_path):
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    report = scan(bare)
    assert report.level == 0
    assert report.data["notes"] == ["bare git repository: no commits; nothing scanned"]
    assert report.data["inspected"]["files_listed"] == 0


def test_bare_repository_named_with_git_dir(tmp_path):
    work, bare = tmp_path / "work", tmp_path / "store"
    base_repo(work)
    commit_all(work)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    report = scan(bare)
    assert report.data["inspected"]["listing"] == "walk"  # not inferred from the folder's files
    report = run("scan", "--git-dir", str(bare), "--format", "json", "--no-config", "--quiet")
    assert report.code == 0
    assert json.loads(report.stdout)["inspected"]["listing"] == "git-tree"
    assert json.loads(report.stdout)["level"] == 1
    report = run("scan", "--git-dir", str(work), "--no-config")
    assert (report.code, report.stderr) == (
        2,
        f"mlops-scan: error: --git-dir {work}: not a git directory (no HEAD, objects/ and refs/)\n",
    )


def test_shallow_clone(tmp_path):
    origin, clone = tmp_path / "origin", tmp_path / "clone"
    base_repo(origin)
    commit_all(origin)
    write(origin, "src/app/train.py", TRACKING)
    commit_all(origin, "second")
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True)
    assert (clone / ".git/shallow").exists()
    report = scan(clone)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "git"
    assert report.evidence(TRACKING_RULE) == [("src/app/train.py", 3)]


def test_detached_head(tmp_path):
    base_repo(tmp_path)
    commit_all(tmp_path)
    write(tmp_path, "src/app/train.py", TRACKING)
    commit_all(tmp_path, "second")
    git(tmp_path, "checkout", "-q", "--detach", "HEAD~1")
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "git"
    assert report.evidence(TRACKING_RULE) == []


def _with_submodule(root, checked_out: bool) -> None:
    base_repo(root)
    commit_all(root)
    head = git(root, "rev-parse", "HEAD").strip()
    write(root, ".gitmodules", '[submodule "vendor/lib"]\n\tpath = vendor/lib\n\turl = https://example.com/lib.git\n')
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{head},vendor/lib")
    (root / "vendor/lib").mkdir(parents=True)
    if checked_out:
        write(root, "vendor/lib/train.py", TRACKING)
    commit_all(root, "submodule")


@pytest.mark.parametrize(
    ("checked_out", "reason"),
    [
        (False, "git submodule not checked out: not scanned"),
        (True, "git submodule: a separate repository, not scanned"),
    ],
)
def test_submodules_are_named_as_skipped(tmp_path, checked_out, reason):
    _with_submodule(tmp_path, checked_out)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "git"
    assert report.skipped == {"vendor/lib": [reason]}
    assert report.evidence(TRACKING_RULE) == []


@pytest.mark.parametrize(
    ("damage", "cause"),
    [
        (lambda g: (g / "HEAD").write_text("garbage\n"), "not a git repository"),
        (
            lambda g: (g / "index").write_bytes(b"DIRC\x00\x00\x00\x63garbage"),
            ".git/index: index file smaller than expected",
        ),
        (lambda g: (g / "config").write_text("[core]\n\tbare = maybe\n"), "bad boolean config value"),
    ],
    ids=["bad-head", "bad-index", "bad-config"],
)
def test_corrupt_git_folder_falls_back_to_a_walk(tmp_path, damage, cause):
    base_repo(tmp_path)
    commit_all(tmp_path)
    damage(tmp_path / ".git")
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "walk"
    [note] = report.data["notes"]
    assert note.startswith("git listing failed (") and note.endswith("); walked the folder instead")
    assert cause in note
    assert "\n" not in note


def test_git_file_pointing_nowhere_falls_back_to_a_walk(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, ".git", "gitdir: /nonexistent/worktree\n")
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "walk"


def test_tracked_file_missing_from_the_work_tree(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, "src/app/train.py", TRACKING)
    commit_all(tmp_path)
    (tmp_path / "src/app/train.py").unlink()
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"src/app/train.py": ["listed but missing from the work tree"]}


def test_git_listed_names_that_cannot_be_reported_are_skipped(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, b"src/app/train\nmodel.py", TRACKING)
    write(tmp_path, b"src/app/caf\xe9.py", TRACKING)
    commit_all(tmp_path)
    report = scan(tmp_path)
    assert report.data["inspected"]["listing"] == "git"
    assert_base_level(report)
    assert report.skipped == {
        "src/app/train\\nmodel.py": ["file name contains control characters (e.g. a newline): not scanned"],
        "src/app/caf\\xe9.py": ["file name is not valid UTF-8: not scanned"],
    }
