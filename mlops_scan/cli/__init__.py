"""The command line: wires the stages together and picks the exit code."""

import atexit
import gc

gc.set_threshold(50_000, 100, 1_000)
"""Start-up (imports, class bodies, the start-up cache) allocates much and frees little: a young-object
collection every 700 allocations walked it some fifty times (the file pass sets its own thresholds)."""
atexit.register(gc.freeze)
"""At exit every object is left out of the interpreter's shutdown collections, which walked them all (about
20 ms of CPU per run, a tenth of a small repository's scan); nothing is left to collect that the exit would not free."""

from mlops_scan.cli import warmstart  # noqa: E402 (after the threshold: the imports are what it is for)

warmstart.install()

from mlops_scan.cli.app import main  # noqa: E402 (after warm start: the imports compile regexes and dataclasses)

__all__ = ["main"]
