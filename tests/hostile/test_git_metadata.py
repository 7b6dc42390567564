"""Hostile git metadata: git runs only where it cannot run code, read outside, hang or fetch.

Each case is generated: a level-1 repository committed with git, then one piece of its git
metadata made hostile. The scan must finish in bounded time with exit code 0, leave no marker
(every command the metadata names would write one), open nothing outside the repository
(audit hook), still report level 1 from a walk, and say in a note why git was not used.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hostile.repos import assert_base_level, base_repo, commit_all, git, run, scan, write
from hostile.watch import git_opens, outside, strace_available, watch_opens
from mlops_scan.snapshot.gitsafe import NOWHERE

GIT_TIMEOUT = "git-timeout=2"


def _marker_command(markers: Path, name: str) -> str:
    return f"touch {markers / name}"


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)


def _link(path: Path, target: str) -> None:
    if path.exists() or path.is_symlink():
        path.unlink()
    os.symlink(target, path)


def _config(root: Path, text: str) -> None:
    with open(root / ".git/config", "a", encoding="utf-8") as handle:
        handle.write(text)


def _promisor(markers: Path) -> str:
    return (
        '[remote "origin"]\n\turl = ssh://git.example.invalid/x.git\n\tpromisor = true\n'
        "\tpartialclonefilter = blob:none\n[extensions]\n\tpartialClone = origin\n"
        f"[core]\n\tsshCommand = {_marker_command(markers, 'ssh')}\n"
    )


Damage = Callable[[Path, Path, Path], None]
"""(repository, marker folder, a folder outside the repository) -> None."""

REFUSED: dict[str, tuple[Damage, str]] = {
    "fifo-head": (lambda r, m, o: _fifo(r / ".git/HEAD"), "git metadata HEAD is not a regular file"),
    "fifo-config": (lambda r, m, o: _fifo(r / ".git/config"), "git metadata config is not a regular file"),
    "fifo-index": (lambda r, m, o: _fifo(r / ".git/index"), "git metadata index is not a regular file"),
    "fifo-exclude": (
        lambda r, m, o: _fifo(r / ".git/info/exclude"),
        "git metadata info/exclude is not a regular file",
    ),
    "fifo-packed-refs": (
        lambda r, m, o: _fifo(r / ".git/packed-refs"),
        "git metadata packed-refs is not a regular file",
    ),
    "dev-zero-config": (
        lambda r, m, o: _link(r / ".git/config", "/dev/zero"),
        "git metadata config is not a regular file",
    ),
    "huge-config": (
        lambda r, m, o: os.truncate(r / ".git/config", 2 * 1024 * 1024),
        "git metadata config is larger than 1024 KiB",
    ),
    "alternates": (
        lambda r, m, o: write(r, ".git/objects/info/alternates", f"{o}/.git/objects\n"),
        "git would read outside the repository: it borrows objects from another repository",
    ),
    "commondir": (
        lambda r, m, o: write(r, ".git/commondir", f"{o}/.git\n"),
        "it shares another repository's metadata (commondir)",
    ),
    "gitdir-outside": (
        lambda r, m, o: (os.rename(r / ".git", r.parent / "moved.git"), write(r, ".git", "gitdir: ../moved.git\n")),
        ".git points at a git directory outside the repository (gitdir:)",
    ),
    "dot-git-link": (
        lambda r, m, o: (os.rename(r / ".git", r.parent / "moved.git"), _link(r / ".git", str(r.parent / "moved.git"))),
        ".git is a symbolic link or a special file",
    ),
    "core-worktree": (
        lambda r, m, o: _config(r, f"[core]\n\tworktree = {o}\n"),
        "git config moves the work tree (core.worktree)",
    ),
    # str.splitlines() also breaks at U+0085 and U+2028, git only at a line feed: a value ending in
    # "<NEL>[foo]" must not make the next line look like foo.worktree to the checks while git reads core.worktree
    "core-worktree-after-nel": (
        lambda r, m, o: _config(r, f"[core]\n\tname = x\u0085[foo]\n\tworktree = {o}\n"),
        "git config moves the work tree (core.worktree)",
    ),
    "core-worktree-after-line-separator": (
        lambda r, m, o: _config(r, f"[core]\n\tname = x\u2028[foo]\n\tworktree = {o}\n"),
        "git config moves the work tree (core.worktree)",
    ),
    "include-path": (
        lambda r, m, o: _config(r, f"[include]\n\tpath = {o}/evil.cfg\n"),
        "git config includes another file (include.path)",
    ),
    "include-if": (
        lambda r, m, o: _config(r, f'[includeIf "gitdir:/"]\n\tpath = {o}/evil.cfg\n'),
        "git config includes another file (include.path)",
    ),
    "excludes-file": (
        lambda r, m, o: _config(r, "[core]\n\texcludesFile = /dev/zero\n"),
        "git config names a file git would read (core.excludesfile)",
    ),
    "promisor": (lambda r, m, o: _config(r, _promisor(m)), "a partial clone (promisor remote)"),
    "ref-link": (
        lambda r, m, o: _link(r / ".git/refs/heads/main", "/etc/passwd"),
        "git metadata refs/heads/main is not a regular file",
    ),
    "objects-pack-link": (
        lambda r, m, o: (os.rmdir(r / ".git/objects/pack"), _link(r / ".git/objects/pack", f"{o}/.git/objects/pack")),
        "git metadata objects/pack is not a regular file",
    ),
}


def _outside_repo(tmp_path: Path) -> Path:
    """Another repository beside the scanned one (what alternates or gitdir: would reach)."""
    other = tmp_path / "outside"
    write(other, "src/secret/train.py", "import mlflow\nmlflow.log_metric('secret', 1)\n")
    write(other, "evil.cfg", "[core]\n\tfsmonitor = touch /tmp/never\n")
    commit_all(other)
    return other


def _scan_watched(repo: Path, *options: str):
    with watch_opens() as opened:
        report = scan(repo, "--limit", GIT_TIMEOUT, *options)
    return report, list(opened)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hostile_git_metadata_is_not_given_to_git(tmp_path, case):
    damage, reason = REFUSED[case]
    repo, markers = tmp_path / "repo", tmp_path / "markers"
    markers.mkdir()
    other = _outside_repo(tmp_path)
    base_repo(repo)
    commit_all(repo)
    damage(repo, markers, other)
    report, opened = _scan_watched(repo)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "walk"
    [note] = report.data["notes"]
    assert note.startswith("git not used: ") and note.endswith("; walked the folder instead")
    assert reason in note
    assert list(markers.iterdir()) == []
    assert outside(opened, repo) == []
    assert "src/secret/train.py" not in {s for s in report.skipped}


def _looks_bare(folder: Path, markers: Path) -> None:
    """Plain files a pull request can commit: git's layout with a config that runs a command on fetch."""
    write(folder, "HEAD", "ref: refs/heads/main\n")
    write(folder, "config", "[core]\n\trepositoryformatversion = 1\n\tbare = true\n" + _promisor(markers))
    (folder / "objects/info").mkdir(parents=True)
    (folder / "refs/heads").mkdir(parents=True)


