"""Malformed YAML and TOML, alias bombs, deep nesting and a harmful setup.py: skipped with a reason, never run."""

from __future__ import annotations

import pytest

from hostile.repos import assert_base_level, assert_read_once, base_repo, scan, write

BAD = ".github/workflows/broken.yml"
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("on: [push\njobs: {}\n", "malformed YAML at line 2: did not find expected ',' or ']'"),
        (
            "on: push\njobs:\n\ttest:\n\t\truns-on: ubuntu-latest\n",
            "malformed YAML at line 3: found character that cannot start any token (a tab: YAML is indented with spaces)",
        ),
        ("on: push\njobs: {}\non: pull_request\n", "malformed YAML at line 3: duplicate key 'on'"),
        (
            "on: push\njobs:\n  a:\n    steps: []\n    steps: [{run: pytest}]\n",
            "malformed YAML at line 5: duplicate key 'steps'",
        ),
        ("on: 'unterminated\n", "malformed YAML at line 2: found unexpected end of stream"),
        (
            "on: push\n" + "jobs: " + "[" * 5000 + "]" * 5000 + "\n",
            "malformed YAML at line 2: exceeded maximum nesting depth",
        ),
        (
            "on: push\n" + "".join(" " * i + f"k{i}:\n" for i in range(1100)),
            "malformed YAML at line 1001: exceeded maximum nesting depth",
        ),
        ("on: *nowhere\n", "malformed YAML at line 1: found undefined alias"),
    ],
    ids=[
        "syntax",
        "tabs",
        "duplicate-top-key",
        "duplicate-nested-key",
        "unterminated",
        "deep-flow",
        "deep-block",
        "undefined-alias",
    ],
)
def test_malformed_yaml_is_skipped_with_its_line_and_cause(tmp_path, content, reason):
    base_repo(tmp_path)
    write(tmp_path, BAD, content)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {BAD: [reason]}


def test_multi_document_stream_keeps_the_other_documents(tmp_path):
    """A manifest stream is read document by document, only those some rule can match (the bad one hides no
    other); a CI file is read whole."""
    base_repo(tmp_path)
    write(
        tmp_path,
        "deploy/app.yaml",
        (
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n"
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: [web\n---\n"
            "apiVersion: v1\nkind: ConfigMap\n"
        ),
    )
    write(tmp_path, ".github/workflows/multi.yml", "on: push\njobs: {}\n---\non: [push\n")
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {
        "deploy/app.yaml": ["malformed YAML at line 8: did not find expected ',' or ']'"],
        ".github/workflows/multi.yml": [
            "malformed YAML at line 5: did not find expected ',' or ']' (1 other document(s) read)"
        ],
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (BOMB, "YAML aliases expand to more than 200000 nodes (alias bomb?): not parsed"),
        (
            "on: push\nloop: &loop [*loop, *loop]\n",
            "YAML aliases expand to more than 200000 nodes (alias bomb?): not parsed",
        ),
        ("on: push\nmatrix: [" + "1, " * 250_000 + "]\n", "more than 200000 YAML nodes: not parsed"),
    ],
    ids=["billion-laughs", "recursive-alias", "too-many-nodes"],
)
def test_yaml_bombs_are_refused_quickly(tmp_path, content, reason):
    base_repo(tmp_path)
    write(tmp_path, BAD, content)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {BAD: [reason]}  # refused at max-yaml-nodes: never expanded


REFERRER = ".github/workflows/release.yml"
STEPS_BOMB = BOMB + "runs:\n  using: composite\n  steps: *j\n"
"""An alias bomb shaped like a composite action: walking its steps as plain data would never end."""


@pytest.mark.parametrize(
    ("step", "referenced"),
    [
        ("uses: ./.github/actions/setup", ".github/actions/setup/action.yml"),
        ("run: ./ci/steps.yml", "ci/steps.yml"),
    ],
    ids=["local-action", "yaml-run-by-a-step"],
)
def test_alias_bomb_in_a_file_a_step_refers_to_is_refused_within_limits(tmp_path, step, referenced):
    """A CI step's referenced file is parsed through the same bounded pass as every file: refused and listed."""
    base_repo(tmp_path)
    write(tmp_path, REFERRER, f"on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - {step}\n")
    write(tmp_path, referenced, STEPS_BOMB)
    report = scan(tmp_path, "--limit", "parse-timeout=5")
    assert_base_level(report)
    assert report.skipped == {referenced: ["YAML aliases expand to more than 200000 nodes (alias bomb?): not parsed"]}


