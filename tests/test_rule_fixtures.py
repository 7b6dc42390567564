"""Every rule fires exactly where its fixtures say, and every rule has both kinds of fixture."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from rulefixtures import RULE_FIXTURES, cases, expectations

from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.collect import collect
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.facts.project import detect_project
from mlops_scan.matchers.base import installed_kinds
from mlops_scan.snapshot.tree import open_snapshot


@lru_cache(maxsize=1)
def all_rules():  # type: ignore[no-untyped-def]
    return load_all_rules(load_model().capabilities)


def hits_of(case):  # type: ignore[no-untyped-def]
    result = collect(open_snapshot(case), all_rules())
    unread = [f"{s.path}: {s.reason}" for s in result.skipped]
    assert not unread, f"a fixture file the scan could not read or parse proves nothing: {unread}"
    return {(e.rule, e.path, e.line) for e in result.evidence}


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.relative_to(RULE_FIXTURES).as_posix())
def test_fixture_case(case):  # type: ignore[no-untyped-def]
    """The case's annotations hold, and every file of it was read and parsed (a malformed near miss cannot fail)."""
    exp = expectations(case)
    hits = hits_of(case)
    todo = {(r, p) for r, p, _ in exp.todo}
    unexpected = sorted(
        h for h in hits if h not in exp.fires and (h[0], h[1], None) not in exp.fires and (h[0], h[1]) not in todo
    )
    missing = sorted(f for f in exp.fires if f not in hits and not (f[2] is None and any(h[:2] == f[:2] for h in hits)))
    wrongly_fired = sorted(h for h in hits if h[0] in exp.silent)
    silent_broken = sorted(s for s in exp.silent_at if s in hits)
    assert not unexpected, f"hits nobody annotated: {unexpected}"
    assert not missing, f"expected hits that did not happen: {missing}"
    assert not wrongly_fired and not silent_broken, (
        f"rules that must stay silent fired: {wrongly_fired + silent_broken}"
    )


def test_every_rule_has_firing_and_silent_fixtures():
    fires: set[str] = set()
    silent: set[str] = set()
    for case in cases():
        exp = expectations(case)
        fires.update(r for r, _, _ in exp.fires)
        silent.update(exp.silent)
        silent.update(r for r, _, _ in exp.silent_at)
    ids = {r.id for r in all_rules()}
    assert sorted(ids - fires) == [], "rules without a fixture where they fire"
    assert sorted(ids - silent) == [], "rules without a fixture where they stay silent"
    assert sorted((fires | silent) - ids) == [], "fixtures naming rules that do not exist"


def _negatives() -> dict[str, set[tuple[Path, str | None]]]:
    """Rule id -> (case, file) of each near miss: the annotated file, or None for a whole-case ``silent``."""
    out: dict[str, set[tuple[Path, str | None]]] = {}
    for case in cases():
        exp = expectations(case)
        for rule in exp.silent:
            out.setdefault(rule, set()).add((case, None))
        for rule, path, _ in exp.silent_at:
            out.setdefault(rule, set()).add((case, path))
    return out


def _reads(rule, case: Path, path: str | None) -> bool:  # type: ignore[no-untyped-def]
    """Whether a matcher holding only ``rule`` reads ``path`` of ``case`` (any of its files for None)."""
    snapshot = open_snapshot(case)
    matcher = installed_kinds()[rule.kind]([rule], detect_project(snapshot, {}))
    return any(matcher.wants(e) for e in snapshot.files if path is None or e.path == path)


def _fires_on_existence(rule) -> bool:  # type: ignore[no-untyped-def]
    """A ``file`` rule without a pattern fires on every file it reads: its only near miss is the file's absence."""
    return rule.kind == "file" and rule.params.pattern is None


def test_every_near_miss_holds_a_file_the_rule_reads():
    """A negative fixture whose files the rule never reads cannot fail: it proves nothing."""
    negatives = _negatives()
    idle = sorted(
        rule.id
        for rule in all_rules()
        if not _fires_on_existence(rule)
        and not any(_reads(rule, case, path) for case, path in negatives.get(rule.id, ()))
    )
    assert idle == [], "rules whose near-miss fixtures hold no file they read"
