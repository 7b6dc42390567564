"""Generated docs must match what the code and packs produce now."""

from pathlib import Path

from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.rules.docs import render

ROOT = Path(__file__).resolve().parent.parent


def test_detectors_md_is_fresh():
    model = load_model()
    expected = render(model, load_all_rules(model.capabilities))
    current = (ROOT / "docs" / "detectors.md").read_text(encoding="utf-8")
    assert current == expected, "docs/detectors.md is stale: run `mlops-scan rules docs > docs/detectors.md`"
