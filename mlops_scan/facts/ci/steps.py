"""What several CI readers share: commands from a scalar or a list, trigger keys, a steps list."""

from __future__ import annotations

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.model import Job, Pipeline, Step
from mlops_scan.facts.context import FileContext


def commands(node: Node | None) -> list[tuple[str, int]]:
    """Command strings of a scalar or a list of scalars, with lines."""
    if isinstance(node, ScalarNode):
        return [(node.value, Y.line_of(node))] if node.value else []
    if isinstance(node, SequenceNode):
        out: list[tuple[str, int]] = []
        for item in node.value:
            out += commands(item)
        return out
    return []


def trigger_keys(node: Node | None, mapping: dict[str, str], line: int) -> dict[str, int]:
    out: dict[str, int] = {}
    if isinstance(node, ScalarNode):
        if node.value in mapping:
            out[mapping[node.value]] = Y.line_of(node)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            out.update(trigger_keys(item, mapping, line))
    elif isinstance(node, MappingNode):
        for key, key_node, value in Y.items(node):
            if key in mapping:
                tags_only = (
                    key == "push"
                    and Y.get(value, "tags") is not None
                    and all(Y.get(value, k) is None for k in ("branches", "branches-ignore", "paths", "paths-ignore"))
                )
                if not tags_only:  # `push: {tags: [...]}` alone runs on tag pushes only, not on every push
                    out.setdefault(mapping[key], Y.line_of(key_node))
                if key == "push" and Y.get(value, "tags") is not None:
                    out.setdefault("tag", Y.line_of(Y.key_node(value, "tags")))  # type: ignore[arg-type]
    return out


def steps_with(
    ctx: FileContext, doc: Node, system: str, keys: tuple[str, ...], triggers: dict[str, int]
) -> Pipeline | None:
    steps = Y.seq(Y.get(doc, "steps"))
    if not steps:
        return None
    job = Job(system, Y.line_of(doc))
    for step in steps:
        for key in keys:
            job.steps += [Step(cmd, line) for cmd, line in commands(Y.get(step, key))]
    return Pipeline(system, ctx.path, dict(triggers), [job])
