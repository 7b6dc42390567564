"""Which snapshot a scan opens: a work tree or folder, a revision of a repository, or a clone of a URL."""

from __future__ import annotations

from contextlib import ExitStack

from mlops_scan.snapshot.limits import Limits
from mlops_scan.snapshot.tree import Snapshot, open_snapshot
from mlops_scan.snapshot.urls import is_url


def open_source(
    path: str, rev: str | None, limits: Limits, exclude: tuple[str, ...], stack: ExitStack, git_dir: bool = False
) -> Snapshot:
    """The snapshot of PATH: a work tree or folder, revision REV of a repository (``git_dir``: PATH is a bare
    repository the user named), or a clone of a URL. Clones and git readers are closed with ``stack``."""
    if rev is None and not (is_url(path) and not git_dir):
        return open_snapshot(path, limits=limits, exclude=exclude, git_dir=git_dir)
    from mlops_scan.snapshot.gitclone import cloned  # the git machinery, only for a URL or a revision
    from mlops_scan.snapshot.gitrev import open_revision

    if is_url(path) and not git_dir:
        clone = stack.enter_context(cloned(path, limits.max_notebook_bytes, branch=rev))
        snapshot = open_revision(clone, "HEAD", limits, exclude)
    elif rev is not None:
        snapshot = open_revision(path, rev, limits, exclude, bare=git_dir or None)
    if snapshot.objects is not None:
        stack.callback(snapshot.objects.close)
    return snapshot