def test_committed_git_layout_is_never_taken_for_a_bare_repository(tmp_path):
    repo, markers = tmp_path / "repo", tmp_path / "markers"
    markers.mkdir()
    base_repo(repo)
    _looks_bare(repo, markers)
    report, opened = _scan_watched(repo)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "walk"
    assert report.data["notes"] == []
    assert list(markers.iterdir()) == [] and outside(opened, repo) == []


def test_a_bare_repository_named_by_the_user_is_still_checked(tmp_path):
    bare, markers = tmp_path / "evil.git", tmp_path / "markers"
    markers.mkdir()
    _looks_bare(bare, markers)
    for argv in (["scan", str(bare)], ["scan", "--git-dir", str(bare)], ["scan", "--rev", "HEAD", str(bare)]):
        with watch_opens() as opened:
            report = run(*argv, "--no-config", "--quiet")
        assert (report.code, report.stdout, report.stderr) == (
            2,
            "",
            f"mlops-scan: error: {bare}: git not used: a partial clone (promisor remote): git could fetch "
            "missing objects\n",
        )
        assert list(markers.iterdir()) == [] and outside(list(opened), bare) == []


def test_a_fifo_gitignore_makes_git_time_out_and_the_folder_is_walked(tmp_path):
    repo = base_repo(tmp_path / "repo")
    commit_all(repo)
    _fifo(repo / "src/.gitignore")
    report, opened = _scan_watched(repo)  # the note says git was stopped at --limit git-timeout
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "walk"
    assert report.data["notes"] == ["git listing failed (git ls-files took longer than 2 s); walked the folder instead"]
    assert outside(opened, repo) == []


