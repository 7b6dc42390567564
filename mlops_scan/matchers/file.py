"""``file`` kind: a file exists at a path glob, optionally with a line matching a regex."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlops_scan.filecontext import FileContext
from mlops_scan.matchers.base import GlobSet, Hit, Matcher, compile_globs
from mlops_scan.rules import Rule
from mlops_scan.snapshot import FileEntry

_COMMENT = re.compile(r"^\s*(#|//|;|<!--|--\s)")
_WILDCARD = re.compile(r"[*?{}\[\]]")


def _extension(glob: str) -> str | None:
    """The extension (from the last dot) of every file name the glob matches, or None when it varies."""
    tail = _WILDCARD.split(glob.rsplit("/", 1)[-1])[-1]
    return tail[tail.rfind("."):] if "." in tail else None


@dataclass(frozen=True)
class FileParams:
    """Params of a ``file`` rule."""

    paths: list[str]
    """Path globs (``**/`` any folders; a glob without ``/`` matches the name anywhere)."""
    pattern: str | None = None
    """Regex searched line by line; the rule fires at the first matching line. Without it, the file's existence fires."""
    comments: bool = False
    """Also search comment lines (``#``, ``//``); by default commented-out lines never match."""


class FileMatcher(Matcher):
    """Matches files by path and, optionally, by a line of content."""

    kind = "file"
    Params = FileParams

    @classmethod
    def check_params(cls, params: FileParams) -> None:
        if not params.paths:
            raise ValueError("paths must list at least one glob")
        if params.pattern is not None:
            re.compile(params.pattern)

    def __init__(self, rules, project):  # type: ignore[no-untyped-def]
        super().__init__(rules, project)
        self._compiled = [
            (rule, compile_globs(rule.params.paths), re.compile(rule.params.pattern, re.M) if rule.params.pattern else None)
            for rule in rules
        ]
        self._any = compile_globs([g for rule in rules for g in rule.params.paths])
        # Rules by the extension all their globs imply (``*.py`` -> ``.py``); None: any file may match.
        self._by_extension: dict[str | None, list[int]] = {}
        for index, rule in enumerate(rules):
            extensions = {_extension(g) for g in rule.params.paths}
            for ext in extensions if None not in extensions else {None}:
                self._by_extension.setdefault(ext, []).append(index)
        self._for_extension: dict[str, list[tuple[Rule, GlobSet, re.Pattern[str] | None]]] = {}

    def _rules_for(self, path: str) -> list[tuple[Rule, GlobSet, re.Pattern[str] | None]]:
        """The rules whose globs can match a file with this path's extension, in pack order."""
        name = path[path.rfind("/") + 1:]
        ext = name[name.rfind("."):] if "." in name else ""
        found = self._for_extension.get(ext)
        if found is None:
            indexes = sorted(self._by_extension.get(ext, []) + self._by_extension.get(None, []))
            found = self._for_extension[ext] = [self._compiled[i] for i in indexes]
        return found

    def wants(self, entry: FileEntry) -> bool:
        return bool(self._any.search(entry.path))

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        for rule, paths, pattern in self._rules_for(ctx.path):
            if not paths.search(ctx.path):
                continue
            if pattern is None:
                yield Hit(rule, ctx.path, None, "file present")
                continue
            text = ctx.text
            if not text:
                continue
            for match in pattern.finditer(text):
                line_no = text.count("\n", 0, match.start()) + 1
                line = ctx.lines[line_no - 1] if line_no <= len(ctx.lines) else ""
                if rule.params.comments or not _COMMENT.match(line):
                    yield Hit(rule, ctx.path, line_no, line.strip()[:160])
                    break
