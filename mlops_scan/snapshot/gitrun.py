"""Run git on a repository without letting the repository's config run anything.

Every call names the git directory explicitly, ignores the system and global config, turns
off hooks, fsmonitor and lazy fetches, and has a hard timeout. The commands used here
(``rev-parse``, ``ls-tree``, ``cat-file --batch-command``, ``for-each-ref``, ``rev-list``,
``log``, ``clone --no-checkout``) read objects and refs only: none applies filters, textconv
drivers or attributes, and none checks anything out.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from mlops_scan.errors import MlopsScanError

TIMEOUT = 120.0
"""Seconds one git command may take (a clone gets longer, see :func:`clone`)."""

SAFE_CONFIG = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    f"core.hooksPath={os.devnull}",
    "-c",
    "core.pager=cat",
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "uploadpack.packObjectsHook=",
)
"""Settings given on the command line, which win over the repository's own config."""


class GitError(MlopsScanError):
    """git failed; the message is git's own one-line complaint."""


class GitTimeout(GitError):
    """git ran past its time limit and was killed."""


def safe_env() -> dict[str, str]:
    """The environment for git: no system or global config, no prompts, no lazy fetch, no pager."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_NO_LAZY_FETCH="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_PAGER="cat",
        GIT_ATTR_NOSYSTEM="1",
        LC_ALL="C",
    )
    return env


def git_argv(git_dir: Path | None, *args: str) -> list[str]:
    """``git [--git-dir DIR] <safe config> ARGS``."""
    where = ["--git-dir", str(git_dir)] if git_dir is not None else []
    return ["git", "--no-pager", *where, *SAFE_CONFIG, *args]


def run(
    git_dir: Path | None, *args: str, timeout: float = TIMEOUT, cwd: Path | None = None, stdin: bytes = b""
) -> bytes:
    """git's standard output (``stdin`` fed to it); GitError with git's last complaint when it fails, GitTimeout
    when it runs past ``timeout`` (then git and every process it started, such as a remote helper, are killed)."""
    try:
        process = subprocess.Popen(
            git_argv(git_dir, *args),
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=safe_env(),
            cwd=cwd,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (needed to read revisions)") from None
    with process:
        try:
            out, err = process.communicate(stdin or None, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise GitTimeout(f"git {args[0]} took longer than {timeout:g} s") from None
    if process.returncode != 0:
        raise GitError(complaint(err) or f"git {args[0]} failed (exit {process.returncode})")
    return out


def complaint(stderr: bytes) -> str:
    """git's last meaningful line (``unknown revision ...``), without its ``fatal:`` prefix, printable."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("hint:", "Use '--", "usage:"))] or lines
    if not lines:
        return ""
    line = lines[-1]
    for prefix in ("fatal:", "error:"):
        line = line.removeprefix(prefix).strip()
    return "".join(c if c.isprintable() else "?" for c in line)[:200]


def git_dir_of(path: Path) -> tuple[Path, Path | None]:
    """(git directory, top of the work tree or None when bare) of the repository ``path`` is in."""
    lines = (
        run(None, "rev-parse", "--absolute-git-dir", "--is-bare-repository", cwd=path)
        .decode("utf-8", "surrogateescape")
        .splitlines()
    )
    if len(lines) != 2:
        raise GitError(f"{path}: not a git repository")
    if lines[1].strip() == "true":
        return Path(lines[0]), None
    top = run(None, "rev-parse", "--show-toplevel", cwd=path).decode("utf-8", "surrogateescape").strip()
    return Path(lines[0]), Path(top)
