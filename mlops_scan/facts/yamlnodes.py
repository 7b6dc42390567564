"""Bounded YAML parsing to node trees, and path queries over them.

Manifests are composed (never constructed) with the safe loader: aliases stay shared
nodes, so an alias bomb costs nothing, and every node keeps its line. Queries walk at
most a fixed number of nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Helm / Go-template / Jinja directives: lines made only of directives or template comments are
# blanked, inline expressions become a placeholder scalar, so templated manifests still parse with
# their line numbers intact.
_DELIMITERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
PLACEHOLDER = "TEMPLATED"
"""The scalar an inline template expression is replaced with."""


def compose_documents(text: str, max_nodes: int, strict_keys: bool = True) -> tuple[list[Node], str | None]:
    """The root nodes of each document that parses, and an error for the first that does not.

    The stream may hold at most ``max_nodes`` nodes counted with aliases expanded, so an alias
    bomb or a recursive alias is refused before any query walks it. With ``strict_keys`` a
    document with a duplicate mapping key is malformed (as YAML 1.2 and CI systems say) and left out.
    """
    docs: list[Node] = []
    error: str | None = None
    budget = max_nodes
    aliased = "*" in text
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is None:
                continue
            size, distinct, duplicate = _measure(node, budget, strict_keys, aliased)
            if size > budget:
                if distinct < size:
                    return [], f"YAML aliases expand to more than {max_nodes} nodes (alias bomb?): not parsed"
                return [], f"more than {max_nodes} YAML nodes: not parsed"
            budget -= size
            if duplicate is not None:
                error = error or f"malformed YAML at line {line_of(duplicate)}: duplicate key {duplicate.value[:80]!r}"
                continue
            docs.append(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        lines = text.split("\n", mark.line + 1) if mark is not None else []
        if mark is not None and len(lines) > mark.line and "\t" in lines[mark.line][: mark.column + 1]:
            problem += " (a tab: YAML is indented with spaces)"
        return docs, error or f"malformed YAML{where}: {problem}"
    except RecursionError:
        return [], "YAML nested too deeply: not parsed"
    return docs, error


_DOCUMENT_START = re.compile(r"^---(?=[ \t\r]|$)", re.M)
_UNSPLITTABLE = re.compile(r"^(?:%|\.\.\.(?:[ \t\r]|$))", re.M)


def split_documents(text: str) -> list[tuple[int, str]] | None:
    """The documents of a stream as (0-based first line, text), split at ``---`` lines (a document marker
    ends any scalar, so the split is exact); None for a stream with directives or ``...`` end markers."""
    if _UNSPLITTABLE.search(text):
        return None
    starts = [0] + [m.start() for m in _DOCUMENT_START.finditer(text) if m.start()]
    out = []
    line = 0
    for begin, end in zip(starts, starts[1:] + [len(text)]):
        out.append((line, text[begin:end]))
        line += text.count("\n", begin, end)
    return out


_COLUMN_ZERO = re.compile(r"^[^ \t\r\n#][^\n]*", re.M)
_INDENTED = re.compile(r"^[ \t]+[^ \t\r\n#]", re.M)
_KEY_COLON = re.compile(r":(?:[ \t]|$)")
_COMMENT = re.compile(r"(?:^|[ \t]+)#.*$")
UNKNOWN = "\0unknown"
"""The value :func:`root_fields` gives a key whose value the text alone cannot tell (templated, aliased, tagged)."""


def root_fields(text: str) -> Mapping[str, str] | None:
    """A document's root keys, each with its plain one-line value (:data:`UNKNOWN` for any other), read from
    the lines at column 0 without parsing; None when the text alone cannot tell (flow style, an indented root,
    merge or complex keys, content on the ``---`` line). A root sequence or scalar has no keys.

    The rules of a file ask in turn about the same document: the last answer is kept for the same text."""
    global _last_root_fields
    if _last_root_fields[0] is not text:
        _last_root_fields = (text, _root_fields(text))
    return _last_root_fields[1]


_last_root_fields: tuple[str | None, Mapping[str, str] | None] = (None, None)


def _root_fields(text: str) -> Mapping[str, str] | None:
    fields: dict[str, str] = {}
    content = False
    for match in _COLUMN_ZERO.finditer(text):
        line = match.group().rstrip("\r")
        if line.startswith(("---", "...")):
            if line[3:].strip() and not line[3:].lstrip().startswith(("#", "!")):
                return None  # content on the marker line
            continue
        content = True
        if line[0] in "{[?&*!%|>,":
            return None
        if line[0] == "-" and (len(line) == 1 or line[1] in " \t"):
            continue  # an item of a root sequence
        key, rest = _split_key(line)
        if key is None:
            continue  # a plain scalar's continuation, not a key
        if key == "<<":
            return None
        fields[key] = UNKNOWN if key in fields else _plain(rest)
    if not content and _INDENTED.search(text):
        return None  # the root is indented
    return fields


def _split_key(line: str) -> tuple[str | None, str]:
    """(key, the rest after its colon) of a ``key: value`` line, else (None, '')."""
    if line[0] in "\"'":
        close = line.find(line[0], 1)
        if close < 0 or not line[close + 1 :].lstrip(" \t").startswith(":"):
            return None, ""
        rest = line[close + 1 :].lstrip(" \t")[1:]
        return line[1:close], rest
    match = _KEY_COLON.search(line)
    if match is None:
        return None, ""
    return line[: match.start()].rstrip(" \t"), line[match.end() :]


def _plain(rest: str) -> str:
    """A one-line value as the parser reads it: quotes and a trailing comment removed; UNKNOWN for block
    scalars, flow collections, anchors, aliases, tags and template expressions."""
    value = _COMMENT.sub("", rest).strip() if "#" in rest else rest.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    if not value or value[0] in "&*!|>{[\"'" or "{{" in value or "{%" in value:
        return UNKNOWN
    return value


def _measure(root: Node, budget: int, strict_keys: bool, aliased: bool = True) -> tuple[int, int, ScalarNode | None]:
    """Nodes of the tree with aliases expanded (counting stops past ``budget``), distinct nodes, first duplicate key.
    Without ``aliased`` (a text holding no ``*``, so no alias: no node is reached twice) nodes are not told apart."""
    size = 0
    seen: set[int] = set()
    duplicate: ScalarNode | None = None
    first = True
    stack = [root]
    while stack and size <= budget:
        node = stack.pop()
        size += 1
        if aliased:
            first = id(node) not in seen
            seen.add(id(node))
        if isinstance(node, MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if first and strict_keys and duplicate is None and isinstance(key, ScalarNode) and key.value != "<<":
                    if key.value in keys:
                        duplicate = key
                    keys.add(key.value)
                stack.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return size, len(seen) if aliased else size, duplicate


def detemplate(text: str) -> str:
    """Blank template directive lines and replace inline template expressions, keeping line numbers."""
    lines = []
    for line in text.split("\n"):
        spans = _template_spans(line) if "{" in line else []
        if not spans:
            lines.append(line)
            continue
        cuts = [0] + [i for span in spans for i in span] + [len(line)]
        outside = [line[cuts[i] : cuts[i + 1]] for i in range(0, len(cuts), 2)]
        lines.append("" if not "".join(outside).strip() else PLACEHOLDER.join(outside))
    return "\n".join(lines)


def _template_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each template expression in ``line``, each from its opening to the nearest closing.

    One forward pass: an opening with no closing after it ends the search for that kind, so
    a line of a million ``{{`` costs no more than reading it (a regular expression would not).
    """
    spans: list[tuple[int, int]] = []
    next_open = {opening: line.find(opening) for opening in _DELIMITERS}
    while True:
        candidates = [(at, opening) for opening, at in next_open.items() if at >= 0]
        if not candidates:
            return spans
        start, opening = min(candidates)
        end = line.find(_DELIMITERS[opening], start + 2)
        if end < 0:
            next_open[opening] = -1
            continue
        spans.append((start, end + 2))
        for other, at in next_open.items():
            if 0 <= at < end + 2:
                next_open[other] = line.find(other, end + 2)


