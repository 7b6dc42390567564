"""Follow a CI step one hop into the local files it calls: scripts, Makefile targets, task runners, tox
environments, local actions and templates.

Every referenced file is read and parsed through a :class:`FileContext`, so under the same limits as any
other file (size, ``max-yaml-nodes``, ``parse-timeout``); what cannot be parsed is recorded as a skip of
the CI file that refers to it."""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from typing import TypeGuard
from weakref import WeakKeyDictionary

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlops_scan.facts import yamlnodes
from mlops_scan.facts.context import FileContext

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


MAX_REFERENCED = 64
"""Referenced files kept open (parsed) at once, however many steps refer to them."""


class Referenced:
    """The files a CI file's steps refer to, each opened once per scan as a :class:`FileContext`."""

    def __init__(self, referrer: FileContext, opened: dict[str, FileContext]):
        self.referrer = referrer
        self._opened = opened
        """Shared by every CI file of a scan (most recently opened last)."""

    def exists(self, path: str) -> bool:
        """A listed file."""
        return self.referrer.snapshot.entry(path) is not None

    def context(self, path: str) -> FileContext | None:
        """The listed file's context; its parse problems are recorded as skips of the referring file's scan."""
        snapshot = self.referrer.snapshot
        entry = snapshot.entry(path)  # looked up even when opened before: what this referrer depends on
        found = self._opened.pop(path, None)
        if found is None:
            if entry is None:
                return None
            found = FileContext(snapshot, entry)
            if len(self._opened) >= MAX_REFERENCED:
                del self._opened[next(iter(self._opened))]
        elif found.skipped is not self.referrer.skipped:  # opened for another referrer: its problems are this one's too
            if found.text_loaded:
                snapshot.note_read(path)
            self.referrer.skipped.extend(s for s in found.skipped if s.path == path)
        found.skipped = self.referrer.skipped  # what a later parse of it finds is this referrer's to report
        self._opened[path] = found
        return found

    def text(self, path: str) -> str | None:
        found = self.context(path)
        return found.text if found is not None else None


def expand(command: str, files: Referenced, ci_dir: str, depth: int = 2) -> str:
    """The command followed by the text of each local file or task it calls (bounded, ``depth`` hops)."""
    parts = [command]
    size = len(command)
    for text in _referenced_texts(command, files, ci_dir):
        if size + len(text) > MAX_EXPANSION:
            break
        parts.append(text)
        size += len(text)
        if depth > 1:
            nested = expand(text, files, ci_dir, depth - 1)[len(text) :]
            parts.append(nested[: max(0, MAX_EXPANSION - size)])
            size += len(nested)
    return "\n".join(parts)


def _referenced_texts(command: str, files: Referenced, ci_dir: str) -> list[str]:
    texts: list[str] = []
    template = _TEMPLATE.match(command)
    if template:
        path = _local(template.group(1).split("@")[0], files, ci_dir)
        found = files.context(path) if path else None
        return [_runs(found)] if found is not None and found.text else []
    for token in _path_tokens(command):
        path = _local(token, files, ci_dir)
        if path is None and token.startswith("./"):  # a local action: its folder's action.yml
            path = _local(token.rstrip("/") + "/action.yml", files, ci_dir) or _local(
                token.rstrip("/") + "/action.yaml", files, ci_dir
            )
        found = files.context(path) if path else None
        if found is not None and found.text:
            texts.append(_runs(found) if found.entry.suffix in (".yml", ".yaml") else found.text)
    return texts + _task_texts(command, files)


def _task_texts(command: str, files: Referenced) -> list[str]:
    """What the Makefile targets and the tasks of task runners the command calls run. Each runner's regex is searched
    only in a command holding its name, which every match of it holds (most commands name none: a substring test is
    far cheaper than a regex tried at every position)."""
    texts: list[str] = []
    for match in _MAKE.finditer(command) if "make" in command else ():
        folder = re.search(r"-C\s+(\S+)", match.group(1) or "")
        texts += _make_target(files, folder.group(1) if folder else "", match.group(2))
    for match in _MISE.finditer(command) if "mise" in command else ():
        texts += _toml_task(files, ("mise.toml", ".mise.toml"), ("tasks",), match.group(1))
    for match in _POE.finditer(command) if "poe" in command else ():
        texts += _toml_task(files, ("pyproject.toml",), ("tool", "poe", "tasks"), match.group(1))
    for match in _PDM.finditer(command) if "pdm" in command else ():
        texts += _toml_task(files, ("pyproject.toml",), ("tool", "pdm", "scripts"), match.group(1))
    for match in _HATCH.finditer(command) if "hatch" in command else ():
        env = ("envs", match.group(1) or "default", "scripts")
        texts += _toml_task(files, ("pyproject.toml",), ("tool", "hatch", *env), match.group(2))
        texts += _toml_task(files, ("hatch.toml",), env, match.group(2))
    for match in _TASK.finditer(command) if "task" in command else ():  # taskipy (pyproject) or go-task (Taskfile)
        texts += _toml_task(files, ("pyproject.toml",), ("tool", "taskipy", "tasks"), match.group(1))
        texts += _recipe(files, _TASKFILES, match.group(1), indented=True)
    for match in _JUST.finditer(command) if "just" in command else ():
        texts += _recipe(files, ("justfile", "Justfile"), match.group(1))
    for match in _TOX.finditer(command) if "tox" in command else ():
        before = command[: match.start()].rstrip()
        if not before or before.endswith(("&&", ";", "|", "\n", "-m", "run", "uvx", "exec")):  # not `pip install tox`
            texts += _tox_envs(files, match.group(1) or "")
    return texts


