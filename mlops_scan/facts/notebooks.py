"""Read notebooks: code cells, with the line each cell's source starts on in the file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_MAGIC = re.compile(r"^\s*[%!]")
_ASSIGNED_MAGIC = re.compile(r"^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)[%!]")
"""``out = !cmd`` / ``x = %time f()``: the value becomes ``None`` so the cell still parses."""
DATABRICKS_HEADER = "# Databricks notebook source"
"""First line of a notebook exported by Databricks as a ``.py`` file."""
_JUPYTEXT_HEADER = re.compile(r"\A(?:#!.*\n)?(?:#.*\n)*?#\s+jupytext:")
_PERCENT_CELL = re.compile(r"^# %%", re.M)


def is_text_notebook(text: str, in_package: bool = False) -> bool:
    """A ``.py`` file that is a notebook: a Databricks export, a Jupytext notebook (its header), or a
    percent-format script (``# %%`` cells) outside a package: inside one, editors' cell markers are
    only section comments of a module."""
    if text.startswith(DATABRICKS_HEADER) or ("jupytext:" in text and _JUPYTEXT_HEADER.search(text)):
        return True
    return not in_package and "# %%" in text and bool(_PERCENT_CELL.search(text))


class NotebookError(Exception):
    """The file is not a notebook (nbformat 1 to 4 JSON); the message says why."""


@dataclass(frozen=True)
class Cell:
    """One code cell of a notebook."""

    source: str
    """The cell's code."""
    first_line: int
    """1-based line in the .ipynb file where the cell's source starts (best effort)."""
    has_output: bool
    """The cell holds stored outputs or an execution count (it was run by hand)."""


def read_cells(text: str, problems: list[str] | None = None) -> list[Cell]:
    """The code cells of an .ipynb document (nbformat 4 read here; 1 to 3 upgraded by nbformat).

    The document is decoded by the C decoder alone (a hook dropping each cell's outputs as it is read ran Python code
    for every JSON object, twice the cost); the outputs, kept until the cells are read, take at most some 16 times
    the notebook's bytes (a list of numbers), and a notebook is read only within the size limit (2 MiB by default).

    Cells that cannot be analysed (a source that is not text) are left out; when ``problems``
    is given, a sentence for each is appended to it.
    """
    try:
        node = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"malformed notebook: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise NotebookError("malformed notebook: nested too deeply") from exc
    if not isinstance(node, dict):
        raise NotebookError("malformed notebook: not a JSON object")
    major = node.get("nbformat")
    if major == 4 and not isinstance(major, bool):
        raw_cells = node.get("cells")
    elif major in (1, 2, 3) and not isinstance(major, bool):
        if major > 1 and not isinstance(node.get("worksheets"), list):
            raise NotebookError("malformed notebook: 'worksheets' is not a list")
        raw_cells = _upgraded_cells(text, major)
    else:
        raise NotebookError(
            f"unsupported notebook format version {repr(major)[:20]}"
            if major is not None
            else "malformed notebook: no 'nbformat' version"
        )
    if not isinstance(raw_cells, list):
        raise NotebookError("malformed notebook: 'cells' is not a list")
    cells: list[Cell] = []
    locator = _Locator(text)
    for number, raw in enumerate(raw_cells, 1):
        if not isinstance(raw, dict) or raw.get("cell_type") != "code":
            continue
        source = raw.get("source", raw.get("input", ""))
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            parts = source
            source = "".join(source)
        elif isinstance(source, str):
            parts = source.splitlines(keepends=True)
        else:
            if problems is not None:
                problems.append(f"cell {number} has a source that is not text: cell not analysed")
            continue
        has_output = bool(raw.get("outputs")) or raw.get("execution_count") is not None
        cells.append(Cell(source, locator.line_of(parts), has_output))
    return cells


def _upgraded_cells(text: str, major: int) -> list[Any]:
    """The cells of an nbformat 1-3 notebook upgraded to version 4 by nbformat, without schema validation: each
    version's upgrade up to 3, then v4's cell upgrade (``input`` becomes ``source``, ``prompt_number``
    ``execution_count``, heading cells markdown). Only old notebooks come here, so nbformat is imported for them."""
    from nbformat import reader, versions
    from nbformat.v4.convert import upgrade_cell

    try:
        nb = reader.reads(text)  # type: ignore[no-untyped-call]
        for version in range(major + 1, 4):
            nb = versions[version].upgrade(nb)
        sheets = nb.get("worksheets") or []
        return [upgrade_cell(cell) for sheet in sheets for cell in sheet.get("cells") or []]  # type: ignore[no-untyped-call]
    except Exception as exc:  # nbformat's readers raise many kinds on a malformed old notebook
        raise NotebookError(
            f"malformed notebook: nbformat {major} notebook not readable ({type(exc).__name__})"
        ) from None


class _Locator:
    """Finds where each cell's source starts in the raw JSON text, moving forward only.

    Lines are counted incrementally and failed searches are limited, so locating every cell
    costs a bounded number of passes over the text however many cells there are.
    """

    MAX_MISSES = 16

    def __init__(self, text: str):
        self.text = text
        self.offset = 0
        self.line = 1
        self.misses = 0

    def line_of(self, parts: list[str]) -> int:
        part = next((p for p in parts if p.strip()), None)
        if part is None or self.misses >= self.MAX_MISSES:
            return self.line
        bare = part.rstrip("\r\n")  # nbformat 1-2 stored a cell's lines without their line breaks
        tried: set[str] = set()
        for text, ascii in ((part, False), (part, True), (bare, False), (bare, True)):
            needle = json.dumps(text, ensure_ascii=ascii)[:-1]  # each made only when the ones before are not found
            if needle in tried:
                continue
            tried.add(needle)
            found = self.text.find(needle, self.offset)
            if found >= 0:
                self.line += self.text.count("\n", self.offset, found)
                self.offset = found + len(needle)
                return self.line
        self.misses += 1
        return self.line


_CODE_LINE = re.compile(r"^[^\S\n]*[^\s#%!].*", re.M)
"""A code line, matched to its end so the search resumes on the next line."""
_RARE_BREAKS = re.compile(r"\r(?!\n)|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""Line breaks ``str.splitlines`` honours besides ``\\n`` and ``\\r\\n``."""
_ASCII_BREAK_MARKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
"""The ASCII characters of those breaks: an ASCII text holding none has none (each a fast substring test;
the regex above tests a character class at every position, 60 times slower)."""


def _rare_breaks(source: str) -> bool:
    if source.isascii() and not any(mark in source for mark in _ASCII_BREAK_MARKS):
        return False
    return _RARE_BREAKS.search(source) is not None


def code_lines(source: str) -> int:
    """Non-blank lines that are neither comments nor magics (``%``/``!``)."""
    if not _rare_breaks(source):  # one regex pass instead of a Python loop over the lines
        return len(_CODE_LINE.findall(source))
    return sum(
        1
        for line in source.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and not _MAGIC.match(line)
    )


def as_python(cells: list[Cell]) -> tuple[str, list[int]]:
    """The cells joined as one Python module (magics commented out) and a map from its lines to file lines."""
    lines: list[str] = []
    line_map: list[int] = []
    for cell in cells:
        for i, line in enumerate(cell.source.splitlines()):
            if "%" in line or "!" in line:  # a magic's mark; most lines have none
                line = "#" + line if _MAGIC.match(line) else _ASSIGNED_MAGIC.sub(r"\1None  #", line)
            lines.append(line)
            line_map.append(cell.first_line + i)
        lines.append("")
        line_map.append(cell.first_line)
    return "\n".join(lines), line_map
