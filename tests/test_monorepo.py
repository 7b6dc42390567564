"""Monorepos: project roots, CI scopes, attribution of shared evidence, per-project levels and the roll-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scanning import FIXTURES, builtin_rules, run_cli

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import load_model
from mlops_scan.assessment.projects import (
    assess_projects,
    attribute,
    one_project,
    pipeline_files,
    with_projects,
)
from mlops_scan.assessment.results import Assessment, PerProject
from mlops_scan.errors import UsageError
from mlops_scan.evidence.collect import collect
from mlops_scan.facts.ciscope import WHOLE_FILE, CiScope, read_scopes
from mlops_scan.facts.roots import ProjectRoot, find_roots, literal_folder
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import CapabilityId, Evidence, RuleId, Strength, Zone

MONOREPO = "monorepo-two-projects"
CI = ".github/workflows/ci.yml"
DEPLOY = ".github/workflows/claims-deploy.yml"


def _scan(root: Path) -> tuple[Assessment, list[Evidence], object]:
    snapshot = open_snapshot(root)
    result = collect(snapshot, builtin_rules())
    return assess(load_model(), result.evidence, root=str(root)), result.evidence, snapshot


def _write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


def _per_project(root: Path) -> PerProject:
    whole, evidence, snapshot = _scan(root)
    projects = with_projects(whole, snapshot, evidence).projects  # type: ignore[arg-type]
    assert projects is not None
    return projects


def test_fixture_monorepo_has_two_roots_from_their_markers() -> None:
    snapshot = open_snapshot(FIXTURES / MONOREPO)
    result = collect(snapshot, builtin_rules())
    scopes = read_scopes(snapshot)
    assert scopes == [
        CiScope(DEPLOY, 1, WHOLE_FILE, "paths", ("projects/claims/**", ".github/workflows/claims-deploy.yml"))
    ]
    assert find_roots(snapshot, scopes, pipeline_files(result.evidence)) == [
        ProjectRoot(
            "projects/claims",
            (f"{DEPLOY}:1", "projects/claims/azureml/pipeline.yml", "projects/claims/requirements.txt"),
        ),
        ProjectRoot("projects/pricing", ("projects/pricing/pyproject.toml",)),
    ]


def test_fixture_monorepo_levels_capabilities_and_rollup() -> None:
    per = _per_project(FIXTURES / MONOREPO)
    claims, pricing = per.projects
    assert (claims.project.path, claims.assessment.level, claims.shared) == ("projects/claims", 3, 6)
    assert (pricing.project.path, pricing.assessment.level, pricing.shared) == ("projects/pricing", 1, 2)
    present = {p.project.path: {c for c, s in p.assessment.capabilities.items() if s.present} for p in per.projects}
    assert present == {
        "projects/claims": {
            "ci",
            "automated_tests",
            "release_automation",
            "training_pipeline",
            "experiment_tracking",
            "model_registry",
            "reproducibility",
            "model_packaging",
            "deployment_automation",
            "ab_testing",
        },
        "projects/pricing": {"ci", "automated_tests"},
    }
    shared = {
        p.project.path: sorted(
            e.location for s in p.assessment.capabilities.values() for e in s.evidence if e.path.startswith(".github/")
        )
        for p in per.projects
    }
    # the root CI (every project's tests) counts for both; the workflow filtered to projects/claims/** only for claims
    assert shared == {
        "projects/claims": [f"{CI}:21", f"{CI}:3", f"{DEPLOY}:13", f"{DEPLOY}:21", f"{DEPLOY}:27", f"{DEPLOY}:3"],
        "projects/pricing": [f"{CI}:21", f"{CI}:3"],
    }
    assert (per.minimum, per.distribution) == (1, {0: 0, 1: 1, 2: 0, 3: 1, 4: 0})
    assert per.rollup_text() == "level 1 (minimum of 2 projects; level 1: 1, level 3: 1)"


def test_root_option_scans_one_project_as_the_repository() -> None:
    whole, evidence, snapshot = _scan(FIXTURES / MONOREPO)
    pricing = one_project(whole, snapshot, evidence, "projects/pricing/")  # type: ignore[arg-type]
    assert (pricing.level, pricing.root, pricing.projects) == (1, f"{FIXTURES / MONOREPO}/projects/pricing", None)
    assert {e.path for s in pricing.capabilities.values() for e in s.evidence} == {
        CI,
        "projects/pricing/pyproject.toml",
        "projects/pricing/tests/test_discount.py",
    }
    assert pricing.notes[-1] == (
        "Project projects/pricing: its own files and 2 piece(s) of shared evidence from files outside every project."
    )
    for bad in ("nope", "../x", "."):
        with pytest.raises(UsageError, match=f"--root {bad}: not a folder with files below"):
            one_project(whole, snapshot, evidence, bad)  # type: ignore[arg-type]


def test_single_project_repository_is_its_own_project() -> None:
    per = _per_project(FIXTURES / "level2-mlflow-dvc")
    assert [(p.project.name, p.assessment.level, p.shared) for p in per.projects] == [(".", 2, 0)]
    assert per.rollup_text() == "level 2 (minimum of 1 projects; level 2: 1)"


def test_root_markers_and_near_misses(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": "[tool.uv.workspace]\nmembers = ['services/*']\n",
            "services/ranker/MLproject": "name: ranker\nentry_points:\n  main:\n    command: python train.py\n",
            "services/ranker/train.py": "print('fit')\n",
            "services/ranker/sub/requirements.txt": "torch\n",  # inside a root: belongs to it
            "services/ranker/sub/fit.py": "print('fit')\n",
            "services/etl/databricks.yml": "bundle:\n  name: etl\n",
            "models/churn/requirements.txt": "scikit-learn\n",
            "models/churn/fit.py": "print('fit')\n",
            "docs/requirements.txt": "mkdocs\n",  # docs zone
            "docs/conf.py": "project = 'x'\n",
            "deploy/requirements.txt": "gunicorn\n",  # a never-root name
            "deploy/app.py": "print('serve')\n",
            "assets/requirements.txt": "pillow\n",  # a manifest without code below it
            "examples/demo/requirements.txt": "mlflow\n",  # examples zone
            "examples/demo/run.py": "print('demo')\n",
            "src/requirements.txt": "numpy\n",
            "src/lib.py": "x = 1\n",
        },
    )
    snapshot = open_snapshot(tmp_path)
    assert find_roots(snapshot, []) == [
        ProjectRoot("models/churn", ("models/churn/requirements.txt",)),
        ProjectRoot("services/etl", ("services/etl/databricks.yml",)),
        ProjectRoot("services/ranker", ("services/ranker/MLproject", "services/ranker/sub/requirements.txt")),
    ]


def test_ci_scoped_folders_become_roots_unless_packages_or_around_roots(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".github/workflows/a.yml": "on:\n  push:\n    paths: ['apps/**', 'forecast/**', 'mypkg/**']\n"
            "jobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n        working-directory: ./apps/vision\n",
            "apps/vision/predict.py": "print(1)\n",
            "apps/vision/requirements.txt": "torch\n",
            "apps/text/predict.py": "print(1)\n",
            "forecast/model.py": "print(1)\n",
            "mypkg/__init__.py": "",
        },
    )
    snapshot = open_snapshot(tmp_path)
    scopes = read_scopes(snapshot)
    assert scopes == [
        CiScope(".github/workflows/a.yml", 1, WHOLE_FILE, "paths", ("apps/**", "forecast/**", "mypkg/**")),
        CiScope(".github/workflows/a.yml", 8, 9, "workdir", ("apps/vision",)),
    ]
    assert find_roots(snapshot, scopes) == [
        ProjectRoot("apps/vision", (".github/workflows/a.yml:8", "apps/vision/requirements.txt")),
        ProjectRoot("forecast", (".github/workflows/a.yml:1",)),
    ]


def test_scopes_of_gitlab_and_azure_and_job_defaults(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".gitlab-ci.yml": "train-a:\n  script: [python train.py]\n  rules:\n    - changes: ['projects/a/**']\n"
            "lint:\n  script: [ruff check]\n  only:\n    changes:\n      paths: ['projects/b/**']\n",
            "azure-pipelines.yml": "trigger:\n  paths:\n    include: [models/x]\nsteps:\n  - task: Bash@3\n"
            "    inputs:\n      workingDirectory: models/x\n      script: pytest\n",
            ".github/workflows/w.yml": "defaults:\n  run:\n    working-directory: svc/one\njobs:\n  j:\n"
            "    defaults:\n      run:\n        working-directory: svc/two\n    steps:\n      - run: pytest\n"
            "  k:\n    steps:\n      - run: make\n        working-directory: ${{ matrix.dir }}\n",
        },
    )
    scopes = read_scopes(open_snapshot(tmp_path))
    assert scopes == [
        CiScope(".github/workflows/w.yml", 1, WHOLE_FILE, "workdir", ("svc/one",)),
        CiScope(".github/workflows/w.yml", 6, 10, "workdir", ("svc/two",)),
        CiScope(".gitlab-ci.yml", 2, 4, "paths", ("projects/a/**",)),
        CiScope(".gitlab-ci.yml", 6, 9, "paths", ("projects/b/**",)),
        CiScope("azure-pipelines.yml", 1, WHOLE_FILE, "paths", ("models/x",)),
        CiScope("azure-pipelines.yml", 5, 8, "workdir", ("models/x",)),
    ]


def _evidence(path: str, line: int, snippet: str = "run: pytest") -> Evidence:
    return Evidence(CapabilityId("ci"), RuleId("ci.x"), path, line, snippet, Strength.STRONG, Zone.PROJECT)


def test_attribution_rules_in_order() -> None:
    a, b, c = ProjectRoot("projects/a", ()), ProjectRoot("projects/b", ()), ProjectRoot("tools/c", ())
    scopes = [
        CiScope("w.yml", 1, WHOLE_FILE, "paths", ("projects/**",)),
        CiScope("w.yml", 10, 20, "workdir", ("projects/b/src",)),
        CiScope("w.yml", 15, 16, "workdir", ("tools",)),
        CiScope("x.yml", 1, WHOLE_FILE, "paths", ("**.py", "shared/**", "!projects/a/**")),
    ]
    items = [
        _evidence("projects/a/train.py", 3),  # inside a project: only that one
        _evidence("w.yml", 12, "run: pytest tools/c/tests"),  # names a project folder: that one
        _evidence("w.yml", 12),  # the step's working folder is inside b
        _evidence("w.yml", 15),  # the innermost working folder holds c
        _evidence("w.yml", 3),  # the path filter reaches a and b
        _evidence("x.yml", 3),  # filters that reach no project: shared by all
        _evidence("README.md", 1, "cd ./projects/b && make"),
    ]
    got = attribute(items, [a, b, c], scopes)
    assert {k: ([e.path + f":{e.line}" for e in v[0]], v[1]) for k, v in got.items()} == {
        "projects/a": (["projects/a/train.py:3", "w.yml:3", "x.yml:3"], 2),
        "projects/b": (["w.yml:12", "w.yml:3", "x.yml:3", "README.md:1"], 4),
        "tools/c": (["w.yml:12", "w.yml:15", "x.yml:3"], 3),
    }


def test_literal_folder_of_filter_patterns() -> None:
    assert [literal_folder(p) for p in ("projects/a/**", "**.py", "./svc/b/*.py", "models/x", "a/b/c.txt")] == [
        "projects/a",
        "",
        "svc/b",
        "models/x",
        "a/b",
    ]


def test_assess_projects_with_no_roots_keeps_asserted_capabilities() -> None:
    per = assess_projects(load_model(), [], [], [], {"ci": "Jenkins outside the repository"})
    assert [(p.project.name, p.assessment.capabilities[CapabilityId("ci")].present) for p in per.projects] == [
        (".", True)
    ]


def test_cli_gate_uses_the_rollup() -> None:
    done = run_cli(str(FIXTURES / MONOREPO), "--per-project", "--fail-under", "2", "--quiet", "--format", "json")
    assert done.returncode == 1
    assert done.stderr == (
        "mlops-scan: roll-up level 1 (minimum of 2 projects; level 1: 1, level 3: 1) is below --fail-under 2\n"
    )
    done = run_cli(str(FIXTURES / MONOREPO), "--root", "nope", "--quiet")
    assert (done.returncode, done.stderr) == (
        2,
        f"mlops-scan: error: --root nope: not a folder with files below {FIXTURES / MONOREPO}\n",
    )


def _cli(*args: str) -> str:
    done = run_cli(str(FIXTURES / MONOREPO), "--quiet", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


CLAIMS_PRESENT = [
    "ci",
    "automated_tests",
    "release_automation",
    "training_pipeline",
    "experiment_tracking",
    "model_registry",
    "reproducibility",
    "model_packaging",
    "deployment_automation",
    "ab_testing",
]


def test_per_project_json() -> None:
    report = json.loads(_cli("--per-project", "--format", "json"))
    assert report["level"] == 3  # the whole repository's
    assert [(p["root"], p["level"], p["level_name"], p["shared_evidence"]) for p in report["projects"]] == [
        ("projects/claims", 3, "Automated model deployment", 6),
        ("projects/pricing", 1, "DevOps but no MLOps", 2),
    ]
    claims, pricing = report["projects"]
    assert [c for c, v in claims["capabilities"].items() if v["present"]] == CLAIMS_PRESENT
    assert [c for c, v in pricing["capabilities"].items() if v["present"]] == ["ci", "automated_tests"]
    assert {e["path"] for e in pricing["capabilities"]["ci"]["evidence"]} == {CI}
    assert {e["path"] for e in claims["capabilities"]["ci"]["evidence"]} == {CI, DEPLOY}
    assert [n["capability"] for n in pricing["next_steps"]] == [
        "training_pipeline",
        "experiment_tracking",
        "model_registry",
    ]
    assert pricing["markers"] == ["projects/pricing/pyproject.toml"]
    assert report["rollup"] == {
        "rule": "minimum",
        "level": 1,
        "level_name": "DevOps but no MLOps",
        "projects": 2,
        "distribution": {"0": 0, "1": 1, "2": 0, "3": 1, "4": 0},
    }
    assert "projects" not in json.loads(_cli("--format", "json"))  # only when asked for


def test_per_project_text() -> None:
    lines = _cli("--per-project").splitlines()
    start = lines.index("Per project (the level above is the whole repository's)")
    assert lines[start : start + 7] == [
        "Per project (the level above is the whole repository's)",
        "Roll-up: level 1 (minimum of 2 projects; level 1: 1, level 3: 1)",
        "  #  project           level                          shared evidence",
        "  1  projects/claims   3  Automated model deployment  6",
        "  2  projects/pricing  1  DevOps but no MLOps         2",
        "",
        "  capability             level  1  2",
    ]
    table = {line.split()[0]: line.split()[2:] for line in lines[start + 7 : start + 23]}
    assert [c for c, marks in table.items() if marks[0] == "x"] == CLAIMS_PRESENT
    assert [c for c, marks in table.items() if marks[1] == "x"] == ["ci", "automated_tests"]
    assert len(table) == 16


def test_per_project_markdown() -> None:
    lines = _cli("--per-project", "--format", "markdown").splitlines()
    start = lines.index("### Per project")
    assert lines[start + 2] == (
        "Roll-up: **level 1**, the lowest of 2 project(s) (level 1: 1 · level 3: 1). The level above is the whole "
        "repository's."
    )
    assert lines[start + 6 : start + 8] == [
        "| `projects/claims` | 3 · Automated model deployment | 6 | `.github/workflows/claims-deploy.yml:1`, "
        "`projects/claims/azureml/pipeline.yml`, `projects/claims/requirements.txt` |",
        "| `projects/pricing` | 1 · DevOps but no MLOps | 2 | `projects/pricing/pyproject.toml` |",
    ]
    rows = {line.split(" | ")[0][2:]: line.split(" | ")[2:] for line in lines[start + 11 : start + 27]}
    assert [c for c, cells in rows.items() if cells[0] == "✅"] == CLAIMS_PRESENT
    assert [c for c, cells in rows.items() if cells[1].startswith("✅")] == ["ci", "automated_tests"]


def test_per_project_sarif_and_badge() -> None:
    run = json.loads(_cli("--per-project", "--format", "sarif"))["runs"][0]
    assert [(p["root"], p["level"], p["present"]) for p in run["properties"]["projects"]] == [
        ("projects/claims", 3, CLAIMS_PRESENT),
        ("projects/pricing", 1, ["ci", "automated_tests"]),
    ]
    assert run["properties"]["rollup"]["level"] == 1
    warnings = [
        (r["properties"]["project"], r["properties"]["capability"]) for r in run["results"] if r["level"] == "warning"
    ]
    assert warnings == [
        ("projects/claims", "model_monitoring"),
        ("projects/claims", "automated_retraining"),
        ("projects/pricing", "training_pipeline"),
        ("projects/pricing", "experiment_tracking"),
        ("projects/pricing", "model_registry"),
    ]
    first = next(r for r in run["results"] if r["properties"]["project"] == "projects/pricing")
    assert first["message"]["text"].startswith("projects/pricing: Level 2 (Automated training) requires training")
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "projects/pricing/pyproject.toml"
    assert json.loads(_cli("--per-project", "--format", "shields")) == {
        "schemaVersion": 1,
        "label": "MLOps level",
        "message": "1 · DevOps but no MLOps (lowest of 2 projects)",
        "color": "orange",
    }


def test_root_option_in_json() -> None:
    report = json.loads(_cli("--root", "projects/claims", "--format", "json"))
    assert (report["root"], report["level"], "projects" in report) == (
        f"{FIXTURES / MONOREPO}/projects/claims",
        3,
        False,
    )
    assert [c for c, v in report["capabilities"].items() if v["present"]] == CLAIMS_PRESENT
