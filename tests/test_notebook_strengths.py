"""Evidence found in notebooks: one-off actions by hand are medium, a managed monitor stays strong."""

from __future__ import annotations

import pytest
from rulefixtures import RULE_FIXTURES
from scanning import builtin_rules

from mlops_scan.evidence.collect import collect
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import Strength


@pytest.mark.parametrize(
    ("case", "rule", "strength"),
    [
        ("deployment_automation/notebook-deploy", "deployment_automation.cloud-sdk-deploy", Strength.MEDIUM),
        ("data_validation/notebook-checks", "data_validation.pandera-schema", Strength.MEDIUM),
        ("model_monitoring/not-monitoring", "model_monitoring.evidently-report", Strength.MEDIUM),
        ("model_monitoring/notebook-monitor", "model_monitoring.cloud-model-monitor", Strength.STRONG),
    ],
)
def test_notebook_evidence_strength(case: str, rule: str, strength: Strength) -> None:
    evidence = collect(open_snapshot(RULE_FIXTURES / case), builtin_rules()).evidence
    found = [e for e in evidence if e.rule == rule and e.path.endswith(".ipynb")]
    assert [e.strength for e in found] == [strength]
