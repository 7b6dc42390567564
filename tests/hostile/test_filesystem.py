"""Links, permissions, special files, deep and wide trees: the scan stays inside the repository and finishes."""

from __future__ import annotations

import builtins
import os
import tempfile
from pathlib import Path

import pytest

from hostile.repos import TRACKING, TRACKING_RULE, assert_base_level, base_repo, commit_all, git, scan, write

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def test_symlink_loops_are_skipped(tmp_path):
    base_repo(tmp_path)
    os.symlink("loop_b.py", tmp_path / "src/app/loop_a.py")
    os.symlink("loop_a.py", tmp_path / "src/app/loop_b.py")
    os.symlink(".", tmp_path / "src/app/self")
    os.symlink("..", tmp_path / "src/app/parent")
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {
        "src/app/loop_a.py": ["unreadable (Too many levels of symbolic links)"],
        "src/app/loop_b.py": ["unreadable (Too many levels of symbolic links)"],
        "src/app/parent": ["symbolic link to a folder: not followed"],
        "src/app/self": ["symbolic link to a folder: not followed"],
    }


@pytest.fixture
def opened(monkeypatch):
    """Every path the scan opens with ``open`` or ``os.open`` (files are read through bare descriptors)."""
    paths: list[str] = []

    def spying(real_open):
        def spy(file, *args, **kwargs):
            paths.append(os.fsdecode(file) if isinstance(file, (str, bytes, os.PathLike)) else str(file))
            return real_open(file, *args, **kwargs)

        return spy

    monkeypatch.setattr(builtins, "open", spying(builtins.open))
    monkeypatch.setattr(os, "open", spying(os.open))
    return paths


def test_links_pointing_outside_the_repository_are_never_followed(tmp_path, opened):
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    base_repo(repo)
    write(outside, "secret.py", TRACKING)
    write(outside, "pkg/secret.py", TRACKING)
    os.symlink(outside / "secret.py", repo / "src/app/absolute.py")
    os.symlink("../../../outside/secret.py", repo / "src/app/relative.py")
    os.symlink("absolute.py", repo / "src/app/chained.py")
    os.symlink(outside / "pkg", repo / "src/pkg")
    os.symlink("/etc/passwd", repo / "requirements-dev.txt")
    opened.clear()
    report = scan(repo)
    assert_base_level(report)
    reason = ["symbolic link pointing outside the repository: not followed"]
    assert report.skipped == {
        "requirements-dev.txt": reason,
        "src/app/absolute.py": reason,
        "src/app/chained.py": reason,
        "src/app/relative.py": reason,
        "src/pkg": ["symbolic link to a folder: not followed"],
    }
    assert report.evidence(TRACKING_RULE) == []
    assert any(p.endswith(".github/workflows/ci.yml") for p in opened)  # the spy sees the scan's reads
    assert not [p for p in opened if str(outside) in p or p == "/etc/passwd"]


def test_tracked_file_under_a_folder_replaced_by_an_outside_link_is_not_read(tmp_path, opened):
    # git's index still lists evil/secret.py, but evil/ is now a link out of the repository.
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    base_repo(repo)
    write(repo, "evil/secret.py", "x = 1\n")
    commit_all(repo)
    (repo / "evil/secret.py").unlink()
    (repo / "evil").rmdir()
    write(outside, "secret.py", TRACKING)
    os.symlink(outside, repo / "evil")
    opened.clear()
    report = scan(repo)
    assert report.data["inspected"]["listing"] == "git"
    assert_base_level(report)
    assert report.skipped == {"evil/secret.py": ["symbolic link pointing outside the repository: not followed"]}
    assert any(p.endswith(".github/workflows/ci.yml") for p in opened)
    assert not [p for p in opened if str(outside) in p]


def test_links_inside_the_repository_are_read(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, "src/app/train.py", TRACKING)
    os.symlink("train.py", tmp_path / "src/app/alias.py")
    report = scan(tmp_path)
    assert report.skipped == {}
    assert report.evidence(TRACKING_RULE) == [("src/app/alias.py", 3), ("src/app/train.py", 3)]


def test_fifo_and_other_special_files_are_never_opened(tmp_path):
    base_repo(tmp_path)
    os.mkfifo(tmp_path / "src/app/pipe.py")  # opening it would block for ever
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"src/app/pipe.py": ["not a regular file"]}


