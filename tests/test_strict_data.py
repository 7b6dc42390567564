"""mlops-scan's own data (rule packs, maturity models, zones) is loaded strictly: duplicate keys,
unknown keys and wrong types are one-line errors naming the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from scanning import run_cli

from mlops_scan import strictyaml
from mlops_scan.assessment.maturity import load_model
from mlops_scan.data import DATA_DIR
from mlops_scan.errors import DataFileError, ModelError, RulePackError
from mlops_scan.facts.ci.scriptinputs import load_script_inputs, script_inputs
from mlops_scan.matchers.base import installed_params
from mlops_scan.rules.loader import load_pack, pack_files
from mlops_scan.rules.sources import builtin_pack_dir
from mlops_scan.snapshot.zones import ZONES_FILE, load_zone_policy
from mlops_scan.types import Zone

MODEL = (DATA_DIR / "microsoft.yaml").read_text(encoding="utf-8")
ZONES = ZONES_FILE.read_text(encoding="utf-8")


def _line(text: str, needle: str) -> int:
    """The 1-based line of the first line holding ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _error(exc_type: type[Exception], load: object, path: Path) -> str:
    with pytest.raises(exc_type) as info:
        load(str(path)) if exc_type is ModelError else load(path)  # type: ignore[operator]
    return str(info.value)


# the loader


def test_duplicate_key_names_both_lines() -> None:
    with pytest.raises(DataFileError) as info:
        strictyaml.load("a: 1\nb:\n  c: 2\n  c: 3\n", "x.yaml")
    assert str(info.value) == "x.yaml:4: duplicate key 'c' (first given on line 3)"


def test_lines_are_kept_for_keys_and_items() -> None:
    data = strictyaml.load("top: 1\nlist:\n  - a\n  - {k: v}\n", "x.yaml")
    assert (strictyaml.line_of(data, "top"), strictyaml.line_of(data, "list")) == (1, 2)
    assert [strictyaml.line_of(data["list"], i) for i in range(2)] == [3, 4]
    assert strictyaml.line_of(data["list"][1], "k") == 4
    assert data == {"top": 1, "list": ["a", {"k": "v"}]}


def test_unknown_key_and_wrong_type_name_the_line() -> None:
    data = strictyaml.load("name: x\ncolour: blue\ncount: '3'\n", "x.yaml")
    with pytest.raises(DataFileError) as unknown:
        strictyaml.mapping(data, "x.yaml", "a thing", ("name", "count"))
    assert str(unknown.value) == "x.yaml:2: a thing: unknown key 'colour' (allowed: count, name)"
    with pytest.raises(DataFileError) as wrong:
        strictyaml.typed(data["count"], int, "x.yaml", "count", strictyaml.line_of(data, "count"), "an integer")
    assert str(wrong.value) == "x.yaml:3: count must be an integer"


# rule packs


def test_every_builtin_pack_loads_strictly_with_rules_sorted_by_id() -> None:
    kinds, capabilities = installed_params(), set(load_model().capabilities)
    for path in pack_files([builtin_pack_dir()]):
        rules = load_pack(path, kinds, capabilities)
        ids = [r.id for r in rules]
        assert ids == sorted(ids), f"{path}: rules are kept sorted by id"
        text = path.read_text(encoding="utf-8")
        assert text.count("\nschema_version:") + text.startswith("schema_version:") == 1, path
        assert all(r.line == _line(text, f"- id: {r.id}") for r in rules), path


def test_duplicate_key_in_a_pack_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text("schema_version: 1\nschema_version: 1\nrules: []\n", encoding="utf-8")
    assert _error(RulePackError, lambda p: load_pack(p, installed_params(), set()), path) == (
        f"{path}:2: duplicate key 'schema_version' (first given on line 1)"
    )


# maturity models


def _model(tmp_path: Path, old: str, new: str) -> Path:
    assert old in MODEL
    path = tmp_path / "model.yaml"
    path.write_text(MODEL.replace(old, new, 1), encoding="utf-8")
    return path


def test_misspelt_model_key_is_an_error(tmp_path: Path) -> None:
    path = _model(tmp_path, "    remediation: Add a CI pipeline", "    remedation: Add a CI pipeline")
    line = _line(path.read_text(encoding="utf-8"), "remedation:")
    assert _error(ModelError, load_model, path) == (
        f"{path}:{line}: capabilities.ci: unknown key 'remedation' (allowed: name, remediation, what)"
    )


