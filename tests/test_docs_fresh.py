"""Generated docs must match what the code and packs produce now."""

from pathlib import Path

from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.matchers.base import installed_params
from mlops_scan.reporters.catalogue import render
from mlops_scan.rules.paramsdoc import with_params_tables

ROOT = Path(__file__).resolve().parent.parent


def test_detectors_md_is_fresh():
    model = load_model()
    expected = render(model, load_all_rules(model.capabilities))
    current = (ROOT / "docs" / "detectors.md").read_text(encoding="utf-8")
    assert current == expected, "docs/detectors.md is stale: run `mlops-scan rules docs > docs/detectors.md`"


def test_writing_rules_params_tables_are_fresh():
    current = (ROOT / "docs" / "writing-rules.md").read_text(encoding="utf-8")
    assert current.count("<!-- params: ") == len(installed_params()), "every matcher kind has a generated table"
    assert with_params_tables(current, installed_params()) == current, (
        "docs/writing-rules.md is stale: run `mlops-scan rules docs --params-in docs/writing-rules.md` "
        "and write its output back"
    )


def test_a_params_table_follows_the_docstrings():
    stale = "<!-- params: file -->\n| param | default | meaning |\n| `paths` | old text |\n<!-- /params -->\n"
    table = with_params_tables(stale, installed_params())
    assert (
        "| `paths` | required | Path globs (`**/` any folders; a glob without `/` matches the name anywhere). |"
        in table
    )
    assert "old text" not in table