def line_of(node: Node) -> int:
    """1-based line where the node starts."""
    return node.start_mark.line + 1


def scalar(node: Node | None) -> str | None:
    """The text of a scalar node, else None."""
    return node.value if isinstance(node, ScalarNode) else None


def get(node: Node | None, key: str) -> Node | None:
    """The value under ``key`` in a mapping node (or in a mapping merged into it with ``<<``), else None."""
    found = _lookup(node, key)
    return found[1] if found else None


def key_node(node: Node | None, key: str) -> Node | None:
    """The key node itself (for its line), else None."""
    found = _lookup(node, key)
    return found[0] if found else None


_MERGE_DEPTH = 4
"""How many ``<<: *anchor`` merges deep a key is looked up."""


def _lookup(node: Node | None, key: str, depth: int = 0) -> tuple[Node, Node] | None:
    """(key node, value node) for ``key``: the mapping's own key first, then its ``<<`` merges in order."""
    if not isinstance(node, MappingNode):
        return None
    merges: list[Node] = []
    for k, v in node.value:
        if isinstance(k, ScalarNode):
            if k.value == key:
                return k, v
            if k.tag == "tag:yaml.org,2002:merge":
                merges.extend(v.value if isinstance(v, SequenceNode) else [v])
    if depth < _MERGE_DEPTH:
        for merged in merges:
            found = _lookup(merged, key, depth + 1)
            if found:
                return found
    return None


