"""Notes that say what a listing covered when it is not a whole repository: an empty folder, a folder inside a
git repository, a bare repository's HEAD. A level 0 is then never silent about why."""

from __future__ import annotations

import os
from pathlib import Path

from mlops_scan.snapshot.gitmeta import looks_like_git_dir

MAX_HEAD_BYTES = 512
GIT_DIR_NAMES = frozenset(
    [
        "HEAD",
        "config",
        "description",
        "hooks",
        "info",
        "objects",
        "refs",
        "packed-refs",
        "logs",
        "branches",
        "FETCH_HEAD",
        "ORIG_HEAD",
        "shallow",
        "index",
        "worktrees",
        "modules",
        "lfs",
        "gc.log",
        "config.worktree",
        "commondir",
        "COMMIT_EDITMSG",
    ]
)
"""What a git directory holds at its top: a folder holding nothing else is one (a mirror without ``.git`` in its
name), not a project that committed git's layout among its files."""
NOTHING_ASSESSED = "level 0 here means nothing was assessed"
_EMPTY = {
    "walk": "the folder has no files",
    "git": "git lists no files in the folder (none tracked, none untracked and not ignored)",
    "git-tree": "the revision's tree has no files",
}


def nothing_to_scan(source: str, listed: int, after_exclude: int) -> list[str]:
    """Why no file is left to scan (an empty folder or tree, every file excluded or skipped); [] when some are."""
    if not listed:
        return [f"nothing to scan: {_EMPTY.get(source, _EMPTY['walk'])}; {NOTHING_ASSESSED}"]
    if not after_exclude:
        return [f"nothing to scan: all {listed} listed file(s) match the exclude globs; {NOTHING_ASSESSED}"]
    return [f"nothing to scan: every listed file was skipped (see Skipped); {NOTHING_ASSESSED}"]


def inside_repository(given: str | os.PathLike[str], base: Path, top: Path | None) -> list[str]:
    """The note for a folder below a git repository's top (``top``), or for a bare repository's layout walked as
    plain files; [] for a repository's top folder or a folder outside git."""
    if top is None:
        if not _is_bare_layout(base):
            return []
        return [
            f"{given} has a bare git repository's layout (HEAD, objects/, refs/): its files were read as they are, "
            f"not its commits; scan its HEAD with --git-dir {given}"
        ]
    top = top.resolve()
    if top == base:
        return []
    shown = os.path.normpath(os.path.join(given, os.path.relpath(top, base)))
    return [
        f"{given} is inside the git repository at {shown}: CI and other files outside it are not scanned; scan "
        f"{shown} for the whole repository (and see --root in docs/monorepos.md)"
    ]


def bare_head(git_dir: Path, commit: str | None) -> str:
    """What a scan of a bare repository's HEAD covered: the branch and commit, or why there was nothing to scan."""
    from mlops_scan.snapshot.gitrun import GitError, run  # git runs for bare repositories only

    branch = _head_branch(git_dir)
    if commit is not None:
        return f"bare git repository: scanned HEAD ({branch or 'detached'}, commit {commit[:12]})"
    try:
        refs = run(git_dir, "for-each-ref", "--count=5", "--format=%(refname:short)", "refs/heads", "refs/tags")
    except GitError as exc:
        return f"bare git repository: HEAD cannot be read ({exc}); nothing scanned"
    names = refs.decode("utf-8", "replace").split()
    if not names:
        return "bare git repository: no commits; nothing scanned"
    return (
        f"bare git repository: HEAD ({branch or 'detached'}) names no commit; nothing scanned; its branches and "
        f"tags include {', '.join(names)}: scan one with --rev"
    )


def _head_branch(git_dir: Path) -> str:
    """The branch HEAD names (``main``), read from the HEAD file itself; '' for a detached or unreadable HEAD."""
    try:
        with open(git_dir / "HEAD", "rb") as handle:
            head = handle.read(MAX_HEAD_BYTES).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    ref = head.removeprefix("ref:").strip() if head.startswith("ref:") else ""
    return "".join(c for c in ref.removeprefix("refs/heads/") if c.isprintable())


def _is_bare_layout(base: Path) -> bool:
    """``base`` has git's layout and nothing but git's own entries at its top."""
    try:
        return looks_like_git_dir(base) and all(entry.name in GIT_DIR_NAMES for entry in os.scandir(base))
    except OSError:
        return False
