"""The rule set of a scan: every pack's rules, built against the installed matcher kinds."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from mlops_scan.matchers.base import AnyMatcher, installed_kinds, installed_params
from mlops_scan.rules.loader import Rule, load_rules, pack_files
from mlops_scan.rules.sources import builtin_pack_dir, plugin_pack_dirs
from mlops_scan.startcache import cached
from mlops_scan.types import ProjectInfo

BUILT_IN_KINDS = "mlops_scan.matchers."
"""Modules of the matcher kinds whose matchers are kept built (a plug-in's may read the project as it builds)."""


def load_all_rules(capabilities: Iterable[str], extra: Sequence[Path] = (), builtin: bool = True) -> list[Rule[object]]:
    """Every rule: built-in packs, then installed plug-in packs, then ``extra`` folders (from the
    start-up cache when neither the packs nor the code that checks them changed)."""
    folders = ([builtin_pack_dir()] + plugin_pack_dirs() if builtin else []) + list(extra)
    files = pack_files(folders)
    kinds = installed_kinds()
    wanted = set(capabilities)
    parts = [*sorted(wanted), *(_kind_code(name, cls) for name, cls in sorted(kinds.items()))]
    return cached("rules", files, parts, list, lambda: load_rules(files, installed_params(), wanted))


def built_matchers(
    by_kind: dict[str, list[Rule[object]]], kinds: dict[str, type[AnyMatcher]], project: ProjectInfo
) -> list[AnyMatcher]:
    """One matcher per kind, for its rules. A built-in kind's matcher depends on its rules alone (it keeps the project
    it is given, and reads it only while scanning), so these are built once and kept in the start-up cache as built,
    keyed by the stamps of the rules' packs and the rules' ids, the rules stored by id (the matchers given back keep the
    rules of ``by_kind``); each call gets fresh ones, given ``project``."""
    if not all(kinds[kind].__module__.startswith(BUILT_IN_KINDS) for kind in by_kind):
        return [kinds[kind](rules, project) for kind, rules in sorted(by_kind.items())]
    packs = sorted({rule.source for rules in by_kind.values() for rule in rules})
    parts = [
        f"{_kind_code(kind, kinds[kind])}:{','.join(r.id for r in rules)}" for kind, rules in sorted(by_kind.items())
    ]
    matchers = cached(
        "matchers",
        [Path(pack) for pack in packs],
        parts,
        list,
        lambda: [kinds[kind](rules, ProjectInfo()) for kind, rules in sorted(by_kind.items())],
        {rule.id: rule for rules in by_kind.values() for rule in rules},
    )
    for matcher in matchers:
        matcher.project = project
    return matchers


def _kind_code(name: str, cls: type[AnyMatcher]) -> str:
    """A matcher kind's class and the size and time of its module's file (a plug-in's Params may change)."""
    module = sys.modules.get(cls.__module__)
    where = getattr(module, "__file__", None) or ""
    try:
        info = os.stat(where)
        stamp = f"{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        stamp = "-"
    return f"{name}={cls.__module__}.{cls.__qualname__}@{where}:{stamp}"


def rules_hash(rules: Sequence[Rule[object]]) -> str:
    """A short digest of a rule set (every rule's fields and params): results made with other rules differ."""
    import hashlib  # only scans that keep a record need it (OpenSSL's loading is a tenth of a small scan's start)

    text = "\n".join(sorted(repr(rule) for rule in rules))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
