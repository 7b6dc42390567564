"""Where parallel facts start to pay: each repository scanned with one process and with two, whatever its size.

    python benchmarks/breakeven.py [--repeat N] PATH ...

The scan normally starts a worker only past ``MIN_MODULES`` Python modules (mlops_scan/facts/workers.py);
here the threshold is set to 0 in the measured process, so small repositories are measured with a worker too.
Both runs of a repository alternate (round robin, best of ``--repeat``), each a fresh process reaped with
``os.wait4``: wall time is what a worker can save, CPU time what it costs. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

PROBE = """
import sys
from mlops_scan.facts import workers
workers.MIN_MODULES = 0
from mlops_scan.cli.app import main
main(sys.argv[1:])
"""


def _run(root: Path, jobs: int, report: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its workers) of one scan of ``root`` with ``jobs`` processes."""
    cmd = [sys.executable, "-c", PROBE, "scan", "-q", "--no-cache", "-f", "json", "-o", str(report), str(root)]
    start = time.perf_counter()
    pid = os.posix_spawn(cmd[0], cmd, {**os.environ, "MLOPS_SCAN_JOBS": str(jobs)})
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; best of {args.repeat}\n")
    print(f"{'repository':<28} {'modules':>8} {'parsed':>7} {'1 proc s':>9} {'2 proc s':>9} {'wall x':>7} {'cpu x':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        for path in args.paths:
            runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
            for _ in range(args.repeat):
                for jobs in (1, 2):
                    runs[jobs].append(_run(path.resolve(), jobs, report))
            inspected = json.loads(report.read_text())["inspected"]
            modules = sum(1 for _ in path.rglob("*.py"))
            one, two = (min(r[0] for r in runs[j]) for j in (1, 2))
            cpu_one, cpu_two = (min(r[1] for r in runs[j]) for j in (1, 2))
            print(
                f"{path.resolve().name:<28} {modules:>8} {inspected['parsed'].get('python', 0):>7} {one:>9.2f} "
                f"{two:>9.2f} {two / one:>7.2f} {cpu_two / cpu_one:>6.2f}"
            )


if __name__ == "__main__":
    main()
