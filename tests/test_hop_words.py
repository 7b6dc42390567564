"""CI commands are split into shell words only when they can name a local file, and by the fast path only when
shlex would split them the same way."""

from __future__ import annotations

import shlex

from hypothesis import given
from hypothesis import strategies as st

from mlops_scan.facts.ci import hops

PIECES = [*"ab./ sh'\"\\#;&|\n\t\r\x0b\xa0$(){}-", ".sh", ".yml", ".yaml", ".ps1", ".mk", "./", "run.sh", "'x.sh'"]


def _shlex_words(command: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(command, comments=True))
    except ValueError:
        return tuple(command.split())


@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_words_are_shlex_words(command: str) -> None:
    assert hops._tokens(command) == _shlex_words(command)


@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_path_words_are_the_shlex_words_naming_a_file(command: str) -> None:
    expected = [w for w in _shlex_words(command) if w.endswith(hops._SCRIPT_SUFFIXES) or w.startswith("./")]
    assert hops._path_tokens(command) == expected


def test_a_command_naming_no_file_is_not_split() -> None:
    hops._short_tokens.cache_clear()
    assert hops._path_tokens("pip install -r requirements.txt && pytest -q") == []
    assert hops._short_tokens.cache_info().currsize == 0
    assert hops._path_tokens("bash 'scripts/run tests.sh' --fast") == ["scripts/run tests.sh"]