def _commands_in_config(repo: Path, markers: Path) -> None:
    """Settings git honours from a repository's config, each naming a command that leaves a marker."""
    names = ("fsmonitor", "pager", "ssh", "askpass", "external-diff", "clean", "textconv", "hook")
    cmd = {name: _marker_command(markers, name) for name in names}
    _config(
        repo,
        f"[core]\n\tfsmonitor = {cmd['fsmonitor']}\n\tpager = {cmd['pager']}\n\tsshCommand = {cmd['ssh']}\n"
        f"\taskPass = {cmd['askpass']}\n\thooksPath = hooks-here\n"
        f"[diff]\n\texternal = {cmd['external-diff']}\n"
        f'[filter "x"]\n\tclean = {cmd["clean"]}\n\tsmudge = {cmd["clean"]}\n'
        f'[diff "x"]\n\ttextconv = {cmd["textconv"]}\n',
    )
    write(repo, ".gitattributes", "* filter=x diff=x\n")
    for hook in ("post-checkout", "pre-commit", "post-index-change", "fsmonitor-watchman"):
        hook_file = write(repo, f"hooks-here/{hook}", f"#!/bin/sh\n{cmd['hook']}\n")
        hook_file.chmod(0o755)
        (repo / ".git/hooks").mkdir(exist_ok=True)
        (repo / ".git/hooks" / hook).write_text(f"#!/bin/sh\n{cmd['hook']}\n")
        (repo / ".git/hooks" / hook).chmod(0o755)


def test_commands_named_in_git_config_never_run(tmp_path):
    repo, markers = tmp_path / "repo", tmp_path / "markers"
    markers.mkdir()
    base_repo(repo)
    commit_all(repo)
    _commands_in_config(repo, markers)
    report, opened = _scan_watched(repo)
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == "git"
    assert list(markers.iterdir()) == [] and outside(opened, repo) == []


@pytest.mark.skipif(not strace_available(), reason="strace missing or ptrace not permitted")
def test_git_itself_opens_nothing_outside_the_repository(tmp_path):
    repo, markers = tmp_path / "repo", tmp_path / "markers"
    markers.mkdir()
    base_repo(repo)
    commit_all(repo)
    _commands_in_config(repo, markers)
    argv = [sys.executable, "-m", "mlops_scan", "scan", str(repo), "--no-config", "--quiet", "--format", "json"]
    done, paths = git_opens(argv, tmp_path / "strace.log", repo)
    assert done.returncode == 0, done.stderr
    assert paths, "strace saw no git process"
    git_install = subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout.strip()
    trusted = ("/etc/ld.so.cache", "/lib", "/usr/lib", "/usr/share/locale", git_install, "/proc/self", NOWHERE)
    assert outside(paths, repo, trusted) == []
    assert list(markers.iterdir()) == []


def test_a_linked_work_tree_is_listed_by_git_and_a_forged_one_is_not(tmp_path):
    main, linked, forged = tmp_path / "main", tmp_path / "linked", tmp_path / "forged"
    base_repo(main)
    commit_all(main)
    git(main, "worktree", "add", "-q", str(linked))
    report, opened = _scan_watched(linked)
    assert_base_level(report)
    assert (report.data["inspected"]["listing"], report.data["notes"]) == ("git", [])
    base_repo(forged)
    write(forged, ".git", f"gitdir: {main}/.git/worktrees/linked\n")  # the other repository never named it
    report, opened = _scan_watched(forged)
    assert_base_level(report)
    assert report.data["notes"] == [
        "git not used: .git points at a git directory outside the repository (gitdir:); walked the folder instead"
    ]
    # the one file read outside: the named git directory's back-pointer, compared, never reported
    assert outside(opened, forged) == [f"{main}/.git/worktrees/linked/gitdir"]