_RUN_KEYS = ("run", "script", "bash", "pwsh", "powershell", "before_script", "after_script")
_USE_KEYS = (("uses", "with"), ("task", "inputs"), ("template", "parameters"))
_CI_SHAPE = ("jobs", "steps", "runs", "stages")
MAX_YAML_DEPTH = 32


_RUNS: WeakKeyDictionary[FileContext, str] = WeakKeyDictionary()
"""What each open YAML file runs (:func:`_ci_commands`), worked out once however many steps call it."""


def _runs(ctx: FileContext) -> str:
    found = _RUNS.get(ctx)
    if found is None:
        found = _RUNS[ctx] = _ci_commands(ctx)
    return found


def _ci_commands(ctx: FileContext) -> str:
    """What a called workflow, action or pipeline template runs: its steps' commands and the actions, tasks and
    templates they use (with their inputs), one a line; never step names, descriptions or comments. A YAML file of
    another shape (a manifest a command applies), or one that cannot be parsed within the limits, is returned whole."""
    text = ctx.text or ""
    docs = ctx.yaml
    if len(docs) != 1 or not any(yamlnodes.get(docs[0], key) is not None for key in _CI_SHAPE):
        return text
    out: list[str] = []
    _walk(docs[0], out, 0)
    return "\n".join(out)


def _walk(node: Node, out: list[str], depth: int) -> None:
    if depth > MAX_YAML_DEPTH:
        return
    if isinstance(node, SequenceNode):
        for item in node.value:
            _walk(item, out, depth + 1)
        return
    if not isinstance(node, MappingNode):
        return
    for key in _RUN_KEYS:
        out += _strings(yamlnodes.get(node, key))
    for key, inputs in _USE_KEYS:
        used = yamlnodes.get(node, key)
        if _is_text(used):
            given = yamlnodes.items(yamlnodes.get(node, inputs))
            pairs = " ".join(f"{k}={v.value}" for k, _, v in given if isinstance(v, ScalarNode) and not _is_null(v))
            out.append(f"template: {used.value}" if key == "template" else used.value)
            if pairs:
                out.append(pairs)
    for key, _, value in yamlnodes.items(node):
        if key not in _RUN_KEYS and isinstance(value, (MappingNode, SequenceNode)):
            _walk(value, out, depth + 1)


def _is_text(node: Node | None) -> TypeGuard[ScalarNode]:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str"


def _is_null(node: ScalarNode) -> bool:
    return node.tag == "tag:yaml.org,2002:null"


def _strings(node: Node | None) -> list[str]:
    if _is_text(node):
        return [node.value]
    return [item.value for item in yamlnodes.seq(node) if _is_text(item)]


MAX_TOKENIZED = 100_000
"""Characters of a command (or a script's text) searched for local files and tasks."""


_UNQUOTED = str.maketrans("", "", "'\"\\")


def _path_tokens(command: str) -> list[str]:
    """The command's words that may name a local file: ending with a script suffix or starting with ``./``."""
    command = command[:MAX_TOKENIZED]
    return list(_remembered_path_tokens(command)) if len(command) <= MAX_REMEMBERED else _naming_files(command)


MAX_REMEMBERED = 4096
"""Commands up to this length have their words naming files remembered (generated CI files repeat the same
commands, and scripts called by many steps are followed from each)."""


@lru_cache(maxsize=2048)
def _remembered_path_tokens(command: str) -> tuple[str, ...]:
    return tuple(_naming_files(command))


def _naming_files(command: str) -> list[str]:
    """The command's words ending with a script suffix or starting with ``./``.

    shlex builds each word from consecutive characters less quotes and backslashes, so a command
    whose unquoted text shows no suffix and no ``./`` has none of them, and is never tokenised."""
    unquoted = command.translate(_UNQUOTED)
    if "./" not in unquoted and not any(suffix in unquoted for suffix in _SCRIPT_SUFFIXES):
        return []
    return [t for t in _tokens(command) if t.endswith(_SCRIPT_SUFFIXES) or t.startswith("./")]


