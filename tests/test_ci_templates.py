"""A pipeline template the CI files call is composed once for them: one context of it is opened for all the steps
calling it, the pass's own context of it takes over that compose when the pass reaches it later, and what an open
template runs is worked out once however many steps call it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mlops_scan.facts import yamlnodes
from mlops_scan.facts.ci import hops
from mlops_scan.facts.context import FileContext
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import Skipped

TEMPLATE = "steps:\n  - script: helm upgrade --install churn-model ./chart\n"
CALLER = "trigger: [main]\nsteps:\n  - template: a-deploy-template.yml\n  - script: echo done\n  - template: a-deploy-template.yml\n"


@pytest.fixture
def rule(probe):  # type: ignore[no-untyped-def]
    return probe.rule("workflow", "deployment_automation.probe", commands=[r"\bhelm\s+upgrade\b"])


def test_a_template_is_composed_once_for_its_callers_and_walked_once(probe, rule, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    composed: Counter[str] = Counter()
    walked: Counter[str] = Counter()
    compose, ci_commands = yamlnodes.compose_documents, hops._ci_commands

    def counted_compose(text: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        composed[text] += 1
        return compose(text, *args, **kwargs)

    def counted_walk(ctx):  # type: ignore[no-untyped-def]
        walked[ctx.path] += 1
        return ci_commands(ctx)

    monkeypatch.setattr(yamlnodes, "compose_documents", counted_compose)
    monkeypatch.setattr(hops, "_ci_commands", counted_walk)
    files = {
        ".pipelines/a-deploy-template.yml": TEMPLATE,
        ".pipelines/b-ci.yml": CALLER,
        ".pipelines/c-cd.yml": CALLER.replace("[main]", "[release]"),
    }
    assert probe.hits(files, rule) == [  # the template alone is no pipeline (no trigger, no pipeline's name)
        ("deployment_automation.probe", ".pipelines/b-ci.yml", 3),
        ("deployment_automation.probe", ".pipelines/c-cd.yml", 3),
    ]
    assert composed[TEMPLATE] == 2  # in its turn, then once for both callers (a pass context is not kept)
    assert walked == {".pipelines/a-deploy-template.yml": 1}  # four steps call it


def test_what_a_template_runs_is_its_own_file_s_not_an_earlier_scan_s(probe, rule) -> None:  # type: ignore[no-untyped-def]
    files = {".pipelines/a-deploy-template.yml": TEMPLATE, ".pipelines/b-ci.yml": CALLER}
    assert probe.hits(files, rule) == [("deployment_automation.probe", ".pipelines/b-ci.yml", 3)]
    assert probe.hits({".pipelines/a-deploy-template.yml": "steps:\n  - script: helm lint ./chart\n"}, rule) == []


def test_a_template_called_before_the_pass_reads_it_is_composed_once(probe, rule, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    composed: Counter[str] = Counter()
    compose = yamlnodes.compose_documents

    def counted_compose(text: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        composed[text] += 1
        return compose(text, *args, **kwargs)

    monkeypatch.setattr(yamlnodes, "compose_documents", counted_compose)
    caller = CALLER.replace("a-deploy-template.yml", "z-deploy-template.yml")
    files = {".pipelines/a-ci.yml": caller, ".pipelines/z-deploy-template.yml": TEMPLATE}
    assert probe.hits(files, rule) == [("deployment_automation.probe", ".pipelines/a-ci.yml", 3)]
    assert composed[TEMPLATE] == 1  # composed for the caller, taken over when the pass reaches it


MALFORMED = "steps:\n  - script: helm upgrade --install m ./chart\n  oops: [\n"


def _contexts(tmp_path: Path, text: str) -> tuple[FileContext, FileContext]:
    (tmp_path / "t.yml").write_text(text, encoding="utf-8")
    snapshot = open_snapshot(tmp_path)
    entry = snapshot.entry("t.yml")
    assert entry is not None
    return FileContext(snapshot, entry), FileContext(snapshot, entry)


def test_taking_over_a_compose_is_composing_here(tmp_path: Path) -> None:
    called, scanned = _contexts(tmp_path, MALFORMED)
    composed_before = called.yaml
    scanned.adopt_yaml(called)
    assert scanned.yaml is composed_before
    assert scanned.parsed == ["yaml"]  # counted as the parse it stands for
    alone = _contexts(tmp_path, MALFORMED)[1]
    assert alone.yaml == [] and scanned.skipped == alone.skipped == [
        Skipped("t.yml", "malformed YAML at line 3: did not find expected '-' indicator")
    ]


def test_a_compose_of_other_text_is_not_taken_over(tmp_path: Path) -> None:
    called, scanned = _contexts(tmp_path, TEMPLATE)
    assert called.yaml
    (tmp_path / "t.yml").write_text("steps: []\n", encoding="utf-8")  # changed between the two reads
    scanned.adopt_yaml(called)
    assert yamlnodes.get(scanned.yaml[0], "steps").value == [] and scanned.parsed == ["yaml"]
