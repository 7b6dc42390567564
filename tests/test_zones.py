"""Zones per path: every pattern of mlops_scan/data/zones.yaml has cases here, in both directions."""

from __future__ import annotations

import re

import pytest
import yaml

from mlops_scan.data import DATA_DIR
from mlops_scan.snapshot.zones import zone_of
from mlops_scan.types import Zone

V, G, T, TE, E, D, P = Zone.VENDORED, Zone.GENERATED, Zone.TEMPLATES, Zone.TESTS, Zone.EXAMPLES, Zone.DOCS, Zone.PROJECT

CASES: list[tuple[str, Zone]] = [
    # vendored: one case per folder name of the pattern
    ("node_modules/left-pad/index.js", V),
    ("web/bower_components/jquery/x.js", V),
    ("vendor/lib/a.py", V),
    ("src/vendored/six.py", V),
    ("third_party/proto/a.py", V),
    ("third-party/proto/a.py", V),
    ("lib/site-packages/mlflow/__init__.py", V),
    (".venv/lib/x.py", V),
    ("venv/bin/activate", V),
    (".tox/py312/x.py", V),
    (".nox/tests/x.py", V),
    (".eggs/pkg/x.py", V),
    ("__pypackages__/3.12/lib/x.py", V),
    ("src/pkg/_vendor/packaging/version.py", V),
    ("vendors/sdk/client.py", V),
    ("3rdparty/eigen/train.py", V),
    ("thirdparty/lib/a.py", V),
    ("3rd_party/lib/a.py", V),
    ("extern/pybind11/setup.py", V),
    # without regard to case
    ("Vendor/lib/a.py", V),
    ("ThirdParty/lib/a.py", V),
    ("Examples/train.py", E),
    ("src/Tests/helpers.py", TE),
    ("Docs/index.md", D),
    ("MLRuns/0/a/MLmodel", G),
    # generated: run folders that trackers and loggers write
    ("mlruns/0/3fa1/artifacts/model/MLmodel", G),
    ("mlartifacts/1/a/requirements.txt", G),
    ("lightning_logs/version_0/hparams.yaml", G),
    (".neptune/async/run.json", G),
    (".aim/meta/x", G),
    ("outputs/2024-05-01/train.log", G),
    ("wandb/run-20240501_101010-abc/files/config.yaml", G),
    ("wandb/latest-run/files/requirements.txt", G),
    ("src/wandb/offline-run-1/x.py", G),
    ("build/lib/churn/train.py", G),
    ("build/lib.linux-x86_64-cpython-312/churn/train.py", G),
    # hidden folders other than the ones CI systems, dev containers, DVC and git hooks read
    (".cache/pip/mlflow/__init__.py", G),
    ("web/.vite/deps/a.js", G),
    (".terraform/modules/a.tf", G),
    (".claude/settings.yaml", G),
    (".githubx/workflows/ci.yml", G),
    (".ci-old/train.py", G),
    # templates: cookiecutter/copier/Jinja path names and template suffixes
    ("{{ cookiecutter.repo_name }}/src/train.py", T),
    ("{{cookiecutter.project_slug}}/dvc.yaml", T),
    ("template/{% if use_ci %}.github{% endif %}/ci.yml", T),
    ("deploy/service.yaml.tmpl", T),
    ("deploy/endpoint.yml.j2", T),
    ("charts/values.jinja", T),
    ("conf/train.yaml.jinja2", T),
    # tests
    ("tests/test_train.py", TE),
    ("src/pkg/test/helpers.py", TE),
    ("testing/utils.py", TE),
    ("web/__tests__/a.js", TE),
    ("test_data/sample.csv", TE),
    ("testdata/sample.csv", TE),
    ("fixtures/repo/train.py", TE),
    ("src/pkg/test_model.py", TE),
    ("src/pkg/model_test.py", TE),
    ("conftest.py", TE),
    ("benchmarks/mlserver/model-settings.json", TE),
    ("tools/bench/serve_load.py", TE),
    ("src/benchmarking.py", P),
    # examples
    ("examples/train.py", E),
    ("example/train.py", E),
    ("samples/a.py", E),
    ("sample/a.py", E),
    ("tutorials/01.ipynb", E),
    ("tutorial/a.py", E),
    ("demos/app.py", E),
    ("demo/app.py", E),
    ("cookbook/x.py", E),
    ("playground/x.py", E),
    ("sandbox/x.py", E),
    ("notebooks/demo-churn.ipynb", E),
    ("notebooks/demos/a.ipynb", E),
    # docs
    ("docs/conf.py", D),
    ("doc/index.rst", D),
    ("site/mlflow.yml", D),
    ("versioned_docs/v1/a.md", D),
    ("documentation/x.py", D),
    ("website/src/a.js", D),
    ("README.md", D),
    ("CHANGELOG.markdown", D),
    ("guide.rst", D),
    ("manual.adoc", D),
    # project: near misses of every zone
    ("src/churn/train.py", P),
    ("src/vendoring.py", P),
    ("latest/model.py", P),
    ("contest.py", P),
    ("attest/x.py", P),
    ("src/pkg/testing_utils.py", P),
    ("src/pkg/tester.py", P),
    ("examples.py", P),
    ("notebooks/explore.ipynb", P),
    ("sitemap/x.py", P),
    ("docsgen.py", P),
    ("pipelines/train.yaml", P),
    ("templates/email.html", P),
    (".github/workflows/ci.yml", P),
    ("services/api/.github/workflows/ci.yml", P),
    (".gitlab/ci/train.yml", P),
    (".gitea/workflows/ci.yml", P),
    (".forgejo/workflows/ci.yml", P),
    (".azure-pipelines/ci.yml", P),
    (".azuredevops/ci.yml", P),
    (".azure-devops/ci.yml", P),
    (".azdo/ci.yaml", P),
    (".ado/ci.yaml", P),
    (".pipelines/train.yml", P),
    (".ci/pipeline.yml", P),
    (".cicd/pipeline.yml", P),
    (".circleci/config.yml", P),
    (".buildkite/pipeline.yml", P),
    (".tekton/push.yaml", P),
    (".woodpecker/ci.yml", P),
    (".semaphore/semaphore.yml", P),
    (".jenkins/Jenkinsfile", P),
    (".teamcity/settings.kts", P),
    (".devcontainer/devcontainer.json", P),
    (".dvc/config", P),
    (".husky/pre-commit", P),
    (".pre-commit-config.yaml", P),
    (".env.example", P),
    ("src/.hidden.py", P),
    ("build/library/a.py", P),
    ("builder/lib/a.py", P),
    ("external/api.py", P),
    ("extern.py", P),
    ("partyline/a.py", P),
    ("dvc.yaml", P),
    ("mdtools/a.py", P),
    (".github/pull_request_template.md", P),
    (".gitlab/merge_request_templates/default.md", P),
    (".azuredevops/pull_request_template.md", P),
    ("src/.github.md", D),
    ("wandb/__init__.py", P),
    ("src/mlruns_cleanup.py", P),
    ("outputs/report.py", P),
    ("PULL_REQUEST_TEMPLATE.md", P),
    ("docs/pull_request_template.md", P),
    ("docs/CODEOWNERS", P),
    ("docs/CODEOWNERS.md", D),
    ("docs/templates/pr.md", D),
    # precedence: the first zone (vendored, templates, tests, examples, docs) wins
    ("node_modules/pkg/tests/test_a.py", V),
    ("{{ cookiecutter.name }}/tests/test_a.py", T),
    ("tests/examples/a.py", TE),
    ("examples/docs/a.py", E),
    ("docs/examples/a.py", E),
    ("examples/README.md", E),
    ("tests/README.md", TE),
]


