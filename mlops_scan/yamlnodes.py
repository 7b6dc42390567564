"""Bounded YAML parsing to node trees, and path queries over them.

Manifests are composed (never constructed) with the safe loader: aliases stay shared
nodes, so an alias bomb costs nothing, and every node keeps its line. Queries walk at
most a fixed number of nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Helm / Go-template / Jinja directives: lines made only of a directive are blanked, inline
# expressions become a placeholder scalar, so templated manifests still parse, lines intact.
_DIRECTIVE_LINE = re.compile(r"^\s*(\{\{-?[^}]*-?\}\}\s*|\{%-?.*?-?%\}\s*)+$")
_INLINE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


class YamlError(Exception):
    """The stream cannot be parsed within the limits; the message says why."""


def compose_documents(text: str, max_nodes: int) -> tuple[list[Node], str | None]:
    """The root nodes of each document that parses, and an error for the first that does not."""
    docs: list[Node] = []
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is None:
                continue
            docs.append(node)
            if count_nodes(docs, max_nodes) > max_nodes:
                return [], f"more than {max_nodes} YAML nodes: not parsed"
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return docs, f"malformed YAML{where}: {problem}"
    except RecursionError:
        return [], "YAML nested too deeply: not parsed"
    return docs, None


def detemplate(text: str) -> str:
    """Blank template directive lines and replace inline template expressions, keeping line numbers."""
    lines = []
    for line in text.split("\n"):
        if _DIRECTIVE_LINE.match(line):
            lines.append("")
        else:
            lines.append(_INLINE.sub("TEMPLATED", line))
    return "\n".join(lines)


def count_nodes(roots: list[Node], limit: int) -> int:
    """Distinct nodes reachable from ``roots`` (stops counting past ``limit``)."""
    seen: set[int] = set()
    stack = list(roots)
    while stack and len(seen) <= limit:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return len(seen)


def line_of(node: Node) -> int:
    """1-based line where the node starts."""
    return node.start_mark.line + 1


def scalar(node: Node | None) -> str | None:
    """The text of a scalar node, else None."""
    return node.value if isinstance(node, ScalarNode) else None


def get(node: Node | None, key: str) -> Node | None:
    """The value under ``key`` in a mapping node, else None."""
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return v
    return None


def key_node(node: Node | None, key: str) -> Node | None:
    """The key node itself (for its line), else None."""
    if isinstance(node, MappingNode):
        for k, _ in node.value:
            if isinstance(k, ScalarNode) and k.value == key:
                return k
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
    """Nodes reached by a dotted path: ``spec.http[*].route[*].weight``; ``*`` as a key is any key."""
    current = [node]
    for match in _SEGMENT.finditer(path):
        key, index = match.groups()
        nxt: list[Node] = []
        for n in current:
            if key == "*":
                nxt.extend(v for _, _, v in items(n))
            elif key is not None:
                value = get(n, key)
                if value is not None:
                    nxt.append(value)
            elif index == "*":
                nxt.extend(seq(n))
            else:
                values = seq(n)
                if int(index) < len(values):
                    nxt.append(values[int(index)])
            if len(nxt) > limit:
                break
        current = nxt
        if not current:
            break
    return current
