"""Scan a fixture repository end to end, through the Python API or through the CLI."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from schemas import valid_gitlab, valid_report, valid_sarif

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import load_model
from mlops_scan.assessment.results import Assessment
from mlops_scan.evidence.collect import collect
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.snapshot.tree import open_snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@lru_cache(maxsize=1)
def builtin_rules():  # type: ignore[no-untyped-def]
    """The built-in rules, loaded once for the whole session."""
    return load_all_rules(load_model().capabilities)


def assess_fixture(name: str) -> Assessment:
    """The Assessment of ``fixtures/<name>`` through the Python API."""
    model = load_model()
    snapshot = open_snapshot(FIXTURES / name)
    result = collect(snapshot, builtin_rules())
    return assess(
        model,
        result.evidence,
        root=name,
        skipped=tuple(result.skipped),
        inspected=result.inspected,
        measurements=result.measurements,
    )


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``mlops-scan ARGS`` in a subprocess (``python -m mlops_scan``); every JSON report or SARIF log it writes is
    checked against its schema."""
    done = subprocess.run(
        [sys.executable, "-m", "mlops_scan", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    if done.returncode in (0, 1):
        check_written_reports(list(args), done.stdout, cwd)
    return done


def check_written_reports(args: list[str], stdout: str, cwd: Path | None = None) -> None:
    """Validate the reports a scan command line wrote: ``--format json|sarif`` on stdout or ``--output``, and
    ``--json-output``."""

    def value(*names: str) -> str | None:
        found = [args[i + 1] for i, a in enumerate(args[:-1]) if a in names]
        found += [a.split("=", 1)[1] for a in args if a.split("=", 1)[0] in names and "=" in a]
        return found[-1] if found else None

    def read(target: str) -> str:
        path = Path(target) if cwd is None else Path(cwd, target)
        return stdout if target == "-" else path.read_text(encoding="utf-8")

    fmt, output, json_output = value("--format", "-f"), value("--output", "-o"), value("--json-output")
    if fmt in ("json", "sarif", "gitlab") and (
        output is None or Path(output if cwd is None else Path(cwd, output)).exists()
    ):
        text = stdout if output is None else read(output)
        {"json": valid_report, "sarif": valid_sarif, "gitlab": valid_gitlab}[fmt](text)
    if json_output and (json_output == "-" or Path(json_output if cwd is None else Path(cwd, json_output)).exists()):
        valid_report(read(json_output))


def json_report(name: str) -> dict:  # type: ignore[type-arg]
    """The ``--format json`` report of ``fixtures/<name>``, produced by the CLI."""
    done = run_cli(str(FIXTURES / name), "--format", "json", "--quiet")
    assert done.returncode == 0, done.stderr
    return valid_report(done.stdout)


def evidence_paths(a: Assessment) -> dict[str, set[str]]:
    """Capability id -> the paths of all its evidence, for capabilities with any."""
    return {cid: {e.path for e in s.evidence} for cid, s in a.capabilities.items() if s.evidence}


def json_evidence_paths(report: dict) -> dict[str, set[str]]:  # type: ignore[type-arg]
    """The same map, read from a JSON report."""
    return {cid: {e["path"] for e in c["evidence"]} for cid, c in report["capabilities"].items() if c["evidence"]}
