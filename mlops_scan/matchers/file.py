"""``file`` kind: a file exists at a path glob, optionally with a line matching a regex."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import Hit, Matcher
from mlops_scan.matchers.globs import GlobIndex, compile_globs
from mlops_scan.matchers.regexes import ScreenedRegex
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry
from mlops_scan.types import ProjectInfo

_COMMENT = re.compile(r"^\s*(#|//|;|<!--|--\s)")


@dataclass(frozen=True)
class FileParams:
    """Params of a ``file`` rule."""

    paths: list[str]
    """Path globs (``**/`` any folders; a glob without ``/`` matches the name anywhere)."""
    pattern: str | None = None
    """Regex searched in multi-line mode (``^`` and ``$`` at each line); the rule fires at the line of the first match.
    Without it, the file's existence fires. A regex that cannot match a line break (``[ \\t]`` where ``\\s`` would
    also match one) is tried only on the lines holding the strings its every match holds: far faster on large files."""
    comments: bool = False
    """Also search comment lines (``#``, ``//``, ``;``, ``<!--``, ``-- ``); by default commented-out lines never match."""
    not_paths: list[str] = field(default_factory=list)
    """Path globs left out, tested like ``paths`` (``'**/.*/**'``: nothing under a dot-folder)."""

    def __post_init__(self) -> None:
        """Reject well-typed but meaningless values (ValueError, or re.error for a bad regex)."""
        if not self.paths:
            raise ValueError("paths must list at least one glob")
        if self.pattern is not None:
            re.compile(self.pattern)


class FileMatcher(Matcher[FileParams]):
    """Matches files by path and, optionally, by a line of content."""

    kind = "file"
    Params = FileParams
    reusable = True

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        super().__init__(rules, project)
        self._compiled = [
            (
                rule,
                compile_globs(rule.params.paths),
                ScreenedRegex(rule.params.pattern, re.M) if rule.params.pattern else None,
            )
            for rule in self.rules
        ]
        self._excluded = [
            compile_globs(rule.params.not_paths) if rule.params.not_paths else None for rule in self.rules
        ]
        self._any = compile_globs([g for rule in self.rules for g in rule.params.paths])
        self._index = GlobIndex([rule.params.paths for rule in self.rules])

    def wants(self, entry: FileEntry) -> bool:
        return bool(self._any.search(entry.path))

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        decided = self._index.decided(ctx.path)
        for index in self._index.candidates(ctx.path):
            rule, paths, pattern = self._compiled[index]
            excluded = self._excluded[index]
            if index not in decided and not paths.search(ctx.path):
                continue
            if excluded is not None and excluded.search(ctx.path):
                continue
            if pattern is None:
                yield Hit(rule, ctx.path, None, "file present")
                continue
            if not _may_match(pattern, ctx):
                continue
            text = ctx.text
            if not text:
                continue
            for match in pattern.finditer(text):
                found = match.group(0)
                start = match.start() + len(found) - len(found.lstrip())  # `^\s*` may begin on blank lines above
                line_no, line = ctx.line_at(start)
                if rule.params.comments or not _COMMENT.match(line):
                    yield Hit(rule, ctx.path, line_no, line.strip()[:160])
                    break


def _may_match(pattern: ScreenedRegex, ctx: FileContext) -> bool:
    """The pattern's screen on the file's bytes while they need no decoding to be screened, else on its text."""
    data = ctx.screenable_bytes()
    verdict = pattern.may_match_bytes(data) if data is not None else None
    if verdict is not None:
        return verdict
    text = ctx.text
    return text is not None and pattern.may_match(text)
