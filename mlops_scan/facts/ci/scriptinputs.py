"""Inputs of third-party actions and tasks that hold a shell script (``data/script_inputs.yaml``): a step that uses
one is read as the script it runs, like a ``run:`` step."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from yaml.nodes import Node

from mlops_scan import strictyaml
from mlops_scan.data import DATA_DIR
from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.model import Step
from mlops_scan.startcache import cached

SCRIPT_INPUTS_FILE = DATA_DIR / "script_inputs.yaml"
_SECTIONS = ("github_actions", "azure_tasks")


@cache
def script_inputs() -> dict[str, dict[str, tuple[str, ...]]]:
    """The built-in script inputs, read once (kept in the start-up cache: checking the file costs a CI file's scan)."""
    return cached("script-inputs", [SCRIPT_INPUTS_FILE], [], dict, lambda: load_script_inputs(SCRIPT_INPUTS_FILE))


def load_script_inputs(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Section -> lower-cased action or task name -> its script inputs; checked strictly (DataFileError)."""
    source = str(path)
    data = strictyaml.load_file(path)
    data = strictyaml.mapping(data, source, "the script inputs file", _SECTIONS, required=_SECTIONS)
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for section in _SECTIONS:
        names = strictyaml.mapping(data[section], source, section)
        out[section] = {}
        for name, inputs in names.items():
            line = strictyaml.line_of(names, name)
            strictyaml.typed(inputs, list, source, f"{section}.{name}", line, "a list of input names")
            for value in inputs:
                strictyaml.typed(value, str, source, f"{section}.{name}", line, "a list of input names")
            out[section][str(name).lower()] = tuple(inputs)
    return out


def script_step(section: str, uses: str, inputs: Node | None) -> Step | None:
    """The step a known action or task (``uses``, with or without ``@version``) runs: the script in the first of its
    script inputs that is given, at that input's line; None for any other action or when none is given."""
    names = script_inputs()[section].get(uses.split("@", 1)[0].strip().lower())
    for name in names or ():
        value = Y.get(inputs, name)
        text = Y.scalar(value)
        if value is not None and text:
            return Step(text, Y.line_of(value), uses=uses)
    return None
