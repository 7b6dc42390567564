"""The early partner: the file pass's partner, forked before the command line is parsed.

Before a scan can fork its partner at the file pass (:mod:`mlops_scan.evidence.partner`), this process loads the
command-line library, parses its arguments, and runs the stages up to the pass: on a small repository, more time
than the pass itself. When the same command line ran one scan before, its arguments are known from that run (kept
in the start-up cache): the partner is then forked at once, runs those stages itself (it never loads the
command-line library) and starts on the files from the last back while this process is still getting ready. This
process parses the command line as always; its file pass joins the partner when the scan it runs is the one the
partner expected and its work is the same, else ends it and forks the usual partner. Reports are this process's.

A command line is remembered only when its scan shared the file pass, of at most ``MAX_FILES`` files (a small
repository's pass is not shared, and there or on a large one the partner's stages would only compete with this
process's), without the facts cache (with it, the next run replays what this one found), and only for a folder
(not a revision or a clone).
"""

from __future__ import annotations

import atexit
from functools import partial
from typing import TYPE_CHECKING

from mlops_scan.evidence import partner
from mlops_scan.startcache import cache_dir, load_memo, store_memo

if TYPE_CHECKING:
    from mlops_scan.cli.scanrun import ScanRequest

MEMO = "scan-requests"
REMEMBERED = 32
"""Command lines whose scan is remembered (the most recent)."""
MAX_FILES = 1000
"""The largest shared pass (files to scan) whose command line is remembered. The partner saves this process's head
start on it, a few milliseconds, while its own run of the stages before the pass doubles their CPU and slows this
process's beside it: 2-4 % of the wall time on 100-300 files, nothing on 10,000 (for 15 % more CPU)."""
_argv: tuple[str, ...] | None = None
"""The command line this process was started with (None: the command runs from Python, not from :func:`start`)."""
_expected: dict[str, object] | None = None
"""The arguments of the scan the early partner runs."""
_arguments: dict[str, object] | None = None
"""The arguments of the scan this process runs (None: not one scan an early partner may run)."""


def start(argv: list[str]) -> None:
    """Fork the early partner when the last scan of ``argv`` is known and shared its file pass with a partner."""
    global _argv, _expected
    _argv = tuple(argv)
    atexit.register(_remember)
    if partner.may_fork():
        _expected = load_memo(MEMO).get(_argv)
    if _expected is not None:
        partner.start_early(partial(_until_the_pass, _expected))


def _until_the_pass(arguments: dict[str, object]) -> None:
    """In the early partner: the stages of the expected scan (its file pass serves, and ends the partner)."""
    from mlops_scan.cli.scanrun import ScanRequest, assess_request

    assess_request(ScanRequest(**arguments))  # type: ignore[arg-type]


def settle(request: ScanRequest | None) -> None:
    """This process runs the scan of ``request`` (None: not a single scan): keep the early partner only when it
    expected that scan."""
    global _arguments
    if _argv is None:
        return
    _arguments = dict(vars(request)) if request is not None and _eligible(request) else None
    if _arguments != _expected:
        partner.drop_early()


def _remember() -> None:
    """At exit: remember this command line's scan when it shared a file pass of up to ``MAX_FILES`` files (forget it
    when not)."""
    arguments = _arguments if 0 < partner.files_shared() <= MAX_FILES else None
    if arguments != _expected:
        memo = load_memo(MEMO)
        memo.pop(_argv, None)
        if arguments is not None:
            memo[_argv] = arguments
        store_memo(MEMO, dict(list(memo.items())[-REMEMBERED:]))


def _eligible(request: ScanRequest) -> bool:
    """Whether a scan is one an early partner may run again: a folder's files (not a revision's, not a clone's),
    without the facts cache (with it, the next run replays what this one found: no pass to share)."""
    from mlops_scan.snapshot.urls import is_url

    uncached = request.no_cache or cache_dir() is None
    return uncached and request.rev is None and request.git_dir is None and not is_url(request.path)
