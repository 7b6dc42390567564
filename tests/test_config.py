"""Configuration: where it is found, each key with good and bad values, ids checked against
the model and the rules, and command-line options winning over the file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scanning import FIXTURES, builtin_rules, run_cli

from mlops_scan.assessment.maturity import load_model
from mlops_scan.cli.app import main
from mlops_scan.cli.config import Config, _parse, check_ids, find_config, load_config
from mlops_scan.errors import ConfigError
from mlops_scan.snapshot.limits import Limits

MODEL = load_model()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def dotfile(tmp_path: Path, text: str) -> Config:
    return load_config(write(tmp_path, ".mlops-scan.toml", text), root=tmp_path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``mlops-scan ARGS`` in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as done:
        main([*args, "--quiet"])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def level2(tmp_path: Path) -> Path:
    """A copy of the level-2 fixture (MLflow + DVC + GitLab CI), free to get a configuration file."""
    return Path(shutil.copytree(FIXTURES / "level2-mlflow-dvc", tmp_path / "repo"))


# Where the configuration comes from


def test_no_configuration(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
    write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None


def test_pyproject_table(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n\n[tool.mlops-scan]\nfail-under = 2\n")
    assert find_config(tmp_path) == path
    config = load_config(path, root=tmp_path)
    assert (config.source, config.fail_under, config.path) == ("pyproject.toml [tool.mlops-scan]", 2, path)


def test_dotfile_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.mlops-scan]\nfail-under = 2\n")
    dot = write(tmp_path, ".mlops-scan.toml", "fail-under = 1\n")
    assert find_config(tmp_path) == dot
    assert load_config(dot).fail_under == 1


def test_malformed_pyproject_without_our_table_is_ignored(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project\nname = 'broken'\n")
    assert find_config(tmp_path) is None


def test_malformed_pyproject_with_our_table_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", "[tool.mlops-scan]\nfail-under = \n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: malformed TOML \(Invalid value"):
        load_config(path)


@pytest.mark.parametrize("text", ["tool = 3\n# tool.mlops-scan\n", "[tool.other]\nnote = 'see tool.mlops-scan'\n"])
def test_pyproject_mentioning_the_table_without_it_is_no_configuration(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "pyproject.toml", text)
    assert find_config(tmp_path) == path
    assert load_config(path, root=tmp_path) == Config()  # found, not named with --config


@pytest.mark.parametrize(
    "text, message",
    [
        ("exclude = " + "[" * 100_000 + "]" * 100_000 + "\n", "malformed TOML (nested too deeply)"),
        ("fail-under = 1\n\xff\n", "not UTF-8 text (invalid start byte)"),
    ],
)
def test_unparsable_configuration_is_one_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ".mlops-scan.toml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: {message}"


def test_configuration_linked_from_outside_is_refused(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", write(tmp_path, "secrets.toml", 'token = "x"\n')
    repo.mkdir()
    (repo / ".mlops-scan.toml").symlink_to(outside)
    with pytest.raises(ConfigError) as error:
        find_config(repo)
    assert str(error.value) == f"{repo / '.mlops-scan.toml'}: a link to a file outside the repository: not read"


def test_unreadable_or_huge_pyproject_without_the_table_is_no_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()
    assert find_config(tmp_path) is None
    (tmp_path / "pyproject.toml").rmdir()
    write(tmp_path, "pyproject.toml", "# padding\n" * 200_000)
    assert find_config(tmp_path) is None


def test_oversized_configuration_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ".mlops-scan.toml", "# " + "x" * (1024 * 1024) + "\n")
    with pytest.raises(ConfigError, match=r"too large for a configuration file"):
        load_config(path)


# Each key: good values


def test_every_key(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    write(tmp_path, "packs/extra.yaml", "schema_version: 1\n")
    write(tmp_path, "packs/notes.txt", "not a pack\n")
    config = dotfile(
        tmp_path,
        """
