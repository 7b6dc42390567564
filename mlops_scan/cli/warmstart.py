"""Warm start: two results every run of the command line computes the same way, kept from the last run.

A small scan compiles some 300 regexes (the rule packs', the libraries' and our own: the pattern parser and
code generator are Python) and generates the methods of some 50 dataclasses (each ``__init__``, ``__eq__``...
compiled from source text): together about a third of its CPU time. Both depend only on their text and the
interpreter, so :func:`install` has them kept in the start-up cache (:func:`mlops_scan.startcache.load_memo`,
keyed by the tool and Python versions and this package's code):

- a regex's compiled form (what ``re``'s compiler hands to ``_sre.compile``), rebuilt with ``_sre.compile``;
- a generated method's code object (``marshal``), run by ``exec`` in place of its source.

An entry that cannot be used (damaged, or from another interpreter's layout) is ignored: the ordinary path
compiles it, and the run stores what it worked out when it exits.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # the regex engine, its compiled form's consumer
import atexit
import dataclasses
import marshal
import re
import sys
from array import array
from types import CodeType
from typing import Any

from mlops_scan.cli import warmimport
from mlops_scan.startcache import learner, load_memo, store_memo

if sys.version_info >= (3, 11):
    from re import _compiler, _parser
else:  # pragma: no cover - Python 3.10
    import sre_compile as _compiler
    import sre_parse as _parser

REGEX_KIND = "regex-code"
METHOD_KIND = "method-code"
_CODE_TYPE = "I"
"""``array`` type holding the compiled code's words (``_sre.CODESIZE`` bytes each)."""
_DEBUG = int(re.DEBUG)
"""As a plain int: ``int & RegexFlag`` builds a flag object, at every compile."""
MAX_ENTRIES = 2000
"""Entries a memo keeps at most (a scan uses about 300 of each): past that, a run stores only those it used, so the
patterns of the packs of every repository ever scanned do not pile up."""
_ordinary_compile = _compiler.compile
_memos: dict[str, dict[Any, Any]] = {}
_used: dict[str, set[Any]] = {}
_learned: dict[str, dict[Any, Any]] = {}
"""The entries of each memo worked out in this process (written back at exit, handed back by a forked process)."""


def install() -> None:
    """Route regex compiling, dataclass method generation and this package's imports through the memos of the last
    run, for this process."""
    warmimport.install()
    if _compiler.compile is _ordinary_compile and array(_CODE_TYPE).itemsize == _sre.CODESIZE:
        _compiler.compile = compile_regex  # type: ignore[assignment]
    if "exec" not in vars(dataclasses):  # its method generator finds this before the built-in ``exec``
        dataclasses.exec = run_source  # type: ignore[attr-defined]
    learner("warm-start", lambda: {kind: dict(entries) for kind, entries in _learned.items()}, _adopt)
    atexit.register(save)


def save() -> None:
    """Store the memos this process added to."""
    for kind in sorted(_learned):
        memo = _memos[kind]
        store_memo(kind, memo if len(memo) <= MAX_ENTRIES else {key: memo[key] for key in _used[kind]})
    _learned.clear()


def _adopt(handed: dict[Any, Any]) -> None:
    """Keep what another process worked out (``{kind: entries}``) with this one's."""
    for kind, entries in handed.items():
        if kind in (REGEX_KIND, METHOD_KIND) and isinstance(entries, dict):
            _memo(kind).update(entries)
            _used[kind].update(entries)
            _learned.setdefault(kind, {}).update(entries)


def _memo(kind: str) -> dict[Any, Any]:
    if kind not in _memos:
        _memos[kind], _used[kind] = {}, set()  # a regex compiled while the memo loads takes the ordinary path
        _memos[kind] = load_memo(kind)
    return _memos[kind]


def compile_regex(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
    """``re``'s compiler, answered from the memo for a ``str`` pattern it holds."""
    if not isinstance(pattern, str) or flags & _DEBUG:
        return _ordinary_compile(pattern, flags)
    memo = _memo(REGEX_KIND)
    _used[REGEX_KIND].add((pattern, flags))
    stored = memo.get((pattern, flags))
    if stored is not None:
        try:
            return _rebuilt(pattern, stored)
        except Exception:  # damaged: compiled again below
            pass
    try:
        stored = compiled_form(pattern, flags)
        compiled = _rebuilt(pattern, stored)
    except Exception:  # an invalid pattern, or an engine of another layout: the ordinary compiler and its errors
        return _ordinary_compile(pattern, flags)
    memo[pattern, flags] = _learned.setdefault(REGEX_KIND, {})[pattern, flags] = stored
    return compiled


def compiled_form(pattern: str, flags: int) -> tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]:
    """What ``re``'s compiler hands to ``_sre.compile`` for ``pattern``, its code as bytes (as the compiler does)."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)  # type: ignore[attr-defined]
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in parsed.state.groupdict.items():
        indexgroup[index] = name
    groupindex = dict(parsed.state.groupdict)
    return (
        flags | parsed.state.flags,
        array(_CODE_TYPE, code).tobytes(),
        parsed.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )


def _rebuilt(pattern: str, stored: tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup = stored
    words = array(_CODE_TYPE)
    words.frombytes(code)
    return _sre.compile(pattern, flags, words.tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]


def run_source(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
    """``exec``, a source text run as the code object the memo holds for it."""
    if isinstance(source, str):
        source = _code_of(source)
    exec(source, globals, locals)  # the dataclass generator's own call, with its text compiled once


def _code_of(source: str) -> CodeType:
    memo = _memo(METHOD_KIND)
    _used[METHOD_KIND].add(source)
    stored = memo.get(source)
    if isinstance(stored, (bytes, memoryview)):  # a view of the cache file when read from it
        try:
            code = marshal.loads(stored)
        except Exception:  # damaged: compiled again below
            code = None
        if isinstance(code, CodeType):
            return code
    code = compile(source, "<string>", "exec", dont_inherit=True)  # not this module's `annotations` future
    memo[source] = _learned.setdefault(METHOD_KIND, {})[source] = marshal.dumps(code)
    return code
