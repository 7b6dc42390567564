"""One file's content and its parsed forms, each computed at most once for all matchers."""

from __future__ import annotations

import ast
import dataclasses
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlops_scan import tomlparse
from mlops_scan.facts import blobcache
from mlops_scan.facts.parsetime import ParseTimeout, time_bound
from mlops_scan.snapshot.text import decode, printable
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import Skipped

if TYPE_CHECKING:
    from yaml.nodes import Node

    from mlops_scan.facts import notebooks
    from mlops_scan.facts import python as pyfacts

_UNSET: Any = object()
_OTHER_ASCII_BREAKS = ("\r", "\v", "\f", "\x1c", "\x1d", "\x1e")
"""The ASCII characters besides ``\\n`` that end a line for ``str.splitlines``."""
_OTHER_BREAKS = (*_OTHER_ASCII_BREAKS, "\x85", "\u2028", "\u2029")
"""All the characters besides ``\\n`` that end a line for ``str.splitlines``."""


class FileContext:
    """Lazy, memoized views of one listed file: text, lines, Python facts, YAML nodes, notebook cells, TOML. Each
    parser's module is imported when a file first needs it (a rescan that replays every file needs none)."""

    def __init__(self, snapshot: Snapshot, entry: FileEntry, skipped: list[Skipped] | None = None):
        self.snapshot = snapshot
        self.entry = entry
        self.path = entry.path
        self._text: str | None = _UNSET
        self._undecoded: bytes | None = None
        self._lines: list[str] | None = None
        self._newlines = (0, 0)
        """An offset of the text and the ``\\n`` before it, where :meth:`line_at` last counted to."""
        self._breaks_plain: bool | None = None
        self._tree: ast.Module | None = _UNSET
        self._facts: pyfacts.PyFacts | None = _UNSET
        self._yaml: list[Node] = _UNSET
        self._cells: list[notebooks.Cell] | None = _UNSET
        self._toml: dict[str, Any] | None = _UNSET
        self.line_map: list[int] | None = None
        """For notebooks: maps a line of the joined code cells to a line of the .ipynb file."""
        self.parsed: list[str] = []
        """The parsers that ran on this file (for the report's inspection counts)."""
        self.skipped: list[Skipped] = [] if skipped is None else skipped
        """What could not be parsed, and why (the Evidence stage gathers these; ``skipped``: a list to share)."""
        self._timed_out_once = False
        self._replayed = False

    @property
    def text(self) -> str | None:
        """Decoded text, or None when the file is skipped (binary, too large, unreadable)."""
        if self._text is _UNSET:
            if self._undecoded is not None:
                self._text, self._undecoded = decode(self._undecoded), None
            else:
                self._text = self.snapshot.read_text(self.path)
        return self._text

    def screenable_bytes(self) -> bytes | None:
        """The file's bytes, read but not decoded, when an ASCII string is in them exactly when it is in the text
        (:meth:`Snapshot.read_screenable`); None when the text is to be searched (decoded already, or read as text:
        UTF-16, binary, unreadable, kept for references)."""
        if self._text is _UNSET and self._undecoded is None:
            read = self.snapshot.read_screenable(self.path)
            if isinstance(read, bytes):
                self._undecoded = read
            else:
                self._text = read
        return self._undecoded

    @property
    def text_loaded(self) -> bool:
        """The file was read (or its read attempted) through this context."""
        return self._text is not _UNSET or self._undecoded is not None

    @property
    def timed_out(self) -> bool:
        """A parse of this file ran past the time limit (its results depend on the machine's speed)."""
        return self._timed_out_once

    @property
    def lines(self) -> list[str]:
        """The text split into lines (empty when unreadable)."""
        if self._lines is None:
            self._lines = self.text.splitlines() if self.text else []
        return self._lines

    def line_at(self, offset: int) -> tuple[int, str]:
        """The 1-based number of the line holding ``offset`` of the text (``\\n`` before it, counted on from the last
        offset asked for when it lies further on), and that line of :attr:`lines` ('' past the end). The line is cut
        out of the text when only ``\\n`` ends its lines: a large file (a notebook with outputs) is not split whole for
        one line."""
        text = self.text or ""
        start, before = self._newlines if offset >= self._newlines[0] else (0, 0)
        number = before + text.count("\n", start, offset) + 1
        self._newlines = (offset, number - 1)
        if self._lines is None and self._plain_breaks(text):
            first = text.rfind("\n", 0, offset) + 1
            end = text.find("\n", offset)
            return number, text[first : end if end >= 0 else len(text)]
        return number, self.lines[number - 1] if number <= len(self.lines) else ""

    def _plain_breaks(self, text: str) -> bool:
        """Whether ``\\n`` alone ends the text's lines (then ``splitlines`` splits where ``\\n`` is)."""
        if self._breaks_plain is None:
            others = _OTHER_ASCII_BREAKS if text.isascii() else _OTHER_BREAKS
            self._breaks_plain = not any(brk in text for brk in others)
        return self._breaks_plain

    def line_text(self, line: int | None) -> str:
        """The stripped text of a 1-based line of the file (for snippets)."""
        if line and 0 < line <= len(self.lines):
            return printable(self.lines[line - 1].strip()[:160])
        return ""

    def skip(self, reason: str) -> None:
        """Record that this file (or a part of it) was not analysed, and why."""
        self.skipped.append(Skipped(self.path, printable(reason)))

    def _timed_out(self, parser: str) -> None:
        self._timed_out_once = True
        self.skip(f"{parser} parse took longer than {self.snapshot.limits.parse_timeout:g} s: not analysed")

    @property
    def is_notebook(self) -> bool:
        """An .ipynb file."""
        return self.entry.suffix == ".ipynb"

    @property
    def cells(self) -> list[notebooks.Cell] | None:
        """Code cells of a notebook, or None (and a recorded skip) when it is malformed."""
        if self._cells is _UNSET:
            from mlops_scan.facts import notebooks

            self._cells = None
            if self.text is not None:
                self.parsed.append("notebook")
                problems: list[str] = []
                try:
                    with time_bound(self.snapshot.limits.parse_timeout):
                        self._cells = notebooks.read_cells(self.text, problems)
                except notebooks.NotebookError as exc:
                    self.skip(str(exc))
                except ParseTimeout:
                    self._timed_out("notebook")
                for problem in problems:
                    self.skip(problem)
        return self._cells

    @property
    def python(self) -> pyfacts.PyFacts | None:
        """Facts of a .py module or of a notebook's code cells; None when it does not parse."""
        if self._facts is _UNSET:
            self._facts = None
            if self.is_notebook:
                if self.cells is None:
                    return None
                from mlops_scan.facts.notebooks import as_python

                source, self.line_map = as_python(self.cells)
                if not self._cached_python():
                    self._facts = self._parse_python(source) or (None if self._timed_out_once else self._parse_cells())
                    self._cache_python()
            elif not self._cached_python() and self.tree is not None:
                self._facts = self._extract(self.tree)
                self._cache_python()
        return self._facts

    def _cache_key(self) -> tuple[blobcache.BlobCache, str] | None:
        """The active facts cache and this file's blob id, when both are known."""
        cache, ids = blobcache.active(), self.snapshot.blob_ids
        if cache is None or ids is None or self.text is None or self.path not in ids:
            return None
        return cache, ids[self.path]

    def _cached_python(self) -> bool:
        """Take the Python facts from the facts cache, replaying the parse counts; False on a miss."""
        found = self._cache_key()
        if found is None:
            return False
        from mlops_scan.facts import factcodec  # the facts cache's codec: only with the cache on

        value = found[0].get(self._cache_kind, found[1])
        try:
            facts = factcodec.decode(value["facts"])  # type: ignore[index]
            parses, by_cells = value["parses"], value["by_cells"]  # type: ignore[index]
        except (ValueError, TypeError, KeyError):
            return False
        if type(parses) is not int or not 0 < parses <= 10_000 or type(by_cells) is not bool:
            return False
        self._facts = facts
        self._replayed = True
        self.parsed += ["python"] * parses
        if by_cells:
            self.line_map = None
        return True

    def _cache_python(self) -> None:
        """Keep facts that parsed within the time limit for the next scan."""
        found = self._cache_key()
        if found is None or self._facts is None or self._timed_out_once:
            return
        from mlops_scan.facts import factcodec

        try:
            facts = factcodec.encode(self._facts)
        except TypeError:
            return
        value = {"facts": facts, "parses": self.parsed.count("python"), "by_cells": self.line_map is None}
        found[0].put(self._cache_kind, found[1], value)

    @property
    def _cache_kind(self) -> str:
        return "notebook-python" if self.is_notebook else "python"

    @property
    def tree(self) -> ast.Module | None:
        """The AST of a ``.py`` module, parsed once for every reader (facts, setup.py readers); None when it
        does not parse (recorded as skipped)."""
        if self._tree is _UNSET:
            self._tree = None
            if not self.is_notebook and self.text is not None:
                self._tree = self._parse(self.text)
                if self._tree is None and not self._timed_out_once:
                    self.skip("Python syntax error: not analysed")
        return self._tree

    def _parse_python(self, source: str) -> pyfacts.PyFacts | None:
        tree = self._parse(source)
        return None if tree is None else self._extract(tree)

    def _parse(self, source: str) -> ast.Module | None:
        if not self._replayed:  # a module whose facts came from the cache was counted then
            self.parsed.append("python")
        try:
            with time_bound(self.snapshot.limits.parse_timeout), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes in the scanned source are not our warnings
                return ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        except ParseTimeout:
            self._timed_out("Python")
            return None

    def _extract(self, tree: ast.Module) -> pyfacts.PyFacts | None:
        from mlops_scan.facts import python as pyfacts

        try:
            with time_bound(self.snapshot.limits.parse_timeout):
                return pyfacts.extract(tree)
        except RecursionError:
            return None
        except ParseTimeout:
            self._timed_out("Python")
            return None

    def _parse_cells(self) -> pyfacts.PyFacts | None:
        """Notebook whose cells do not parse together: keep the facts of each cell that parses. A cell on its own
        resolves names only through its own imports, and only its imports, classes and what resolves are kept: a cell
        with no ``import`` and no ``class`` gives nothing, and is not parsed."""
        from mlops_scan.facts import python as pyfacts
        from mlops_scan.facts.notebooks import as_python

        merged = pyfacts.PyFacts()
        parsed_any = False
        for cell in self.cells or []:
            if "import" not in cell.source and "class" not in cell.source:
                continue
            source, _ = as_python([cell])
            facts = self._parse_python(source)
            if facts is None:
                continue
            parsed_any = True
            shift = cell.first_line - 1
            merged.imports += [(n, line + shift) for n, line in facts.imports]
            merged.calls += [dataclasses.replace(c, line=c.line + shift) for c in facts.calls]
            merged.bases += [(n, line + shift) for n, line in facts.bases]
            merged.decorators += [(n, line + shift) for n, line in facts.decorators]
            merged.assigns += [(n, line + shift) for n, line in facts.assigns]
            merged.classes += [(n, line + shift) for n, line in facts.classes]
        self.line_map = None  # lines above are already file lines
        return merged if parsed_any else None

    def file_line(self, line: int) -> int:
        """Map a line of the analysed source to a line of the file (notebooks differ)."""
        if self.line_map is not None and 0 < line <= len(self.line_map):
            return self.line_map[line - 1]
        return line

    @property
    def yaml(self) -> list[Node]:
        """Root nodes of each YAML document that parses (templated manifests are de-templated first)."""
        if self._yaml is _UNSET:
            self._yaml = []
            if self.text is not None:
                self._yaml = self._compose([(0, self.text)])
        return self._yaml

    def adopt_yaml(self, other: FileContext) -> None:
        """Take the YAML nodes another context of this file composed from the same text (a template a CI file called
        before the pass reached it), with the problems composing them found: as if composed here. Nothing is taken
        from a compose that ran out of time (the next one may not), nor once this context composed its own."""
        if self._yaml is not _UNSET or other._yaml is _UNSET or other.timed_out or other.path != self.path:
            return
        if other.text is None or other.text != self.text:
            return
        self._yaml = other._yaml
        self.parsed.append("yaml")
        self.skipped.extend(s for s in other.skipped if s.path == self.path)

    def yaml_documents(self, wanted: Callable[[str], bool]) -> list[Node]:
        """Like ``yaml``, but only the documents whose text ``wanted`` accepts are composed, each on its own
        (lines kept, a malformed one hides no other): much cheaper for a stream of large documents few of
        which matter. Not memoized; a stream already composed whole (or of one document) is read whole."""
        if self._yaml is not _UNSET or self.text is None:
            return self.yaml
        from mlops_scan.facts import yamlnodes

        chunks = yamlnodes.split_documents(self.text)
        if chunks is None or len(chunks) == 1:
            return self.yaml if chunks is None or wanted(chunks[0][1]) else []
        kept = [(line, chunk) for line, chunk in chunks if wanted(chunk)]
        return self._compose(kept) if kept else []

    def _compose(self, chunks: list[tuple[int, str]]) -> list[Node]:
        """Compose each (first line, text) part of the stream within the node and time limits; a part that
        fails is read again de-templated when it holds template directives; problems are recorded as skips."""
        from mlops_scan.facts import yamlnodes

        self.parsed.append("yaml")
        limit = self.snapshot.limits.max_yaml_nodes
        out: list[Node] = []
        errors: list[str] = []
        try:
            with time_bound(self.snapshot.limits.parse_timeout):
                for line, chunk in chunks:
                    text = "\n" * line + chunk if line else chunk  # line numbers of the whole file
                    docs, error = yamlnodes.compose_documents(text, limit)
                    if error and ("{{" in chunk or "{%" in chunk):
                        docs, error = yamlnodes.compose_documents(yamlnodes.detemplate(text), limit, strict_keys=False)
                    out += docs
                    errors += [error] if error else []
        except ParseTimeout:
            out, errors = [], []
            self._timed_out("YAML")
        if errors:
            self.skip(errors[0] + (f" ({len(out)} other document(s) read)" if out else ""))
        return out

    @property
    def toml(self) -> dict[str, Any] | None:
        """The parsed TOML document, or None (and a recorded skip) when it is malformed."""
        if self._toml is _UNSET:
            self._toml = None
            if self.text is not None:
                self.parsed.append("toml")
                try:
                    with time_bound(self.snapshot.limits.parse_timeout):
                        self._toml = tomlparse.loads(self.text)
                except ValueError as exc:  # TOMLDecodeError
                    self.skip(f"malformed TOML: {str(exc)[:160]}")
                except RecursionError:
                    self.skip("malformed TOML: nested too deeply")
                except ParseTimeout:
                    self._timed_out("TOML")
        return self._toml
