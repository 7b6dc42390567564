"""history and diff over a repository whose capabilities arrive at known tags."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from gitrepos import LEVEL, PRESENT, TAGS, git, maturing_repo, write
from hostile.repos import run

from mlops_scan.assessment.maturity import load_model

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return maturing_repo(tmp_path_factory.mktemp("history") / "repo")


pytestmark = pytest.mark.usefixtures("cache_dir")


def cli(*args: str) -> str:
    report = run(*args)
    assert report.code == 0, report.stderr
    return report.stdout


def commit_of(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", f"{rev}^{{commit}}").strip()


def test_history_of_tags_as_json(repo: Path) -> None:
    data = json.loads(cli("history", "--tags", "-f", "json", str(repo)))
    rows = data["revisions"]
    assert [r["revision"] for r in rows] == list(TAGS)
    assert [r["commit"] for r in rows] == [commit_of(repo, t) for t in TAGS]
    assert [set(r["present"]) for r in rows] == [PRESENT[t] for t in TAGS]
    assert [r["level"] for r in rows] == [LEVEL[t] for t in TAGS]
    assert [(r["gained"], r["lost"]) for r in rows] == [
        (["ci", "automated_tests"], []),
        (["experiment_tracking"], []),
        (["model_registry"], []),
        ([], ["ci"]),
    ]
    assert [r["date"][:10] for r in rows] == ["2023-11-15", "2023-11-16", "2023-11-18", "2023-11-19"]
    assert [c["id"] for c in data["capabilities"]] == list(load_model().capabilities)


def test_history_table_of_every_commit(repo: Path) -> None:
    lines = cli("history", str(repo)).splitlines()
    assert lines[0] == f"mlops-scan history: {repo} (6 revision(s), Microsoft MLOps maturity model)"
    assert lines[1] == "revision    date        commit      level  changes"
    short = [git(repo, "rev-parse", "--short=10", f"main~{n}").strip() for n in range(5, -1, -1)]
    assert [line.split()[0] for line in lines[2:]] == short
    assert [line[36:].rstrip() for line in lines[2:]] == [
        "0      -",
        "1 ↑    +ci +automated_tests",
        "1      +experiment_tracking",
        "1      -",
        "1      +model_registry",
        "0 ↓    -ci",
    ]


def test_history_every_since_and_range(repo: Path) -> None:
    every = json.loads(cli("history", "--every", "2", "-f", "json", str(repo)))["revisions"]
    assert [r["commit"] for r in every] == [commit_of(repo, f"main~{n}") for n in (5, 3, 1, 0)]
    since = json.loads(cli("history", "--since", "2023-11-18T00:00:00Z", "-f", "json", str(repo)))["revisions"]
    assert [r["commit"] for r in since] == [commit_of(repo, t) for t in ("v3", "v4")]
    ranged = json.loads(cli("history", "--tags", "--rev-range", "v1..v3", "-f", "json", str(repo)))["revisions"]
    assert [r["revision"] for r in ranged] == ["v2", "v3"]
    limited = json.loads(cli("history", "--limit", "3", "-f", "json", str(repo)))
    assert [r["commit"] for r in limited["revisions"]] == [commit_of(repo, f"main~{n}") for n in (5, 2, 0)]
    assert limited["notes"] == ["6 revisions selected; 3 evenly spaced ones are shown (--limit)"]


def test_history_reuses_trees_and_cached_results(repo: Path, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    git(tmp_path, "clone", "-q", str(repo), str(twin))
    git(twin, "commit", "-q", "--allow-empty", "-m", "same tree", date=9)  # a new commit, the same tree
    first = json.loads(cli("history", "-f", "json", str(twin)))["revisions"]
    assert [r["reused"] for r in first] == [False] * 6 + [True]
    assert first[-1]["present"] == first[-2]["present"]
    again = json.loads(cli("history", "-f", "json", str(twin)))["revisions"]
    assert [r["reused"] for r in again] == [True] * 7
    assert [r["present"] for r in again] == [r["present"] for r in first]
    cold = json.loads(cli("history", "--no-cache", "-f", "json", str(twin)))["revisions"]
    assert [r["reused"] for r in cold] == [False] * 6 + [True]


def test_history_svg_is_well_formed_and_self_contained(repo: Path, tmp_path: Path) -> None:
    chart = tmp_path / "history.svg"
    cli("history", "--tags", "--svg", str(chart), str(repo))
    root = ElementTree.parse(chart).getroot()
    assert root.tag == f"{SVG}svg"
    tips = [t.text for t in root.iter(f"{SVG}title")]
    assert [t for t in tips if t and t.startswith("ci present")] == [
        "ci present at v1",
        "ci present at v2",
        "ci present at v3",
    ]
    assert [t for t in tips if t and t.startswith("model_registry")] == [
        "model_registry present at v3",
        "model_registry present at v4",
    ]
    levels = [t.split(": level ")[1][0] for t in tips if t and ": level " in t]
    assert levels == ["1", "1", "1", "0"]
    text = chart.read_text()
    assert "<script" not in text and "href" not in text and "url(" not in text


def test_history_outside_a_repository_is_one_line_exit_2(tmp_path: Path) -> None:
    report = run("history", str(tmp_path))
    assert report.code == 2 and report.stderr.count("\n") == 1
    assert report.stderr.startswith(f"mlops-scan: error: {tmp_path}: not a git repository")


def test_diff_between_two_tags(repo: Path) -> None:
    text = cli("diff", "v2", "v4", "--repo", str(repo))
    assert text.splitlines() == [
        "mlops-scan diff: v2 -> v4",
        "level 1 (DevOps but no MLOps) -> 0 (No MLOps): down 1",
        "gained: model_registry (model registry)",
        "lost: ci (continuous integration)",
        "evidence added (1):",
        "  + model_registry  src/app/train.py:4  model_registry.mlflow-register-model (strong): "
        'mlflow.register_model("runs:/abc/model", "churn")',
        "evidence removed (2):",
        "  - ci  .github/workflows/ci.yml:2  ci.github-actions-workflow (strong): on: [push, pull_request]",
        "  - automated_tests  .github/workflows/ci.yml:9  automated_tests.ci-runs-tests (strong): - run: pytest -q",
    ]


def test_diff_as_markdown_and_json(repo: Path) -> None:
    markdown = cli("diff", "v1", "v3", "--repo", str(repo), "-f", "markdown")
    assert markdown.startswith("<!-- mlops-scan diff -->\n### MLOps maturity: level 1 → 1 (unchanged)\n")
    assert "| gained | experiment tracking (`experiment_tracking`) | 2 |" in markdown
    assert "| gained | model registry (`model_registry`) | 2 |" in markdown
    assert "<details><summary>Evidence: 3 added, 0 removed</summary>" in markdown
    data = json.loads(cli("diff", "v1", "v3", "--repo", str(repo), "-f", "json"))
    assert (data["level_change"], data["gained"], data["lost"]) == (0, ["experiment_tracking", "model_registry"], [])
    assert [(e["rule"], e["path"], e["line"]) for e in data["evidence_added"]] == [
        ("experiment_tracking.mlflow-log-call", "src/app/train.py", 3),
        ("model_registry.mlflow-register-model", "src/app/train.py", 4),
        ("collaboration.importable-ml-package", "src/app/train.py", 1),
    ]


def test_diff_against_the_work_tree_and_fail_on_drop(repo: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(repo), str(work))
    same = cli("diff", "v4", "--repo", str(work))
    assert same.splitlines()[1:] == [
        "level 0 (No MLOps) -> 0 (No MLOps): unchanged",
        "no change in capabilities or evidence",
    ]
    write(work, "Jenkinsfile", "pipeline { agent any\n stages { stage('test') { steps { sh 'pytest' } } } }\n")
    regained = cli("diff", "v4", "--repo", str(work)).splitlines()
    assert regained[:3] == [
        "mlops-scan diff: v4 -> work tree",
        "level 0 (No MLOps) -> 1 (DevOps but no MLOps): up 1",
        "gained: ci (continuous integration)",
    ]
    assert run("diff", "v3", "v4", "--repo", str(work), "--fail-on-drop").code == 1
    assert run("diff", "v1", "v2", "--repo", str(work), "--fail-on-drop").code == 0
    unknown = run("diff", "nope", "--repo", str(work))
    assert (unknown.code, unknown.stderr) == (2, "mlops-scan: error: --rev nope: no such commit, tag or branch\n")
