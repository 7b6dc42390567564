"""The repository list of a fleet scan (REPOS.txt) and the shard a worker takes of it."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlops_scan.errors import UsageError
from mlops_scan.snapshot.gitclone import is_url

MAX_LIST_BYTES = 16 * 1024 * 1024
_COMMENT = re.compile(r"\s+#.*$")
_SCHEME_AND_USER = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*$", re.I)


@dataclass(frozen=True, order=True)
class RepoSpec:
    """One line of REPOS.txt: where the repository is and which ref to scan."""

    source: str
    """A URL (https, ssh, ``git@host:path``, ``file://``) or a local path."""
    ref: str = ""
    """Branch, tag or commit after a trailing ``@``; empty for the default branch."""

    @property
    def key(self) -> str:
        """``source@ref`` (or ``source``): the row's ``repo``/``ref`` identity."""
        return f"{self.source}@{self.ref}" if self.ref else self.source

    @property
    def is_url(self) -> bool:
        return is_url(self.source)

    @property
    def slug(self) -> str:
        """A file-name-safe, unique name for the repository's report file."""
        tail = re.sub(r"[^A-Za-z0-9._-]+", "_", self.source.rstrip("/").removesuffix(".git"))[-60:].strip("_.")
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:10]
        return f"{tail or 'repo'}-{digest}"


def parse_spec(text: str) -> RepoSpec:
    """``URL``, ``URL@ref``, ``PATH`` or ``PATH@ref`` (``git@host:org/x`` keeps its user part)."""
    head, at, tail = text.rpartition("@")
    if not at or not head or not tail or ":" in tail or _SCHEME_AND_USER.match(head) or head.endswith(":"):
        return RepoSpec(text)
    return RepoSpec(head, tail)


def read_repos_file(path: Path) -> list[RepoSpec]:
    """The repositories REPOS.txt lists, one a line; ``#`` starts a comment; duplicates are dropped."""
    try:
        if not path.is_file():
            raise UsageError(f"{path}: no such repository list")
        with path.open("rb") as handle:
            data = handle.read(MAX_LIST_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the repository list ({exc.strerror})") from None
    if len(data) > MAX_LIST_BYTES:
        raise UsageError(f"{path}: repository list larger than {MAX_LIST_BYTES // 2**20} MiB")
    specs: dict[RepoSpec, None] = {}
    for number, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        line = "" if raw.lstrip().startswith("#") else _COMMENT.sub("", raw).strip()
        if not line:
            continue
        if any(ch.isspace() for ch in line):
            raise UsageError(f"{path}:{number}: one repository a line, without spaces: {line[:80]!r}")
        specs[parse_spec(line)] = None
    return list(specs)


@dataclass(frozen=True)
class Shard:
    """Worker ``index`` of ``total`` (0-based): takes the repositories whose stable hash falls on it."""

    index: int = 0
    total: int = 1

    def takes(self, spec: RepoSpec) -> bool:
        digest = hashlib.sha256(spec.key.encode()).digest()
        return int.from_bytes(digest[:8], "big") % self.total == self.index

    def select(self, specs: Sequence[RepoSpec]) -> list[RepoSpec]:
        return [s for s in specs if self.takes(s)]

    @property
    def name(self) -> str:
        """The deterministic file stem of this shard's output (a rerun overwrites it)."""
        return f"shard-{self.index:05d}-of-{self.total:05d}"


def parse_shard(text: str) -> Shard:
    """``I/N`` with 0 <= I < N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise UsageError(f"--shard {text!r}: expected I/N, e.g. 0/4")
    index, total = int(match[1]), int(match[2])
    if total < 1 or index >= total:
        raise UsageError(f"--shard {text}: I must be in 0..N-1 and N at least 1")
    return Shard(index, total)


def shard_from_env(env: Mapping[str, str]) -> Shard | None:
    """A Kubernetes Indexed Job (``JOB_COMPLETION_INDEX``, 0-based, with ``MLOPS_SCAN_SHARDS`` for the
    total) or a GitLab parallel job (``CI_NODE_INDEX``, 1-based, and ``CI_NODE_TOTAL``)."""
    if "JOB_COMPLETION_INDEX" in env:
        total = env.get("MLOPS_SCAN_SHARDS", "")
        if not total:
            raise UsageError("JOB_COMPLETION_INDEX is set: set MLOPS_SCAN_SHARDS to the Job's completions too")
        return parse_shard(f"{env['JOB_COMPLETION_INDEX']}/{total}")
    if "CI_NODE_INDEX" in env and "CI_NODE_TOTAL" in env:
        try:
            return parse_shard(f"{int(env['CI_NODE_INDEX']) - 1}/{env['CI_NODE_TOTAL']}")
        except ValueError:
            raise UsageError("CI_NODE_INDEX and CI_NODE_TOTAL must be numbers") from None
    return None


def local_path(spec: RepoSpec) -> Path | None:
    """The folder a non-URL spec names (absolute), or None for a URL."""
    return None if spec.is_url else Path(os.path.abspath(spec.source))
