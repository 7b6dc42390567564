"""List a git work tree's files (tracked, plus untracked files that are not ignored).

Only git itself runs, never anything from the repository: hooks and fsmonitor are
disabled on the command line, and nothing is checked out.
"""

from __future__ import annotations

from pathlib import Path


class GitListingError(Exception):
    """git could not list the work tree (corrupt .git, bare repository, git missing)."""


def git_ls_files(root: Path) -> list[str]:
    """POSIX paths relative to ``root`` of the files git would show in the work tree."""
    try:
        import git  # gitpython; imported lazily, it is slow to import
    except ImportError as exc:  # pragma: no cover - gitpython is a declared dependency
        raise GitListingError(f"gitpython unavailable: {exc}") from exc
    try:
        repo = git.Repo(root, search_parent_directories=True)
        if repo.bare:
            raise GitListingError("bare repository has no work tree")
        out = repo.git.execute(
            [
                "git",
                "-c",
                "core.fsmonitor=false",
                "-c",
                "core.hooksPath=/dev/null",
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            stdout_as_string=False,
        )
    except GitListingError:
        raise
    except Exception as exc:  # gitpython raises many unrelated types for a broken repository
        raise GitListingError(_describe(exc)) from exc
    paths = []
    seen = set()
    for raw in out.split(b"\0"):
        if not raw:
            continue
        path = raw.decode("utf-8", errors="surrogateescape")
        if path not in seen:  # a file both staged and modified is listed once
            seen.add(path)
            paths.append(path)
    return paths


def _describe(exc: Exception) -> str:
    """git's own one-line complaint (``index file smaller than expected``), without gitpython's decoration."""
    import git

    if isinstance(exc, git.InvalidGitRepositoryError):
        return "not a valid git repository"
    text = exc.stderr if isinstance(exc, git.GitCommandError) else str(exc)
    lines = [line.strip() for line in str(text).splitlines() if line.strip().strip("'")]
    if not lines:
        return exc.__class__.__name__
    line = lines[-1].removeprefix("stderr:").strip().strip("'").strip()
    for prefix in ("fatal:", "error:"):
        line = line.removeprefix(prefix).strip()
    return line[:200] or exc.__class__.__name__
