"""Rule lifecycle: experimental rules run only in preview, deprecated rules count as weak with a note,
removed ids are tombstones that explain themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scanning import run_cli

from mlops_scan.assessment.maturity import load_model
from mlops_scan.errors import RulePackError
from mlops_scan.evidence.collect import collect
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.rules.lifecycle import rules_to_run
from mlops_scan.rules.tombstones import load_tombstones
from mlops_scan.snapshot.tree import open_snapshot

PACK = """\
schema_version: 1
rules:
  - id: ci.team-runner
    capability: ci
    kind: file
    params: {paths: [team/ci.toml], pattern: '^runner\\s*='}
    strength: strong
    title: Team CI runner
    description: The team's own CI runner configuration.
    remediation: Add team/ci.toml.
    lifecycle: experimental
  - id: ci.team-legacy-runner
    capability: ci
    kind: file
    params: {paths: [team/legacy.toml], pattern: '^runner\\s*='}
    strength: strong
    title: Team legacy CI runner
    description: The runner the team is retiring.
    remediation: Move to team/ci.toml.
    lifecycle: deprecated
removed:
  - id: ci.team-jenkins
    removed_in: "2.0.0"
    reason: the team's Jenkins was shut down
    replaced_by: ci.team-runner
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "team.yaml").write_text(PACK, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "team").mkdir(parents=True)
    (repo / "team" / "ci.toml").write_text("runner = 'k8s'\n", encoding="utf-8")
    (repo / "team" / "legacy.toml").write_text("runner = 'vm'\n", encoding="utf-8")
    return packs, repo


def _ci_evidence(repo: Path, packs: Path, preview: bool) -> tuple[dict[str, tuple[str, str | None]], list[str]]:
    rules = rules_to_run(load_all_rules(load_model().capabilities, [packs]), preview)
    result = collect(open_snapshot(repo), rules)
    found = {
        e.rule: (e.strength.value, e.rule_strength.value if e.rule_strength else None)
        for e in result.evidence
        if e.rule.startswith("ci.team")
    }
    return found, result.errors


def test_experimental_rules_run_only_in_preview(setup: tuple[Path, Path]) -> None:
    packs, repo = setup
    assert "ci.team-runner" not in _ci_evidence(repo, packs, preview=False)[0]
    assert _ci_evidence(repo, packs, preview=True)[0]["ci.team-runner"] == ("strong", None)


def test_deprecated_rules_count_as_weak_with_a_note(setup: tuple[Path, Path]) -> None:
    packs, repo = setup
    found, notes = _ci_evidence(repo, packs, preview=False)
    assert found == {"ci.team-legacy-runner": ("weak", "strong")}
    assert notes == ["deprecated rules, whose evidence counts as weak and which will be removed: ci.team-legacy-runner"]


def test_preview_on_the_command_line_and_in_the_configuration(setup: tuple[Path, Path]) -> None:
    packs, repo = setup

    def rules_found(*options: str) -> set[str]:
        done = run_cli("scan", str(repo), "--format", "json", "--quiet", "--rules", str(packs), *options)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        return {e["rule"] for e in report["capabilities"]["ci"]["evidence"]}

    assert rules_found("--no-config") == {"ci.team-legacy-runner"}
    assert rules_found("--no-config", "--preview") == {"ci.team-runner", "ci.team-legacy-runner"}
    (repo / ".mlops-scan.toml").write_text("preview = true\n", encoding="utf-8")
    assert rules_found() == {"ci.team-runner", "ci.team-legacy-runner"}


def test_removed_rule_explains_itself(setup: tuple[Path, Path]) -> None:
    packs, _ = setup
    done = run_cli("rules", "show", "ci.team-jenkins", "--rules", str(packs))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "ci.team-jenkins\n  removed in 2.0.0: the team's Jenkins was shut down. Use ci.team-runner instead.\n"
    )
    shown = run_cli("rules", "show", "ci.team-runner", "--rules", str(packs))
    assert shown.stdout.endswith("  Experimental: runs only with --preview (or preview = true in the configuration).\n")


def test_tombstones_are_strict(tmp_path: Path) -> None:
    reused = tmp_path / "reused.yaml"
    reused.write_text(PACK.replace("id: ci.team-jenkins", "id: ci.team-runner"), encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_all_rules(load_model().capabilities, [reused])
    line = PACK.splitlines().index("removed:") + 1
    assert str(info.value) == (
        f"{reused}:{line}: rule ci.team-runner: field 'removed': "
        "a removed rule id is never reused: it is also a rule of this pack"
    )
    vague = tmp_path / "vague.yaml"
    vague.write_text(PACK.replace("    reason: the team's Jenkins was shut down\n", ""), encoding="utf-8")
    with pytest.raises(RulePackError) as missing:
        load_tombstones([vague])
    assert str(missing.value) == f"{vague}:{line + 1}: field 'removed': removed rule: required key 'reason' is missing"
