"""The limits: evidence per rule, parse time; each configurable from the command line."""

from __future__ import annotations

import pytest

from hostile.repos import TRACKING, TRACKING_RULE, assert_base_level, base_repo, run, scan, write
from mlops_scan.facts import python as pyfacts
from mlops_scan.facts import yamlnodes


def test_evidence_per_rule_is_capped_and_the_rest_counted(tmp_path):
    base_repo(tmp_path)
    for index in range(60):
        write(tmp_path, f"src/app/train{index:02d}.py", TRACKING)
    report = scan(tmp_path)
    assert len(report.evidence(TRACKING_RULE)) == 50
    assert report.data["inspected"]["evidence_not_listed"][TRACKING_RULE] == 10
    report = scan(tmp_path, "--limit", "max-evidence-per-rule=5")
    assert report.evidence(TRACKING_RULE) == [(f"src/app/train{i:02d}.py", 3) for i in range(5)]
    assert report.data["inspected"]["evidence_not_listed"][TRACKING_RULE] == 55


@pytest.mark.parametrize(
    ("target", "name", "path", "content", "reason"),
    [
        (pyfacts, "extract", "src/app/train.py", TRACKING, "Python parse took longer than 0.2 s: not analysed"),
        (
            yamlnodes,
            "compose_documents",
            "deploy/app.yaml",
            "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n",
            "YAML parse took longer than 0.2 s: not analysed",
        ),
    ],
    ids=["python", "yaml"],
)
def test_a_parse_that_runs_too_long_is_abandoned(tmp_path, monkeypatch, target, name, path, content, reason):
    base_repo(tmp_path)
    write(tmp_path, path, content)
    real = getattr(target, name)

    def endless_on_the_hostile_file(*args, **kwargs):
        if name == "extract" or "kind: InferenceService" in args[0]:
            while True:  # a parser that never returns
                pass
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, endless_on_the_hostile_file)
    report = scan(tmp_path, "--limit", "parse-timeout=0.2", "--no-cache")
    assert report.skipped[path] == [reason]  # the endless parse was abandoned at its limit, and the scan went on
    if name == "compose_documents":
        assert_base_level(report)  # the workflow was parsed after the hostile file was abandoned


def test_parse_timeout_zero_means_unbounded(tmp_path):
    report = scan(base_repo(tmp_path), "--limit", "parse-timeout=0")
    assert_base_level(report)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("max-files=many", "mlops-scan: error: --limit max-files=many: expected a whole number"),
        ("max-file-bytes=2XB", "mlops-scan: error: --limit max-file-bytes=2XB: expected a size such as 2MiB"),
        ("parse-timeout=-1", "mlops-scan: error: --limit parse-timeout=-1: must be zero or more"),
        ("max-depth=0", "mlops-scan: error: --limit max-depth=0: must be positive"),
        (
            "speed=11",
            "mlops-scan: error: --limit speed=11: expected NAME=VALUE with NAME one of git-timeout, max-depth, "
            "max-evidence-per-rule, max-file-bytes, max-files, max-notebook-bytes, max-yaml-nodes, parse-timeout",
        ),
    ],
)
def test_bad_limit_is_a_one_line_usage_error(tmp_path, option, message):
    report = run("scan", str(base_repo(tmp_path)), "--no-config", "--limit", option)
    assert (report.code, report.stdout, report.stderr) == (2, "", message + "\n")


def test_bad_max_file_size_is_a_one_line_usage_error(tmp_path):
    report = run("scan", str(base_repo(tmp_path)), "--no-config", "--max-file-size", "huge")
    assert (report.code, report.stderr) == (
        2,
        "mlops-scan: error: Invalid value for '--max-file-size': not a size: 'huge' (e.g. 2MiB, 500kB, 1048576)\n",
    )
