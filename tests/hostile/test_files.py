"""Odd file contents and names: binary, huge, long lines, encodings, NUL bytes, hostile names."""

from __future__ import annotations

import codecs

import pytest

from hostile.repos import TRACKING, TRACKING_RULE, assert_base_level, assert_read_once, base_repo, run, scan, write

MiB = 1024 * 1024


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("src/app/model.py", bytes(range(256)) * 64),
        ("src/app/nul.py", TRACKING.encode() + b"\x00\x00\x00trailing"),
        (".github/workflows/image.yml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
        ("notebooks/blob.ipynb", b"\x00" * 1000),
    ],
    ids=["binary-py", "nul-bytes", "png-as-yaml", "zeros-as-notebook"],
)
def test_binary_content_with_a_source_extension_is_skipped(tmp_path, name, content):
    base_repo(tmp_path)
    write(tmp_path, name, content)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {name: ["binary content"]}
    assert report.evidence(TRACKING_RULE) == []


def _padded(size: int) -> str:
    return TRACKING + "# padding line\n" * (size // 15)


def test_huge_file_is_skipped_without_being_read(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, "src/app/huge.py", _padded(3 * MiB))
    with open(tmp_path / "src/app/sparse.py", "wb") as handle:
        handle.truncate(5 * 1024 * MiB)  # 5 GiB, sparse: costs nothing unless read
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {
        "src/app/huge.py": ["too large (3.0 MiB > 2.0 MiB limit)"],
        "src/app/sparse.py": ["too large (5.0 GiB > 2.0 MiB limit)"],
    }
    assert report.data["inspected"]["bytes_read"] < MiB


def test_file_size_cap_is_configurable(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, "src/app/huge.py", _padded(3 * MiB))
    report = scan(tmp_path, "--max-file-size", "4MiB")
    assert report.skipped == {}
    assert report.evidence(TRACKING_RULE) == [("src/app/huge.py", 3)]
    report = scan(tmp_path, "--limit", "max-file-bytes=100kB")
    assert report.skipped["src/app/huge.py"] == ["too large (3.0 MiB > 97.7 KiB limit)"]


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("src/app/long.py", "x = '" + "a" * 1_900_000 + "'\n"),
        ("src/app/parens.py", "y = [" + "[], " * 200_000 + "]\n"),
        ("src/app/imports.py", "import os" + ", os" * 350_000 + "\n"),
        ("src/app/quotes.py", "# " + '"import ' * 230_000 + "\n"),
    ],
    ids=["one-long-string", "many-brackets", "long-import", "import-lookalikes"],
)
def test_very_long_lines_are_read_in_bounded_time(tmp_path, name, line):
    base_repo(tmp_path)
    write(tmp_path, name, line + TRACKING)
    report = scan(tmp_path)
    assert_base_level(report)
    assert_read_once(report, tmp_path)
    assert report.skipped == {}
    assert report.evidence(TRACKING_RULE) == [(name, 4)]


@pytest.mark.parametrize(
    "encoded",
    [
        ("# caf\xe9 au lait\n" + TRACKING).encode("latin-1"),
        codecs.BOM_UTF8 + ("# café\n" + TRACKING).encode("utf-8"),
        codecs.BOM_UTF16_LE + ("# café\n" + TRACKING).encode("utf-16-le"),
        codecs.BOM_UTF16_BE + ("# café\n" + TRACKING).encode("utf-16-be"),
        ("# café\n" + TRACKING).encode("utf-16-le"),
        ("# café\n" + TRACKING).encode("utf-16-be"),
    ],
    ids=["latin-1", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-le", "utf-16-be"],
)
def test_text_in_any_common_encoding_is_read(tmp_path, encoded):
    base_repo(tmp_path)
    write(tmp_path, "src/app/train.py", encoded)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {}
    assert report.evidence(TRACKING_RULE) == [("src/app/train.py", 4)]


def test_file_name_with_spaces_is_scanned(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, "src/app/train model v2.py", TRACKING)
    report = scan(tmp_path)
    assert report.skipped == {}
    assert report.evidence(TRACKING_RULE) == [("src/app/train model v2.py", 3)]


@pytest.mark.parametrize(
    ("raw", "shown", "reason"),
    [
        (
            b"src/app/train\nmodel.py",
            "src/app/train\\nmodel.py",
            "file name contains control characters (e.g. a newline): not scanned",
        ),
        (
            b"src/app/train\x1b[2J.py",
            "src/app/train\\x1b[2J.py",
            "file name contains control characters (e.g. a newline): not scanned",
        ),
        (b"src/app/train\xff\xfe.py", "src/app/train\\xff\\xfe.py", "file name is not valid UTF-8: not scanned"),
        (b"src/bad\xe9dir/train.py", "src/bad\\xe9dir/train.py", "file name is not valid UTF-8: not scanned"),
    ],
    ids=["newline", "escape-sequence", "invalid-utf-8", "latin-1-folder"],
)
def test_file_names_that_cannot_be_reported_are_skipped_and_shown_escaped(tmp_path, raw, shown, reason):
    base_repo(tmp_path)
    write(tmp_path, raw, TRACKING)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {shown: [reason]}
    text = run("scan", str(tmp_path), "--no-config", "--quiet", "--verbose", "--no-color")
    assert text.code == 0
    assert f"  {shown}: {reason}" in text.stdout.replace("\n    ", " ").splitlines()  # continuation lines joined


def test_control_characters_in_content_never_reach_the_terminal(tmp_path):
    base_repo(tmp_path)
    write(tmp_path, "src/app/train.py", 'import mlflow\n\nmlflow.log_metric("\x1b[2J\x1b]0;owned\x07", 0.1)\n')
    report = run("scan", str(tmp_path), "--no-config", "--quiet", "--no-color", "--verbose")
    assert report.code == 0
    assert "\x1b" not in report.stdout and "\x07" not in report.stdout
    json_report = scan(tmp_path)
    snippet = json_report.data["capabilities"]["experiment_tracking"]["evidence"][0]["snippet"]
    assert snippet == 'mlflow.log_metric("\\x1b[2J\\x1b]0;owned\\x07", 0.1)'
