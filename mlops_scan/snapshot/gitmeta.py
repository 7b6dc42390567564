"""Decide whether git may run on a repository, before git reads a byte of it.

git trusts its own metadata: a FIFO ``HEAD`` blocks it, ``include.path`` or ``core.worktree``
send it outside the repository, alternates bring in other repositories' objects, and a
promisor remote makes it fetch (and run ``core.sshCommand``). So the metadata git would read
is checked here first, with ``lstat`` only (never following a link, never opening anything
but bounded regular files), and the repository config is parsed by this module, not by git.
Anything doubtful raises :class:`GitRefused` with one sentence saying why; the caller then
walks the folder instead and reports the reason.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_SMALL_FILE = 64 * 1024
"""HEAD, commondir-like pointers and the ``.git`` file."""
MAX_CONFIG_FILE = 1024 * 1024
"""config, config.worktree, info/exclude, info/sparse-checkout, shallow, info/grafts."""
MAX_INDEX_FILE = 1024 * 1024 * 1024
"""index, sharedindex.*, packed-refs."""
MAX_METADATA_ENTRIES = 100_000
"""Entries under refs/ and objects/ checked before giving up."""

_SIZE_CAPS = {
    "HEAD": MAX_SMALL_FILE,
    "config": MAX_CONFIG_FILE,
    "config.worktree": MAX_CONFIG_FILE,
    "info/exclude": MAX_CONFIG_FILE,
    "info/sparse-checkout": MAX_CONFIG_FILE,
    "info/attributes": MAX_CONFIG_FILE,
    "info/grafts": MAX_CONFIG_FILE,
    "shallow": MAX_INDEX_FILE,
    "index": MAX_INDEX_FILE,
    "packed-refs": MAX_INDEX_FILE,
}
_FORBIDDEN = {
    "commondir": "it shares another repository's metadata (commondir)",
    "objects/info/alternates": "it borrows objects from another repository (objects/info/alternates)",
    "objects/info/http-alternates": "it borrows objects from another repository (objects/info/http-alternates)",
}


class GitRefused(Exception):
    """git must not run on this repository; the message says why in one sentence."""


@dataclass(frozen=True)
class GitRepository:
    """A repository git may be run on, with both locations given to git explicitly."""

    git_dir: Path
    work_tree: Path | None
    """The work tree's top folder, or None for a bare repository."""


def locate(root: Path, bare: bool = False) -> GitRepository | None:
    """The checked repository ``root`` belongs to, None when it is not in one; GitRefused when git must not run.

    ``bare`` means the user named ``root`` as a git directory (``--git-dir``, a path ending in
    ``.git``); a bare repository is never inferred from the files in a folder.
    """
    if bare:
        check_git_dir(root, root)
        return GitRepository(root, None)
    top = next((p for p in (root, *root.parents) if _exists(p / ".git")), None)
    if top is None:
        return None
    git_dir = _git_dir_of(top)
    if git_dir.is_relative_to(top):
        check_git_dir(git_dir, top)
    else:  # a linked work tree (git worktree add), checked in _git_dir_of
        check_git_dir(git_dir, git_dir, linked=True)
        check_git_dir(_common_dir(git_dir), _common_dir(git_dir))
    return GitRepository(git_dir, top)


def looks_like_git_dir(path: Path) -> bool:
    """A folder with git's own top-level layout (HEAD, objects/, refs/), checked with lstat."""
    try:
        return (
            stat.S_ISREG(os.lstat(path / "HEAD").st_mode)
            and stat.S_ISDIR(os.lstat(path / "objects").st_mode)
            and stat.S_ISDIR(os.lstat(path / "refs").st_mode)
        )
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        os.lstat(path)
    except OSError:
        return False
    return True


def _git_dir_of(top: Path) -> Path:
    """``top/.git`` when it is a real folder, or the folder a ``gitdir:`` file names inside ``top``."""
    dot_git = top / ".git"
    info = os.lstat(dot_git)
    if stat.S_ISDIR(info.st_mode):
        return dot_git
    if not stat.S_ISREG(info.st_mode):
        raise GitRefused(".git is a symbolic link or a special file")
    text = _read_small(dot_git, MAX_SMALL_FILE, ".git")
    if not text.startswith("gitdir:"):
        raise GitRefused(".git is a file without a gitdir: line")
    target = Path(os.path.realpath(top / text.removeprefix("gitdir:").strip()))
    if not target.is_relative_to(top) and not _points_back(target, dot_git):
        raise GitRefused(".git points at a git directory outside the repository (gitdir:)")
    if not stat.S_ISDIR(os.lstat(target).st_mode):
        raise GitRefused(".git points at something that is not a folder (gitdir:)")
    return target


def _points_back(target: Path, dot_git: Path) -> bool:
    """A linked work tree: the outside git directory names this ``.git`` file as its own (the other
    repository consents; a scanned repository cannot write that file) and shares a common directory."""
    try:
        if not (_exists(target / "commondir") and _exists(target / "gitdir")):
            return False
        back = _read_small(target / "gitdir", MAX_SMALL_FILE, "gitdir").strip()
    except GitRefused:
        return False
    return os.path.realpath(back) == os.path.realpath(dot_git)


def _common_dir(git_dir: Path) -> Path:
    text = _read_small(git_dir / "commondir", MAX_SMALL_FILE, "commondir").strip()
    return Path(os.path.realpath(git_dir / text))


