"""Whether a regex's matches stay within a line: then it can be searched line by line, on the lines that matter."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants as _sre
    from re import _parser as _sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

_NEWLINE = ord("\n")
_CATEGORY_HOLDS_NEWLINE = {
    _sre.CATEGORY_DIGIT: False,
    _sre.CATEGORY_NOT_DIGIT: True,
    _sre.CATEGORY_SPACE: True,
    _sre.CATEGORY_NOT_SPACE: False,
    _sre.CATEGORY_WORD: False,
    _sre.CATEGORY_NOT_WORD: True,
}
"""Whether each class the parser gives for ``\\d \\D \\s \\S \\w \\W`` holds a line break."""
_REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT)}


def line_local(pattern: str) -> bool:
    """Whether every match of the regex in multi-line mode lies within a line, and is found alike when the text is
    cut at the end of that line (``finditer(text, line_start, line_end)``): nothing in it can match a line break,
    and no ``\\Z`` nor single-line ``$`` (which also match before a last line break)."""
    try:
        parsed = _sre_parse.parse(pattern, re.M)
    except Exception:
        return False
    return _stays_in_line(list(parsed.data), bool(parsed.state.flags & re.S), bool(parsed.state.flags & re.M))


def _stays_in_line(items: Sequence[tuple[Any, Any]], dotall: bool, multiline: bool) -> bool:
    """:func:`line_local` for a parsed sequence under the flags in force (an unknown item: False)."""
    for op, av in items:
        if op is _sre.LITERAL:
            ok = av != _NEWLINE
        elif op is _sre.NOT_LITERAL:
            ok = av == _NEWLINE
        elif op is _sre.ANY:
            ok = not dotall
        elif op is _sre.IN:
            ok = _class_holds_newline(av) is False
        elif op is _sre.AT:
            ok = av is not _sre.AT_END_STRING and (multiline or av is not _sre.AT_END)
        elif op is _sre.BRANCH:
            ok = all(_stays_in_line(branch, dotall, multiline) for branch in av[1])
        elif op is _sre.SUBPATTERN:
            _group, on, off, inner = av
            ok = _stays_in_line(
                inner, (dotall or bool(on & re.S)) and not off & re.S, (multiline or bool(on & re.M)) and not off & re.M
            )
        elif op in _REPEATS:
            ok = _stays_in_line(av[2], dotall, multiline)
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            ok = _stays_in_line(av, dotall, multiline)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            ok = _stays_in_line(av[1], dotall, multiline)
        elif op is _sre.GROUPREF_EXISTS:
            _group, yes, no = av
            ok = _stays_in_line(yes, dotall, multiline) and (no is None or _stays_in_line(no, dotall, multiline))
        else:
            ok = op is _sre.GROUPREF  # the text of a group, itself within the line
        if not ok:
            return False
    return True


def _class_holds_newline(items: Sequence[tuple[Any, Any]]) -> bool | None:
    """Whether a parsed ``[...]`` holds a line break (None: an item this does not know)."""
    negated = holds = False
    for op, av in items:
        if op is _sre.NEGATE:
            negated = True
        elif op is _sre.LITERAL:
            holds = holds or av == _NEWLINE
        elif op is _sre.RANGE:
            holds = holds or av[0] <= _NEWLINE <= av[1]
        elif op is _sre.CATEGORY and av in _CATEGORY_HOLDS_NEWLINE:
            holds = holds or _CATEGORY_HOLDS_NEWLINE[av]
        else:
            return None
    return holds != negated
