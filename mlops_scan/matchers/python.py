"""``python`` kind: imports, resolved calls, base classes, decorators and definitions.

Applies to ``.py`` files and notebook code cells. A file is parsed only when it imports a
module some rule names (a cheap regex over import lines decides), once for all rules. The Python
facts, the project index and the chains are imported when a file is scanned or a held match decided
(a rescan whose result is kept needs none of them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import Hit, Matcher, int_list, state_pairs
from mlops_scan.matchers.globs import compile_globs
from mlops_scan.matchers.importlines import import_lines
from mlops_scan.matchers.names import NamePatterns, name_patterns
from mlops_scan.matchers.pyparams import PythonParams
from mlops_scan.matchers.pyscreen import ScreenText, written_pieces
from mlops_scan.matchers.regexes import LazyRegex
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import ProjectInfo, Strength

if TYPE_CHECKING:
    from mlops_scan.facts.index import Hop
    from mlops_scan.facts.python import Call, PyFacts


def _root(name: str) -> str:
    """The first part of a qualified name or of a pattern: a name a pattern without ``*`` in its first part matches
    has the pattern's first part."""
    return name.split(".")[0].split("(")[0]


def _roots(patterns: list[str]) -> set[str]:
    return {_root(p) for p in patterns}


def calls_by_root(facts: PyFacts) -> dict[str, list[str]]:
    """The distinct names a module calls, by their first part (each rule tests only the names under its own)."""
    grouped: dict[str, list[str]] = {}
    for name in dict.fromkeys(c.name for c in facts.calls):
        grouped.setdefault(_root(name), []).append(name)
    return grouped


def _defines(keyword: str, names: list[str]) -> list[LazyRegex]:
    # Starting with the keyword itself (no ``\b``) lets the regex engine jump between its occurrences.
    return [LazyRegex(rf"{keyword}\s+{re.escape(n)}\b") for n in names]


