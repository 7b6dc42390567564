"""CI commands are split into shell words only when they can name a local file, into the words shlex would give."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_scan.facts.ci import hops

PIECES = [*"ab./ sh'\"\\#;&|\n\t\r\x0b\xa0$(){}-", ".sh", ".yml", ".yaml", ".ps1", ".mk", "./", "run.sh", "'x.sh'"]
PIECES += ["''", '""', '"a\\"b"', "\\\\", "\\\n", "#c\n", '"x\\y"']  # empty words, escapes in and out of quotes


def _shlex_words(command: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(command, comments=True))
    except ValueError:
        return tuple(command.split())


@settings(max_examples=500)
@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_words_are_shlex_words(command: str) -> None:
    assert hops._tokens(command) == _shlex_words(command)


@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_path_words_are_the_shlex_words_naming_a_file(command: str) -> None:
    expected = [w for w in _shlex_words(command) if w.endswith(hops._SCRIPT_SUFFIXES) or w.startswith("./")]
    assert hops._path_tokens(command) == expected


def test_a_command_naming_no_file_is_not_split(monkeypatch: pytest.MonkeyPatch) -> None:
    hops._remembered_path_tokens.cache_clear()
    split: list[str] = []
    monkeypatch.setattr(hops, "_tokens", lambda command: split.append(command) or ())
    assert hops._path_tokens("pip install -r requirements.txt && pytest -q") == []
    assert split == []
    assert hops._naming_files("bash 'scripts/run tests.sh' --fast") == []
    assert split == ["bash 'scripts/run tests.sh' --fast"]


def test_the_words_of_a_command_are_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    hops._remembered_path_tokens.cache_clear()
    split: list[str] = []
    words = hops._tokens
    monkeypatch.setattr(hops, "_tokens", lambda command: split.append(command) or words(command))
    command = "bash 'scripts/run tests.sh' --fast && ./go"
    assert hops._path_tokens(command) == ["scripts/run tests.sh", "./go"]
    assert hops._path_tokens(command) == ["scripts/run tests.sh", "./go"]
    assert split == [command]
    long = command + " " * hops.MAX_REMEMBERED  # too long to remember: split each time
    assert hops._path_tokens(long) == hops._path_tokens(long) == ["scripts/run tests.sh", "./go"]
    assert split == [command, long, long]
