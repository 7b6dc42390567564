"""Report formats on one canonical in-memory assessment: Markdown and JSON golden files,
SARIF field by field, the SVG badge parsed as XML, the shields.io endpoint document.

Set MLOPS_SCAN_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from scanning import builtin_rules

from mlops_scan import __version__
from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import load_model
from mlops_scan.assessment.results import Assessment
from mlops_scan.reporters import badge, findings, markdown, sarif, shields
from mlops_scan.reporters import json as json_report
from mlops_scan.reporters.options import RenderOptions, link_base_from_env
from mlops_scan.types import CapabilityId, Evidence, RuleId, Skipped, Strength, Zone

GOLDEN = Path(__file__).parent / "golden"
SVG = "{http://www.w3.org/2000/svg}"
REGISTRY_REASON = "models are registered by the platform repository's release job"


def ev(
    cap: str,
    rule: str,
    path: str,
    line: int | None,
    strength: Strength,
    zone: Zone = Zone.PROJECT,
    rule_strength: Strength | None = None,
) -> Evidence:
    return Evidence(CapabilityId(cap), RuleId(f"{cap}.{rule}"), path, line, "snippet", strength, zone, rule_strength)


def canonical() -> Assessment:
    """Level 2 with model_registry asserted; weak-only and single-medium capabilities; a skip and a note."""
    evidence = [
        ev("ci", "github-actions-trigger", ".github/workflows/ci.yml", 3, Strength.STRONG),
        ev("automated_tests", "pytest-in-ci", ".github/workflows/ci.yml", 14, Strength.STRONG),
        ev("automated_tests", "test-files", "tests/test_train.py", None, Strength.MEDIUM, Zone.TESTS),
        ev("training_pipeline", "dvc-stages", "dvc.yaml", 2, Strength.STRONG),
        ev("experiment_tracking", "mlflow-log-call", "src/churn/train.py", 21, Strength.STRONG),
        ev("ops_metrics", "prometheus-client-dep", "requirements.txt", 4, Strength.MEDIUM),
        ev(
            "collaboration",
            "codeowners",
            "docs/CODEOWNERS example|x.md",
            None,
            Strength.WEAK,
            Zone.DOCS,
            Strength.MEDIUM,
        ),
        ev(
            "ab_testing", "kserve-canary", "examples/canary [v2].yaml", 7, Strength.WEAK, Zone.EXAMPLES, Strength.STRONG
        ),
    ]
    return assess(
        load_model(),
        evidence,
        root="demo",
        assumed={"model_registry": REGISTRY_REASON},
        skipped=(Skipped("data/big.csv", "too large (3.0 MiB > 2.0 MiB limit)"),),
        inspected={
            "files_listed": 12,
            "files_read": 9,
            "bytes_read": 20480,
            "parsed": {"python": 4, "yaml": 3},
            "listing": "git",
        },
        notes=("Configuration: .mlops-scan.toml.",),
    )


def at_level(level: int) -> Assessment:
    """An assessment at ``level``, every required capability up to it asserted."""
    model = load_model()
    assumed = {c: "declared" for d in model.levels[1 : level + 1] for c in d.required}
    return assess(model, [], root="demo", assumed=assumed)


def golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("MLOPS_SCAN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_canonical_assessment_is_level_2_thanks_to_an_assertion() -> None:
    a = canonical()
    assert a.level == 2
    assert a.capabilities["model_registry"].asserted == REGISTRY_REASON
    assert [s.capability for s in a.next_steps] == ["deployment_automation", "ab_testing"]


def test_markdown_golden() -> None:
    assert markdown.render(canonical()) == golden("report.md", markdown.render(canonical()))


def test_markdown_links_use_the_base_url() -> None:
    base = "https://github.com/acme/churn/blob/0123abc/"
    text = markdown.render(canonical(), RenderOptions(link_base=base))
    assert f"[dvc.yaml:2]({base}dvc.yaml#L2)" in text
    assert f"[examples/canary \\[v2\\].yaml:7]({base}examples/canary%20%5Bv2%5D.yaml#L7) (weak, examples)" in text


def test_markdown_shows_assertions_as_asserted_never_as_evidence() -> None:
    row = next(line for line in markdown.render(canonical()).splitlines() if "(`model_registry`)" in line)
    assert row == f"| model registry (`model_registry`) | 2 | required | ☑️ *asserted*: {REGISTRY_REASON} | — |"


@pytest.mark.parametrize(
    "env, subdir, expected",
    [
        (
            {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/churn", "GITHUB_SHA": "abc"},
            "",
            "https://github.com/acme/churn/blob/abc/",
        ),
        (
            {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/churn", "GITHUB_SHA": "abc"},
            "ml/svc",
            "https://github.com/acme/churn/blob/abc/ml/svc/",
        ),
        (
            {"CI_PROJECT_URL": "https://gitlab.com/acme/churn", "CI_COMMIT_SHA": "abc"},
            ".",
            "https://gitlab.com/acme/churn/-/blob/abc/",
        ),
        ({"GITHUB_REPOSITORY": "acme/churn"}, "", ""),
        ({}, "", ""),
    ],
)
def test_link_base_from_ci_environment(env: dict[str, str], subdir: str, expected: str) -> None:
    assert link_base_from_env(env, subdir) == expected


def test_json_golden() -> None:
    text = json_report.render(canonical())
    assert text == golden("report.json", text)
    assert json.loads(text)["capabilities"]["model_registry"]["asserted"] == REGISTRY_REASON


def sarif_log(anchor: str | None = "README.md") -> dict[str, Any]:
    """The SARIF log of the canonical assessment, with the built-in rules and a listed anchor file."""
    rules = {r.id: r for r in builtin_rules()}
    options = RenderOptions(files=(anchor, "src/churn/train.py") if anchor else (), rules=rules)
    log: dict[str, Any] = json.loads(sarif.render(canonical(), options))
    return log


def test_sarif_fields() -> None:
    log = sarif_log()
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("mlops-scan", __version__)
    assert "informationUri" not in driver and all("helpUri" not in r for r in driver["rules"])
    assert run["automationDetails"] == {"id": "mlops-scan/"}
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["properties"] == {
        "level": 2,
        "levelName": "Automated training",
        "model": "microsoft",
        "modelSource": "built-in",
        "asserted": ["model_registry"],
    }
    got = {(r["ruleId"], r["level"], r["properties"]["category"]): r for r in run["results"]}
    assert list(got) == [
        ("ops_metrics.prometheus-client-dep", "note", "insufficient"),
        ("model_registry", "note", "asserted"),
        ("collaboration.codeowners", "note", "insufficient"),
        ("deployment_automation", "warning", "missing"),
        ("ab_testing.kserve-canary", "warning", "missing"),
    ]
    assert [r["id"] for r in driver["rules"]] == [rule for rule, _, _ in got]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        assert len(result["locations"]) == 1
        assert list(result["partialFingerprints"]) == [sarif.FINGERPRINT]
    ab = got[("ab_testing.kserve-canary", "warning", "missing")]
    model = load_model()
    assert ab["message"]["text"] == (
        "Level 3 (Automated model deployment) requires A/B testing: only weak evidence. "
        + model.capabilities["ab_testing"].remediation
    )
    assert ab["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "examples/canary%20%5Bv2%5D.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7},
    }
    deploy = got[("deployment_automation", "warning", "missing")]
    assert deploy["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "README.md", "uriBaseId": "%SRCROOT%"}
    }
    assert deploy["properties"] == {
        "category": "missing",
        "capability": "deployment_automation",
        "repositoryLevel": True,
        "evidence": 0,
    }
    asserted = got[("model_registry", "note", "asserted")]
    assert (
        asserted["message"]["text"] == f"model registry is asserted in configuration, not detected: {REGISTRY_REASON}"
    )
    ops = got[("ops_metrics.prometheus-client-dep", "note", "insufficient")]
    assert ops["message"]["text"].startswith(
        "operational metrics is not counted: medium evidence from only 1 rule (2 needed)."
    )
    assert ops["locations"][0]["physicalLocation"]["region"] == {"startLine": 4}


def test_sarif_rules_are_the_pack_rules_with_their_catalogue_entry() -> None:
    rules = {r["id"]: r for r in sarif_log()["runs"][0]["tool"]["driver"]["rules"]}
    pack = next(r for r in builtin_rules() if r.id == "collaboration.codeowners")
    codeowners = rules["collaboration.codeowners"]
    assert codeowners["name"] == "CollaborationCodeowners"
    assert codeowners["shortDescription"] == {"text": pack.title}
    assert codeowners["fullDescription"] == {"text": pack.description}
    assert codeowners["help"]["text"] == f"{pack.description} Next step: {pack.remediation}"
    assert "mlops-scan rules show collaboration.codeowners" in codeowners["help"]["markdown"]
    assert codeowners["properties"] == {
        "tags": ["mlops", "maturity", "level-2"],
        "capability": "collaboration",
        "strength": pack.strength.value,
        "kind": pack.kind,
    }
    detectors = (Path(__file__).parent.parent / "docs" / "detectors.md").read_text(encoding="utf-8")
    assert "### `collaboration.codeowners`" in detectors  # the catalogue entry the help names
    registry = rules["model_registry"]
    model = load_model()
    assert registry["name"] == "ModelRegistry"
    assert registry["shortDescription"] == {"text": "model registry (required for level 2)"}
    assert "mlops-scan rules list -c model_registry" in registry["help"]["markdown"]
    assert registry["help"]["text"] == model.capabilities["model_registry"].remediation
    assert registry["defaultConfiguration"] == {"level": "warning"}
    bare = json.loads(sarif.render(canonical(), RenderOptions()))["runs"][0]["tool"]["driver"]["rules"]
    unknown = next(r for r in bare if r["id"] == "ab_testing.kserve-canary")  # a rule the options do not know
    assert unknown["shortDescription"] == {"text": "A/B testing"}
    assert unknown["help"]["text"].endswith(model.capabilities["ab_testing"].remediation)


def test_sarif_fingerprints_are_stable_and_distinct() -> None:
    first = sarif_log("README.md")["runs"][0]["results"]
    again = sarif_log("setup.py")["runs"][0]["results"]
    prints = [r["partialFingerprints"][sarif.FINGERPRINT] for r in first]
    assert prints == [r["partialFingerprints"][sarif.FINGERPRINT] for r in again]
    assert len(set(prints)) == len(prints)


def test_sarif_without_anchor_turns_repository_level_results_into_notifications() -> None:
    (run,) = sarif_log(None)["runs"]
    assert all(r["locations"] for r in run["results"])  # GitHub rejects a whole upload over one unlocated result
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["descriptor"]["id"], n["level"]) for n in notes] == [
        ("model_registry", "note"),
        ("deployment_automation", "warning"),
    ]
    assert [r["properties"]["capability"] for r in run["results"]] == ["ops_metrics", "collaboration", "ab_testing"]


@pytest.mark.parametrize(
    "paths, preferred, expected",
    [
        (["src/a.py", "README.md", "pyproject.toml", ".mlops-scan.toml"], ".mlops-scan.toml", ".mlops-scan.toml"),
        (["src/a.py", "README.md", "pyproject.toml"], None, "README.md"),
        (["src/a.py", "setup.cfg", ".gitlab-ci.yml"], None, "setup.cfg"),
        (["src/a.py", ".gitlab-ci.yml", "Makefile"], None, "Makefile"),
        (["src/b.py", "src/a.py"], "absent.toml", "src/a.py"),
        ([], None, None),
    ],
)
def test_sarif_anchor(paths: list[str], preferred: str | None, expected: str | None) -> None:
    assert findings.anchor_for(paths, preferred) == expected


def test_svg_badge_is_valid_xml_with_measured_text() -> None:
    root = ET.fromstring(badge.render(canonical()))
    assert root.tag == f"{SVG}svg"
    assert root.findtext(f"{SVG}title") == "MLOps level: 2 · automated training (1 asserted)"
    label_rect, value_rect, _ = root.find(f"{SVG}g").findall(f"{SVG}rect")
    assert value_rect.get("fill") == "#dfb317" and label_rect.get("fill") == "#555"
    width = int(root.get("width"))
    assert int(label_rect.get("width")) + int(value_rect.get("width")) == width
    texts = root.findall(f"{SVG}g/{SVG}text")
    assert [t.text for t in texts] == ["MLOps level"] * 2 + ["2 · automated training (1 asserted)"] * 2
    for text, rect_width in zip(texts, [label_rect, label_rect, value_rect, value_rect]):
        measured = badge.text_width(text.text)
        assert int(text.get("textLength")) == measured * 10
        assert int(rect_width.get("width")) == measured + 2 * badge.PADDING


@pytest.mark.parametrize(
    "level, name, hex_colour, text",
    [
        (0, "red", "#e05d44", "0 · no MLOps"),
        (1, "orange", "#fe7d37", "1 · DevOps but no MLOps (2 asserted)"),
        (2, "yellow", "#dfb317", "2 · automated training (5 asserted)"),
        (3, "yellowgreen", "#a4a61d", "3 · automated model deployment (7 asserted)"),
        (4, "brightgreen", "#44cc11", "4 · full MLOps automated operations (9 asserted)"),
    ],
)
def test_one_colour_per_level(level: int, name: str, hex_colour: str, text: str) -> None:
    a = at_level(level)
    assert badge.level_color(a) == (name, hex_colour)
    assert json.loads(shields.render(a)) == {
        "schemaVersion": 1,
        "label": "MLOps level",
        "message": text,
        "color": name,
    }
    root = ET.fromstring(badge.render(a))
    assert root.find(f"{SVG}g").findall(f"{SVG}rect")[1].get("fill") == hex_colour


def test_badge_without_assertions_names_the_level_only() -> None:
    a = canonical()
    detected = assess(
        a.model,
        [e for s in a.capabilities.values() for e in s.evidence]
        + [ev("model_registry", "mlflow-register", "src/churn/train.py", 30, Strength.STRONG)],
        root="demo",
    )
    assert badge.message(detected) == "2 · automated training"


def test_badge_text_width_is_never_smaller_than_the_characters() -> None:
    assert badge.text_width("") == 0
    assert badge.text_width("MLOps level") == 68
    assert badge.text_width("W") == 11 and badge.text_width("i") == 4
    assert badge.text_width("模型") == 22  # unknown characters count as a full em
    ET.fromstring(badge.render(assess(load_model("microsoft"), [], root="<&>")))