class _Compiled:
    """A python rule with its name patterns compiled."""

    def __init__(self, rule: Rule[PythonParams]) -> None:
        p = rule.params
        self.rule = rule
        self.imports = name_patterns(p.imports, prefix=True)
        self.calls = name_patterns(p.calls)
        self.bases = name_patterns(p.bases)
        self.decorators = name_patterns(p.decorators)
        self.assigns = name_patterns(p.assigns)
        self.with_any = name_patterns(p.with_any, prefix=True)
        self.without_any = name_patterns(p.without_any, prefix=True)
        self.reaches = name_patterns(p.reaches, prefix=True)
        self.used_by = name_patterns(p.used_by)
        self.served = bool(p.used_by or p.used_by_defining)
        self.static_data = name_patterns(p.static_data)
        self.static_sources = name_patterns(p.static_sources)
        self.data_arguments = set(p.static_data_arguments)
        self.kwarg_values = {k: LazyRegex(v) for k, v in p.kwarg_values.items()}
        self.excluded_values = {k: LazyRegex(v) for k, v in p.excluded_values.items()}
        self.classes = set(p.classes)
        self.paths = compile_globs(p.paths) if p.paths else None
        self.roots = _roots(p.imports + p.calls + p.bases + p.decorators + p.assigns)
        self.needs: dict[str, list[tuple[str, ...]]] = {}
        """Necessary conditions on the text, tested before any parse: imported root -> the sets of strings the file
        must hold all of with it, one set per pattern (empty for an import)."""
        for root, written in [(_root(n), ()) for n in p.imports] + [
            (_root(n), written_pieces(n)) for n in p.calls + p.bases + p.decorators + p.assigns
        ]:
            self.needs.setdefault(root, []).append(written)
        self.with_written = [written_pieces(n) for n in p.with_any]
        """With ``with_any``, one of these sets of strings is in a file where the rule matches (for ``reaches`` in a
        module, ``with_any`` may hold in a module it reaches instead)."""
        call_roots = _roots(p.calls)
        self.call_roots = None if any("*" in root for root in call_roots) else sorted(call_roots)
        """The first parts of the names the call patterns can match (None: any name)."""
        self.function_defs = _defines("def", p.functions)
        self.class_defs = _defines("class", p.classes)
        self.notebook_strength = Strength(p.notebook_strength) if p.notebook_strength else None

    def possible(self, text: ScreenText, imported: set[str], notebook: bool) -> bool:
        """Whether the file (a notebook?) can match at all (never False for a file that matches)."""
        alternative = any(text.holds_one(self.needs[root]) for root in self.needs.keys() & imported) or any(
            d.search(text.text) for d in self.class_defs
        )
        if self.function_defs:
            alternative = (alternative or not (self.needs or self.class_defs)) and all(
                d.search(text.text) for d in self.function_defs
            )
        if alternative and self.with_written and (notebook or not self.reaches):
            return text.holds_one(self.with_written)
        return alternative

    def first_match(self, facts: PyFacts, called: dict[str, list[str]]) -> int | None:
        """The line of the first fact matching this rule, or None."""
        lines = self.matches(facts, called)
        return lines[0] if lines else None

    def matches(self, facts: PyFacts, called: dict[str, list[str]], in_file: bool = True) -> list[int]:
        """The lines of every fact matching this rule (empty when it does not match; ``called``: the
        :func:`calls_by_root` of ``facts``); with ``in_file`` False, ``with_any`` is left to be found in the
        functions the file reaches."""
        p = self.rule.params
        lines: list[int] = []
        if self.imports:
            lines += [line for name, line in facts.imports if self.imports.match(name)]
        if self.calls:
            roots = self.call_roots if self.call_roots is not None else called  # each distinct name tested once
            named = {name for root in roots for name in called.get(root, ()) if self.calls.match(name)}
            lines += [c.line for c in facts.calls if c.name in named and self._kwargs_ok(c)]
        ruled_out = {(c.name, c.line) for c in facts.calls if self._excluded(c)} if self.excluded_values else set()
        for regex, found in (
            (self.bases, facts.bases),
            (self.decorators, facts.decorators),
            (self.assigns, facts.assigns),
        ):
            if regex:
                lines += [line for name, line in found if regex.match(name) and (name, line) not in ruled_out]
        lines += [line for name, line in facts.classes if name in self.classes]
        has_alternatives = any((self.imports, self.calls, self.bases, self.decorators, self.assigns, self.classes))
        if p.functions:
            if not all(name in facts.functions for name in p.functions):
                return []
            if not has_alternatives:
                lines = [min(facts.functions[name] for name in p.functions)]
        if in_file and self.with_any and not _uses(self.with_any, facts):
            return []
        if self.without_any and _uses(self.without_any, facts):
            return []
        return sorted(set(lines))

    def is_static_source(self, name: str) -> bool:
        return self.static_sources is not None and self.static_sources.match(name)

    def _kwargs_ok(self, call: Call) -> bool:
        p = self.rule.params
        kwargs = call.kwargs
        if len(call.args) + len(kwargs) < p.min_args or any(k not in kwargs for k in p.kwargs):
            return False
        if not all(
            kwargs.get(k) is not None and regex.search(kwargs[k] or "") for k, regex in self.kwarg_values.items()
        ):
            return False
        return not self._excluded(call)

    def _excluded(self, call: Call) -> bool:
        """An argument's literal value, or the template of a string built from parts (``file://{}``), matches its
        ``excluded_values`` regex."""
        for key, regex in self.excluded_values.items():
            if key in call.nones:
                value: str | None = "None"
            elif key.isdigit():
                value = call.args[int(key)] if int(key) < len(call.args) else None
            else:
                value = call.kwargs.get(key)
            value = value if value is not None else call.templates.get(key)
            if value is not None and regex.search(value):
                return True
        return False


_PLACEHOLDER = re.compile(r"\{\{[^{}]+\}\}")


def _in_package(ctx: FileContext) -> bool:
    """The module belongs to an importable package: a listed ``__init__.py`` beside it, a folder name Python can
    import (or a template placeholder such as ``{{ cookiecutter.package_name }}``, which renders to one)."""
    folders = ctx.path.split("/")[:-1]
    if not folders or any(f.startswith(".") for f in folders):
        return False
    if not (folders[-1].isidentifier() or _PLACEHOLDER.fullmatch(folders[-1])):
        return False
    return ctx.snapshot.entry("/".join(folders) + "/__init__.py") is not None


