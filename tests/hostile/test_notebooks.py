"""Malformed notebooks: each is skipped (or partly read) with a reason; the rest of the repository still counts."""

from __future__ import annotations

import json

import pytest

from hostile.repos import TRACKING, TRACKING_RULE, assert_base_level, assert_read_once, base_repo, notebook, scan, write

MiB = 1024 * 1024


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            '{"cells": [{"cell_type": "code", "source": "import mlflow"',
            "malformed notebook: not valid JSON (Expecting ',' delimiter at line 1)",
        ),
        (notebook(TRACKING, nbformat=99), "unsupported notebook format version 99"),
        (notebook(TRACKING, nbformat="4"), "unsupported notebook format version '4'"),
        ('{"metadata": {}, "cells": []}', "malformed notebook: no 'nbformat' version"),
        ('["not", "a", "notebook"]', "malformed notebook: not a JSON object"),
        ('{"nbformat": 4, "cells": {"0": "import mlflow"}}', "malformed notebook: 'cells' is not a list"),
        ('{"nbformat": 3, "worksheets": 7}', "malformed notebook: 'worksheets' is not a list"),
        ("[" * 100_000 + "]" * 100_000, "malformed notebook: nested too deeply"),
        ("\x00\x01binary\x00" * 100, "binary content"),
    ],
    ids=[
        "invalid-json",
        "nbformat-99",
        "nbformat-string",
        "no-version",
        "json-list",
        "cells-not-list",
        "worksheets-not-list",
        "deeply-nested",
        "binary",
    ],
)
def test_unreadable_notebook_is_skipped_with_its_reason(tmp_path, content, reason):
    base_repo(tmp_path)
    write(tmp_path, "notebooks/explore.ipynb", content)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"notebooks/explore.ipynb": [reason]}
    assert report.evidence(TRACKING_RULE) == []


def test_cells_with_non_string_sources_are_left_out_and_the_others_read(tmp_path):
    base_repo(tmp_path)
    text = notebook(42, {"code": "x"}, ["a", 1], TRACKING)
    write(tmp_path, "notebooks/train.ipynb", text)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {
        "notebooks/train.ipynb": [
            "cell 1 has a source that is not text: cell not analysed",
            "cell 2 has a source that is not text: cell not analysed",
            "cell 3 has a source that is not text: cell not analysed",
        ]
    }
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "mlflow.log_metric" in l)
    assert report.evidence(TRACKING_RULE) == [("notebooks/train.ipynb", line)]


def _notebook_with_output(path, source: str, output_bytes: int) -> None:
    """A valid notebook whose one code cell stored ``output_bytes`` of output (written in chunks)."""
    head = (
        '{"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": '
        '[{"name": "stdout", "output_type": "stream", "text": "'
    )
    tail = (
        '"}], "source": '
        + json.dumps(source.splitlines(keepends=True), indent=1)
        + '}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(head)
        chunk = "0123456789abcdef" * (MiB // 16)
        for _ in range(output_bytes // MiB):
            handle.write(chunk)
        handle.write(tail)


def test_notebook_with_100_mib_of_outputs_is_skipped_as_too_large(tmp_path):
    base_repo(tmp_path)
    _notebook_with_output(tmp_path / "notebooks/big.ipynb", TRACKING, 100 * MiB)
    report = scan(tmp_path)
    assert_base_level(report)
    assert report.skipped == {"notebooks/big.ipynb": ["too large (100.0 MiB > 32.0 MiB limit)"]}
    assert report.data["inspected"]["bytes_read"] < MiB


def test_notebook_with_outputs_under_the_cap_is_read_quickly(tmp_path):
    base_repo(tmp_path)
    _notebook_with_output(tmp_path / "notebooks/big.ipynb", TRACKING, 24 * MiB)
    report = scan(tmp_path)
    assert_base_level(report)
    assert_read_once(report, tmp_path)
    assert report.skipped == {}
    # The output is on line 1; the source list follows, one line per item: the call is on line 1 + 3.
    assert report.evidence(TRACKING_RULE) == [("notebooks/big.ipynb", 4)]


def test_notebook_with_many_cells_whose_sources_cannot_be_located_stays_linear(tmp_path):
    # Sources written with escapes json.dumps never produces: locating them fails, which must not rescan the file per cell.
    base_repo(tmp_path)
    cells = ",".join(
        '{"cell_type": "code", "metadata": {}, "outputs": [], "source": "x\\u0020= %d"}' % i for i in range(20_000)
    )
    write(
        tmp_path,
        "notebooks/many.ipynb",
        '{"cells": [' + cells + '], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    )
    report = scan(tmp_path)
    assert_base_level(report)
    assert_read_once(report, tmp_path)
    assert report.skipped == {}
    assert report.data["measurements"]["notebook"]["notebooks"] == 1
