"""Follow a CI step one hop into the local files it calls: scripts, Makefile targets, task runners, tox
environments, local actions and templates."""

from __future__ import annotations

import functools
import posixpath
import re
import shlex
import sys
from typing import Any

import yaml

from mlops_scan.snapshot.tree import Snapshot

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_EXPANSION = 256 * 1024
_SCRIPT_SUFFIXES = (".sh", ".bash", ".ps1", ".yml", ".yaml", ".mk")
_MAKE = re.compile(r"\bmake\s+((?:-\S+\s+(?:\S+\s+)?)*)([\w.-]+)")
_MISE = re.compile(r"\bmise\s+(?:run\s+)?([\w:.-]+)")
_JUST = re.compile(r"\bjust\s+([\w-]+)")
_POE = re.compile(r"\bpoe\s+([\w-]+)")
_PDM = re.compile(r"\bpdm\s+run\s+([\w-]+)")
_HATCH = re.compile(r"\bhatch\s+run\s+(?:([\w-]+):)?([\w-]+)")
_TASK = re.compile(r"(?:^|[\s;&|])task\s+([\w:-]+)")
_TASKFILES = ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml")
_TEMPLATE = re.compile(r"^template:\s*(\S+)")
_TOX = re.compile(r"\btox\b(?:\s+(?:-e|--env)\s*=?\s*['\"]?([\w.,${}\[\] -]+?)['\"]?)?(?=\s*(?:$|\n|&&|;|\|)|\s+-)")


def expand(command: str, snapshot: Snapshot, ci_dir: str, depth: int = 2) -> str:
    """The command followed by the text of each local file or task it calls (bounded, ``depth`` hops)."""
    parts = [command]
    size = len(command)
    for text in _referenced_texts(command, snapshot, ci_dir):
        if size + len(text) > MAX_EXPANSION:
            break
        parts.append(text)
        size += len(text)
        if depth > 1:
            nested = expand(text, snapshot, ci_dir, depth - 1)[len(text) :]
            parts.append(nested[: max(0, MAX_EXPANSION - size)])
            size += len(nested)
    return "\n".join(parts)


def _referenced_texts(command: str, snapshot: Snapshot, ci_dir: str) -> list[str]:
    texts: list[str] = []
    template = _TEMPLATE.match(command)
    if template:
        path = _local(template.group(1).split("@")[0], snapshot, ci_dir)
        return [_ci_commands(t) for t in [snapshot.read_text(path)] if t] if path else []
    for token in _tokens(command):
        if token.endswith(_SCRIPT_SUFFIXES) or token.startswith("./"):
            path = _local(token, snapshot, ci_dir)
            if path is None and token.startswith("./"):  # a local action: its folder's action.yml
                path = _local(token.rstrip("/") + "/action.yml", snapshot, ci_dir) or _local(
                    token.rstrip("/") + "/action.yaml", snapshot, ci_dir
                )
            if path:
                text = snapshot.read_text(path)
                if text:
                    texts.append(_ci_commands(text) if path.lower().endswith((".yml", ".yaml")) else text)
    for match in _MAKE.finditer(command):
        folder = re.search(r"-C\s+(\S+)", match.group(1) or "")
        texts += _make_target(snapshot, folder.group(1) if folder else "", match.group(2))
    for match in _MISE.finditer(command):
        texts += _toml_task(snapshot, ("mise.toml", ".mise.toml"), ("tasks",), match.group(1))
    for match in _POE.finditer(command):
        texts += _toml_task(snapshot, ("pyproject.toml",), ("tool", "poe", "tasks"), match.group(1))
    for match in _PDM.finditer(command):
        texts += _toml_task(snapshot, ("pyproject.toml",), ("tool", "pdm", "scripts"), match.group(1))
    for match in _HATCH.finditer(command):
        env = ("envs", match.group(1) or "default", "scripts")
        texts += _toml_task(snapshot, ("pyproject.toml",), ("tool", "hatch", *env), match.group(2))
        texts += _toml_task(snapshot, ("hatch.toml",), env, match.group(2))
    for match in _TASK.finditer(command):  # taskipy (pyproject) or go-task (Taskfile.yml)
        texts += _toml_task(snapshot, ("pyproject.toml",), ("tool", "taskipy", "tasks"), match.group(1))
        texts += _recipe(snapshot, _TASKFILES, match.group(1), indented=True)
    for match in _JUST.finditer(command):
        texts += _recipe(snapshot, ("justfile", "Justfile"), match.group(1))
    for match in _TOX.finditer(command):
        before = command[: match.start()].rstrip()
        if not before or before.endswith(("&&", ";", "|", "\n", "-m", "run", "uvx", "exec")):  # not `pip install tox`
            texts += _tox_envs(snapshot, match.group(1) or "")
    return texts


_RUN_KEYS = ("run", "script", "bash", "pwsh", "powershell", "before_script", "after_script")
_USE_KEYS = (("uses", "with"), ("task", "inputs"), ("template", "parameters"))
_CI_SHAPE = ("jobs", "steps", "runs", "stages")
MAX_YAML_DEPTH = 32


