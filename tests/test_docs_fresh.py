"""Generated docs must match what the code and packs produce now."""

from pathlib import Path

from mlops_scan.docsgen import render
from mlops_scan.maturity import load_model
from mlops_scan.packs import load_all_rules

ROOT = Path(__file__).resolve().parent.parent


def test_detectors_md_is_fresh():
    model = load_model()
    expected = render(model, load_all_rules(model))
    current = (ROOT / "docs" / "detectors.md").read_text(encoding="utf-8")
    assert current == expected, "docs/detectors.md is stale: run `mlops-scan rules docs > docs/detectors.md`"
