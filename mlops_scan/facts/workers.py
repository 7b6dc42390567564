"""Python facts computed by worker processes while the main process reads and matches files.

Parsing Python modules and walking their trees is most of a large scan's CPU time and needs
nothing but the source, so it is the one stage spread over cores. Workers are forked (POSIX
only), receive sources and return facts. A source a worker cannot parse (syntax error, time
limit) comes back as None and the main process parses it again, recording the failure as a
sequential scan would; so results never depend on the number of workers.

``MLOPS_SCAN_JOBS`` sets the number of processes; by default two when two cores are usable, and
a worker starts only for a repository of at least ``MIN_MODULES`` Python modules: the break-even
measured on the 2-core machine of docs/performance.md (below it, forking and sending facts back
cost more than the parse they take off the main process).
"""

from __future__ import annotations

import ast
import os
import signal
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mlops_scan.facts.parsetime import ParseTimeout, time_bound

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

    from mlops_scan.facts import python as pyfacts

MIN_MODULES = 400
"""Fewer Python modules than this are parsed in-process even with workers: on an idle 2-core machine a worker
cost 13-24 % of the wall time on repositories of 32-195 modules (start-up, sending facts back) and saved
12-20 % on 499, 1,008 and 4,000 (docs/performance.md, benchmarks/breakeven.py)."""
_timeout = 0.0


DEFAULT_JOBS = 2
"""Processes by default (one main, one worker), when that many cores are usable: measured on 2 cores only."""


def jobs() -> int:
    """Processes to use: ``MLOPS_SCAN_JOBS`` when set to a positive number, else ``DEFAULT_JOBS`` or the
    usable cores, whichever is fewer."""
    setting = os.environ.get("MLOPS_SCAN_JOBS", "")
    if setting.strip().isdigit() and int(setting) > 0:
        return int(setting)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(DEFAULT_JOBS, usable))


class FactsPool:
    """Worker processes that turn Python sources into :class:`pyfacts.PyFacts`."""

    def __init__(self, workers: int, timeout: float):
        import multiprocessing  # only imported when a pool pays (about 40 ms)

        context = multiprocessing.get_context("fork")
        self._pool = context.Pool(workers, initializer=_start_worker, initargs=(timeout,))

    def submit(self, sources: Sequence[str]) -> AsyncResult[list[pyfacts.PyFacts | None]]:
        """Facts of each source, in order (None where the worker could not parse it)."""
        return self._pool.map_async(_facts, sources, chunksize=8)

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()


def open_pool(modules: int, timeout: float) -> FactsPool | None:
    """A pool when it pays: several cores, fork available, and enough modules to parse."""
    workers = jobs() - 1
    if workers < 1 or modules < MIN_MODULES or not hasattr(os, "fork"):
        return None
    return FactsPool(workers, timeout)


def _start_worker(timeout: float) -> None:
    global _timeout
    _timeout = timeout
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    warnings.simplefilter("ignore")


def _facts(source: str) -> pyfacts.PyFacts | None:
    from mlops_scan.facts import python as pyfacts  # on first use, as in facts.context

    try:
        with time_bound(_timeout):
            return pyfacts.extract(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError, ParseTimeout):
        return None
