"""The two baselines a scan is compared with, each run as its own process by ``run.py``.

``read``: list the tree and read every relevant file once (the floor).
``naive``: the same, and parse every ``.py`` with ``ast``, every notebook with ``json`` and
every YAML file with PyYAML's safe loader (the scanner not to be).

Usage: ``python baselines.py read|naive ROOT LISTFILE`` where LISTFILE holds the relevant
paths, NUL-separated. Prints one JSON line: files listed, files read, bytes read.
"""

from __future__ import annotations

import json
import os
import sys


def _listed(root: str) -> int:
    count = 0
    for _folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        count += len(files)
    return count


def main(mode: str, root: str, list_file: str) -> None:
    with open(list_file, "rb") as handle:
        relevant = [p for p in handle.read().decode("utf-8", "surrogateescape").split("\0") if p]
    listed = _listed(root)
    if mode == "naive":
        import ast
        import warnings

        import yaml

        warnings.simplefilter("ignore")
    files = size = 0
    for rel in relevant:
        try:
            with open(os.path.join(root, rel), "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        files += 1
        size += len(data)
        if mode != "naive":
            continue
        try:
            if rel.endswith(".py"):
                ast.parse(data)
            elif rel.endswith(".ipynb"):
                json.loads(data)
            elif rel.endswith((".yaml", ".yml")):
                list(yaml.safe_load_all(data))
        except Exception:  # malformed files are skipped, as any scanner would
            pass
    print(json.dumps({"files_listed": listed, "files_read": files, "bytes_read": size}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
