"""Fast paths that must give exactly what the plain form gives: the import lines a python rule's prefilter reads,
the code lines of a notebook cell."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mlops_scan.facts import notebooks
from mlops_scan.matchers import importlines

IMPORT_PIECES = ["import", "from", "import os", "from a.b import c", " ", "\t", "\n", '"', "x", ".", ",", "#", ";"]
IMPORT_PIECES += ["\\", "\r", "\r\n", "as y", "é"]
LINE_PIECES = ["x = 1", "#", "%time", "!ls", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"]
LINE_PIECES += ["é", "\x1d", "\x1e"]


@given(st.lists(st.sampled_from(IMPORT_PIECES), max_size=30).map("".join))
def test_import_lines_are_the_regex_matches(text: str) -> None:
    assert importlines.import_lines(text) == importlines._IMPORT_LINE.findall(text)


def test_import_lines_of_a_module_and_of_prose() -> None:
    text = 'import os, sys as system\nfrom mlflow import log_metric\nx = 1  # import nothing\nfrom the start\n  "import torch\\n",'
    assert importlines.import_lines(text) == [("", "os, sys as system"), ("mlflow", ""), ("the", ""), ("", "torch")]


@given(st.lists(st.sampled_from(LINE_PIECES), max_size=30).map("".join))
def test_code_lines_agree_with_splitlines(source: str) -> None:
    expected = sum(
        1
        for line in source.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and not notebooks._MAGIC.match(line)
    )
    assert notebooks.code_lines(source) == expected
