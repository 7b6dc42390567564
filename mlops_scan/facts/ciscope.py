"""Where CI definitions limit themselves to part of the repository: path filters and working folders.

GitHub Actions ``on.<event>.paths`` and ``defaults.run.working-directory`` / a step's
``working-directory``; GitLab CI ``rules: - changes:`` and ``only: changes:``; Azure Pipelines
``trigger``/``pr`` ``paths: include:`` and a step's ``workingDirectory``. Each scope covers a span of
lines (the whole file, a job or a step), so evidence found on a line can be attributed to the
projects its CI actually works on (docs/monorepos.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.systems import detect_system
from mlops_scan.facts.context import FileContext
from mlops_scan.snapshot.tree import FileEntry, Snapshot

WHOLE_FILE = 10**9
"""Last line of a scope that covers its whole file."""
_MAX_NODES = 20_000
"""Nodes walked per CI file at most."""
_WORKDIR_KEYS = ("working-directory", "workingDirectory")
_AZURE_NAME = re.compile(r"(^|/)(\.azure-pipelines|\.pipelines|\.azuredevops)/|(^|/)azure-pipelines[^/]*\.ya?ml$")


@dataclass(frozen=True)
class CiScope:
    """One limit a CI file puts on where it works, over lines ``first``..``last`` of ``path``."""

    path: str
    first: int
    last: int
    kind: str
    """``paths``: the CI runs only when files matching ``patterns`` change; ``workdir``: it runs in a folder."""
    patterns: tuple[str, ...]
    """Path filter patterns, or the one working folder (normalised, no ``./``)."""


def is_scoped_ci_file(entry: FileEntry) -> bool:
    """CI files whose scopes are read: GitHub workflows, GitLab CI files and Azure Pipelines files."""
    system = detect_system(entry.path)
    return system in ("github-actions", "gitlab-ci") or (system == "yaml?" and bool(_AZURE_NAME.search(entry.path)))


def read_scopes(snapshot: Snapshot) -> list[CiScope]:
    """Every scope of every CI file of the snapshot (unreadable files are skipped as the scan skips them)."""
    scopes: list[CiScope] = []
    for entry in snapshot.files:
        if is_scoped_ci_file(entry):
            for doc in FileContext(snapshot, entry).yaml:
                scopes.extend(_walk(entry.path, doc))
    return sorted(scopes, key=lambda s: (s.path, s.first, s.last, s.kind))


def _walk(path: str, doc: Node) -> list[CiScope]:
    """Scopes of one YAML document: a bounded walk keeping the key path and the owning nodes."""
    out: list[CiScope] = []
    stack: list[tuple[Node, tuple[str, ...], tuple[Node, ...]]] = [(doc, (), ())]
    seen = 0
    while stack and seen < _MAX_NODES:
        node, keys, owners = stack.pop()
        seen += 1
        if isinstance(node, MappingNode):
            for key, _, value in Y.items(node):
                scope = _scope_at(path, (*keys, key), value, (*owners, node))
                if scope is not None:
                    out.append(scope)
                else:
                    stack.append((value, (*keys, key), (*owners, node)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*keys, "#"), (*owners, node)) for item in node.value)
    return out


def _scope_at(path: str, keys: tuple[str, ...], value: Node, owners: tuple[Node, ...]) -> CiScope | None:
    """The scope ``value`` sets when it sits at key path ``keys`` (``#`` for list items), else None."""
    if keys[-1] in _WORKDIR_KEYS:
        folder = _folder(Y.scalar(value))
        if folder is None:
            return None
        # defaults.run.working-directory applies to its owner (the workflow or the job), a task's input to the
        # task, else the key applies to the step it is in
        owner = owners[-1]
        if keys[-3:-1] == ("defaults", "run") and len(owners) >= 3:
            owner = owners[-3]
        elif len(keys) >= 2 and keys[-2] == "inputs" and len(owners) >= 2:
            owner = owners[-2]
        return _spanning(path, owner, "workdir", (folder,), whole=len(owners) == 3 and keys[0] == "defaults")
    patterns = _path_patterns(keys, value)
    if not patterns:
        return None
    if keys[0] in ("on", "trigger", "pr"):
        return CiScope(path, 1, WHOLE_FILE, "paths", patterns)
    return _spanning(path, owners[1] if len(owners) > 1 else owners[0], "paths", patterns, whole=False)


def _path_patterns(keys: tuple[str, ...], value: Node) -> tuple[str, ...]:
    """Filter patterns of a GitHub ``on.<event>.paths``, an Azure ``paths.include``, a GitLab ``changes``."""
    github = len(keys) == 3 and keys[0] == "on" and keys[2] == "paths"
    azure = len(keys) == 3 and keys[0] in ("trigger", "pr") and keys[1:] == ("paths", "include")
    gitlab = len(keys) >= 3 and keys[-1] == "changes" and keys[1] in ("rules", "only")
    if not (github or azure or gitlab):
        return ()
    if gitlab and isinstance(value, MappingNode):
        value = Y.get(value, "paths") or value
    return tuple(n.value for n in Y.seq(value) if isinstance(n, ScalarNode) and n.value.strip())


def _spanning(path: str, owner: Node, kind: str, patterns: tuple[str, ...], whole: bool) -> CiScope:
    if whole:
        return CiScope(path, 1, WHOLE_FILE, kind, patterns)
    end = owner.end_mark  # just past the node: on the next line (maybe indented) when the node ends a line
    before = (end.buffer or "")[end.index - end.column : end.index] if end.column else ""
    return CiScope(path, Y.line_of(owner), end.line + (1 if before.strip() else 0), kind, patterns)


def _folder(value: str | None) -> str | None:
    """A working folder as a repository path ('' for the root), or None when it is computed (``${{ }}``)."""
    if value is None or "$" in value or value.startswith("/") or ".." in value.split("/"):
        return None
    parts = [p for p in value.strip().split("/") if p not in ("", ".")]
    return "/".join(parts)
