"""The rule set of a scan: every pack's rules, built against the installed matcher kinds."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from mlops_scan.matchers.base import AnyMatcher, installed_kinds, installed_params
from mlops_scan.rules.loader import Rule, load_rules, pack_files
from mlops_scan.rules.sources import builtin_pack_dir, plugin_pack_dirs
from mlops_scan.startcache import cached, load_memo, stamp, store_memo
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
        stamped = f"{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        stamped = "-"
    return f"{name}={cls.__module__}.{cls.__qualname__}@{where}:{stamped}"


def rules_hash(rules: Sequence[Rule[object]]) -> str:
    """A short digest of a rule set (every rule's fields and params): results made with other rules differ. Each
    rule's digest comes from the memo of earlier runs when its pack file and its kind's code are as they were (a rule
    is what its pack says; the ``repr`` of 600 rules costs 3 ms)."""
    import hashlib  # only scans that keep a record need it (OpenSSL's loading is a tenth of a small scan's start)

    global _digests
    if _digests is None:
        _digests = load_memo(DIGEST_MEMO)
    made_of, digests, used, learned = _Origins(), [], {}, False
    for rule in rules:
        key = made_of.key(rule)
        found = _digests.get(key) if key is not None else None
        if found is None:
            found = hashlib.sha256(repr(rule).encode()).hexdigest()
            learned = learned or key is not None
        if key is not None:
            used[key] = _digests[key] = found
        digests.append(found)
    if learned:  # this set's digests only: those of packs changed since are not kept
        store_memo(DIGEST_MEMO, used)
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()[:16]


DIGEST_MEMO = "rule-digests"
_digests: dict[tuple[str, ...], str] | None = None
"""The digests of the rules met in earlier runs, by what each is made of (:class:`_Origins`)."""


class _Origins:
    """What rules are made of, each pack file stamped and each kind's code read once (for one rule set)."""

    def __init__(self) -> None:
        self._stamps: dict[str, str | None] = {}
        self._kinds: dict[str, str | None] = {}

    def key(self, rule: Rule[object]) -> tuple[str, ...] | None:
        """The rule's pack file's stamp, where in it, and its kind's code; None without a pack file or a kind."""
        if rule.source not in self._stamps:
            try:
                self._stamps[rule.source] = stamp(Path(rule.source)) if rule.source else None
            except OSError:
                self._stamps[rule.source] = None
        if rule.kind not in self._kinds:
            cls = installed_kinds().get(rule.kind)
            self._kinds[rule.kind] = _kind_code(rule.kind, cls) if cls is not None else None
        pack, kind = self._stamps[rule.source], self._kinds[rule.kind]
        if pack is None or kind is None:
            return None
        return (pack, rule.id, str(rule.line), str(rule.bounded), kind)