def _deny(monkeypatch, denied: str) -> None:
    """Make ``open``, ``os.open`` and ``os.scandir`` raise PermissionError under ``denied`` (root can read
    anything)."""
    real_scandir = os.scandir

    def guarding(real_open):
        def guarded_open(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and os.fspath(file).startswith(denied):
                raise PermissionError(13, "Permission denied", os.fspath(file))
            return real_open(file, *args, **kwargs)

        return guarded_open

    def guarded_scandir(path="."):
        if os.fspath(path).startswith(denied):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(builtins, "open", guarding(builtins.open))
    monkeypatch.setattr(os, "open", guarding(os.open))
    monkeypatch.setattr(os, "scandir", guarded_scandir)


def test_unreadable_file_is_skipped(tmp_path, monkeypatch):
    base_repo(tmp_path)
    write(tmp_path, "src/app/train.py", TRACKING)
    _deny(monkeypatch, str(tmp_path / "src/app/train.py"))
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"src/app/train.py": ["permission denied"]}


def test_unreadable_folder_is_skipped(tmp_path, monkeypatch):
    base_repo(tmp_path)
    write(tmp_path, "private/train.py", TRACKING)
    _deny(monkeypatch, str(tmp_path / "private"))
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"private": ["permission denied (folder not listed)"]}


@pytest.mark.skipif(ROOT, reason="root reads files whatever their mode; the patched tests above cover it")
def test_unreadable_file_and_folder_by_mode(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, "src/app/train.py", TRACKING)
    write(tmp_path, "private/train.py", TRACKING)
    os.chmod(tmp_path / "src/app/train.py", 0)
    os.chmod(tmp_path / "private", 0)
    try:
        report = scan(tmp_path)
    finally:
        os.chmod(tmp_path / "private", 0o755)
    assert_base_level(report)
    assert report.skipped == {
        "private": ["permission denied (folder not listed)"],
        "src/app/train.py": ["permission denied"],
    }


def test_very_deep_folder_tree_stops_at_the_depth_limit(tmp_path):
    base_repo(tmp_path)
    deep = "/".join(["d"] * 200)
    write(tmp_path, f"{deep}/train.py", TRACKING)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"/".join(["d"] * 65): ["folder nested deeper than 64 levels: not walked"]}
    report = scan(tmp_path, "--limit", "max-depth=300")
    assert report.skipped == {}
    assert report.evidence(TRACKING_RULE) == [(f"{deep}/train.py", 3)]


def test_deep_tree_listed_by_git(tmp_path):
    base_repo(tmp_path)
    deep = "/".join(["d"] * 200)
    write(tmp_path, f"{deep}/train.py", TRACKING)
    commit_all(tmp_path)
    report = scan(tmp_path)
    assert report.data["inspected"]["listing"] == "git"
    assert report.evidence(TRACKING_RULE) == [(f"{deep}/train.py", 3)]


def _many_files(root, count: int) -> None:
    for folder in range(count // 1000):
        path = root / "data" / f"shard{folder:03d}"
        path.mkdir(parents=True)
        for index in range(1000):
            os.close(os.open(path / f"row{index:04d}.csv", os.O_CREAT | os.O_WRONLY))


@pytest.fixture
def fast_tmp(tmp_path):
    """A scratch folder on tmpfs when there is one (creating 100k files on disk costs seconds of I/O)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="mlops-scan-hostile-") as folder:
        yield Path(folder)


def test_100k_file_tree_completes(fast_tmp):
    base_repo(fast_tmp)
    _many_files(fast_tmp, 100_000)
    report = scan(fast_tmp)
    assert_base_level(report)
    assert report.data["inspected"]["files_listed"] == 100_004
    assert report.data["inspected"]["files_read"] == 4  # the data files are listed, never read
    assert report.skipped == {}


def test_file_count_limit_cuts_the_listing_with_a_note(fast_tmp):
    base_repo(fast_tmp)
    _many_files(fast_tmp, 3000)
    report = scan(fast_tmp, "--limit", "max-files=1000")
    assert report.data["inspected"]["files_listed"] == 1000
    assert "more than 1000 files listed; only the first 1000 are scanned" in report.data["notes"]


def test_git_lists_100_files_in_a_folder_named_with_spaces(tmp_path):
    base_repo(tmp_path)
    for index in range(100):
        write(tmp_path, f"my data/part {index}.txt", "x\n")
    commit_all(tmp_path)
    assert len(git(tmp_path, "ls-files").splitlines()) == 104
    report = scan(tmp_path)
    assert report.data["inspected"]["files_listed"] == 104
