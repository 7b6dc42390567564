"""Where sharing the file pass with a partner starts to pay: each repository scanned with one process and with two,
whatever its size.

    python benchmarks/breakeven.py [--repeat N] PATH ...

The scan normally forks a partner only from ``MIN_FILES`` files to scan (mlops_scan/evidence/partner.py); here the
threshold is set to 0 in the measured process, so small repositories are measured with a partner too. Both runs of
a repository alternate, ``--repeat`` pairs, each run a fresh process reaped with ``os.wait4``; the figures are medians,
the ratios the median of the pairs' ratios (a pair shares the machine's state of the moment): wall time is what the
partner can save, CPU time what it costs. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

PROBE = """
import sys
from mlops_scan.evidence import partner
partner.MIN_FILES = 0
from mlops_scan.cli.app import main
main(sys.argv[1:])
"""


def _run(root: Path, jobs: int, report: Path) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its partner) of one scan of ``root`` with ``jobs`` processes."""
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
    parser.add_argument("--repeat", type=int, default=15, help="pairs of runs per repository (default 15)")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; medians of {args.repeat} pairs\n")
    print(
        f"{'repository':<28} {'listed':>7} {'read':>6} {'parsed':>7} {'1 proc s':>9} {'2 proc s':>9} {'wall x':>7} {'cpu x':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        for path in args.paths:
            _run(path.resolve(), 2, report)  # warms the start-up cache and the page cache
            pairs = [(_run(path.resolve(), 1, report), _run(path.resolve(), 2, report)) for _ in range(args.repeat)]
            inspected = json.loads(report.read_text())["inspected"]
            one, two = (median(pair[j][0] for pair in pairs) for j in (0, 1))
            wall, cpu = (median(two[k] / one[k] for one, two in pairs) for k in (0, 1))
            print(
                f"{path.resolve().name[:28]:<28} {inspected['files_listed']:>7} {inspected['files_read']:>6} "
                f"{sum(inspected['parsed'].values()):>7} {one:>9.3f} {two:>9.3f} {wall:>7.2f} {cpu:>6.2f}"
            )


if __name__ == "__main__":
    main()