def test_typo_in_a_capability_id_is_an_error(tmp_path: Path) -> None:
    path = _model(tmp_path, "required: [ci, automated_tests]", "required: [ci, automated_test]")
    line = _line(path.read_text(encoding="utf-8"), "automated_test]")
    assert (
        _error(ModelError, load_model, path) == f"{path}:{line}: levels.1.required: unknown capability 'automated_test'"
    )


def test_wrong_type_in_a_model_is_an_error(tmp_path: Path) -> None:
    path = _model(tmp_path, "    name: No MLOps", "    name: [No, MLOps]")
    line = _line(path.read_text(encoding="utf-8"), "name: [No, MLOps]")
    assert _error(ModelError, load_model, path) == f"{path}:{line}: levels.0: name must be a string"


def test_duplicate_key_in_a_model_is_an_error(tmp_path: Path) -> None:
    path = _model(tmp_path, "id: microsoft\n", "id: microsoft\nid: microsoft\n")
    line = _line(MODEL, "id: microsoft")
    assert _error(ModelError, load_model, path) == (
        f"{path}:{line + 1}: duplicate key 'id' (first given on line {line})"
    )


def test_model_typo_is_one_line_and_exit_2_on_the_command_line(tmp_path: Path) -> None:
    path = _model(tmp_path, "    remediation: Add a CI pipeline", "    remedation: Add a CI pipeline")
    (tmp_path / "repo").mkdir()
    done = run_cli("scan", str(tmp_path / "repo"), "--no-config", "--model", str(path))
    line = _line(path.read_text(encoding="utf-8"), "remedation:")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"mlops-scan: error: {path}:{line}: capabilities.ci: unknown key 'remedation' "
        "(allowed: name, remediation, what)\n"
    )


# zones


def _zones(tmp_path: Path, old: str, new: str) -> Path:
    assert old in ZONES
    path = tmp_path / "zones.yaml"
    path.write_text(ZONES.replace(old, new, 1), encoding="utf-8")
    return path


def test_builtin_zones_load() -> None:
    policy = load_zone_policy(ZONES_FILE)
    assert [zone for zone, _ in policy.patterns] == [
        Zone.VENDORED,
        Zone.GENERATED,
        Zone.TEMPLATES,
        Zone.TESTS,
        Zone.EXAMPLES,
        Zone.DOCS,
    ]
    assert policy.full_strength_in_zone == {Zone.TESTS: frozenset({"automated_tests"})}


def test_unknown_zone_is_an_error(tmp_path: Path) -> None:
    path = _zones(tmp_path, "  examples:\n", "  exemples:\n")
    line = _line(path.read_text(encoding="utf-8"), "exemples:")
    with pytest.raises(DataFileError) as info:
        load_zone_policy(path)
    assert str(info.value) == (
        f"{path}:{line}: zones: unknown key 'exemples' (allowed: docs, examples, generated, templates, tests, vendored)"
    )


def test_bad_zone_pattern_is_an_error(tmp_path: Path) -> None:
    path = _zones(tmp_path, "  readme_title: '(?i)", "  readme_title: '((?i)")
    line = _line(path.read_text(encoding="utf-8"), "readme_title:")
    with pytest.raises(DataFileError) as info:
        load_zone_policy(path)
    assert str(info.value).startswith(f"{path}:{line}: readme_title: bad regular expression (")


def test_wrong_type_in_zones_is_an_error(tmp_path: Path) -> None:
    path = _zones(tmp_path, "  tests: [automated_tests]", "  tests: automated_tests")
    line = _line(path.read_text(encoding="utf-8"), "  tests: automated_tests")
    with pytest.raises(DataFileError) as info:
        load_zone_policy(path)
    assert str(info.value) == f"{path}:{line}: tests must be a list of strings"


# script inputs of third-party actions


def test_builtin_script_inputs_load() -> None:
    known = script_inputs()
    assert known["github_actions"]["appleboy/ssh-action"] == ("script",)
    assert known["azure_tasks"]["azurecli"] == ("inlineScript",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("github_actions: {}\nazure_tasks: {}\ngitlab: {}\n", "unknown key 'gitlab'"),
        ("github_actions:\n  a/b: script\nazure_tasks: {}\n", "github_actions.a/b must be a list of input names"),
        ("github_actions: {}\n", "required key 'azure_tasks' is missing"),
    ],
)
def test_bad_script_inputs_are_an_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "script_inputs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_script_inputs(path)
    assert message in str(info.value) and str(path) in str(info.value)
