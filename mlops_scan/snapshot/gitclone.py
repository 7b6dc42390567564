"""``mlops-scan URL``: a shallow, blob-filtered, bare clone into a temporary folder that is always removed.

The clone is bare (nothing is checked out, so no filter, hook or attribute of the repository
runs) and made with an empty template (no hooks of this machine's git either); its HEAD is
then read from git objects like any revision.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlops_scan.errors import UsageError
from mlops_scan.snapshot.gitrun import GitError, GitTimeout, run
from mlops_scan.snapshot.urls import is_url as is_url

CLONE_TIMEOUT = 600.0


class CloneTimeout(UsageError):
    """The clone ran past its time limit."""


@contextmanager
def cloned(url: str, max_blob_bytes: int, branch: str | None = None, timeout: float = CLONE_TIMEOUT) -> Iterator[Path]:
    """A bare clone of ``url``'s default branch (or ``branch``: a branch or tag), one commit deep, without
    blobs larger than ``max_blob_bytes``; removed on exit whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="mlops-scan-clone-"))
    target = folder / "repository.git"
    options = ["--branch", branch] if branch else []
    try:
        try:
            run(
                None,
                "clone",
                "--quiet",
                "--bare",
                "--depth=1",
                "--single-branch",
                "--no-tags",
                "--template=",
                f"--filter=blob:limit={max_blob_bytes}",
                *options,
                "--",
                url,
                str(target),
                timeout=timeout,
                cwd=folder,
            )
        except GitTimeout as exc:
            raise CloneTimeout(f"{_shown(url)}: cannot clone ({exc})") from None
        except GitError as exc:
            raise UsageError(f"{_shown(url)}: cannot clone ({exc})") from None
        _forget_promisor(target)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_PROMISOR_KEY = re.compile(r"^\s*(promisor|partialclonefilter|partialclone)\s*=", re.I)


def _forget_promisor(clone: Path) -> None:
    """Make the filtered clone an ordinary repository: a blob it left out is then reported missing (and
    skipped), never fetched; and the clone passes the checks every repository gets before git runs."""
    config = clone / "config"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    config.write_text("".join(line for line in lines if not _PROMISOR_KEY.match(line)), encoding="utf-8")


def _shown(url: str) -> str:
    """The URL without any password in it, printable."""
    shown = re.sub(r"//[^/@]*@", "//", url)
    return "".join(c if c.isprintable() else "?" for c in shown)[:200]
