"""The scan ahead: a remembered command line's scan, run before the command line is parsed.

Before a scan reaches its file pass, this process loads the command-line library and the commands (some 13 ms) and
parses its arguments: time in which the pass's partner (:mod:`mlops_scan.evidence.partner`) is not yet forked. When
the same command line ran a scan before whose pass was shared with a partner, its arguments are known from that run
(kept in the start-up cache): this process then runs that scan at once, before anything else, and loads the
command-line library just after the partner is forked (:func:`~mlops_scan.evidence.partner.meanwhile`), while the
partner takes the first files from the back. The command line is then parsed as always; when it asks for the scan
run ahead (the same arguments), the scan command takes its outcome, the assessment or the error it raised, instead
of running it again. So the report, the messages and the exit code are those of the scan run in its turn.

A command line is remembered only when its scan shared the file pass, without the facts cache (with it, the next run
replays what this one found: no pass to share), and only for a folder (not a revision or a clone). The plain command
line ``mlops-scan [scan] [PATH]``, a folder's first scan, needs no memory: its arguments are the options' defaults
(:func:`plain_scan`).
"""

from __future__ import annotations

import atexit
import os
from typing import TYPE_CHECKING

from mlops_scan.cli.commands import LAZY_COMMANDS, SCAN
from mlops_scan.evidence import partner
from mlops_scan.startcache import cache_dir, load_memo, store_memo

if TYPE_CHECKING:
    from mlops_scan.cli.scanrun import Assessed, ScanRequest

MEMO = "scan-requests"
REMEMBERED = 32
"""Command lines whose scan is remembered (the most recent)."""
_argv: tuple[str, ...] | None = None
"""The command line this process was started with (None: the command runs from Python, not from :func:`start`)."""
_known: dict[str, object] | None = None
"""The arguments remembered for the command line."""
_expected: dict[str, object] | None = None
"""The arguments of the scan run ahead."""
_ahead: Assessed | BaseException | None = None
"""What the scan run ahead gave, until the scan command takes it."""
_arguments: dict[str, object] | None = None
"""The arguments of the scan this process runs (None: not one scan that may be run ahead)."""


def start(argv: list[str]) -> None:
    """Run the scan of ``argv`` ahead when its arguments are known: remembered (its last scan shared the file pass with
    a partner), or those of the plain command line."""
    global _argv, _known, _expected, _ahead
    _argv = tuple(argv)
    atexit.register(_remember)
    if partner.may_fork():
        _known = load_memo(MEMO).get(_argv)
        _expected = _known or plain_scan(argv)
    if _expected is not None:
        _ahead = _scan_ahead(_expected)


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
    """The scan of ``arguments``, the command-line library loaded while its partner starts; its error when it fails,
    or the interrupt (Ctrl-C) that stopped it."""
    from mlops_scan.cli.scanrun import ScanRequest, assess_request

    partner.meanwhile(_load_commands)
    try:
        return assess_request(ScanRequest(**arguments))  # type: ignore[arg-type]
    except (Exception, KeyboardInterrupt) as exc:  # raised when the scan command runs, as if the scan ran then
        return exc
    finally:
        partner.meanwhile(None)


def _load_commands() -> None:
    """Import the command line (click and the commands): what this process does next, done while the partner scans."""
    import mlops_scan.cli.app  # noqa: F401


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
    """At exit: remember this command line's scan when it shared a file pass (forget it when not)."""
    arguments = _arguments if partner.files_shared() else None
    if arguments != _known:
        memo = load_memo(MEMO)
        memo.pop(_argv, None)
        if arguments is not None:
            memo[_argv] = arguments
        store_memo(MEMO, dict(list(memo.items())[-REMEMBERED:]))


def _eligible(request: ScanRequest) -> bool:
    """Whether a scan is one that may be run ahead: a folder's files (not a revision's, not a clone's), without the
    facts cache (with it, the next run replays what this one found: no pass to share)."""
    from mlops_scan.snapshot.urls import is_url

    uncached = request.no_cache or cache_dir() is None
    return uncached and request.rev is None and request.git_dir is None and not is_url(request.path)