def test_yaml_node_limit_is_configurable(tmp_path):
    base_repo(tmp_path)
    report = scan(tmp_path, "--limit", "max-yaml-nodes=10")
    assert report.level == 0
    assert report.skipped == {".github/workflows/ci.yml": ["more than 10 YAML nodes: not parsed"]}


def test_helm_template_with_branches_is_not_a_duplicate_key_error(tmp_path):
    base_repo(tmp_path)
    write(
        tmp_path,
        "chart/templates/deploy.yaml",
        (
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n"
            "          {{- if .Values.gpu }}\n          image: web-gpu:{{ .Values.tag }}\n          {{- else }}\n"
            "          image: web:{{ .Values.tag }}\n          {{- end }}\n"
        ),
    )
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            '[project\nname = "x"\n',
            "malformed TOML: Expected ']' at the end of a table declaration (at line 1, column 9)",
        ),
        ('[project]\nname = "x"\nname = "y"\n', "malformed TOML: Cannot overwrite a value (at line 3, column 11)"),
        ("[project]\ndependencies = " + "[" * 5000 + "]" * 5000 + "\n", "malformed TOML: nested too deeply"),
    ],
    ids=["syntax", "duplicate-key", "deep"],
)
def test_malformed_pyproject_is_skipped_with_its_cause(tmp_path, content, reason):
    base_repo(tmp_path)
    write(tmp_path, "pyproject.toml", content)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"pyproject.toml": [reason]}


def test_harmful_setup_py_is_parsed_never_run(tmp_path):
    base_repo(tmp_path)
    marker = tmp_path.parent / f"{tmp_path.name}-setup-ran"
    write(
        tmp_path,
        "setup.py",
        (
            "import os, pathlib, shutil\n"
            f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
            "shutil.rmtree(os.path.expanduser('~/does-not-exist-mlops-scan'), ignore_errors=True)\n"
            "from setuptools import setup\n"
            "setup(name='harmful', install_requires=['mlflow>=2'])\n"
        ),
    )
    report = scan(tmp_path)
    assert not marker.exists()
    assert_base_level(report)
    assert report.skipped == {}
    assert report.evidence("experiment_tracking.mlflow-dependency") == [("setup.py", 5)]


def test_python_source_nested_too_deeply_is_skipped(tmp_path):
    base_repo(tmp_path)
    write(
        tmp_path,
        "src/app/deep.py",
        "import mlflow\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\nmlflow.log_metric('a', 1)\n",
    )
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"src/app/deep.py": ["Python syntax error: not analysed"]}


@pytest.mark.parametrize(
    "content",
    [
        "tool = true\n",
        "project = 1\n",
        'project = {dependencies = "mlflow"}\n',
        "[tool]\npoetry = []\npdm = 3\n",
        '[project]\noptional-dependencies = ["x"]\n[dependency-groups]\ndev = "pytest"\n',
        "[tool.poetry]\ngroup = {dev = 1}\npackages = 5\n",
    ],
    ids=["tool-bool", "project-int", "deps-string", "poetry-list", "extras-list", "poetry-odd"],
)
def test_pyproject_with_unexpected_shapes_is_read_without_error(tmp_path, content):
    base_repo(tmp_path)
    write(tmp_path, "pyproject.toml", content)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {} and report.data["notes"] == []


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("a" * 1_500_000, None),
        ("python " * 200_000, None),
        ("{" * 1_500_000, "malformed YAML at line 6: exceeded maximum nesting depth"),
        ("{{ x " * 300_000, "malformed YAML at line 6: did not find expected ',' or '}'"),
    ],
    ids=["one-word", "many-words", "braces", "unclosed-templates"],
)
def test_huge_ci_command_is_handled_in_bounded_time(tmp_path, command, reason):
    base_repo(tmp_path)
    write(
        tmp_path,
        ".github/workflows/huge.yml",
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: " + command + "\n",
    )
    report = scan(tmp_path)
    assert_base_level(report)
    assert_read_once(report, tmp_path)
    assert report.skipped == ({".github/workflows/huge.yml": [reason]} if reason else {})
