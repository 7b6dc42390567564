"""Hostile inputs against a plain repository: how much longer does a scan take with one hostile file added?

    python benchmarks/hostile.py [--repeat 3] [--workdir DIR] [--json FILE]

The tests in tests/hostile/ check what such a scan reports and bound the work it does (files and
bytes read, nodes refused); how long it takes is measured here, where load from other processes
cannot fail a test. Each case is the small level-1 repository of tests/hostile/repos.py plus one
hostile file; each figure is the best of ``--repeat`` fresh ``mlops-scan`` processes (wall and CPU
time from ``os.wait4``), shown as a ratio to the plain repository's scan measured the same way.
A ratio far above 1 for a case of a few megabytes points at quadratic work.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hostile.repos import TRACKING, base_repo, write  # noqa: E402

MiB = 1024 * 1024
BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)


def _notebook_with_output(root: Path, size: int) -> None:
    """A notebook whose one code cell stored ``size`` bytes of output, with the tracking call as its source."""
    head = '{"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [{"name": "stdout", '
    head += '"output_type": "stream", "text": "'
    tail = '"}], "source": ' + json.dumps(TRACKING.splitlines(keepends=True)) + "}], "
    tail += '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    write(root, "notebooks/big.ipynb", head + "x" * size + tail)


def _many_cells(root: Path) -> None:
    cells = ",".join(
        '{"cell_type": "code", "metadata": {}, "outputs": [], "source": "x\\u0020= %d"}' % i for i in range(20_000)
    )
    write(
        root, "notebooks/many.ipynb", '{"cells": [' + cells + '], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )


def _workflow_run(command: str) -> Callable[[Path], object]:
    text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: " + command + "\n"
    return lambda root: write(root, ".github/workflows/huge.yml", text)


def _many_files(root: Path, count: int = 100_000) -> None:
    for folder in range(count // 1000):
        path = root / "data" / f"shard{folder:03d}"
        path.mkdir(parents=True)
        for index in range(1000):
            os.close(os.open(path / f"row{index:04d}.csv", os.O_CREAT | os.O_WRONLY))


CASES: dict[str, Callable[[Path], object]] = {
    "long-string line (1.9 MB)": lambda r: write(r, "src/app/long.py", "x = '" + "a" * 1_900_000 + "'\n" + TRACKING),
    "many brackets (800 kB)": lambda r: write(r, "src/app/parens.py", "y = [" + "[], " * 200_000 + "]\n" + TRACKING),
    "long import (1.4 MB)": lambda r: write(r, "src/app/imports.py", "import os" + ", os" * 350_000 + "\n" + TRACKING),
    "import look-alikes (1.8 MB)": lambda r: write(
        r, "src/app/quotes.py", "# " + '"import ' * 230_000 + "\n" + TRACKING
    ),
    "YAML alias bomb": lambda r: write(r, "deploy/bad.yaml", BOMB),
    "YAML with 250k nodes": lambda r: write(r, "deploy/bad.yaml", "on: push\nmatrix: [" + "1, " * 250_000 + "]\n"),
    "CI command of one word (1.5 MB)": _workflow_run("x" * 1_500_000),
    "CI command with 300k braces": _workflow_run("{" * 300_000),
    "notebook with 24 MiB of output": lambda r: _notebook_with_output(r, 24 * MiB),
    "notebook with 20k unlocatable cells": _many_cells,
    "100k data files": _many_files,
}


def best(root: Path, repeat: int) -> tuple[float, float]:
    """Best wall and CPU seconds of ``repeat`` fresh scans of ``root``."""
    runs = []
    command = [sys.executable, "-m", "mlops_scan", "scan", "-q", "--no-config", "--no-cache", "-f", "json", str(root)]
    for _ in range(repeat):
        start = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            pid = os.posix_spawn(
                command[0], command, dict(os.environ), file_actions=[(os.POSIX_SPAWN_DUP2, sink.fileno(), 1)]
            )
            _, status, usage = os.wait4(pid, 0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"scan of {root} failed")
        runs.append((time.perf_counter() - start, usage.ru_utime + usage.ru_stime))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="where the cases are built  [default: a temporary folder]")
    parser.add_argument("--json", type=Path, help="also write the figures to FILE")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="mlops-scan-hostile-bench-"))
    try:
        plain = best(base_repo(work / "plain"), args.repeat)
        rows = {"plain repository": {"wall_s": plain[0], "cpu_s": plain[1], "wall_ratio": 1.0, "cpu_ratio": 1.0}}
        print(f"{'case':<40} {'wall s':>8} {'cpu s':>8} {'x wall':>7} {'x cpu':>7}")
        print(f"{'plain repository':<40} {plain[0]:8.2f} {plain[1]:8.2f} {1:7.1f} {1:7.1f}")
        for index, (name, build) in enumerate(CASES.items()):
            root = base_repo(work / f"case{index:02d}")
            build(root)
            wall, cpu = best(root, args.repeat)
            rows[name] = {"wall_s": wall, "cpu_s": cpu, "wall_ratio": wall / plain[0], "cpu_ratio": cpu / plain[1]}
            print(f"{name:<40} {wall:8.2f} {cpu:8.2f} {wall / plain[0]:7.1f} {cpu / plain[1]:7.1f}")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
