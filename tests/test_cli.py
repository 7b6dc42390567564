"""The command line: one-line errors with exit code 2, the 80-column text report, colour rules, --output."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scanning import FIXTURES, run_cli

from mlops_scan.reporters.formats import FORMATS

LEVEL3 = str(FIXTURES / "level3-azureml-bluegreen")
ANSI = "\x1b["


def env_without_no_color() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "NO_COLOR"}


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    return done.stderr.rstrip("\n")


def test_nonexistent_path() -> None:
    assert one_line_error(run_cli("/nonexistent")) == "mlops-scan: error: /nonexistent: no such file or directory"


def test_path_is_a_file() -> None:
    target = str(FIXTURES / "level0-notebooks/README.md")
    assert one_line_error(run_cli(target)) == (
        f"mlops-scan: error: {target}: not a directory (point mlops-scan at a repository folder)"
    )


def test_unknown_format() -> None:
    choices = ", ".join(f"'{f}'" for f in FORMATS)
    assert one_line_error(run_cli("--format", "nope", ".")) == (
        f"mlops-scan: error: Invalid value for '--format' / '-f': 'nope' is not one of {choices}."
    )


def write_pack(folder: Path, extra: str) -> Path:
    folder.mkdir()
    pack = folder / "team.yaml"
    pack.write_text(
        "schema_version: 1\nrules:\n  - id: ci.team-runner\n    capability: ci\n    kind: file\n"
        "    params: {paths: ['.team/ci.toml']}\n    strength: strong\n    title: Team runner\n"
        f"    description: The team's own CI runner.\n    remediation: Add .team/ci.toml.\n{extra}",
        encoding="utf-8",
    )
    return pack


def test_malformed_rule_pack(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "packs", "    colour: blue\n")
    assert one_line_error(run_cli("--rules", str(pack.parent), LEVEL3)) == (
        f"mlops-scan: error: {pack}:11: rule ci.team-runner: field 'colour': unknown field (allowed: added_in, capability,"
        " description, docs, id, kind, lifecycle, params, remediation, strength, title)"
    )


def test_missing_rule_folder(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    assert one_line_error(run_cli("--rules", str(missing), LEVEL3)) == (
        f"mlops-scan: error: {missing}: no such rule-pack file or folder"
    )


def test_valid_extra_pack_adds_its_rule(tmp_path: Path) -> None:
    write_pack(tmp_path / "packs", "")
    done = run_cli("rules", "list", "--rules", str(tmp_path / "packs"))
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()].count("ci.team-runner") == 1


@pytest.mark.parametrize(
    "name",
    [
        "level0-notebooks",
        "level1-actions-pytest",
        "level2-mlflow-dvc",
        "level3-azureml-bluegreen",
        "level4-kserve-evidently",
        "traps/examples-only",
    ],
)
def test_text_report_fits_80_columns(name: str) -> None:
    done = run_cli(str(FIXTURES / name), "--quiet", env=env_without_no_color())
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[1].startswith("MLOps maturity level ")
    assert max(len(line) for line in lines[1:]) <= 80  # line 0 echoes the path given on the command line


def test_text_report_content() -> None:
    out = run_cli(LEVEL3, "--quiet").stdout
    assert "MLOps maturity level 3: Automated model deployment" in out
    assert "  [x] ab_testing             required   azureml/deploy/endpoint.yml:5 (strong)" in out
    assert "  [ ] model_monitoring       required   no evidence" in out
    assert "Next steps to reach level 4:" in out


def test_no_colour_when_not_a_terminal() -> None:
    done = run_cli(LEVEL3, "--quiet", env=env_without_no_color())
    assert ANSI not in done.stdout


def run_in_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal and return what it printed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlops_scan", *args], stdout=follower, stderr=subprocess.DEVNULL, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8")


def test_colour_on_a_terminal() -> None:
    assert ANSI in run_in_terminal(LEVEL3, "--quiet", env=env_without_no_color())


def test_no_colour_with_no_color_variable() -> None:
    assert ANSI not in run_in_terminal(LEVEL3, "--quiet", env={**env_without_no_color(), "NO_COLOR": "1"})


def test_no_colour_with_flag() -> None:
    assert ANSI not in run_in_terminal(LEVEL3, "--quiet", "--no-color", env=env_without_no_color())


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_file(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    done = run_cli(LEVEL3, "--quiet", "--format", fmt, "--output", str(target), env=env_without_no_color())
    assert done.returncode == 0 and done.stdout == ""
    written = target.read_text(encoding="utf-8")
    assert written == run_cli(LEVEL3, "--quiet", "--format", fmt).stdout
    assert ANSI not in written
    if fmt == "json":
        assert json.loads(written)["level"] == 3


def test_output_file_in_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "absent" / "report.json"
    assert one_line_error(run_cli(LEVEL3, "--quiet", "--output", str(target))) == (
        f"mlops-scan: error: {target}: cannot write report (No such file or directory)"
    )


def test_default_path_is_current_folder() -> None:
    done = run_cli("--quiet", "--format", "json", cwd=FIXTURES / "level2-mlflow-dvc")
    assert done.returncode == 0 and json.loads(done.stdout)["level"] == 2


def documented_fields() -> dict[str, set[str]]:
    """Section of docs/json-output.md (``### `levels[]```) -> the field names of its table."""
    sections: dict[str, set[str]] = {}
    current = None
    for line in (
        (Path(__file__).resolve().parent.parent / "docs" / "json-output.md").read_text(encoding="utf-8").splitlines()
    ):
        heading = re.match(r"### `?([^`]+)`?$", line)
        if heading:
            current = sections.setdefault(heading.group(1), set())
        elif current is not None and line.startswith("| `"):
            current.add(line.split("`")[1])
    return sections


def test_every_json_field_is_documented(tmp_path: Path) -> None:
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "track.py").write_text("import mlflow\nmlflow.log_metric('a', 1)\n", encoding="utf-8")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01\x02")  # binary: listed in skipped
    (tmp_path / "tests").mkdir()
    for i in range(51):  # one more than the per-rule cap, so evidence_not_listed appears
        (tmp_path / "tests" / f"test_{i}.py").write_text("def test_it():\n    pass\n", encoding="utf-8")
    # a flow that trains one call away: evidence with a via chain
    (tmp_path / "pipeline.py").write_text(
        "from prefect import flow\nfrom model import fit_it\n@flow\ndef run():\n    fit_it()\n", encoding="utf-8"
    )
    (tmp_path / "model.py").write_text(
        "from sklearn.svm import SVC\ndef fit_it():\n    SVC().fit([], [])\n", encoding="utf-8"
    )
    pack = "schema_version: 1\nrules:\n  - id: ci.team-rule\n    kind: file\n"  # rule_packs_not_scanned appears
    (tmp_path / "team-rules.yaml").write_text(pack, encoding="utf-8")
    done = run_cli(str(tmp_path), "--format", "json", "--quiet")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    docs = documented_fields()
    top = docs["Top level"]
    assert report["schema_version"] == "1.4"
    for key, value in report.items():
        assert key in top, key
        if key in ("tool", "model"):
            assert {f"{key}.{k}" for k in value} <= top
    assert {k for lv in report["levels"] for k in lv} <= docs["levels[]"]
    assert {k for c in report["capabilities"].values() for k in c} <= docs["capabilities.<id>"]
    evidence = [e for c in report["capabilities"].values() for e in c["evidence"]]
    assert {k for e in evidence for k in e} == docs["capabilities.<id>.evidence[]"]  # rule_strength, via included
    assert {k for n in report["next_steps"] for k in n} == docs["next_steps[]"]
    for kind, figures in report["measurements"].items():
        assert kind in docs["measurements"]
        assert {f"{kind}.{k}" for k in figures} <= docs["measurements"]
    # evidence_not_listed, rule_packs_not_scanned included; source only in a scan of a git revision
    assert set(report["inspected"]) == docs["inspected"] - {"source"}
    assert report["skipped"] and {k for s in report["skipped"] for k in s} == docs["skipped[]"]


def test_internal_error_is_one_line_with_exit_3(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from mlops_scan.cli import app as cli
    from mlops_scan.evidence import collect as scanner

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyError("boom")

    monkeypatch.setattr(scanner, "collect", broken)
    monkeypatch.delenv("MLOPS_SCAN_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(FIXTURES / "level0-notebooks"), "--quiet"])
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert err == (
        "mlops-scan: internal error: KeyError: 'boom' "
        "(a bug: please report it; MLOPS_SCAN_DEBUG=1 shows the traceback)\n"
    )


def test_the_command_runs_the_exit_handlers_and_flushes_its_output_before_it_ends(tmp_path: Path) -> None:
    """``mlops-scan`` ends the process at once (``cli.run``), after what the interpreter's exit would have done."""
    env = {**os.environ, "MLOPS_SCAN_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "mlops_scan", LEVEL3, "-q", "-f", "json", "--fail-under", "4"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1  # below --fail-under
    assert json.loads(done.stdout)["level"] == 3  # the whole report
    assert done.stderr == "mlops-scan: level 3 (Automated model deployment) is below --fail-under 4\n"
    assert list((tmp_path / "cache").glob("module-code-*.pickle"))  # kept by an exit handler
