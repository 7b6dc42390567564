"""The Evidence stage: one pass over the snapshot's files, every matcher kind served from it."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from mlops_scan.filecontext import FileContext
from mlops_scan.findings import Evidence, Strength, Zone
from mlops_scan.matchers.base import Hit, Matcher, ProjectInfo, installed_kinds
from mlops_scan.project import detect_project
from mlops_scan.rules import Rule
from mlops_scan.snapshot import Snapshot


@dataclass
class ScanResult:
    """What the Evidence stage produced, and what it looked at."""

    evidence: list[Evidence]
    project: ProjectInfo
    inspected: dict[str, object] = field(default_factory=dict)
    measurements: dict[str, object] = field(default_factory=dict)
    truncated: dict[str, int] = field(default_factory=dict)
    """Rule id -> pieces of evidence dropped over the per-rule cap."""
    errors: list[str] = field(default_factory=list)
    """Matcher failures on single files (the scan went on)."""


Progress = Callable[[int, int, str], None]


def collect(snapshot: Snapshot, rules: list[Rule], progress: Progress | None = None) -> ScanResult:
    """Run every rule over the snapshot, reading and parsing each file at most once."""
    contexts: dict[str, FileContext] = {}
    project = detect_project(snapshot, contexts)
    kinds = installed_kinds()
    by_kind: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_kind[rule.kind].append(rule)
    matchers: list[Matcher] = [kinds[kind](kind_rules, project) for kind, kind_rules in sorted(by_kind.items())]
    hits: list[Hit] = []
    parsed: Counter[str] = Counter()
    errors: list[str] = []
    total = len(snapshot.files)
    for index, entry in enumerate(snapshot.files):
        if progress is not None and index % 500 == 0:
            progress(index, total, "scanning")
        interested = [m for m in matchers if m.wants(entry)]
        if not interested:
            continue
        ctx = contexts.pop(entry.path, None) or FileContext(snapshot, entry)
        for matcher in interested:
            try:
                hits.extend(matcher.scan(ctx))
            except RecursionError:
                snapshot.skip(entry.path, f"nested too deeply for the {matcher.kind} matcher")
            except Exception as exc:  # a matcher bug must not end the scan: report it and go on
                errors.append(f"{matcher.kind} matcher failed on {entry.path}: {exc.__class__.__name__}: {exc}")
        parsed.update(ctx.parsed)
    measurements: dict[str, object] = {}
    for matcher in matchers:
        hits.extend(matcher.finish(snapshot))
        measurements.update(matcher.measurements())
    if progress is not None:
        progress(total, total, "done")
    evidence, truncated = _to_evidence(snapshot, hits)
    inspected = {
        "files_listed": total,
        "files_read": snapshot.files_read,
        "bytes_read": snapshot.bytes_read,
        "parsed": dict(sorted(parsed.items())),
        "listing": snapshot.source,
    }
    return ScanResult(evidence, project, inspected, measurements, truncated, errors)


def _to_evidence(snapshot: Snapshot, hits: list[Hit]) -> tuple[list[Evidence], dict[str, int]]:
    """Apply zones (down-grading), de-duplicate, and cap the evidence kept per rule."""
    seen: set[tuple[str, str, int | None]] = set()
    per_rule: Counter[str] = Counter()
    truncated: Counter[str] = Counter()
    out: list[Evidence] = []
    cap = snapshot.limits.max_evidence_per_rule

    def zone_of(hit: Hit) -> Zone:
        entry = snapshot.entry(hit.path)
        return entry.zone if entry else Zone.PROJECT

    # Project-zone evidence first, so the per-rule cap never drops it in favour of examples.
    for hit in sorted(hits, key=lambda h: (h.rule.id, zone_of(h) is not Zone.PROJECT, h.path, h.line or 0)):
        key = (hit.rule.id, hit.path, hit.line)
        if key in seen:
            continue
        seen.add(key)
        zone = zone_of(hit)
        strength = hit.strength or hit.rule.strength
        downgraded = zone is not Zone.PROJECT and not (zone is Zone.TESTS and hit.rule.capability == "automated_tests")
        effective = Strength.WEAK if downgraded else strength
        per_rule[hit.rule.id] += 1
        if per_rule[hit.rule.id] > cap:
            truncated[hit.rule.id] += 1
            continue
        out.append(Evidence(hit.rule.capability, hit.rule.id, hit.path, hit.line, hit.snippet, effective, zone,
                            strength if effective is not strength else None))
    return out, dict(truncated)


def progress_printer() -> Progress | None:
    """A progress line on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, phase: str) -> None:
        end = "\n" if phase == "done" else ""
        sys.stderr.write(f"\r\x1b[2Kmlops-scan: {phase} {done}/{total} files{end}")
        sys.stderr.flush()

    return show