def _uses(regex: NamePatterns, facts: PyFacts) -> bool:
    """A call or an import of the module matches the regex."""
    return any(regex.match(c.name) for c in facts.calls) or any(regex.match(n) for n, _ in facts.imports)


class PythonMatcher(Matcher[PythonParams]):
    """Serves every ``python`` rule from one parse of each relevant module or notebook."""

    kind = "python"
    Params = PythonParams
    reusable = True
    scan_modules = ("mlops_scan.facts.python", "mlops_scan.facts.routes")

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        super().__init__(rules, project)
        self._rules = [_Compiled(r) for r in self.rules]
        self._by_root: dict[str, list[int]] = {}
        for index, compiled in enumerate(self._rules):
            for root in compiled.roots:
                self._by_root.setdefault(root, []).append(index)
        self._by_definition = [i for i, c in enumerate(self._rules) if c.function_defs or c.class_defs]
        self._follows = any(c.reaches for c in self._rules)
        self._routes: dict[str, Hop] = {}
        self._held: list[tuple[_Compiled, str, list[int]]] = []
        """Matches whose ``with_any`` may hold in a module the file reaches: decided at finish()."""
        self._last: tuple[list[tuple[str, int]], int] = ([], 0)  # the last file's routes, the matches held before it
        # One regex per keyword, the names after it: the engine jumps between the keyword's occurrences.
        functions = "|".join(re.escape(n) for r in self.rules for n in r.params.functions)
        classes = "|".join(re.escape(n) for r in self.rules for n in r.params.classes)
        self._any_definition = [
            re.compile(rf"{keyword}\s+(?:{names})\b")
            for keyword, names in (("def", functions), ("class", classes))
            if names
        ]

    def wants(self, entry: FileEntry) -> bool:
        return entry.suffix in (".py", ".ipynb")

    def _candidates(self, ctx: FileContext) -> list[_Compiled]:
        """Cheap prefilter on the text: the rules that can match this file; it is parsed only if there are some.

        A rule needs one of its modules imported and, for a call, base, decorator or assignment, every name
        of the pattern written in the file (and, with ``with_any``, one of those patterns' names); or the
        functions and classes it names defined. A rule that never matches notebooks is no candidate for one.
        """
        if ctx.is_notebook:  # only code cells can match: outputs and markdown (most of the bytes) are not searched
            cells = ctx.cells
            text = "\n".join(c.source for c in cells) if cells else ""
        else:
            text = ctx.text or ""
        if not text:
            return []
        imported = set()
        for frm, imp in import_lines(text):
            if frm:
                imported.add(frm)
            else:
                imported.update(part.strip().split(".")[0].split(" ")[0] for part in imp.split(","))
        # The repository's own packages never count (see _drop_own): a module importing only them is not parsed.
        imported -= self.project.packages
        indexes = {i for root in imported & self._by_root.keys() for i in self._by_root[root]}
        if any(d.search(text) for d in self._any_definition):
            indexes.update(self._by_definition)
        notebook, screened = ctx.is_notebook, ScreenText(text)
        return [
            self._rules[i]
            for i in sorted(indexes)
            if (self._rules[i].rule.params.notebooks or not notebook)
            and self._rules[i].possible(screened, imported, notebook)
        ]

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        from mlops_scan.facts.routes import routes_of

        routes = routes_of(ctx.text or "") if self._follows and not ctx.is_notebook else []
        self._last = (routes, len(self._held))
        self._add(ctx.path, routes, [])
        candidates = self._candidates(ctx)
        if not candidates:
            return
        facts = ctx.python
        if facts is None:
            return
        facts = self._drop_own(facts)
        called = calls_by_root(facts)
        for compiled in candidates:
            if ctx.is_notebook and not compiled.rule.params.notebooks:
                continue
            if compiled.paths and not compiled.paths.search(ctx.path):
                continue
            if compiled.rule.params.package_only and not _in_package(ctx):
                continue
            found = compiled.first_match(facts, called)
            if compiled.served:  # decided at finish() by what uses it; never in a notebook
                if found is not None and not ctx.is_notebook:
                    self._held.append((compiled, ctx.path, compiled.matches(facts, called)))
                continue
            if compiled.reaches and not compiled.with_any and found is not None:
                from mlops_scan.matchers.pychains import first_call  # with the project index: only for such rules

                found = found if first_call(compiled.reaches, facts.calls) is not None else None  # must reach it
            if found is None:
                if compiled.reaches and not ctx.is_notebook:
                    held = compiled.matches(facts, called, in_file=False)
                    if held:
                        self._held.append((compiled, ctx.path, held))
                continue
            if compiled.static_data and _on_static_data(ctx, facts, compiled):
                continue  # a drift report on a train/test split, not on production data
            file_line = ctx.file_line(found)
            strength = compiled.notebook_strength if ctx.is_notebook else None
            yield Hit(compiled.rule, ctx.path, file_line, ctx.line_text(file_line), strength)

    def file_state(self, path: str) -> object:
        """The file's routes and its held matches (rule id, lines); None when it has neither."""
        routes, held = self._last[0], [[c.rule.id, lines] for c, _, lines in self._held[self._last[1] :]]
        return {"routes": routes, "held": held} if routes or held else None

    def restore_state(self, path: str, state: object) -> Callable[[], None]:
        if state is None:
            return super().restore_state(path, state)
        compiled: dict[object, _Compiled] = {c.rule.id: c for c in self._rules}
        routes = state_pairs(state, "routes", lambda route, line: isinstance(route, str) and type(line) is int)
        held = state_pairs(state, "held", lambda rule, lines: rule in compiled and int_list(lines) and bool(lines))
        return functools.partial(self._add, path, routes, [(compiled[r], path, lines) for r, lines in held])

    def _add(self, path: str, routes: list[tuple[str, int]], held: list[tuple[_Compiled, str, list[int]]]) -> None:
        """What one file adds: its routes (the first file serving a route keeps it) and its held matches."""
        if routes:
            from mlops_scan.facts.index import Hop

            for route, line in routes:
                self._routes.setdefault(route, Hop(path, line))
        self._held += held

    def finish(self, snapshot: Snapshot) -> Iterable[Hit]:
        """The held matches whose file reaches what ``reaches`` names, or that a module ``used_by`` names uses."""
        if not self._held:
            return []
        from mlops_scan.facts.index import ProjectIndex
        from mlops_scan.matchers.pychains import entry_of, goal_of, reached_hit, used_hit

        index = ProjectIndex(snapshot, self._routes)
        hits = []
        for compiled, path, lines in self._held:
            if compiled.served:
                entry = entry_of(compiled.used_by, compiled.rule.params.used_by_defining)
                hit = used_hit(index, compiled.rule, path, lines, entry)
            else:
                assert compiled.reaches is not None
                hit = reached_hit(index, compiled.rule, path, lines, goal_of(compiled.reaches, self._foreign))
            if hit is not None:
                hits.append(hit)
        return hits

    def _foreign(self, name: str) -> bool:
        """The name is not of one of the repository's own packages."""
        return name.split(".")[0].split("(")[0] not in self.project.packages

    def _drop_own(self, facts: PyFacts) -> PyFacts:
        """A repository's own packages never count as using a tool."""
        if not self.project.packages:
            return facts
        from mlops_scan.facts.python import PyFacts

        foreign = self._foreign
        return PyFacts(
            imports=[(n, line) for n, line in facts.imports if foreign(n)],
            calls=[c for c in facts.calls if foreign(c.name)],
            bases=[(n, line) for n, line in facts.bases if foreign(n)],
            decorators=[(n, line) for n, line in facts.decorators if foreign(n)],
            functions=facts.functions,
            assigns=[(n, line) for n, line in facts.assigns if foreign(n)],
            classes=facts.classes,
        )


def _on_static_data(ctx: FileContext, facts: PyFacts, compiled: _Compiled) -> bool:
    """Whether the match measures a static dataset (a train/test split), not production data."""
    from mlops_scan.facts.dataorigin import on_static_data  # the data-origin reader: only for such rules' matches

    assert compiled.static_data is not None
    return on_static_data(
        ctx, facts.calls, compiled.static_data.match, compiled.is_static_source, compiled.data_arguments
    )