def check_git_dir(git_dir: Path, top: Path, linked: bool = False) -> None:
    """Check the metadata git would read: inside ``top``, plain folders and bounded regular files.

    ``linked``: the private git directory of a linked work tree, whose commondir is expected.
    """
    real = Path(os.path.realpath(git_dir))
    if not real.is_relative_to(os.path.realpath(top)) or _is_link(git_dir):
        raise GitRefused("the git directory is a link or lies outside the repository")
    for rel, reason in _FORBIDDEN.items():
        if _exists(git_dir / rel) and not (linked and rel == "commondir"):
            raise GitRefused(f"git would read outside the repository: {reason}")
    for rel, cap in _SIZE_CAPS.items():
        _check_file(git_dir, rel, cap, required=rel == "HEAD")
    with os.scandir(git_dir) as entries:
        for entry in entries:
            if entry.name.startswith("sharedindex."):
                _check_file(git_dir, entry.name, MAX_INDEX_FILE)
    _check_tree(git_dir, "refs")
    _check_tree(git_dir, "objects", depth=2)
    for name in ("config", "config.worktree"):
        if _exists(git_dir / name):
            check_config(_read_small(git_dir / name, MAX_CONFIG_FILE, name))


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _check_file(git_dir: Path, rel: str, cap: int, required: bool = False) -> None:
    try:
        info = os.lstat(git_dir / rel)
    except FileNotFoundError:
        if required:
            raise GitRefused(f"the git directory has no {rel}") from None
        return
    if not stat.S_ISREG(info.st_mode):
        raise GitRefused(f"git metadata {rel} is not a regular file (a link, FIFO or device)")
    if info.st_size > cap:
        raise GitRefused(f"git metadata {rel} is larger than {cap // 1024} KiB")


def _check_tree(git_dir: Path, rel: str, depth: int = 64) -> None:
    """Every entry under ``rel`` (down to ``depth`` levels) is a plain folder or a regular file."""
    count = 0
    stack = [(os.path.join(git_dir, rel), 1)]  # plain strings: objects/ may hold thousands of loose objects
    if _is_link(Path(stack[0][0])):
        raise GitRefused(f"git metadata {rel}/ is a symbolic link")
    while stack:
        folder, level = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    count += 1
                    if count > MAX_METADATA_ENTRIES:
                        raise GitRefused(f"git metadata {rel}/ has more than {MAX_METADATA_ENTRIES} entries")
                    if entry.is_dir(follow_symlinks=False):
                        if level < depth:
                            stack.append((entry.path, level + 1))
                    elif not entry.is_file(follow_symlinks=False):
                        shown = Path(entry.path).relative_to(git_dir).as_posix()
                        raise GitRefused(f"git metadata {shown} is not a regular file (a link, FIFO or device)")
        except FileNotFoundError:
            continue


def _read_small(path: Path, cap: int, shown: str) -> str:
    """A bounded regular file's text, opened without following a link and without blocking."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise GitRefused(f"git metadata {shown} cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise GitRefused(f"git metadata {shown} is not a regular file (a link, FIFO or device)")
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise GitRefused(f"git metadata {shown} is larger than {cap // 1024} KiB")
    return data.decode("utf-8", errors="replace")


_SECTION = re.compile(r'\[\s*([A-Za-z0-9.-]+)\s*(?:"((?:[^"\\\n]|\\.)*)")?\s*\]')
_KEY = re.compile(r"([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$")


_ASCII_SPACE = " \t\r\f\v"
"""What git strips around a config line (its isspace is ASCII only)."""


def config_entries(text: str) -> list[tuple[str, str]]:
    """``(name, value)`` of each variable, names as git compares them (``remote.<Sub>.promisor``).

    Section and key are lower-cased, a subsection keeps its case; values are raw (quotes kept).
    A line that is not git config syntax raises GitRefused (git would refuse it too).
    """
    out: list[tuple[str, str]] = []
    section = ""
    lines = iter(text.split("\n"))  # git's lines: never str.splitlines, which also breaks at U+0085, U+2028...
    for number, raw in enumerate(lines, 1):
        line = raw.strip(_ASCII_SPACE)
        while line.endswith("\\") and not line.endswith("\\\\"):
            line = line[:-1] + next(lines, "").strip(_ASCII_SPACE)
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            match = _SECTION.match(line)
            if not match:
                raise GitRefused(f"git config line {number} is not a section header git reads safely")
            name, sub = match.group(1).lower(), match.group(2)
            section = f"{name}.{sub}" if sub is not None else _dotted_section(name, match.group(1))
            line = line[match.end() :].strip()
            if not line or line[0] in "#;":
                continue
        match = _KEY.match(line)
        if not match or not section:
            raise GitRefused(f"git config line {number} is not a variable git reads safely")
        out.append((f"{section}.{match.group(1).lower()}", (match.group(2) or "true").strip()))
    return out


def _dotted_section(lowered: str, written: str) -> str:
    """``[remote.origin]`` (the old form): the part after the first dot is the subsection, case kept."""
    head, dot, tail = written.partition(".")
    return f"{head.lower()}.{tail}" if dot else lowered


_FALSE = {"false", "no", "off", "0", '""', ""}


def check_config(text: str) -> None:
    """Refuse a repository config that would make git read outside the repository or fetch."""
    for name, value in config_entries(text):
        section, _, key = name.rpartition(".")
        top = section.split(".", 1)[0]
        if top in ("include", "includeif"):
            raise GitRefused("git config includes another file (include.path)")
        if name == "core.worktree":
            raise GitRefused("git config moves the work tree (core.worktree)")
        if name in ("core.excludesfile", "core.attributesfile"):
            raise GitRefused(f"git config names a file git would read ({name})")
        if name == "extensions.partialclone" or (
            top == "remote" and key in ("promisor", "partialclonefilter") and value.lower() not in _FALSE
        ):
            raise GitRefused("a partial clone (promisor remote): git could fetch missing objects")
