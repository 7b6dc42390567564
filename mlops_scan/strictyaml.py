"""Strict YAML for mlops-scan's own data: rule packs, maturity models and zones.

The safe loader (libyaml when available) with three differences: a key given twice in one
mapping is an error, every mapping and list remembers the line of each key and item, and
checks of unknown keys and wrong types raise one-line errors naming the file and the line.
Never used for the scanned repository's files (those go through ``facts/yamlnodes``).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from mlops_scan.errors import DataFileError
from mlops_scan.safefiles import read_bounded

if TYPE_CHECKING:
    import yaml
    from yaml.nodes import MappingNode, Node, SequenceNode

T = TypeVar("T")
MAX_DATA_NODES = 100_000
"""Nodes of one data file, aliases expanded (the built-in packs have a few thousand): an alias bomb stops here."""


class Map(dict[Any, Any]):
    """A YAML mapping that knows the line of each of its keys."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        """The line of ``key`` (or of the mapping when the key is absent)."""
        return self.key_lines.get(key, self.line)


class Seq(list[Any]):
    """A YAML list that knows the line of each of its items."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """The line of item ``index``."""
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def _construct_map(loader: Any, node: MappingNode) -> Iterator[Map]:
    loader.flatten_mapping(node)
    data = Map()
    data.line, data.key_lines = node.start_mark.line + 1, {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable):
            raise DataFileError(loader.source, "a mapping key must be a plain value", line)
        if key in data:
            raise DataFileError(
                loader.source, f"duplicate key {str(key)!r} (first given on line {data.key_lines[key]})", line
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


def _construct_seq(loader: Any, node: SequenceNode) -> Iterator[Seq]:
    data = Seq()
    data.line, data.item_lines = node.start_mark.line + 1, [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


@cache
def _loaders() -> tuple[type[yaml.SafeLoader], type[yaml.SafeLoader]]:
    """The strict loaders, libyaml's parser first (packs load on every run that misses the start-up cache) and the
    pure-Python one (its error messages are the clearer); PyYAML is imported only here, when a data file is parsed."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        """Safe loading, duplicate keys refused, lines kept."""

        source = "<data>"

    class FastStrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        """The same with libyaml's parser when available."""

        source = "<data>"

    for loader in (StrictLoader, FastStrictLoader):
        loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
        loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
    return FastStrictLoader, StrictLoader


def load(text: str, source: str) -> Any:
    """Parse ``text`` (the contents of ``source``); malformed YAML and duplicate keys raise DataFileError."""
    from yaml import YAMLError

    fast, clear = _loaders()
    try:
        return _parse(fast, text, source)
    except YAMLError:
        pass  # parsed again below: the pure-Python parser says more clearly what is wrong
    except RecursionError:
        raise DataFileError(source, "malformed YAML (nested too deeply)") from None
    try:
        return _parse(clear, text, source)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DataFileError(source, f"malformed YAML ({problem})", mark.line + 1 if mark else None) from None
    except RecursionError:
        raise DataFileError(source, "malformed YAML (nested too deeply)") from None


def _parse(loader_type: type[yaml.SafeLoader], text: str, source: str) -> Any:
    loader = loader_type(text)
    loader.source = source  # type: ignore[attr-defined]
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_DATA_NODES:
            raise DataFileError(source, f"more than {MAX_DATA_NODES} YAML nodes with aliases expanded: not read")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(root: Node) -> int:
    """The nodes of a composed document, each alias counted again where it is used (stops past the budget)."""
    from yaml.nodes import MappingNode, SequenceNode

    size, stack = 0, [root]
    while stack and size <= MAX_DATA_NODES:
        node = stack.pop()
        size += 1
        if isinstance(node, MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return size


def load_file(path: Any, inside: Any = None) -> Any:
    """Read (bounded, a regular file, inside the folder ``inside`` when given) and parse a data file strictly;
    an unreadable or oversized file raises DataFileError."""
    data = read_bounded(path, inside=inside)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(str(path), f"cannot read (not UTF-8 text: {exc.reason} at byte {exc.start})") from None
    return load(text, str(path))


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of ``key`` in a loaded mapping or list (of the container itself when ``key`` is None)."""
    if isinstance(container, (Map, Seq)):
        return container.line if key is None else container.line_of(key)
    return None


def mapping(
    value: Any,
    source: str,
    what: str,
    allowed: Collection[str] | None = None,
    required: Collection[str] = (),
    line: int | None = None,
) -> Map:
    """``value`` checked to be a mapping with only ``allowed`` keys and every ``required`` one."""
    if not isinstance(value, Map):
        raise DataFileError(source, f"{what} must be a mapping", line_of(value) or line)
    if allowed is not None:
        for key in value:
            if key not in allowed:
                raise DataFileError(
                    source,
                    f"{what}: unknown key {str(key)!r} (allowed: {', '.join(sorted(allowed))})",
                    value.line_of(key),
                )
    for key in required:
        if key not in value:
            raise DataFileError(source, f"{what}: required key {key!r} is missing", value.line)
    return value


def typed(value: Any, expected: type[T], source: str, what: str, line: int | None, description: str) -> T:
    """``value`` checked to be an ``expected`` (``description`` says so in the error: 'a string')."""
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        raise DataFileError(source, f"{what} must be {description}", line_of(value) or line)
    return value
