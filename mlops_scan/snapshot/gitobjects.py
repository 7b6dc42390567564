"""Blobs read through one long-lived ``git cat-file --batch-command`` process, never one process per file.

Each request asks for the object's size first (``info``), so an oversized blob is skipped
without its bytes crossing the pipe, then for its contents. Every answer has a deadline: a
git that stops answering is killed and the read fails, it never hangs the scan.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import NoReturn

from mlops_scan.snapshot.gitmeta import GitRepository
from mlops_scan.snapshot.gitsafe import GitError, kill_group, start_git

READ_TIMEOUT = 60.0
"""Seconds git may take to answer one request."""
MISSING = -1
"""The size reported for an object the repository does not have (e.g. left out by a filtered clone)."""


class BlobReader:
    """``git cat-file --batch-command`` on one repository, started on first use."""

    def __init__(self, git_dir: Path, timeout: float = READ_TIMEOUT):
        self.git_dir = git_dir
        self.timeout = timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._buffer = bytearray()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def size(self, oid: str) -> int:
        """The object's size in bytes, or :data:`MISSING`."""
        header = self._ask(f"info {oid}")
        return MISSING if header is None else header[1]

    def read(self, oid: str) -> bytes | None:
        """The object's bytes, or None when the repository does not have it."""
        header = self._ask(f"contents {oid}")
        if header is None:
            return None
        data = self._take(header[1] + 1)  # the contents and the newline that ends them
        return data[:-1]

    def close(self) -> None:
        """Stop the git process (also done when the reader is garbage-collected)."""
        process, self._process = self._process, None
        if process is not None:
            kill_group(process)

    __del__ = close

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            repo = GitRepository(self.git_dir, None)  # found and checked by gitrun.git_dir_of
            self._process = start_git(repo, ["cat-file", "--batch-command"], stderr=subprocess.DEVNULL)
            self._buffer.clear()
        return self._process

    def _ask(self, command: str) -> tuple[str, int] | None:
        """Send one command; (type, size) from the answer's header, None for a missing object."""
        if "\n" in command:
            raise GitError("object name with a newline")
        process = self._start()
        assert process.stdin is not None
        try:
            process.stdin.write(command.encode() + b"\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            self._fail("git cat-file stopped (git 2.36 or newer is needed to read revisions)")
        header = self._line().decode("utf-8", "replace").split()
        if len(header) == 2 and header[1] == "missing":
            return None
        if len(header) != 3 or not header[2].isdigit():
            self._fail(f"unexpected answer from git cat-file: {' '.join(header)[:80]!r}")
        return header[1], int(header[2])

    def _line(self) -> bytes:
        while b"\n" not in self._buffer:
            self._fill()
        end = self._buffer.index(b"\n")
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line

    def _take(self, count: int) -> bytes:
        while len(self._buffer) < count:
            self._fill()
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data

    def _fill(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + self.timeout
        fd = process.stdout.fileno()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(f"git cat-file did not answer within {self.timeout:g} s")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    self._fail("git cat-file stopped (git 2.36 or newer is needed to read revisions)")
                self._buffer += chunk
                return

    def _fail(self, message: str) -> NoReturn:
        process = self._process
        if process is not None:
            process.kill()
            self.close()
        raise GitError(message)
