"""The project index: the repository's own Python modules, how they reach each other, and chains of hops.

Built lazily, once per scan, only when a rule asks whether a module *reaches* something: the module map
comes from the listing (no file is read for it), and a module is read and parsed only when a hop from a
starting module needs it. Two kinds of hop are followed through the repository's own code:

* an import of one of its modules (``from pkg.train import fit_model``, relative imports included), found
  under any source root (flat and ``src/`` layouts, namespace folders, folders put on ``sys.path``);
* an HTTP call to a route the repository serves itself: a URL literal ending in ``/train`` in the caller
  and a ``@app.post("/train")`` route in a served module.

Search is breadth-first, at most :data:`MAX_DEPTH` hops and :data:`MAX_MODULES` parsed modules per scan,
never through a module twice, so cycles end and a large tree is never parsed to answer one question.

The reverse question, who uses a definition (:meth:`ProjectIndex.users`), screens the listed modules' text for
its name (at most :data:`MAX_SCREENED` files, only when asked) and parses only those that write it.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from mlops_scan.facts.context import FileContext
from mlops_scan.facts.python import Call, PyFacts
from mlops_scan.snapshot.tree import Snapshot
from mlops_scan.types import Zone

MAX_DEPTH = 6
"""Hops followed from a starting module."""
MAX_MODULES = 400
"""Modules the index parses in one scan, whatever the questions."""
MAX_SCREENED = 5000
"""Modules whose text a reverse look-up (who uses a name) searches, nearest folders first."""
MAX_SCREENS = 24
"""Reverse look-ups (names searched for) in one scan."""
MAX_USER_HOPS = 3
"""Hops followed back from a definition to the module that uses it (a helper that wraps it, a module that imports
that helper...)."""
_UNUSED_ZONES = (Zone.VENDORED, Zone.GENERATED, Zone.TESTS, Zone.DOCS, Zone.EXAMPLES)
"""Zones whose modules never make a definition used (a test or an example instantiating a class does not serve it),
unless the definition lives in that zone too."""

_URL_PATH = re.compile(r"""(?:https?://[^/\s"'{}]+|\})(/[A-Za-z_][\w\-/]*)["'/?]""")
"""The path of a URL literal written with a host or a placeholder before it (``f"{base}/train"``)."""


@dataclass(frozen=True)
class Hop:
    """One step of a chain: the place in a module that leads on (a call, an HTTP request, a route)."""

    path: str
    line: int

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


Goal = Callable[[list[Call]], "int | None"]
"""The line of what is looked for among the calls of one function (or module), or None."""
Entry = Callable[["Module"], "int | None"]
"""The line that makes a module an entry of some kind (an app, a served model), or None."""
Span = tuple[int, int]
"""First and last line of a function or class, the part of a module a hop lands in."""


@dataclass
class Module:
    """What the index knows of one parsed module."""

    facts: PyFacts
    text: str
    spans: dict[str, Span]
    """Top-level functions and classes (and ``Class.method``) -> their lines."""
    references: list[tuple[str, int]]
    """Names the code uses that lead to a definition: imported names (``pkg.mod.func``, ``.mod.func``) and the
    module's own top-level functions and classes (``:func``), called or passed on (``add_task(run)``)."""

    def calls(self, span: Span | None) -> list[Call]:
        return self.facts.calls if span is None else [c for c in self.facts.calls if span[0] <= c.line <= span[1]]

    def used(self, span: Span | None) -> list[tuple[str, int]]:
        return self.references if span is None else [r for r in self.references if span[0] <= r[1] <= span[1]]


class ProjectIndex:
    """The repository's own modules, resolved calls and served routes; parsed on demand."""

    def __init__(self, snapshot: Snapshot, routes: dict[str, Hop] | None = None):
        self.snapshot = snapshot
        self.routes = routes or {}
        """Route path -> where it is served (collected while the modules were scanned)."""
        self._modules: dict[str, list[str]] | None = None
        self._parsed: dict[str, Module | None] = {}
        self._users: dict[tuple[str, str], list[tuple[str, int, str]]] = {}

    def _module_map(self) -> dict[str, list[str]]:
        """Every dotted suffix of every listed module path -> the files it may name (from the listing only)."""
        if self._modules is None:
            self._modules = {}
            for entry in self.snapshot.files:
                if entry.suffix != ".py" or entry.zone in (Zone.VENDORED, Zone.GENERATED):
                    continue
                parts = entry.path[:-3].split("/")
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                for start in range(len(parts) - 1, -1, -1):
                    if not parts[start].isidentifier():
                        break
                    self._modules.setdefault(".".join(parts[start:]), []).append(entry.path)
        return self._modules

    def resolve(self, importer: str, name: str) -> tuple[str, str] | None:
        """The file a dotted name used in ``importer`` lives in (``pkg.mod.func`` -> ``pkg/mod.py``), with the rest
        of the name (``func``); None for a name of a third party."""
        name = name.split("(")[0].split("[")[0]
        if name.startswith("."):
            level = len(name) - len(name.lstrip("."))
            folder = importer.split("/")[:-level]
            tail = name.lstrip(".").split(".")
            for cut in range(len(tail), 0, -1):
                base = "/".join(folder + tail[:cut])
                for candidate in (base + ".py", base + "/__init__.py"):
                    if self.snapshot.entry(candidate) is not None:
                        return candidate, ".".join(tail[cut:])
            return None
        modules = self._module_map()
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            files = modules.get(".".join(parts[:cut]))
            if files:
                return _nearest(importer, files), ".".join(parts[cut:])
        return None

    def module(self, path: str) -> Module | None:
        """A module's facts, text and spans, parsed once; None when unreadable, unparsable or over the budget."""
        if path not in self._parsed:
            entry = self.snapshot.entry(path)
            if entry is None or len(self._parsed) >= MAX_MODULES:
                return None
            ctx = FileContext(self.snapshot, entry)
            tree, facts = ctx.tree, ctx.python
            self._parsed[path] = (
                None
                if tree is None or facts is None
                else Module(facts, ctx.text or "", _spans(tree), _references(tree))
            )
        return self._parsed[path]

    def line_text(self, path: str, line: int) -> str:
        """The stripped text of a line of a parsed module (empty when it was not parsed)."""
        module = self.module(path)
        lines = module.text.splitlines() if module is not None else []
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""

    def neighbours(self, path: str, span: Span | None) -> list[tuple[str, Span | None, list[Hop]]]:
        """The functions (or modules) of the repository one hop from ``span`` of ``path``, with the hops there:
        calls of the repository's own functions and classes, and HTTP requests to routes it serves."""
        module = self.module(path)
        if module is None:
            return []
        out: list[tuple[str, Span | None, list[Hop]]] = []
        for name, line in module.used(span):
            found = (path, name[1:]) if name.startswith(":") else self.resolve(path, name)
            if found is None or (found[0] == path and not found[1]):
                continue
            target, rest = found
            landed = self.module(target)
            if landed is not None:
                out.append((target, _span_of(landed, rest), [Hop(path, line)]))
        for match in _URL_PATH.finditer(module.text):
            line = module.text.count("\n", 0, match.start(1)) + 1
            url = match.group(1).rstrip("/")
            route = next((r for p, r in self.routes.items() if url == p or url.endswith(p)), None)
            if route is None or (span is not None and not span[0] <= line <= span[1]):
                continue
            landed = self.module(route.path)
            if landed is not None:
                handler = next((s for s in landed.spans.values() if s[0] <= route.line <= s[1]), None)
                out.append((route.path, handler, [Hop(path, line), route]))
        return out

    def users(self, path: str, name: str) -> list[tuple[str, int, str]]:
        """Where the repository's modules use ``name`` (a top-level function or class of ``path``; ``""`` for the
        module itself): each user module, the line, and the top-level definition the use sits in (``""`` at module
        level). Uses inside the definition itself do not count."""
        key = (path, name)
        if key not in self._users:
            self._users[key] = self._find_users(path, name) if len(self._users) < MAX_SCREENS else []
        return self._users[key]

    def _find_users(self, path: str, name: str) -> list[tuple[str, int, str]]:
        defined = self.module(path)
        if defined is None:
            return []
        own = defined.spans.get(name) if name else None
        parts = path[:-3].split("/")
        word = name or (parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1])
        found: list[tuple[str, int, str]] = []
        for candidate in self._screen(path, re.compile(rf"\b{re.escape(word)}\b")):
            module = self.module(candidate)
            for used, line in module.references if module is not None else []:
                target = (candidate, used[1:]) if used.startswith(":") else self.resolve(candidate, used)
                if target is None or target[0] != path or (candidate == path and (not name or own is None)):
                    continue
                rest = target[1]
                inside = candidate == path and own is not None and own[0] <= line <= own[1]
                if inside or (name and rest != name and not rest.startswith(name + ".")):
                    continue
                assert module is not None
                around = next((n for n, s in module.spans.items() if "." not in n and s[0] <= line <= s[1]), "")
                found.append((candidate, line, around))
        return found

    def _screen(self, path: str, word: re.Pattern[str]) -> list[str]:
        """The listed modules (nearest folders first, at most :data:`MAX_SCREENED`) whose text has ``word``."""
        home = self.snapshot.entry(path)
        allowed = {home.zone} if home is not None else set()
        modules = [
            e.path
            for e in self.snapshot.files
            if e.suffix == ".py" and (e.zone not in _UNUSED_ZONES or e.zone in allowed)
        ]
        modules.sort(key=lambda p: (-_shared(path, p), p))
        out = []
        for candidate in modules[:MAX_SCREENED]:
            text = self.module_text(candidate)
            if text is not None and word.search(text):
                out.append(candidate)
        return out

    def module_text(self, path: str) -> str | None:
        """A module's text: from the parse when it was parsed, else read (bounded by the snapshot's limits)."""
        parsed = self._parsed.get(path)
        return parsed.text if parsed is not None else self.snapshot.read_text(path)

    def used_by(self, path: str, line: int, entry: Entry) -> list[Hop] | None:
        """The shortest chain from the top-level definition at ``line`` of ``path`` back through the modules that use
        it (at most :data:`MAX_USER_HOPS`) to a module where ``entry`` holds: each use, then the entry's line; None
        when nothing that uses it, directly or through the repository's own code, is such an entry."""
        module = self.module(path)
        if module is None:
            return None
        name = next((n for n, s in module.spans.items() if "." not in n and s[0] <= line <= s[1]), "")
        seen = {(path, name)}
        queue: deque[tuple[str, str, list[Hop]]] = deque([(path, name, [])])
        while queue:
            target, target_name, hops = queue.popleft()
            for user, use_line, around in self.users(target, target_name):
                landed = self.module(user)
                entry_line = entry(landed) if landed is not None else None
                if entry_line is not None:
                    return [*hops, Hop(user, use_line), *([Hop(user, entry_line)] if entry_line != use_line else [])]
                if len(hops) + 1 < MAX_USER_HOPS and (user, around) not in seen:
                    seen.add((user, around))
                    queue.append((user, around, [*hops, Hop(user, use_line)]))
        return None

    def reach(self, start: str, goal: Goal, line: int | None = None) -> list[Hop] | None:
        """The shortest chain of hops from ``start`` (from the function or class at ``line``, else the whole module)
        to a function where ``goal`` holds, ending at the goal's line; None when none within :data:`MAX_DEPTH`
        hops has it. The starting function itself is not searched."""
        module = self.module(start)
        span = next((s for s in module.spans.values() if s[0] <= line <= s[1]), None) if module and line else None
        seen: set[tuple[str, Span | None]] = {(start, span)}
        queue: deque[tuple[str, Span | None, list[Hop], int]] = deque([(start, span, [], 0)])
        while queue:
            path, span, hops, depth = queue.popleft()
            if depth >= MAX_DEPTH:
                continue
            for target, target_span, step in self.neighbours(path, span):
                if (target, target_span) in seen:
                    continue
                seen.add((target, target_span))
                landed = self.module(target)
                line = goal(landed.calls(target_span)) if landed is not None else None
                if line is not None:
                    return [*hops, *step, Hop(target, line)]
                queue.append((target, target_span, hops + step, depth + 1))
        return None