fail-under = 2
format = "sarif"
exclude = ["notebooks/**", "legacy"]
disable = ["collaboration", "ci.gitlab-ci-pipeline"]
rules = ["packs"]
model = "microsoft"
[assume]
model_registry = "registered by the platform \\u001b[31m  repository"
[limits]
max_file_bytes = 4096
max-notebook-bytes = "1.5MiB"
max-files = 10
parse_timeout = 2.5
""",
    )
    assert config.fail_under == 2 and config.format == "sarif" and config.model == "microsoft"
    assert config.exclude == ("notebooks/**", "legacy")
    assert config.disable == ("collaboration", "ci.gitlab-ci-pipeline")
    assert config.rules == ((tmp_path / "packs/extra.yaml").resolve(),)  # a repository's folder: its packs, checked
    assert config.assume == {"model_registry": "registered by the platform [31m repository"}
    assert config.scan_limits() == Limits(
        max_file_bytes=4096, max_notebook_bytes=1572864, max_files=10, parse_timeout=2.5
    )
    check_ids(config, MODEL, [r.id for r in builtin_rules()])


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "shields"])
def test_format_values(tmp_path: Path, fmt: str) -> None:
    assert dotfile(tmp_path, f'format = "{fmt}"\n').format == fmt


def test_model_file_is_resolved_against_the_configuration_folder(tmp_path: Path) -> None:
    assert dotfile(tmp_path, 'model = "models/ours.yaml"\n').model == str((tmp_path / "models/ours.yaml").resolve())


def test_explicit_config_file_may_point_anywhere(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    path = write(tmp_path / "shared", "mlops.toml", 'rules = ["../packs"]\n')
    assert load_config(path).rules == ((tmp_path / "packs").resolve(),)


# Each key: bad values, one line naming the key


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "fail_under = 1\n",
            "fail_under: unknown key (known: assume, disable, exclude, fail-under, format, limits, model, preview, rules)",
        ),
        ('fail-under = "2"\n', "fail-under: must be a level number (0 or more)"),
        ("fail-under = -1\n", "fail-under: must be a level number (0 or more)"),
        ("fail-under = true\n", "fail-under: must be a level number (0 or more)"),
        ('format = "html"\n', "format: must be one of text, json, markdown, sarif, shields, github, gitlab"),
        ('exclude = "docs/**"\n', "exclude: must be a list of non-empty strings"),
        ("exclude = [1]\n", "exclude: must be a list of non-empty strings"),
        ('disable = [""]\n', "disable: must be a list of non-empty strings"),
        ('rules = "packs"\n', "rules: must be a list of non-empty strings"),
        (
            'rules = ["../elsewhere"]\n',
            "rules: '../elsewhere' is outside the repository (a repository's configuration may only name files inside it)",
        ),
        (
            'model = "/etc/models/x.yaml"\n',
            "model: '/etc/models/x.yaml' is outside the repository (a repository's configuration may only name files inside it)",
        ),
        ("model = 3\n", "model: must be a built-in model name or a model YAML file"),
        ('assume = ["ci"]\n', 'assume: must be a table of capability = "reason" (a non-empty reason each)'),
        ('[assume]\nci = " "\n', 'assume: must be a table of capability = "reason" (a non-empty reason each)'),
        ("[assume]\nci = true\n", 'assume: must be a table of capability = "reason" (a non-empty reason each)'),
        ("limits = 5\n", "limits: must be a table of limit = number"),
        (
            "[limits]\nmax_bytes = 5\n",
            "limits.max_bytes: unknown limit (known: " + ", ".join(f for f in Limits.__dataclass_fields__) + ")",
        ),
        ("[limits]\nmax_files = 0\n", "limits.max_files: must be a positive whole number"),
        ('[limits]\nmax_files = "10"\n', "limits.max_files: must be a positive whole number"),
        ("[limits]\nmax_depth = 2.5\n", "limits.max_depth: must be a positive whole number"),
        ("[limits]\nparse_timeout = -1\n", "limits.parse_timeout: must be a number, 0 or more"),
        (
            '[limits]\nmax-file-bytes = "lots"\n',
            'limits.max-file-bytes: must be a size such as "4MiB" or a whole number of bytes',
        ),
        ('[limits]\nmax_files = "10k"\n', "limits.max_files: must be a positive whole number"),
    ],
)
def test_bad_values(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        dotfile(tmp_path, text)
    assert str(error.value) == f"{tmp_path / '.mlops-scan.toml'}: {message}"


def test_pyproject_errors_name_the_full_key(tmp_path: Path) -> None:
    path = write(tmp_path, "pyproject.toml", '[tool.mlops-scan]\nformat = "pdf"\n')
    with pytest.raises(ConfigError, match=r"pyproject\.toml: tool\.mlops-scan\.format: must be one of "):
        load_config(path)


@pytest.mark.parametrize(
    "text, message",
    [
        ('[assume]\nregistry = "platform"\n', "assume.registry: unknown capability (known: ab_testing, "),
        (
            'disable = ["experiment_tracking.no-such-rule"]\n',
            "disable: unknown rule or capability 'experiment_tracking.no-such-rule' (see `mlops-scan rules list`)",
        ),
        ("fail-under = 5\n", "fail-under: 5 is above the model's top level (4)"),
        (
            '[assume]\nnotebook_centric = "we like notebooks"\n',
            "assume.notebook_centric: a finding about the code, not a practice: it cannot be assumed",
        ),
    ],
)
def test_unknown_ids(tmp_path: Path, text: str, message: str) -> None:
    config = dotfile(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        check_ids(config, MODEL, [r.id for r in builtin_rules()])
    assert str(error.value).startswith(f"{tmp_path / '.mlops-scan.toml'}: {message}")


# Through the command line


def test_configuration_error_is_one_line_and_exit_2(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(level2, ".mlops-scan.toml", "fail-under = 1\ncolour = true\n")
    code, out, err = run(capsys, str(level2))
    assert (code, out) == (2, "")
    assert err == (
        f"mlops-scan: error: {level2 / '.mlops-scan.toml'}: colour: unknown key "
        "(known: assume, disable, exclude, fail-under, format, limits, model, preview, rules)\n"
    )


def test_format_from_configuration_and_option_wins(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(level2, ".mlops-scan.toml", 'format = "shields"\n')
    assert json.loads(run(capsys, str(level2))[1])["message"] == "2 · automated training"
    assert json.loads(run(capsys, str(level2), "--format", "json")[1])["level"] == 2


def test_fail_under_from_configuration_and_option_wins(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(level2, "pyproject.toml", "[tool.mlops-scan]\nfail-under = 3\n")
    code, _, err = run(capsys, str(level2), "-f", "shields")
    assert code == 1 and err == "mlops-scan: level 2 (Automated training) is below --fail-under 3\n"
    assert run(capsys, str(level2), "-f", "shields", "--fail-under", "2")[0] == 0


def test_no_config_and_explicit_config(level2: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(level2, ".mlops-scan.toml", "fail-under = 4\n")
    assert run(capsys, str(level2), "-f", "shields", "--no-config")[0] == 0
    other = write(tmp_path, "ci.toml", "fail-under = 1\n")
    assert run(capsys, str(level2), "-f", "shields", "--config", str(other))[0] == 0
    code, _, err = run(capsys, str(level2), "--config", str(tmp_path / "absent.toml"))
    assert code == 2 and err == f"mlops-scan: error: --config {tmp_path / 'absent.toml'}: no such file\n"


def test_assume_is_reported_as_asserted(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        level2,
        ".mlops-scan.toml",
        '[assume]\nab_testing = "traffic split by the gateway team"\n'
        'deployment_automation = "deployed by the platform repository"\n',
    )
    report = json.loads(run(capsys, str(level2), "-f", "json")[1])
    assert report["level"] == 3
    assert report["capabilities"]["ab_testing"]["asserted"] == "traffic split by the gateway team"
    assert report["capabilities"]["ab_testing"]["reason"] == "asserted: traffic split by the gateway team"
    assert report["capabilities"]["ab_testing"]["evidence"] == []
    assert report["notes"][0] == "Configuration: .mlops-scan.toml."
    text = run(capsys, str(level2), "-f", "text", "--no-color")[1]
    assert "asserted: traffic split by the gateway team" in text


def test_disable_capability_and_rule(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(level2, ".mlops-scan.toml", 'disable = ["experiment_tracking"]\n')
    report = json.loads(run(capsys, str(level2), "-f", "json")[1])
    assert report["level"] == 1 and report["capabilities"]["experiment_tracking"]["evidence"] == []
    assert "Disabled by configuration (.mlops-scan.toml): experiment_tracking." in report["notes"]
    write(level2, ".mlops-scan.toml", 'disable = ["model_registry.mlflow-register-model"]\n')
    report = json.loads(run(capsys, str(level2), "-f", "json")[1])
    assert report["level"] == 1
    assert "model_registry.mlflow-register-model" not in {
        e["rule"] for e in report["capabilities"]["model_registry"]["evidence"]
    }


def test_exclude_adds_to_the_command_line(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(level2, ".mlops-scan.toml", 'exclude = ["dvc.yaml"]\n')
    report = json.loads(run(capsys, str(level2), "-f", "json", "--exclude", ".gitlab-ci.yml")[1])
    paths = {e["path"] for c in report["capabilities"].values() for e in c["evidence"]}
    assert not paths & {"dvc.yaml", ".gitlab-ci.yml"}
    assert report["level"] == 0


def test_limits_reach_the_snapshot(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(level2, ".mlops-scan.toml", "[limits]\nmax_file_bytes = 10\n")
    report = json.loads(run(capsys, str(level2), "-f", "json")[1])
    size = (level2 / "dvc.yaml").stat().st_size
    assert {"path": "dvc.yaml", "reason": f"too large ({size} B > 10 B limit)"} in report["skipped"]


def test_rules_folder_from_configuration(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (level2 / "packs").mkdir()
    write(level2 / "packs", "ours.yaml", "schema_version: 1\nrules: []\n")
    write(level2, ".mlops-scan.toml", 'rules = ["packs"]\n')
    code, _, err = run(capsys, str(level2))
    assert code == 2 and err.startswith("mlops-scan: error: ") and "ours.yaml" in err


def test_format_choices_come_from_the_one_registry(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from mlops_scan.reporters.formats import FORMATS, REPORTERS

    assert FORMATS == ("text", "json", "markdown", "sarif", "shields", "github", "gitlab")
    assert set(REPORTERS) == {*FORMATS, "badge"}
    (tmp_path / ".mlops-scan.toml").write_text('format = "badge"\n')
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2
    assert err.endswith(f"format: must be one of {', '.join(FORMATS)}\n")


# Arbitrary input: a configuration error, never a crash

KEYS = st.sampled_from(
    [
        "fail-under",
        "format",
        "exclude",
        "disable",
        "rules",
        "model",
        "assume",
        "limits",
        "max_files",
        "max-depth",
        "parse_timeout",
        "ci",
        "x\n\x1b[31m",
    ]
)
VALUES = st.recursive(
    st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_any_table_is_a_config_or_one_error(table: dict) -> None:  # type: ignore[type-arg]
    path = Path("/repo/.mlops-scan.toml")
    try:
        config = _parse(table, path, "", ".mlops-scan.toml", Path("/repo"))
    except ConfigError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
    else:
        config.scan_limits()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_a_config_or_one_error(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("cfg") / ".mlops-scan.toml"
    path.write_bytes(text.encode("utf-8", "replace"))
    try:
        load_config(path, root=path.parent)
    except ConfigError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)


def test_limit_option_wins_over_the_configuration(level2: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(level2, ".mlops-scan.toml", '[limits]\nmax-file-bytes = "10B"\n')
    report = json.loads(run(capsys, str(level2), "-f", "json", "--limit", "max-file-bytes=1MiB")[1])
    assert report["skipped"] == [] and report["level"] == 2


@pytest.mark.parametrize(
    "text, config_arg, message",
    [
        (
            "[tool.mlops_scan]\nfail-under = 4\n",
            False,
            "pyproject.toml: [tool.mlops_scan] is not read: the table is [tool.mlops-scan] (with a dash)",
        ),
        (
            "[tool]\nmlops-scan = 3\n",
            False,
            "pyproject.toml: tool.mlops-scan must be a table, not int (write [tool.mlops-scan] and keys below it)",
        ),
        (
            '[project]\nname = "churn"\n',
            True,
            "--config {path}: no [tool.mlops-scan] table in it (a .mlops-scan.toml has its keys at the top)",
        ),
    ],
)
def test_config_mistakes_are_one_line_errors(tmp_path: Path, text: str, config_arg: bool, message: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(text, encoding="utf-8")
    args = [str(tmp_path), "-q", *(["--config", str(pyproject)] if config_arg else [])]
    done = run_cli(*args)
    expected = message.format(path=pyproject) if config_arg else f"{tmp_path}/{message}"
    assert (done.returncode, done.stderr) == (2, f"mlops-scan: error: {expected}\n")


def test_a_pyproject_naming_the_project_mlops_scan_is_not_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mlops-scan-plugins"\n', encoding="utf-8")
    assert run_cli(str(tmp_path), "-q").returncode == 0
