"""The command line: wires the stages together and picks the exit code."""

import atexit
import gc
import os
import sys
from typing import NoReturn

gc.set_threshold(50_000, 100, 1_000)
"""Start-up (imports, class bodies, the start-up cache) allocates much and frees little: a young-object
collection every 700 allocations walked it some fifty times (the file pass sets its own thresholds)."""
atexit.register(gc.freeze)
"""At exit every object is left out of the interpreter's shutdown collections, which walked them all (about
20 ms of CPU per run, a tenth of a small repository's scan); nothing is left to collect that the exit would not free."""

from mlops_scan.cli import onfirstuse  # noqa: E402

onfirstuse.defer()  # before ``dataclasses`` is imported (by the modules below)

from mlops_scan import lifetime  # noqa: E402
from mlops_scan.cli import early, warmstart  # noqa: E402 (after the threshold: the imports are what it is for)

warmstart.install()

__all__ = ["run"]


def run() -> NoReturn:
    """The ``mlops-scan`` command: the scan ahead (:mod:`mlops_scan.cli.early`), reported at once when it went
    through, else :func:`~mlops_scan.cli.app.main`; then the exit handlers, the output flushed, and the process ends
    at once (``os._exit``): the interpreter's own exit would then free every module and object one by one, some 2-5 ms
    of a small repository's scan that change nothing (and what a scan no longer needs is left for that end:
    :mod:`mlops_scan.lifetime`). When the output cannot be flushed (a closed pipe), the interpreter's own exit
    reports it as it always has."""
    lifetime.ends_at_once()
    try:
        early.start(sys.argv[1:])
        early.finish()
        from mlops_scan.cli.app import main  # after warm start (the imports compile regexes and dataclasses)

        main()
    except SystemExit as exc:
        code = exc.code
    if code is None or isinstance(code, int):
        status = code or 0
    else:
        print(code, file=sys.stderr)  # as the interpreter does for ``sys.exit("message")``
        status = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        sys.exit(status)
    os._exit(status)
