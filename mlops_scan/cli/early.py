"""The scan ahead: a command line's scan run before the command line is parsed, and reported without click.

Loading the command-line library (click) and the commands and parsing the arguments costs a scan some 13 ms, a tenth
of a small repository's. When a command line's arguments are known without that parse, this process runs its scan
at once and reports it without loading click (:func:`finish`): the arguments are known for the plain command line
``mlops-scan [scan] [PATH]``, whose arguments are the options' defaults (:func:`plain_scan`), and for a command line
that ran one scan before, whose parse is kept in the start-up cache (keyed by this package's code and the installed
libraries, so the same command line parses the same way). When that scan fails, the command line is parsed as
always, and when it asks for the scan run ahead (the same arguments), the scan command raises that scan's error
instead of running it again. So the report, the messages and the exit code are those of the scan run in its turn.

A command line is remembered only for a folder's scan (not a revision's or a clone's: those start with git).
"""

from __future__ import annotations

import atexit
import os
from typing import TYPE_CHECKING

from mlops_scan.cli.commands import LAZY_COMMANDS, SCAN
from mlops_scan.startcache import load_memo, store_memo

if TYPE_CHECKING:
    from mlops_scan.cli.scanrun import Assessed, ScanRequest

MEMO = "scan-requests"
REMEMBERED = 32
"""Command lines whose scan is remembered (the most recent)."""
_argv: tuple[str, ...] | None = None
"""The command line this process was started with (None: the command runs from Python, not from :func:`start`)."""
_known: dict[str, object] | None = None
"""The arguments remembered for the command line."""
_plain: dict[str, object] | None = None
"""The arguments of the command line when it is the plain one (known without a memory)."""
_expected: dict[str, object] | None = None
"""The arguments of the scan run ahead."""
_ahead: Assessed | BaseException | None = None
"""What the scan run ahead gave, until it is reported or the scan command takes it."""
_arguments: dict[str, object] | None = None
"""The arguments of the scan this process runs (None: not one scan that may be run ahead)."""


def start(argv: list[str]) -> None:
    """Run the scan of ``argv`` ahead when its arguments are known: remembered (it ran one scan before), or those of
    the plain command line."""
    global _argv, _known, _plain, _expected, _ahead
    _argv = tuple(argv)
    atexit.register(_remember)
    _known = load_memo(MEMO).get(_argv)
    _plain = plain_scan(argv)
    _expected = _known or _plain
    if _expected is not None:
        _ahead = _scan_ahead(_expected)


def finish() -> None:
    """Report the scan run ahead and exit, without loading click, when it went through; return when the command line
    is to be parsed (no scan ran ahead, or it failed: its error is raised in its turn)."""
    global _ahead
    outcome = _ahead
    if _expected is None or outcome is None or isinstance(outcome, BaseException):
        return
    from mlops_scan.cli.ending import ended
    from mlops_scan.cli.scanrun import ScanRequest, run_scan

    _ahead = None
    request = ScanRequest(**_expected)  # type: ignore[arg-type]
    settle(request)
    ended(lambda: run_scan(request, outcome))


_PLAIN_SCAN: dict[str, object] = {
    **dict.fromkeys(("fmt", "output", "fail_under", "badge", "summary", "json_output", "config_file"), None),
    **dict.fromkeys(("model", "git_dir", "max_file_size", "rev", "project_root"), None),
    **dict.fromkeys(("no_config", "trusted_config", "no_color", "exit_zero", "quiet", "verbose"), False),
    **dict.fromkeys(("preview", "no_cache", "per_project"), False),
    **dict.fromkeys(("rule_dirs", "exclude", "limit_options"), ()),
}
"""The scan command's arguments when no option is given (the click parse of ``mlops-scan PATH``, but the path)."""


def plain_scan(argv: list[str]) -> dict[str, object] | None:
    """The arguments of ``mlops-scan [scan] [PATH]``, PATH an existing path (without ``scan``, one not named as a
    command), as the click parse gives them; None for any other command line."""
    words = argv[1:] if argv[:1] == [SCAN] else argv
    if len(words) > 1 or (words and (words[0].startswith("-") or not os.path.lexists(words[0]))):
        return None
    if words is argv and words and words[0] in (SCAN, *LAZY_COMMANDS):
        return None
    return {**_PLAIN_SCAN, "path": words[0] if words else "."}


def _scan_ahead(arguments: dict[str, object]) -> Assessed | BaseException:
    """The scan of ``arguments``; its error when it fails, or the interrupt (Ctrl-C) that stopped it."""
    from mlops_scan.cli.scanrun import ScanRequest, assess_request

    try:
        return assess_request(ScanRequest(**arguments))  # type: ignore[arg-type]
    except (Exception, KeyboardInterrupt) as exc:  # raised when the scan command runs, as if the scan ran then
        return exc


def settle(request: ScanRequest | None) -> None:
    """This process runs the scan of ``request`` (None: not a single scan): what :func:`_remember` keeps at exit."""
    global _arguments
    if _argv is not None:
        _arguments = dict(vars(request)) if request is not None and _eligible(request) else None


def scanned_ahead(request: ScanRequest) -> Assessed | None:
    """The outcome of the scan run ahead when ``request`` is that scan (its error is raised), else None; given once.
    An interrupt is raised whatever the scan."""
    global _ahead
    outcome, _ahead = _ahead, None
    if isinstance(outcome, KeyboardInterrupt):
        raise outcome
    if outcome is None or dict(vars(request)) != _expected:
        return None
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _remember() -> None:
    """At exit: remember the arguments of this command line's scan (forget them when it ran none); the plain command
    line's need no memory."""
    arguments = None if _arguments == _plain else _arguments
    if arguments != _known:
        memo = load_memo(MEMO)
        memo.pop(_argv, None)
        if arguments is not None:
            memo[_argv] = arguments
        store_memo(MEMO, dict(list(memo.items())[-REMEMBERED:]))


def _eligible(request: ScanRequest) -> bool:
    """Whether a scan is one that may be run ahead: a folder's files (not a revision's, not a clone's)."""
    from mlops_scan.snapshot.urls import is_url

    return request.rev is None and request.git_dir is None and not is_url(request.path)
