"""Matchers kept built in the start-up cache: the same as matchers built for the scan's project, fresh for each scan,
and a plug-in kind's built each time with the project."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.ruleset import built_matchers, load_all_rules
from mlops_scan.matchers.base import installed_kinds
from mlops_scan.matchers.file import FileMatcher
from mlops_scan.types import ProjectInfo

PROJECT = ProjectInfo(frozenset({"demand", "shared_utils"}), frozenset({"demand-forecast"}))


def _by_kind() -> dict[str, list[Any]]:
    by_kind: dict[str, list[Any]] = {}
    for rule in load_all_rules(list(load_model().capabilities)):
        by_kind.setdefault(rule.kind, []).append(rule)
    return by_kind


def test_every_built_in_kind_builds_the_same_matcher_without_the_project() -> None:
    """What the cache relies on: building reads the rules alone (the project is only kept)."""
    kinds = installed_kinds()
    for kind, rules in _by_kind().items():
        given = kinds[kind](rules, ProjectInfo())
        given.project = PROJECT
        assert pickle.dumps(given) == pickle.dumps(kinds[kind](rules, PROJECT)), kind


def test_kept_matchers_are_fresh_for_each_scan_and_hold_its_project(cache_dir: Path) -> None:
    kinds, by_kind = installed_kinds(), _by_kind()
    first = built_matchers(by_kind, kinds, PROJECT)  # built and kept
    assert list(cache_dir.glob("matchers-*.pickle"))
    other = ProjectInfo(frozenset({"other"}))
    again = built_matchers(by_kind, kinds, other)  # read back
    assert [type(m) for m in again] == [type(m) for m in first] == [kinds[k] for k in sorted(by_kind)]
    assert all(m.project is other for m in again) and all(m.project is PROJECT for m in first)
    assert not {id(m) for m in again} & {id(m) for m in first}
    assert [[r.id for r in m.rules] for m in again] == [[r.id for r in m.rules] for m in first]
    given = {id(rule) for rules in by_kind.values() for rule in rules}
    assert all(id(rule) in given for m in again for rule in m.rules)  # the rules given, not copies kept with them


def test_a_plug_in_kind_is_built_with_the_project_every_time(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class PluginFiles(FileMatcher):
        def __init__(self, rules: Any, project: ProjectInfo) -> None:
            super().__init__(rules, project)
            self.seen = project  # a plug-in may read the project as it builds

    PluginFiles.__module__ = "acme_rules.matchers"
    kinds = {**installed_kinds(), "file": PluginFiles}
    by_kind = {"file": _by_kind()["file"]}
    [matcher] = built_matchers(by_kind, kinds, PROJECT)
    assert matcher.seen is PROJECT  # type: ignore[attr-defined]
    assert not list(cache_dir.glob("matchers-*.pickle"))
