"""Read notebooks: code cells, with the line each cell's source starts on in the file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_MAGIC = re.compile(r"^\s*[%!]")


class NotebookError(Exception):
    """The file is not a notebook nbformat can read; the message says why."""


@dataclass(frozen=True)
class Cell:
    """One code cell of a notebook."""

    source: str
    """The cell's code."""
    first_line: int
    """1-based line in the .ipynb file where the cell's source starts (best effort)."""
    has_output: bool
    """The cell holds stored outputs or an execution count (it was run by hand)."""


def read_cells(text: str) -> list[Cell]:
    """The code cells of an .ipynb document (nbformat v3 or v4), outputs dropped."""
    import nbformat.reader  # lazy: only paid for repositories with notebooks

    try:
        node = nbformat.reader.reads(text)
    except nbformat.reader.NotJSONError as exc:
        raise NotebookError("malformed notebook: not valid JSON") from exc
    except Exception as exc:  # nbformat raises several types for unsupported documents
        raise NotebookError(f"malformed notebook: {str(exc).splitlines()[0][:120] if str(exc) else exc.__class__.__name__}") from exc
    major = node.get("nbformat") if isinstance(node, dict) else None
    if major == 4:
        raw_cells = node.get("cells")
    elif major == 3:
        raw_cells = [c for ws in node.get("worksheets") or [] if isinstance(ws, dict) for c in ws.get("cells") or []]
    else:
        raise NotebookError(f"unsupported notebook format version {major!r}")
    if not isinstance(raw_cells, list):
        raise NotebookError("malformed notebook: 'cells' is not a list")
    cells: list[Cell] = []
    offset = 0
    for raw in raw_cells:
        if not isinstance(raw, dict) or raw.get("cell_type") != "code":
            continue
        source = raw.get("source", raw.get("input", ""))
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            parts = source
            source = "".join(source)
        elif isinstance(source, str):
            parts = source.splitlines(keepends=True)
        else:
            continue  # non-string source: nothing to analyse in this cell
        offset, line = _locate(text, parts, offset)
        has_output = bool(raw.get("outputs")) or raw.get("execution_count") is not None
        cells.append(Cell(source, line, has_output))
    return cells


def _locate(text: str, parts: list[str], offset: int) -> tuple[int, int]:
    """Find the cell's first source line in the raw JSON text after ``offset``."""
    for part in parts:
        if part.strip():
            needle = json.dumps(part, ensure_ascii=False)[:-1]  # without the closing quote
            found = text.find(needle, offset)
            if found < 0:
                needle = json.dumps(part)[:-1]
                found = text.find(needle, offset)
            if found >= 0:
                return found + len(needle), text.count("\n", 0, found) + 1
            break
    return offset, text.count("\n", 0, offset) + 1


def code_lines(source: str) -> int:
    """Non-blank lines that are neither comments nor magics (``%``/``!``)."""
    return sum(1 for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#") and not _MAGIC.match(line))


def as_python(cells: list[Cell]) -> tuple[str, list[int]]:
    """The cells joined as one Python module (magics commented out) and a map from its lines to file lines."""
    lines: list[str] = []
    line_map: list[int] = []
    for cell in cells:
        for i, line in enumerate(cell.source.splitlines()):
            lines.append("#" + line if _MAGIC.match(line) else line)
            line_map.append(cell.first_line + i)
        lines.append("")
        line_map.append(cell.first_line)
    return "\n".join(lines), line_map
