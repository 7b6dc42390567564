"""What a process that ends at once keeps alive until it ends.

The command line ends its process as soon as its command is done (``os._exit``: see :func:`mlops_scan.cli.run`), and
the memory of everything still alive is then dropped at once. What a scan built and no longer needs (the file pass's
matchers, contexts and parses) would otherwise be freed object by object as the scan returns: some 2 ms of a small
repository's scan. :func:`keep` hands such objects over. Each caller keeps one set under its name, so a process that
scans many repositories frees each scan's objects when the next scan keeps its own.
"""

from __future__ import annotations

_kept: dict[str, tuple[object, ...]] | None = None
"""The objects kept, by the name their caller gave; None unless the process ends at once."""


def ends_at_once() -> None:
    """Declare that this process ends at once when its command is done: from now on :func:`keep` keeps."""
    global _kept
    _kept = {}


def keep(name: str, *objects: object) -> None:
    """Keep ``objects`` until the process ends, in place of those kept before under ``name``, when it ends at once."""
    if _kept is not None:
        _kept[name] = objects
