"""A rule pack inside a scanned repository describes signatures; it is never evidence of using them."""

from __future__ import annotations

from pathlib import Path

from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.collect import collect
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.rules.loader import looks_like_rule_pack
from mlops_scan.snapshot.tree import open_snapshot

PACK = """schema_version: 1
rules:
  - id: ops_metrics.team-agent
    capability: ops_metrics
    kind: file
    params: {paths: ["*.yaml"], pattern: 'opentelemetry-instrument'}
    strength: strong
    title: Team agent
    description: The service runs under opentelemetry-instrument.
    remediation: Use the agent.
"""
DEPLOY = """apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: api
          command: ["opentelemetry-instrument", "uvicorn", "app:api"]
"""


def test_rule_pack_shape() -> None:
    assert looks_like_rule_pack(PACK)
    assert not looks_like_rule_pack(DEPLOY)
    assert not looks_like_rule_pack("schema_version: 2\nname: not a pack\n")


def test_rule_pack_in_the_repository_is_not_scanned(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "team.yaml").write_text(PACK)
    (tmp_path / "deploy.yaml").write_text(DEPLOY)
    result = collect(open_snapshot(tmp_path), load_all_rules(load_model().capabilities))
    assert {e.path for e in result.evidence if e.capability == "ops_metrics"} == {"deploy.yaml"}
    assert result.inspected["rule_packs_not_scanned"] == ["policies/team.yaml"]