def items(node: Node | None) -> Iterator[tuple[str, Node, Node]]:
    """(key text, key node, value node) of a mapping node."""
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode):
                yield k.value, k, v


def seq(node: Node | None) -> list[Node]:
    """The items of a sequence node, else an empty list."""
    return list(node.value) if isinstance(node, SequenceNode) else []


def strings(node: Node | None, limit: int = 10_000) -> Iterator[ScalarNode]:
    """Every scalar reachable from ``node`` (bounded)."""
    seen: set[int] = set()
    stack = [node] if node is not None else []
    while stack and len(seen) < limit:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current
        elif isinstance(current, MappingNode):
            for k, v in reversed(current.value):
                stack.append(v)
                stack.append(k)
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")


def select(node: Node, path: str, limit: int = 10_000) -> list[Node]:
    """Nodes reached by a dotted path: ``spec.http[*].route[*].weight``; ``*`` as a key is any key.

    An empty path or ``.`` is the node itself.
    """
    return [value for _, value in select_keyed(node, path, limit)]


def select_keyed(node: Node, path: str, limit: int = 10_000) -> list[tuple[Node | None, Node]]:
    """Like :func:`select`, each node with the mapping key it sits under (None for list items and the root)."""
    current: list[tuple[Node | None, Node]] = [(None, node)]
    for match in _SEGMENT.finditer(path):
        key, index = match.groups()
        nxt: list[tuple[Node | None, Node]] = []
        for _, n in current:
            if key == "*":
                nxt.extend((k, v) for _, k, v in items(n))
            elif key is not None:
                found = key_node(n, key)
                if found is not None:
                    nxt.append((found, get(n, key)))  # type: ignore[arg-type]
            elif index == "*":
                nxt.extend((None, v) for v in seq(n))
            else:
                values = seq(n)
                if int(index) < len(values):
                    nxt.append((None, values[int(index)]))
            if len(nxt) > limit:
                break
        current = nxt
        if not current:
            break
    return current


def keyed_line(key: Node | None, value: Node) -> int:
    """The line that shows a selected node: its key's line when it has one, else its own."""
    return line_of(key if key is not None else value)