@pytest.mark.parametrize(("path", "zone"), CASES, ids=[c[0] for c in CASES])
def test_zone_of(path: str, zone: Zone) -> None:
    assert zone_of(path) is zone


def test_every_pattern_has_a_case() -> None:
    """Changing zones.yaml needs a case here: every pattern must decide at least one case above."""
    data = yaml.safe_load((DATA_DIR / "zones.yaml").read_text(encoding="utf-8"))["zones"]
    assert list(data) == ["vendored", "generated", "templates", "tests", "examples", "docs"]
    for name, patterns in data.items():
        for pattern in patterns:
            regex = re.compile(pattern, re.IGNORECASE)
            assert any(regex.search(p) and z is Zone(name) for p, z in CASES), f"{name}: no case for {pattern!r}"


def test_overrides_win_over_patterns() -> None:
    overrides = {"examples/serving": Zone.PROJECT, "src/legacy.py": Zone.VENDORED}
    assert zone_of("examples/serving/app.py", overrides) is Zone.PROJECT
    assert zone_of("examples/serving", overrides) is Zone.PROJECT
    assert zone_of("examples/servings/app.py", overrides) is Zone.EXAMPLES
    assert zone_of("src/legacy.py", overrides) is Zone.VENDORED
    assert zone_of("src/legacy.pyc", overrides) is Zone.PROJECT


@pytest.mark.parametrize(
    "patterns",
    [
        [r"(^|/)a/", r"(^|/)b\.py$", r"\.md$"],
        [r"(^|/)a|b", r"(^|/)c/"],  # b anywhere: its start is not shared
        [r"(^|/)a|(^|/)b"],
        [r"(^|/)[|]x", r"(^|/)[^|]y|z", r"(^|/)[]|]w"],
        [r"(^|/)(x)\1", r"(^|/)(?P<n>q)(?P=n)"],
        [r"(^|/)(a|b)c", r"(^|/)\|d"],
    ],
)
def test_joined_patterns_match_where_one_of_them_does(patterns: list[str]) -> None:
    from mlops_scan.snapshot.zones import joined

    paths = ["a/x", "x/b.py", "r.md", "xb", "b", "q/c/d", "x/a", "x/c/y", "|x", "s/yy", "z", "]w", "|w", "xx", "x/qq"]
    paths += ["ac", "s/bc", "|d", "s/|d", "b/x", "qq/r"]
    together = re.compile(joined(patterns), re.I)
    for path in paths:
        assert bool(together.search(path)) == any(re.search(p, path, re.I) for p in patterns), (patterns, path)
