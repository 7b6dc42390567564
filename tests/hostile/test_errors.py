"""Errors for people: one line naming the file and the cause, exit code 2, never a traceback."""

from __future__ import annotations

import pytest

from hostile.repos import base_repo, run, write


def _one_line_error(report, *expected_parts: str) -> str:
    assert report.code == 2
    assert report.stdout == ""
    lines = report.stderr.splitlines()
    assert len(lines) == 1, report.stderr
    assert lines[0].startswith("mlops-scan: error: ")
    for part in expected_parts:
        assert part in lines[0]
    return lines[0]


def test_missing_path(tmp_path):
    line = _one_line_error(run("scan", str(tmp_path / "nope")))
    assert line == f"mlops-scan: error: {tmp_path / 'nope'}: no such file or directory"


def test_path_is_a_file(tmp_path):
    target = write(tmp_path, "README.md", "# hi\n")
    line = _one_line_error(run("scan", str(target), "--no-config"))
    assert line == f"mlops-scan: error: {target}: not a directory (point mlops-scan at a repository folder)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "Invalid value for '--format' / '-f': 'xml' is not one of"),
        (["--bogus"], "No such option '--bogus'"),
    ],
)
def test_usage_errors(tmp_path, args, message):
    _one_line_error(run("scan", str(base_repo(tmp_path)), "--no-config", *args), message)


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (
            "schema_version: 1\nrules: [\n",
            ":3: malformed YAML (expected the node content, but found '<stream end>')",
        ),
        ("rules: " + "[" * 3000 + "]" * 3000 + "\n", "malformed YAML ("),
        (b"\xff\xfe\x00binary", "cannot read ("),
        ("schema_version: 1\nrules:\n  - id: ci.x-y\n", "rule ci.x-y: field 'capability': required field is missing"),
    ],
    ids=["syntax", "deep", "binary", "missing-field"],
)
def test_broken_rule_pack_names_the_file(tmp_path, content, cause):
    pack = write(tmp_path, "packs/extra.yaml", content)
    line = _one_line_error(run("scan", str(base_repo(tmp_path / "repo")), "--no-config", "--rules", str(pack)))
    assert line.startswith(f"mlops-scan: error: {pack}")
    assert cause in line


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00binary", b"levels: " + b"[" * 3000 + b"]" * 3000, b"levels: [\n"],
    ids=["binary", "deep", "syntax"],
)
def test_broken_model_file_names_the_file(tmp_path, content):
    model = write(tmp_path, "model.yaml", content)
    line = _one_line_error(run("scan", str(base_repo(tmp_path / "repo")), "--no-config", "--model", str(model)))
    assert line.startswith(f"mlops-scan: error: {model}")
    assert ": cannot read (" in line or ": malformed YAML (" in line


def test_unwritable_output_names_the_file(tmp_path):
    target = tmp_path / "missing" / "report.txt"
    line = _one_line_error(run("scan", str(base_repo(tmp_path / "repo")), "--no-config", "-o", str(target)))
    assert line.startswith(f"mlops-scan: error: {target}: cannot write")


def test_verbose_text_report_lists_every_skipped_file(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, ".github/workflows/broken.yml", "on: [push\n")
    write(tmp_path, "notebooks/bad.ipynb", "{")
    quiet = run("scan", str(tmp_path), "--no-config", "--quiet", "--no-color")
    verbose = run("scan", str(tmp_path), "--no-config", "--quiet", "--no-color", "--verbose")
    assert quiet.code == verbose.code == 0
    assert quiet.stdout.splitlines()[-2:] == [
        "Skipped 2 file(s), e.g. .github/workflows/broken.yml: malformed YAML at line 2:",
        "  did not find expected ',' or ']' (all with --verbose or --format json).",
    ]
    tail = verbose.stdout.splitlines()[-5:]
    assert tail == [  # wrapped to 80 columns, continuation lines indented
        "Skipped 2 file(s):",
        "  .github/workflows/broken.yml: malformed YAML at line 2: did not find expected",
        "    ',' or ']'",
        "  notebooks/bad.ipynb: malformed notebook: not valid JSON (Expecting property",
        "    name enclosed in double quotes at line 1)",
    ]
    assert "MLOps maturity level 1" in verbose.stdout
