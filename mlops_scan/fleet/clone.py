"""Where a fleet repository's files come from: a shallow, blob-filtered bare clone, or a plain folder."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlops_scan.errors import UsageError
from mlops_scan.fleet.specs import RepoSpec, local_path
from mlops_scan.snapshot.gitclone import CloneTimeout, cloned
from mlops_scan.snapshot.gitrun import GitError, GitTimeout, run
from mlops_scan.snapshot.limits import Limits

_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


class FetchError(Exception):
    """A repository could not be reached, cloned or read; the message is one line."""


class FetchTimeout(FetchError):
    """Its clone ran past the time limit."""


class TooLarge(FetchError):
    """The repository has more files than the fleet's limit."""


class Deadline:
    """Seconds left of one repository's time budget (clone and scan together); the clone alone may
    have a shorter budget (network waits are not scan work)."""

    def __init__(self, seconds: float, clone_seconds: float | None = None):
        self._end = time.monotonic() + seconds
        self.clone_seconds = seconds if clone_seconds is None else min(seconds, clone_seconds)

    def left(self) -> float:
        """Seconds left; :class:`FetchTimeout` once none are."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise FetchTimeout("the repository ran past its time limit")
        return left

    def clone_left(self) -> float:
        """Seconds the clone may take."""
        return min(self.clone_seconds, self.left())


def remote_url(spec: RepoSpec) -> str | None:
    """The URL to fetch from: the spec's URL, a local git repository as ``file://``, None for a plain folder."""
    path = local_path(spec)
    if path is None:
        return spec.source
    if not path.is_dir():
        raise FetchError(f"{spec.source}: no such folder")
    is_git = (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())
    return path.as_uri() if is_git else None


def remote_commit(spec: RepoSpec, deadline: Deadline) -> str:
    """The commit the spec's ref names at the remote, without cloning (``git ls-remote``)."""
    url = remote_url(spec)
    if url is None or _SHA.match(spec.ref):
        return spec.ref if url else ""
    try:
        listed = run(None, "ls-remote", "--", url, spec.ref or "HEAD", timeout=deadline.clone_left())
    except GitTimeout as exc:
        raise FetchTimeout(str(exc)) from None
    except GitError as exc:
        raise FetchError(f"cannot list the remote's refs ({exc})") from None
    found = dict(line.split("\t", 1)[::-1] for line in listed.decode("utf-8", "replace").splitlines() if "\t" in line)
    for name in sorted(found, key=lambda n: (not n.endswith("^{}"), not n.startswith("refs/heads/"), n)):
        return found[name]
    raise FetchError(f"{spec.key}: no such ref at the remote")


@contextmanager
def fetched(spec: RepoSpec, deadline: Deadline, max_files: int) -> Iterator[tuple[Path, str]]:
    """(folder or bare clone to scan, commit id or '') for the spec; a clone is removed on exit."""
    url = remote_url(spec)
    folder = local_path(spec)
    if url is None and folder is not None:
        yield folder, ""
        return
    try:
        with cloned(
            url or spec.source, Limits().max_notebook_bytes, spec.ref or None, deadline.clone_left()
        ) as git_dir:
            commit = run(git_dir, "rev-parse", "HEAD").decode().strip()
            files = run(git_dir, "ls-tree", "-r", "-z", "--name-only", "HEAD").count(b"\0")
            if files > max_files:
                raise TooLarge(f"{files} files, over the limit of {max_files}")
            yield git_dir, commit
    except CloneTimeout as exc:
        raise FetchTimeout(str(exc)) from None
    except (UsageError, GitError) as exc:
        raise FetchError(str(exc)) from None
