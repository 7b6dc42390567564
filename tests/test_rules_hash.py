"""The digest of a rule set: its rules' fields and params, each rule's digest kept from run to run while its pack
file and its kind's code are as they were."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_startup_cache import PACK

from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence import ruleset
from mlops_scan.evidence.ruleset import load_all_rules, rules_hash
from mlops_scan.rules.loader import Rule


@pytest.fixture
def fresh_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(ruleset, "_digests", None)


def _probe(tmp_path: Path, glob: str) -> list[Rule[object]]:
    pack = tmp_path / "packs" / "probe.yaml"
    pack.parent.mkdir(exist_ok=True)
    pack.write_text(PACK.format(glob=glob), encoding="utf-8")
    return [r for r in load_all_rules(load_model().capabilities, [pack.parent]) if r.id == "ci.cached-probe"]


@pytest.mark.usefixtures("fresh_memo")
def test_the_digest_is_the_rules_content_and_kept_for_the_next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = load_all_rules(load_model().capabilities)
    first = rules_hash(rules)
    assert rules_hash(list(reversed(rules))) == first  # the order does not count
    monkeypatch.setattr(ruleset, "_digests", None)  # as in a new process: the digests come from the memo
    monkeypatch.setattr(Rule, "__repr__", lambda self: pytest.fail("worked out again"))
    assert rules_hash(rules) == first


@pytest.mark.usefixtures("fresh_memo")
def test_a_changed_pack_or_rule_changes_the_digest(tmp_path: Path) -> None:
    before = rules_hash(_probe(tmp_path, "one.txt"))
    assert rules_hash(_probe(tmp_path, "one.txt")) == before  # written again, same content
    assert rules_hash(_probe(tmp_path, "two.txt")) != before
    [rule] = _probe(tmp_path, "one.txt")
    assert rules_hash([dataclasses.replace(rule, bounded=True)]) != rules_hash([rule])
    bare = dataclasses.replace(rule, source="")  # no pack file to stamp: its fields are digested each time
    assert rules_hash([bare]) == rules_hash([dataclasses.replace(rule, source="")])
    assert rules_hash([bare]) != rules_hash([dataclasses.replace(bare, title="Other")])
