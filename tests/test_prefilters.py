"""Cheap prefilters: literal strings required by a regex, and candidate rules by file name and extension."""

from __future__ import annotations

import re

import pytest

from mlops_scan.matchers.base import GlobIndex, compile_globs, glob_to_regex, literals_of


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"^\s*(async\s+)?def test_?\w*\(", ("def test",)),
        (r"\b(Counter|Histogram|Gauge|Summary)\(", ("Counter", "Gauge", "Histogram", "Summary")),
        (r"^\[(pytest|tool:pytest|tool\.pytest(\.ini_options)?)\]", ("pytest", "tool.pytest", "tool:pytest")),
        (r'"title":\s*"[^"]*(?i:prediction|drift)', ('"title":',)),
        (r"a+bc", ("bc",)),
        (r"(ab)+", ("ab",)),
        (r"x?y", ("y",)),
    ],
)
def test_literals_every_match_contains(pattern: str, literals: tuple[str, ...]) -> None:
    assert literals_of(pattern) == literals


@pytest.mark.parametrize("pattern", [r"(?i)abc", r"(?i:abc)|def", r"\S", r"[a-z]+", r"(a|\d)x?", "(unclosed"])
def test_no_literals_when_a_match_may_hold_none(pattern: str) -> None:
    assert literals_of(pattern) is None


def test_glob_set_agrees_with_the_glob_regex() -> None:
    globs = ["*.py", "Dockerfile", "Dockerfile.*", "src/*/**.py", "**/dashboards/*.json", "*.{yml,yaml}", "a**b"]
    paths = [
        "x.py",
        "a/b/x.py",
        "Dockerfile",
        "d/Dockerfile.gpu",
        "src/p/q/r.py",
        "g/dashboards/d.json",
        "k8s/a.yaml",
        "a.yml",
        "a/x/b",
        "ab",
        "README.md",
        "src/x.py",
    ]
    for glob in globs:
        regex = re.compile(glob_to_regex(glob))
        assert [compile_globs([glob]).search(p) for p in paths] == [bool(regex.search(p)) for p in paths], glob


def test_glob_index_candidates_by_name_and_extension() -> None:
    index = GlobIndex([["*.py"], ["Dockerfile", "*.Dockerfile"], ["Dockerfile.*"], ["ci/*.yml", "MLproject"]])
    assert index.candidates("src/train.py") == [0, 2]
    assert index.candidates("Dockerfile") == [1, 2]
    assert index.candidates("serve.Dockerfile") == [1, 2]
    assert index.candidates("a/MLproject") == [2, 3]
    assert index.candidates("ci/build.yml") == [2, 3]
    assert index.candidates("README.md") == [2]
