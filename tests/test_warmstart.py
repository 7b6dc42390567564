"""Warm start: regexes and dataclass methods rebuilt from the last run's memo behave as freshly compiled ones, a
damaged entry is compiled again, and a run that holds the memo does not compile at all."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from mlops_scan.cli import warmstart

PATTERNS = [
    (r"(?P<tool>mlflow|wandb)\.(log_\w+)\(", 0),
    (r"^\s*-\s*run:\s*(.+)$", re.MULTILINE),
    (r"dvc\s+(repro|push)", re.IGNORECASE),
    (r"""(?x) ^ (?P<key> [a-z_]+ ) \s* = \s* (?P<value> .+ )  # a setting""", 0),
    (r"[^\x00-\x7f]+|\bcron\b", re.DOTALL),
]
TEXTS = ["mlflow.log_metric(x)", "jobs:\n  - run: dvc repro\n  - run: DVC PUSH", "Key = v\nname = x", "é cron"]


@pytest.fixture
def fresh(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new process's view: no memo loaded yet, nothing learned, the cache in a folder of this test."""
    monkeypatch.setattr(warmstart, "_memos", {})
    monkeypatch.setattr(warmstart, "_used", {})
    monkeypatch.setattr(warmstart, "_learned", {})
    return cache_dir


def _next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    warmstart.save()
    monkeypatch.setattr(warmstart, "_memos", {})


def _same(rebuilt: re.Pattern[str], compiled: re.Pattern[str]) -> None:
    assert rebuilt == compiled  # same pattern, flags and compiled code
    assert (rebuilt.flags, rebuilt.groups, rebuilt.groupindex) == (compiled.flags, compiled.groups, compiled.groupindex)
    for text in TEXTS:
        found = [(m.span(), m.groups(), m.groupdict()) for m in rebuilt.finditer(text)]
        assert found == [(m.span(), m.groups(), m.groupdict()) for m in compiled.finditer(text)]


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_a_remembered_regex_is_the_compiled_one(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, flags: int
) -> None:
    compiled = warmstart._ordinary_compile(pattern, flags)
    _same(warmstart.compile_regex(pattern, flags), compiled)
    _next_run(monkeypatch)
    parse = warmstart._parser.parse
    monkeypatch.setattr(
        warmstart._parser, "parse", lambda p, f=0: pytest.fail("parsed again") if p == pattern else parse(p, f)
    )
    _same(warmstart.compile_regex(pattern, flags), compiled)


def test_a_damaged_regex_entry_is_compiled_again(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern, flags = PATTERNS[0]
    warmstart.compile_regex(pattern, flags)
    memo = warmstart._memos[warmstart.REGEX_KIND]
    for damage in [(0, b"\x01\x00\x00", 0, {}, ()), (0, b"\xff\xff\xff\xff", 0, {}, ()), ("x",), None]:
        memo[pattern, flags] = damage
        _same(warmstart.compile_regex(pattern, flags), warmstart._ordinary_compile(pattern, flags))


def test_an_engine_refusing_the_compiled_form_leaves_the_ordinary_compiler(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class OtherLayout:
        def compile(self, *args: object) -> None:
            raise TypeError("compile() takes 5 arguments")

    monkeypatch.setattr(warmstart, "_sre", OtherLayout())
    pattern, flags = PATTERNS[0]
    _same(warmstart.compile_regex(pattern, flags), warmstart._ordinary_compile(pattern, flags))
    assert warmstart.REGEX_KIND not in warmstart._learned  # nothing stored that the next run could not use
    with pytest.raises(re.error, match="missing \\)"):
        warmstart.compile_regex("(unclosed", 0)


def test_a_full_memo_keeps_only_what_the_run_used(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for pattern, flags in PATTERNS[:3]:
        warmstart.compile_regex(pattern, flags)
    _next_run(monkeypatch)
    monkeypatch.setattr(warmstart, "MAX_ENTRIES", 3)
    warmstart.compile_regex(*PATTERNS[0])  # remembered
    warmstart.compile_regex(*PATTERNS[3])  # learned: the memo now holds 4 entries, past the bound
    _next_run(monkeypatch)
    assert set(warmstart._memo(warmstart.REGEX_KIND)) == {PATTERNS[0], PATTERNS[3]}


def test_bytes_and_debug_patterns_take_the_ordinary_path(fresh: Path) -> None:
    assert warmstart.compile_regex(rb"ab+", 0) == warmstart._ordinary_compile(rb"ab+", 0)
    assert warmstart.REGEX_KIND not in warmstart._memos


def test_the_command_line_compiles_through_the_memo() -> None:
    import dataclasses as module

    assert re._compiler.compile is warmstart.compile_regex  # type: ignore[attr-defined]
    assert module.exec is warmstart.run_source  # type: ignore[attr-defined]


def _make_record() -> type:
    @dataclasses.dataclass(frozen=True, order=True)
    class Record:
        name: str
        size: int = 0
        tags: tuple[str, ...] = dataclasses.field(default=())

    return Record


def _check_record(record: type) -> None:
    one, two = record("a", 2, ("x",)), record("b")
    assert (one.name, one.size, one.tags, two.size, two.tags) == ("a", 2, ("x",), 0, ())
    assert repr(one) == "_make_record.<locals>.Record(name='a', size=2, tags=('x',))"
    assert one == record("a", 2, ("x",)) and one < two and hash(one) == hash(record("a", 2, ("x",)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.name = "c"
    annotations = {"name": "str", "size": "int", "tags": "tuple[str, ...]", "return": None}  # not the locals' names
    assert record.__init__.__annotations__ == annotations


def test_remembered_dataclass_methods_behave_as_generated_ones(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check_record(_make_record())
    assert warmstart.METHOD_KIND in warmstart._learned
    _next_run(monkeypatch)
    monkeypatch.setattr(warmstart, "compile", lambda *args: pytest.fail("compiled again"), raising=False)
    _check_record(_make_record())


def test_a_damaged_method_entry_is_compiled_again(fresh: Path) -> None:
    _make_record()
    memo = warmstart._memos[warmstart.METHOD_KIND]
    for source in memo:
        memo[source] = b"not marshal"
    _check_record(_make_record())
    for source in memo:
        memo[source] = 1
    _check_record(_make_record())


def test_what_another_process_learned_is_kept_at_exit(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pattern, flags = PATTERNS[0]
    stored = warmstart.compiled_form(pattern, flags)
    warmstart._adopt({warmstart.REGEX_KIND: {(pattern, flags): stored}, "unknown": {"x": 1}})
    _next_run(monkeypatch)
    assert warmstart._memo(warmstart.REGEX_KIND) == {(pattern, flags): stored}
