"""File names that hide, reorder or break report lines, or pose as CI workflow commands, are shown escaped.

One generated repository per hostile name: the name holds evidence (line 3 of an MLflow call),
so it is printed in every format. No format may print the character raw, no line may begin with
``::``, and the JSON-based formats must still give the true path back when parsed.
"""

from __future__ import annotations

import json

import pytest

from hostile.repos import TRACKING, TRACKING_RULE, base_repo, run, write
from mlops_scan.reporters.escape import escape_report

NAMES = {
    "c1-next-line": ("src/app/train\u0085x.py", "\\u0085"),
    "line-separator": ("src/app/train\u2028x.py", "\\u2028"),
    "paragraph-separator": ("src/app/train\u2029x.py", "\\u2029"),
    "bidi-override": ("src/app/train\u202eyp.x.py", "\\u202e"),
    "bidi-isolate": ("src/app/train\u2066x.py", "\\u2066"),
    "zero-width-space": ("src/app/tr\u200bain.py", "\\u200b"),
    "byte-order-mark": ("src/app/\ufefftrain.py", "\\ufeff"),
}
RAW = ["\u0085", "\u2028", "\u2029", "\u202e", "\u2066", "\u200b", "\ufeff"]


@pytest.mark.parametrize("case", sorted(NAMES))
@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif"])
def test_unsafe_characters_in_names_are_escaped_in_every_format(tmp_path, case, fmt):
    name, shown = NAMES[case]
    base_repo(tmp_path)
    write(tmp_path, name, TRACKING)
    report = run("scan", str(tmp_path), "--format", fmt, "--no-config", "--quiet", "--verbose")
    assert report.code == 0, report.stderr
    assert not any(char in report.stdout for char in RAW)
    if fmt == "json":
        assert name in json.dumps(json.loads(report.stdout), ensure_ascii=False)  # the true path, once parsed
    elif fmt == "text":
        assert shown in report.stdout


def test_a_name_posing_as_a_workflow_command_never_starts_a_line(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, "::error file=ci.yml::pwned/train.py", TRACKING)
    for fmt in ("text", "markdown", "json", "sarif"):
        report = run("scan", str(tmp_path), "--format", fmt, "--no-config", "--quiet", "--verbose")
        assert report.code == 0, report.stderr
        assert not any(line.lstrip().startswith("::") for line in report.stdout.splitlines())
    data = json.loads(run("scan", str(tmp_path), "--format", "json", "--no-config", "--quiet").stdout)
    paths = [e["path"] for e in data["capabilities"]["experiment_tracking"]["evidence"] if e["rule"] == TRACKING_RULE]
    assert paths == ["::error file=ci.yml::pwned/train.py"]


def test_colour_sequences_of_the_text_report_survive_and_others_do_not():
    assert escape_report("text", "\x1b[1mlevel\x1b[0m \x1b]0;title\x07") == "\x1b[1mlevel\x1b[0m \\u001b]0;title\\u0007"
    assert escape_report("text", "ok\n::warning::x\n  ::error::y\n") == "ok\n\\u003a:warning::x\n  \\u003a:error::y\n"
    assert escape_report("json", '{"p": "a\u202eb"}') == '{"p": "a\\u202eb"}'