def _references(tree: ast.Module) -> list[tuple[str, int]]:
    """Uses of imported names and of the module's own top-level definitions (and of module-level instances of
    them, ``pipe = Pipeline()``; ``self.method`` inside a class), in source order."""
    imported: dict[str, str] = {}
    local = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imported[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (f"{node.module}." if node.module else "")
            imported.update({a.asname or a.name: base + a.name for a in node.names if a.name != "*"})
    known = {**imported, **{name: f":{name}" for name in local}}
    for node in tree.body:  # module-level instances: ``pipe = Pipeline()`` makes ``pipe.run`` ``Pipeline.run``
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            made = dotted_name(node.value.func)
            if made and made.split(".")[0] in known:
                head, _, tail = made.partition(".")
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id not in known:
                        known[target.id] = known[head] + (f".{tail}" if tail else "")
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            dotted = dotted_name(node)
            head, _, tail = (dotted or "").partition(".")
            if head in known and tail:
                out.append((f"{known[head]}.{tail}", node.lineno))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in known:
            out.append((known[node.id], node.lineno))
        elif isinstance(node, ast.ClassDef):
            out += [(f":{node.name}.{attr}", line) for attr, line in _self_uses(node)]
    return sorted(out, key=lambda r: r[1])


def _self_uses(cls: ast.ClassDef) -> list[tuple[str, int]]:
    """``self.name`` uses inside a class's methods, for the methods it defines."""
    methods = {n.name for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return [
        (node.attr, node.lineno)
        for node in ast.walk(cls)
        if isinstance(node, ast.Attribute)
        and node.attr in methods
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    ]


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a name or an attribute chain on a name; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _span_of(module: Module, rest: str) -> Span | None:
    """The lines of the function, class or method ``rest`` names in a module; None (all of it) when unknown."""
    parts = rest.split(".") if rest else []
    for cut in range(min(len(parts), 2), 0, -1):
        span = module.spans.get(".".join(parts[:cut]))
        if span is not None:
            return span
    return None


def _spans(tree: ast.Module) -> dict[str, Span]:
    spans: dict[str, Span] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans[node.name] = (first, node.end_lineno or node.lineno)
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        spans[f"{node.name}.{item.name}"] = (item.lineno, item.end_lineno or item.lineno)
    return spans


def _nearest(importer: str, files: list[str]) -> str:
    """Of several files a dotted name may mean, the one sharing the longest folder prefix with the importer."""
    if len(files) == 1:
        return files[0]
    return max(files, key=lambda f: (_shared(importer, f), -f.count("/"), f))


def _shared(one: str, other: str) -> int:
    """How many leading folders two paths share."""
    n = 0
    for a, b in zip(one.split("/")[:-1], other.split("/")[:-1]):
        if a != b:
            break
        n += 1
    return n
