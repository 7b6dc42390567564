"""List a git work tree's files with git, through the safe runner (:mod:`mlops_scan.snapshot.gitsafe`).

Tracked files plus untracked files that are not ignored; nothing is checked out, and git runs
only when :func:`mlops_scan.snapshot.gitmeta.locate` found its metadata safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlops_scan.snapshot.gitmeta import GitRefused, GitRepository, locate


@dataclass
class GitListing:
    """What git listed, or why it was not used (``paths`` None: walk the folder instead)."""

    paths: list[str] | None
    note: str | None = None
    top: Path | None = None
    """The top of the work tree git listed (a folder above the listed one when it is inside a repository)."""


def list_work_tree(root: Path, timeout: float) -> GitListing:
    """List ``root`` with git when it is in a work tree git is safe to run on; otherwise say why, for the report."""
    try:
        repo = locate(root)
    except (GitRefused, OSError) as exc:
        reason = exc if isinstance(exc, GitRefused) else f"git metadata unreadable ({exc.strerror})"
        return GitListing(None, f"git not used: {reason}; walked the folder instead")
    if repo is None:
        return GitListing(None)
    from mlops_scan.snapshot.gitsafe import GitError  # the git runner (subprocess), only for a work tree

    try:
        return GitListing(git_ls_files(repo, root, timeout), top=repo.work_tree)
    except GitError as exc:
        return GitListing(None, f"git listing failed ({exc}); walked the folder instead")


def git_ls_files(repo: GitRepository, root: Path, timeout: float) -> list[str]:
    """POSIX paths relative to ``root`` of the files git would show in the work tree."""
    from mlops_scan.snapshot.gitsafe import run_git

    out = run_git(repo, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root, timeout=timeout)
    names = (raw.decode("utf-8", errors="surrogateescape") for raw in out.split(b"\0") if raw)
    return list(dict.fromkeys(names))  # a file both staged and modified is listed once
