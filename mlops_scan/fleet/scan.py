"""One fleet repository scanned with the shared pipeline (assessment.pipeline), in a child process the fleet can kill."""

from __future__ import annotations

import json
import multiprocessing
import os
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path


@dataclass(frozen=True)
class ScanSettings:
    """What every repository of a run is scanned with (repository configuration is never read)."""

    model: str = "microsoft"
    rule_dirs: tuple[str, ...] = ()


class ScanDied(Exception):
    """The scan process ended without a report (killed, out of memory, crashed)."""


class ScanTimeout(Exception):
    """The scan ran past the repository's time limit and was killed."""


def scan_in_child(root: Path, display: str, settings: ScanSettings, timeout: float) -> str:
    """The JSON report of ``root``, computed in a fresh process killed after ``timeout`` seconds."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["mlops_scan.fleet.scan"])
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(str(root), display, settings, send), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(max(timeout, 0.01)):
            raise ScanTimeout("the scan ran past the repository's time limit")
        ok, payload = receive.recv()
    except EOFError:
        process.join(5)
        raise ScanDied(f"the scan process died (exit code {process.exitcode})") from None
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if not ok:
        raise ScanDied(payload)
    return str(payload)


def _child(root: str, display: str, settings: ScanSettings, send: Connection) -> None:
    os.environ["MLOPS_SCAN_JOBS"] = "1"  # the fleet's own workers already use every core
    try:
        send.send((True, scan_report(Path(root), display, settings)))
    except Exception as exc:  # one line for the row; the repository, not the fleet, failed
        send.send((False, f"{type(exc).__name__}: {exc}".splitlines()[0][:300]))
    finally:
        send.close()


def scan_report(root: Path, display: str, settings: ScanSettings) -> str:
    """The JSON report of ``root``, as ``mlops-scan --no-config --format json`` makes it (the shared pipeline)."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.assessment.pipeline import assess_snapshot, model_rules, rules_to_scan
    from mlops_scan.reporters import json as json_report
    from mlops_scan.snapshot.tree import open_snapshot

    model = load_model(settings.model)
    rules = rules_to_scan(model_rules(model, [Path(d) for d in settings.rule_dirs]))
    return json_report.render(assess_snapshot(open_snapshot(root), model, rules, display))


def summary(report: str) -> tuple[int, dict[str, bool], int]:
    """Level, capability presence and evidence count of a JSON report."""
    data = json.loads(report)
    caps = data["capabilities"]
    return (
        int(data["level"]),
        {cid: bool(c["present"]) for cid, c in caps.items()},
        sum(len(c["evidence"]) for c in caps.values()),
    )
