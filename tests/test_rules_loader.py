"""The strict rule-pack loader: every problem is one message naming the file, the rule id and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from scanning import run_cli

from mlops_scan.assessment.maturity import load_model
from mlops_scan.errors import RulePackError
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.matchers.base import installed_params
from mlops_scan.rules.loader import load_rules, pack_files
from mlops_scan.rules.sources import builtin_pack_dir

CAPABILITIES = set(load_model().capabilities)
RULE = """\
  - id: {id}
    capability: {capability}
    kind: {kind}
    params: {params}
    strength: strong
    title: Team runner
    description: The team's own CI runner configuration.
    remediation: Add .team/ci.toml.
{extra}"""


def rule(
    id: str = "ci.team-runner",
    capability: str = "ci",
    kind: str = "file",
    params: str = "{paths: ['.team/ci.toml']}",
    extra: str = "",
) -> str:
    return RULE.format(id=id, capability=capability, kind=kind, params=params, extra=extra)


def pack(tmp_path: Path, *rules: str, name: str = "team.yaml", head: str = "schema_version: 1\n") -> Path:
    path = tmp_path / name
    path.write_text(head + "rules:\n" + "".join(rules), encoding="utf-8")
    return path


def load(*paths: Path):  # type: ignore[no-untyped-def]
    return load_rules(list(paths), installed_params(), CAPABILITIES)


def error(*paths: Path) -> str:
    with pytest.raises(RulePackError) as info:
        load(*paths)
    return str(info.value)


def test_valid_pack_loads(tmp_path: Path) -> None:
    [loaded] = load(pack(tmp_path, rule()))
    assert (loaded.id, loaded.capability, loaded.kind, loaded.strength.value) == (
        "ci.team-runner",
        "ci",
        "file",
        "strong",
    )
    assert loaded.params.paths == [".team/ci.toml"]
    assert (loaded.lifecycle, loaded.source) == ("stable", str(tmp_path / "team.yaml"))


def test_unknown_field(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(extra="    colour: blue\n"))
    assert error(path) == (
        f"{path}:11: rule ci.team-runner: field 'colour': unknown field (allowed: added_in, capability, "
        "description, docs, id, kind, lifecycle, params, remediation, strength, title)"
    )


def test_duplicate_id_in_one_pack(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(), rule())
    assert error(path) == f"{path}:11: rule ci.team-runner: field 'id': duplicate rule id (already defined in {path})"


def test_duplicate_id_across_packs(tmp_path: Path) -> None:
    first = pack(tmp_path, rule(), name="a.yaml")
    second = pack(tmp_path, rule(), name="b.yaml")
    assert (
        error(first, second)
        == f"{second}:3: rule ci.team-runner: field 'id': duplicate rule id (already defined in {first})"
    )


def test_duplicate_of_a_builtin_rule(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(id="ci.github-actions-workflow"))
    with pytest.raises(RulePackError) as info:
        load_all_rules(load_model().capabilities, [tmp_path])
    builtin = builtin_pack_dir() / "ci.yaml"
    assert str(info.value) == (
        f"{path}:3: rule ci.github-actions-workflow: field 'id': duplicate rule id (already defined in {builtin})"
    )


def test_bad_regex(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(params="{paths: ['.team/ci.toml'], pattern: 'runner(:'}"))
    assert error(path) == (
        f"{path}:6: rule ci.team-runner: field 'params.pattern': bad regular expression "
        "(missing ), unterminated subpattern at position 6)"
    )


def test_bad_regex_in_a_list_param(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(kind="workflow", params="{commands: ['pytest', 'tox -e [py']}"))
    assert error(path) == (
        f"{path}:6: rule ci.team-runner: field 'params.commands': bad regular expression "
        "(unterminated character set at position 7)"
    )


def test_unknown_capability(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(id="cii.team-runner", capability="cii"))
    assert error(path) == (
        f"{path}:4: rule cii.team-runner: field 'capability': unknown capability 'cii' "
        f"(known: {', '.join(sorted(CAPABILITIES))})"
    )


def test_unknown_kind(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(kind="regex"))
    assert error(path) == (
        f"{path}:5: rule ci.team-runner: field 'kind': unknown matcher kind 'regex' "
        f"(installed kinds: {', '.join(sorted(installed_params()))})"
    )


def test_id_prefix_must_be_the_capability(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(capability="automated_tests"))
    assert (
        error(path)
        == f"{path}:3: rule ci.team-runner: field 'id': id must start with its capability 'automated_tests.'"
    )


def test_malformed_id(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(id="CI Team Runner"))
    assert error(path) == (
        f"{path}:3: rule CI Team Runner: field 'id': id must look like '<capability>.<tool>-<signal>' "
        "(lower case, dashes)"
    )


def test_unknown_param(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(params="{paths: [a], regex: b}"))
    assert error(path) == (
        f"{path}:6: rule ci.team-runner: field 'params.regex': unknown param for kind 'file' "
        "(allowed: comments, not_paths, paths, pattern)"
    )


def test_param_of_the_wrong_type(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(params="{paths: '.team/ci.toml'}"))
    assert error(path) == f"{path}:6: rule ci.team-runner: field 'params.paths': must be a list of strings"


def test_missing_required_field(tmp_path: Path) -> None:
    path = pack(tmp_path, rule().replace("    remediation: Add .team/ci.toml.\n", ""))
    assert error(path) == f"{path}:3: rule ci.team-runner: field 'remediation': required field is missing"


def test_bad_strength(tmp_path: Path) -> None:
    path = pack(tmp_path, rule().replace("strength: strong", "strength: certain"))
    assert error(path) == f"{path}:7: rule ci.team-runner: field 'strength': strength must be strong, medium or weak"


def test_unknown_named_pattern(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(params="{paths: [a], pattern: '${runner}'}"))
    assert error(path) == f"{path}:6: rule ci.team-runner: field 'params.pattern': unknown named pattern ${{runner}}"


def test_named_patterns_expand(tmp_path: Path) -> None:
    path = pack(
        tmp_path,
        rule(params="{paths: [a], pattern: '^${runner}$'}"),
        head="schema_version: 1\npatterns:\n  runner: 'team-ci'\n",
    )
    assert load(path)[0].params.pattern == "^team-ci$"


def test_pack_level_errors(tmp_path: Path) -> None:
    wrong_version = pack(tmp_path, rule(), name="v2.yaml", head="schema_version: 2\n")
    assert error(wrong_version) == f"{wrong_version}:1: field 'schema_version': schema_version must be 1"
    extra_top = pack(tmp_path, rule(), name="top.yaml", head="schema_version: 1\nauthor: me\n")
    assert error(extra_top) == (
        f"{extra_top}:2: field 'author': unknown top-level field (allowed: namespace, patterns, removed, rules, schema_version)"
    )
    empty = tmp_path / "empty.yaml"
    empty.write_text("schema_version: 1\nrules: []\n", encoding="utf-8")
    assert error(empty) == f"{empty}:2: field 'rules': a non-empty list of rules is required"


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("schema_version: 1\nrules:\n  - id: [ci.x\n", encoding="utf-8")
    message = error(path)
    assert message == f"{path}:4: malformed YAML (expected ',' or ']', but got '<stream end>')"


def test_python_tags_are_not_constructed(tmp_path: Path) -> None:
    """Packs are data: a YAML tag that would run code is a malformed pack, never executed."""
    path = tmp_path / "evil.yaml"
    path.write_text("schema_version: 1\nrules: !!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")
    assert "malformed YAML" in error(path)
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_namespace_prefixes_third_party_ids(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(), head="schema_version: 1\nnamespace: acme\n")
    assert load(path)[0].id == "ci.acme/team-runner"


def test_builtin_packs_are_valid_and_one_per_capability() -> None:
    files = pack_files([builtin_pack_dir()])
    assert sorted(p.stem for p in files) == sorted(CAPABILITIES)
    rules = load_all_rules(load_model().capabilities)
    assert {r.capability for r in rules} == CAPABILITIES
    assert all(r.source.endswith(f"{r.capability}.yaml") for r in rules)


def test_cli_validate_reports_one_line_and_exit_2(tmp_path: Path) -> None:
    path = pack(tmp_path, rule(kind="regex"))
    done = run_cli("rules", "validate", str(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        f"mlops-scan: error: {path}:5: rule ci.team-runner: field 'kind': unknown matcher kind 'regex' "
        f"(installed kinds: {', '.join(sorted(installed_params()))})\n"
    )


def test_cli_validate_accepts_a_good_pack(tmp_path: Path) -> None:
    pack(tmp_path, rule())
    done = run_cli("rules", "validate", str(tmp_path))
    assert (done.returncode, done.stdout) == (0, "ok: 1 rule(s) valid\n")
