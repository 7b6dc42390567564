"""A pipeline template the CI files call is read once: the workflow kind keeps each CI file it read open for the CI
files after it, and what an open template runs is worked out once however many steps call it."""

from __future__ import annotations

from collections import Counter

import pytest

from mlops_scan.facts import yamlnodes
from mlops_scan.facts.ci import hops

TEMPLATE = "steps:\n  - script: helm upgrade --install churn-model ./chart\n"
CALLER = "trigger: [main]\nsteps:\n  - template: a-deploy-template.yml\n  - script: echo done\n  - template: a-deploy-template.yml\n"


@pytest.fixture
def rule(probe):  # type: ignore[no-untyped-def]
    return probe.rule("workflow", "deployment_automation.probe", commands=[r"\bhelm\s+upgrade\b"])


def test_a_template_the_pass_read_is_composed_and_walked_once(probe, rule, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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
    assert composed[TEMPLATE] == 1  # read by the pass, then found open by both callers
    assert walked == {".pipelines/a-deploy-template.yml": 1}  # four steps call it


def test_what_a_template_runs_is_its_own_file_s_not_an_earlier_scan_s(probe, rule) -> None:  # type: ignore[no-untyped-def]
    files = {".pipelines/a-deploy-template.yml": TEMPLATE, ".pipelines/b-ci.yml": CALLER}
    assert probe.hits(files, rule) == [("deployment_automation.probe", ".pipelines/b-ci.yml", 3)]
    assert probe.hits({".pipelines/a-deploy-template.yml": "steps:\n  - script: helm lint ./chart\n"}, rule) == []