def _ci_commands(text: str) -> str:
    """What a called workflow, action or pipeline template runs: its steps' commands and the actions, tasks and
    templates they use (with their inputs), one a line; never step names, descriptions or comments. A YAML file of
    another shape (a manifest a command applies) is returned whole."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return text
    if not isinstance(data, dict) or not any(key in data for key in _CI_SHAPE):
        return text
    out: list[str] = []
    _walk(data, out, 0)
    return "\n".join(out)


def _walk(node: object, out: list[str], depth: int) -> None:
    if depth > MAX_YAML_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, out, depth + 1)
        return
    if not isinstance(node, dict):
        return
    for key in _RUN_KEYS:
        out += [v for v in _strings(node.get(key))]
    for key, inputs in _USE_KEYS:
        used = node.get(key)
        if isinstance(used, str):
            given = node.get(inputs)
            pairs = (
                " ".join(f"{k}={v}" for k, v in given.items() if isinstance(v, (str, int, float)))
                if isinstance(given, dict)
                else ""
            )
            out.append(f"template: {used}" if key == "template" else used)
            if pairs:
                out.append(pairs)
    for key, value in node.items():
        if key not in _RUN_KEYS and isinstance(value, (dict, list)):
            _walk(value, out, depth + 1)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


MAX_TOKENIZED = 100_000
"""Characters of a command (or a script's text) searched for local files and tasks: shlex is slow on huge input."""


def _tokens(command: str) -> list[str]:
    command = command[:MAX_TOKENIZED]
    try:
        return shlex.split(command, comments=True)
    except ValueError:
        return command.split()


def _local(token: str, snapshot: Snapshot, ci_dir: str) -> str | None:
    """The listed path a token refers to (from the repository root or the CI file's folder)."""
    token = token.strip("'\"")
    for base in ("", ci_dir):
        path = posixpath.normpath(posixpath.join(base, token))
        if not path.startswith("..") and snapshot.entry(path) is not None:
            return path
    return None


def _make_target(snapshot: Snapshot, folder: str, target: str) -> list[str]:
    return _recipe(
        snapshot,
        tuple(posixpath.join(folder, n) if folder else n for n in ("Makefile", "makefile", "GNUmakefile")),
        target,
    )


def _recipe(snapshot: Snapshot, names: tuple[str, ...], target: str, indented: bool = False) -> list[str]:
    """The indented lines under ``target:`` in a Makefile or justfile (``indented``: a key nested in YAML, as in
    a Taskfile's ``tasks:``)."""
    if indented:
        pattern = rf"^([ \t]+){re.escape(target)}:[ \t]*([^\n]*)\n((?:\1[ \t]+[^\n]*\n?|[ \t]*\n)*)"
    else:
        pattern = rf"^(){re.escape(target)}\s*(?:[\w\s-]*)?:(?!=)([^\n]*)\n((?:[ \t]+[^\n]*\n?|\n)*)"
    for name in names:
        if snapshot.entry(name) is None:
            continue
        match = re.search(pattern, snapshot.read_text(name) or "", re.M)
        if match:
            return [match.group(2) + "\n" + match.group(3)]
    return []


@functools.lru_cache(maxsize=8)
def _toml(text: str) -> dict[str, Any] | None:
    """A task file parsed once however many steps refer to it (None when malformed)."""
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None


def _toml_task(snapshot: Snapshot, names: tuple[str, ...], table: tuple[str, ...], task: str) -> list[str]:
    for name in names:
        if snapshot.entry(name) is None:
            continue
        data = _toml(snapshot.read_text(name) or "")
        if data is None:
            return []
        for key in table:
            data = data.get(key) or {} if isinstance(data, dict) else {}
        value = data.get(task) if isinstance(data, dict) else None
        if value is not None:
            return [_task_text(value)]
    return []


def _tox_envs(snapshot: Snapshot, envs: str) -> list[str]:
    """The ``commands`` of the tox environments named (``-e a,b``); the base ``[testenv]`` for
    factor names such as ``py311`` and for names that are CI variables (``${{ matrix.env }}``)."""
    text = snapshot.read_text("tox.ini") if snapshot.entry("tox.ini") is not None else None
    if not text:
        return []
    sections = dict(re.findall(r"^\[([^\]\n]+)\]\s*\n((?:(?!\[).*\n?)*)", text, re.M))
    out = []
    for env in [e.strip() for e in envs.split(",") if e.strip()] or [""]:
        body = sections.get(f"testenv:{env}")
        if body is None and (not env or "$" in env or re.fullmatch(r"py\d*|pypy\d*|py\d+-\w+", env)):
            body = sections.get("testenv")
        if body:
            commands = re.search(r"^commands\s*=(.*\n(?:[ \t]+.*\n?)*)", body, re.M)
            out.append(commands.group(1) if commands else "")
    return out


def _task_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_task_text(v) for v in value)
    if isinstance(value, dict):
        keys = ("run", "cmd", "cmds", "shell", "script", "depends", "sequence", "composite", "call")
        return "\n".join(_task_text(value[k]) for k in keys if k in value)
    return ""