_SHELL_SPECIAL = re.compile(r"['\"\\#]")
_WORD = re.compile(r"[^ \t\r\n]+")


def _tokens(command: str) -> tuple[str, ...]:
    """The words ``shlex.split(command, comments=True)`` gives; the command split on blanks when shlex would fail
    (an unclosed quote, a trailing backslash)."""
    if not _SHELL_SPECIAL.search(command):  # no quote, escape or comment: shlex's words are the runs of non-blanks
        return tuple(_WORD.findall(command))
    words = _shell_words(command)
    return tuple(command.split()) if words is None else words


_SHELL_PIECE = re.compile(
    r"(?P<blank>[ \t\r\n]+)|(?P<comment>#[^\n]*\n?)|'(?P<single>[^']*)'"
    r'|"(?P<double>[^"\\]*(?:\\.[^"\\]*)*)"|\\(?P<escaped>.)|(?P<plain>[^ \t\r\n\'"\\#]+)',
    re.S,
)
"""One piece of a command by POSIX shlex rules: blanks and comments end a word; quoted text, an escaped character
and plain text are parts of one."""
_QUOTED_ESCAPE = re.compile(r'\\(["\\])')
"""In double quotes a backslash escapes only a double quote or a backslash."""


def _shell_words(command: str) -> tuple[str, ...] | None:
    """The words of ``shlex.split(command, comments=True)``, piece by piece with one regex instead of shlex's
    character by character reading (ten times faster); None where shlex raises ValueError."""
    words: list[str] = []
    word: list[str] | None = None  # None between words; an empty quoted string is a word
    position, end = 0, len(command)
    while position < end:
        piece = _SHELL_PIECE.match(command, position)
        if piece is None:  # an unclosed quote or a backslash at the end
            return None
        position = piece.end()
        kind = piece.lastgroup
        if kind == "blank" or kind == "comment":
            if word is not None:
                words.append("".join(word))
                word = None
            continue
        text = piece.group(kind)  # type: ignore[arg-type]
        if kind == "double" and "\\" in text:
            text = _QUOTED_ESCAPE.sub(r"\1", text)
        if word is None:
            word = []
        word.append(text)
    if word is not None:
        words.append("".join(word))
    return tuple(words)


def _local(token: str, files: Referenced, ci_dir: str) -> str | None:
    """The listed path a token refers to (from the repository root or the CI file's folder)."""
    token = token.strip("'\"")
    for base in ("", ci_dir):
        path = posixpath.normpath(posixpath.join(base, token))
        if not path.startswith("..") and files.exists(path):
            return path
    return None


def _make_target(files: Referenced, folder: str, target: str) -> list[str]:
    return _recipe(
        files,
        tuple(posixpath.join(folder, n) if folder else n for n in ("Makefile", "makefile", "GNUmakefile")),
        target,
    )


def _recipe(files: Referenced, names: tuple[str, ...], target: str, indented: bool = False) -> list[str]:
    """The indented lines under ``target:`` in a Makefile or justfile (``indented``: a key nested in YAML, as in
    a Taskfile's ``tasks:``)."""
    if indented:
        pattern = rf"^([ \t]+){re.escape(target)}:[ \t]*([^\n]*)\n((?:\1[ \t]+[^\n]*\n?|[ \t]*\n)*)"
    else:
        pattern = rf"^(){re.escape(target)}\s*(?:[\w\s-]*)?:(?!=)([^\n]*)\n((?:[ \t]+[^\n]*\n?|\n)*)"
    for name in names:
        if not files.exists(name):
            continue
        match = re.search(pattern, files.text(name) or "", re.M)
        if match:
            return [match.group(2) + "\n" + match.group(3)]
    return []


def _toml_task(files: Referenced, names: tuple[str, ...], table: tuple[str, ...], task: str) -> list[str]:
    for name in names:
        if not files.exists(name):
            continue
        found = files.context(name)
        data: object = found.toml if found is not None else None
        if data is None:
            return []
        for key in table:
            data = data.get(key) or {} if isinstance(data, dict) else {}
        value = data.get(task) if isinstance(data, dict) else None
        if value is not None:
            return [_task_text(value)]
    return []


def _tox_envs(files: Referenced, envs: str) -> list[str]:
    """The ``commands`` of the tox environments named (``-e a,b``); the base ``[testenv]`` for
    factor names such as ``py311`` and for names that are CI variables (``${{ matrix.env }}``)."""
    text = files.text("tox.ini") if files.exists("tox.ini") else None
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
