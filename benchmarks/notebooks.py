"""Reading notebooks: mlops-scan's JSON reader against nbformat, on real notebooks.

    python benchmarks/notebooks.py [--trees /work/trees] [--repeat 3] [--json FILE]

Every ``.ipynb`` under ``--trees`` (up to 32 MiB, the default notebook limit) is read into memory
once; then each reader reads all of them, ``--repeat`` times (the best run is kept):

- ``mlops-scan``: ``facts.notebooks.read_cells`` (one ``json.loads``, outputs dropped while parsing);
- ``nbformat.reads``: ``nbformat.reads(text, as_version=4)``, the public API (it validates the
  notebook against the nbformat schema);
- ``nbformat.reader``: ``nbformat.reader.reads(text)``, parsing without validation or conversion.

The same notebooks downgraded to nbformat 3 (``nbformat.convert(nb, 3)``) are then read by
``read_cells`` (which hands a v3 notebook to nbformat's per-cell upgrade) and by
``nbformat.reads(text, as_version=4)`` (upgrade and validation). The code cells each reader finds are
compared, so a faster reader that reads less would show.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat import reader as nbreader

from mlops_scan.facts.notebooks import read_cells

MAX_BYTES = 32 * 1024 * 1024


def load(trees: Path) -> list[str]:
    """The text of every readable notebook under ``trees``."""
    texts = []
    for path in sorted(trees.rglob("*.ipynb")):
        try:
            if path.is_file() and path.stat().st_size <= MAX_BYTES:
                texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def best_time(read: Callable[[str], object], texts: list[str], repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` passes reading every text (a failure counts as read)."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            with contextlib.suppress(Exception):  # a malformed notebook costs what it costs
                read(text)
        runs.append(time.perf_counter() - start)
    return min(runs)


def nbformat_cells(text: str) -> list[str]:
    """The code cells' sources, as ``nbformat.reads(..., as_version=4)`` gives them."""
    nb = nbformat.reads(text, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def our_cells(text: str) -> list[str]:
    return [c.source for c in read_cells(text)]


def downgraded(texts: list[str]) -> list[str]:
    """The notebooks as nbformat 3 documents."""
    out = []
    for text in texts:
        try:
            out.append(nbformat.writes(nbformat.convert(nbformat.reads(text, as_version=4), 3), version=3))
        except Exception:  # one nbformat cannot convert is left out
            continue
    return out


def agreement(texts: list[str]) -> tuple[int, int]:
    """(notebooks whose code cells both readers read alike, notebooks both could read)."""
    same = both = 0
    for text in texts:
        try:
            ours, theirs = our_cells(text), nbformat_cells(text)
        except Exception:  # NotebookError, or nbformat's own
            continue
        both += 1
        same += ours == theirs
    return same, both


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=Path, default=Path("/work/trees"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    logging.getLogger("traitlets").setLevel(logging.CRITICAL)  # nbformat logs each invalid notebook
    texts = load(args.trees)
    v3 = downgraded(texts)
    figures = {
        "notebooks": len(texts),
        "megabytes": round(sum(len(t.encode()) for t in texts) / 2**20, 1),
        "v4": {
            "mlops-scan": best_time(read_cells, texts, args.repeat),
            "nbformat.reads": best_time(lambda t: nbformat.reads(t, as_version=4), texts, args.repeat),
            "nbformat.reader": best_time(nbreader.reads, texts, args.repeat),
        },
        "v3_notebooks": len(v3),
        "v3": {
            "mlops-scan": best_time(read_cells, v3, args.repeat),
            "nbformat.reads": best_time(lambda t: nbformat.reads(t, as_version=4), v3, args.repeat),
        },
        "agreement_v4": agreement(texts),
        "agreement_v3": agreement(v3),
    }
    for kind in ("v4", "v3"):
        base = figures[kind]["mlops-scan"]
        for name, seconds in figures[kind].items():
            print(f"{kind} {name:<16} {seconds:8.3f} s  {seconds / base:6.2f}x")
    print(f"{figures['notebooks']} notebooks ({figures['megabytes']} MiB), {figures['v3_notebooks']} downgraded to v3")
    print(f"code cells read alike: v4 {figures['agreement_v4']}, v3 {figures['agreement_v3']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
