"""The one way mlops-scan runs git: checked metadata, a clean environment, a hard timeout.

Every git call goes through :func:`run_git` (or :func:`start_git` for a long-lived process).
Before it, :func:`mlops_scan.snapshot.gitmeta.locate` has checked the repository's metadata
and config. Each call then gets:

* both locations on the command line (``--git-dir``, ``--work-tree``): no discovery;
* an environment without the caller's ``GIT_*`` variables, without system or global
  config (``HOME`` points nowhere), ``GIT_NO_LAZY_FETCH=1``, ``GIT_TERMINAL_PROMPT=0``;
* command-line settings, which outrank the repository's: no network (``protocol.allow=never``
  unless the caller allows a protocol for a clone), no hooks, no fsmonitor, no pager, no
  ssh or credential helper, no external diff or textconv (forced flags for diff-like
  commands), no automatic gc;
* a new process group, killed as a whole when the time bound or the output bound is hit.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from mlops_scan.errors import MlopsScanError
from mlops_scan.snapshot.gitmeta import GitRepository

DEFAULT_TIMEOUT = 60.0
"""Seconds one git call may take (a FIFO .gitignore would block git for ever)."""
DEFAULT_MAX_OUTPUT = 512 * 1024 * 1024
"""Bytes of output one git call may produce."""
NOWHERE = "/nonexistent/mlops-scan-home"

_SETTINGS = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.askPass=false",
    "core.gitProxy=false",
    "core.untrackedCache=false",
    "core.alternateRefsCommand=false",
    "credential.helper=",
    "diff.external=",
    "gc.auto=0",
    "maintenance.auto=false",
    "submodule.recurse=false",
    "safe.directory=*",
)
_COMMANDS = {
    "ls-files": (),
    "ls-tree": (),
    "cat-file": (),
    "rev-parse": (),
    "rev-list": (),
    "for-each-ref": (),
    "log": ("--no-ext-diff", "--no-textconv"),
    "show": ("--no-ext-diff", "--no-textconv"),
    "diff-tree": ("--no-ext-diff", "--no-textconv"),
    "diff": ("--no-ext-diff", "--no-textconv"),
    "clone": ("--no-checkout", "--no-recurse-submodules"),
    "ls-remote": (),
    "version": (),
}
"""The commands this module runs, and the flags forced right after each."""


class GitError(MlopsScanError):
    """git failed, timed out or produced too much; the message is git's own one line (or the bound hit)."""


class GitTimeout(GitError):
    """git ran past its time limit; it and every process it started were killed."""


def git_env(allow_protocols: Sequence[str] = ()) -> dict[str, str]:
    """The whole environment of a git process (nothing inherited but PATH)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LC_ALL": "C",
        "HOME": NOWHERE,
        "XDG_CONFIG_HOME": NOWHERE,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_SYSTEM": os.devnull,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_ALLOW_PROTOCOL": ":".join(allow_protocols) or "none",
        "GIT_PAGER": "cat",
    }


def git_argv(repo: GitRepository | None, args: Sequence[str], allow_protocols: Sequence[str] = ()) -> list[str]:
    """The full command line: safe settings, explicit locations, the command and its forced flags."""
    if not args or args[0] not in _COMMANDS:
        raise ValueError(f"git command not allowed here: {args[0] if args else '(none)'}")
    if args[0] in ("clone", "ls-remote") and not allow_protocols:
        raise ValueError(f"git {args[0]} needs allow_protocols")
    settings = [*_SETTINGS, "protocol.allow=never", *(f"protocol.{p}.allow=always" for p in allow_protocols)]
    if not allow_protocols:
        settings.append("core.sshCommand=false")  # no network anyway; a clone made here may use ssh
    argv = ["git", "--no-pager", "--no-replace-objects"]
    for setting in settings:
        argv += ["-c", setting]
    if repo is not None:
        argv.append(f"--git-dir={repo.git_dir}")
        if repo.work_tree is not None:
            argv.append(f"--work-tree={repo.work_tree}")
    return [*argv, args[0], *_COMMANDS[args[0]], *args[1:]]


def run_git(
    repo: GitRepository | None,
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    stdin: bytes = b"",
    timeout: float = DEFAULT_TIMEOUT,
    max_output: int = DEFAULT_MAX_OUTPUT,
    allow_protocols: Sequence[str] = (),
) -> bytes:
    """git's stdout; GitError (with git's complaint, or the bound that was hit) otherwise."""
    process = start_git(repo, args, cwd=cwd, allow_protocols=allow_protocols)
    deadline = time.monotonic() + timeout
    try:
        out, err = _exchange(process, stdin, deadline, max_output)
        process.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise GitTimeout(f"git {args[0]} took longer than {timeout:g} s") from None
    finally:
        kill_group(process)
    if process.returncode != 0:
        raise GitError(describe(err) or f"git {args[0]} exited with code {process.returncode}")
    return out


def start_git(
    repo: GitRepository | None,
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    allow_protocols: Sequence[str] = (),
    stderr: int = subprocess.PIPE,
) -> subprocess.Popen[bytes]:
    """git started in its own process group with pipes; the caller must end it with :func:`kill_group`."""
    try:
        return subprocess.Popen(
            git_argv(repo, args, allow_protocols),
            cwd=cwd or (repo.work_tree or repo.git_dir if repo else None),
            env=git_env(allow_protocols),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        raise GitError(f"git cannot be started ({exc.strerror or exc.__class__.__name__}); is git installed?") from None


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill git and anything it started, and reap it."""
    if process.returncode is None:  # not reaped yet, so the group id cannot have been reused
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def _exchange(process: subprocess.Popen[bytes], stdin: bytes, deadline: float, max_output: int) -> tuple[bytes, bytes]:
    """Feed stdin and collect stdout/stderr until both close; TimeoutExpired past the deadline or the bound."""
    assert process.stdin and process.stdout and process.stderr
    chunks: dict[int, list[bytes]] = {process.stdout.fileno(): [], process.stderr.fileno(): []}
    size = 0
    pending = memoryview(stdin)
    with selectors.DefaultSelector() as selector:
        for stream in (process.stdout, process.stderr):
            selector.register(stream, selectors.EVENT_READ)
        if pending:
            os.set_blocking(process.stdin.fileno(), False)
            selector.register(process.stdin, selectors.EVENT_WRITE)
        else:
            process.stdin.close()
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(process.args, 0)
            if size > max_output:
                raise GitError(f"git output over {max_output // 1048576} MiB")
            for key, _ in selector.select(left):
                if key.fileobj is process.stdin:
                    pending = _feed(process, selector, pending)
                    continue
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                chunks[key.fd].append(data)
                size += len(data)
    return b"".join(chunks[process.stdout.fileno()]), b"".join(chunks[process.stderr.fileno()])


def _feed(process: subprocess.Popen[bytes], selector: selectors.BaseSelector, pending: memoryview) -> memoryview:
    assert process.stdin
    try:
        pending = pending[os.write(process.stdin.fileno(), pending[:65536]) :]
    except BrokenPipeError:
        pending = pending[:0]
    if not pending:
        selector.unregister(process.stdin)
        process.stdin.close()
    return pending


def describe(stderr: bytes) -> str:
    """git's last complaint on one printable line, without ``fatal:``/``error:``."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("hint:", "Use '--", "usage:"))] or lines
    if not lines:
        return ""
    line = lines[-1]
    for prefix in ("fatal:", "error:"):
        line = line.removeprefix(prefix).strip()
    return "".join(c if c.isprintable() else "?" for c in line)[:200]
