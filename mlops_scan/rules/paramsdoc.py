"""The params reference of docs/writing-rules.md, generated from each matcher kind's ``Params`` dataclass.

Each field's docstring (the string literal under it) is its meaning; the default comes from the
dataclass. In the Markdown, a kind's table sits between ``<!-- params: KIND -->`` and
``<!-- /params -->`` and is replaced as a whole; everything else is written by hand.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import re
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_BLOCK = re.compile(r"(<!-- params: ([\w-]+) -->\n).*?(<!-- /params -->)", re.S)


def field_docs(params_type: type) -> dict[str, str]:
    """Field name -> its docstring, on one line (read from the class's source, never run)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(params_type)))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    out: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            out[node.target.id] = " ".join(following.value.value.split())
    return out


def params_table(params_type: type[DataclassInstance]) -> str:
    """The Markdown table of one kind's params: name, default, meaning."""
    docs = field_docs(params_type)
    rows = ["| param | default | meaning |", "|---|---|---|"]
    for field in dataclasses.fields(params_type):
        meaning = _markdown(docs.get(field.name, ""))
        rows.append(f"| `{field.name}` | {_default(field)} | {meaning} |")
    return "\n".join(rows) + "\n"


def with_params_tables(markdown: str, kinds: Mapping[str, type[DataclassInstance]]) -> str:
    """``markdown`` with every marked params table regenerated (an unknown kind is a ValueError)."""

    def table(match: re.Match[str]) -> str:
        kind = match.group(2)
        if kind not in kinds:
            raise ValueError(f"<!-- params: {kind} -->: no installed matcher kind {kind!r}")
        return match.group(1) + params_table(kinds[kind]) + match.group(3)

    return _BLOCK.sub(table, markdown)


def _default(field: dataclasses.Field[Any]) -> str:
    if field.default is not dataclasses.MISSING:
        value: Any = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return "required"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _markdown(docstring: str) -> str:
    """reStructuredText literals as Markdown code, and pipes escaped for a table cell."""
    return docstring.replace("``", "`").replace("|", "\\|")
