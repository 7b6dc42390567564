"""One repository of a fleet run, start to end: reuse, clone, scan, row. Never raises for the repository."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from mlops_scan.fleet.clone import Deadline, FetchError, FetchTimeout, TooLarge, fetched, remote_commit
from mlops_scan.fleet.rows import Row
from mlops_scan.fleet.scan import ScanDied, ScanSettings, ScanTimeout, scan_in_child, summary
from mlops_scan.fleet.specs import RepoSpec


@dataclass(frozen=True)
class RunSettings:
    """What every repository of one run shares."""

    scan_date: str
    tool_version: str
    rules_hash: str
    scan: ScanSettings
    timeout: float = 600.0
    """Seconds for one repository, clone and scan together."""
    clone_timeout: float = 120.0
    """Seconds for its clone (and for asking the remote for its commit)."""
    max_files: int = 200_000
    """A repository with more files is skipped (counted from the tree before checkout)."""


@dataclass(frozen=True)
class Previous:
    """A repository's row of an earlier run (``--since``) and its report, for reuse."""

    row: Row
    report: str | None


@dataclass(frozen=True)
class Outcome:
    """A repository's row, and its JSON report when it was scanned."""

    row: Row
    report: str | None


def run_one(spec: RepoSpec, settings: RunSettings, previous: Previous | None = None) -> Outcome:
    """Scan one repository (or carry its earlier row forward); failures become a row's status."""
    started = time.monotonic()
    base = Row(
        repo=spec.source,
        ref=spec.ref,
        scan_date=settings.scan_date,
        tool_version=settings.tool_version,
        rules_hash=settings.rules_hash,
        model=settings.scan.model,
        status="ok",
    )
    deadline = Deadline(settings.timeout, settings.clone_timeout)
    try:
        outcome = _reuse(spec, settings, previous, base, deadline) or _scan(spec, settings, base, deadline)
    except TooLarge as exc:
        outcome = Outcome(replace(base, status="skipped", error=f"too large: {exc}"), None)
    except (FetchTimeout, ScanTimeout) as exc:
        outcome = Outcome(replace(base, status="timeout", error=str(exc)), None)
    except (FetchError, ScanDied) as exc:
        outcome = Outcome(replace(base, status="error", error=str(exc)), None)
    except Exception as exc:  # a bug must cost one row, not the run
        outcome = Outcome(replace(base, status="error", error=f"internal error: {type(exc).__name__}: {exc}"), None)
    row = replace(outcome.row, duration_s=round(time.monotonic() - started, 3))
    return Outcome(row, outcome.report)


def _reuse(
    spec: RepoSpec, settings: RunSettings, previous: Previous | None, base: Row, deadline: Deadline
) -> Outcome | None:
    """The earlier row, carried forward, when commit, tool version and rules did not change."""
    if previous is None or previous.row.status != "ok" or not previous.row.commit or previous.report is None:
        return None
    old = previous.row
    if (old.tool_version, old.rules_hash, old.model) != (settings.tool_version, settings.rules_hash, base.model):
        return None
    if remote_commit(spec, deadline) != old.commit:
        return None
    row = replace(base, commit=old.commit, level=old.level, capabilities=dict(old.capabilities))
    return Outcome(replace(row, evidence_count=old.evidence_count, carried_forward=True), previous.report)


def _scan(spec: RepoSpec, settings: RunSettings, base: Row, deadline: Deadline) -> Outcome:
    with fetched(spec, deadline, settings.max_files) as (root, commit):
        report = scan_in_child(root, spec.key, settings.scan, deadline.left())
    level, capabilities, evidence = summary(report)
    row = replace(base, commit=commit, level=level, capabilities=capabilities, evidence_count=evidence)
    return Outcome(row, report)
