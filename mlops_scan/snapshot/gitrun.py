"""git by git directory, for the revision, history, clone and fleet code: a thin layer over the safe runner.

Every call here goes through :mod:`mlops_scan.snapshot.gitsafe` (checked environment, settings that
outrank the repository's, no network unless a clone asks for its transports, a time bound that
kills git's process group). :func:`git_dir_of` finds the repository with
:func:`mlops_scan.snapshot.gitmeta.locate`, so git never starts on metadata that was not checked.
"""

from __future__ import annotations

from pathlib import Path

from mlops_scan.snapshot.gitmeta import GitRefused, GitRepository, locate, looks_like_git_dir
from mlops_scan.snapshot.gitsafe import GitError, GitTimeout, run_git

__all__ = ["GitError", "GitTimeout", "git_dir_of", "run"]

TIMEOUT = 120.0
"""Seconds one git command may take (a clone gets longer, see :mod:`mlops_scan.snapshot.gitclone`)."""
NETWORK_COMMANDS = frozenset({"clone", "ls-remote"})
PROTOCOLS = ("https", "http", "ssh", "git", "file")
"""The transports a clone or ``ls-remote`` may use (``ext::`` and the rest stay forbidden)."""


def run(
    git_dir: Path | None, *args: str, timeout: float = TIMEOUT, cwd: Path | None = None, stdin: bytes = b""
) -> bytes:
    """git's standard output (``stdin`` fed to it); GitError with git's last complaint when it fails, GitTimeout
    when it runs past ``timeout`` (git and every process it started are then killed)."""
    repo = GitRepository(git_dir, None) if git_dir is not None else None
    protocols = PROTOCOLS if args and args[0] in NETWORK_COMMANDS else ()
    return run_git(repo, list(args), cwd=cwd, stdin=stdin, timeout=timeout, allow_protocols=protocols)


def git_dir_of(path: Path, bare: bool | None = None) -> tuple[Path, Path | None]:
    """(git directory, top of the work tree or None when bare) of the repository ``path`` is in.

    ``bare`` None: ``path`` is taken for a bare repository only when its name ends in ``.git`` and it
    has git's layout. GitError when there is no repository or git must not run on it.
    """
    if bare is None:
        bare = path.name.endswith(".git") and looks_like_git_dir(path)
    try:
        repo = locate(path, bare)
    except (GitRefused, OSError) as exc:
        raise GitError(f"git not used: {exc}") from None
    if repo is None:
        raise GitError("not a git repository")
    return repo.git_dir, repo.work_tree
