"""The Evidence stage: one pass over the snapshot's files, every matcher kind served from it."""

from __future__ import annotations

import gc
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, TextIO

from mlops_scan import lifetime
from mlops_scan.evidence import partner
from mlops_scan.evidence.bounded import build_matchers
from mlops_scan.evidence.filescan import Gathered, scan_file
from mlops_scan.evidence.handover import Handover, context, take_over
from mlops_scan.evidence.result import ScanResult
from mlops_scan.facts import blobcache
from mlops_scan.facts.context import FileContext
from mlops_scan.facts.parsetime import parse_bounds
from mlops_scan.facts.project import detect_project
from mlops_scan.facts.readme import readme_title
from mlops_scan.matchers.base import AnyMatcher, Hit
from mlops_scan.matchers.regexes import save_literals
from mlops_scan.rules.lifecycle import deprecation_note, is_capped
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.text import printable
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.snapshot.zones import counts_at_full_strength
from mlops_scan.types import Evidence, Strength, Zone

if TYPE_CHECKING:
    from mlops_scan.evidence.reuse import Reuse


Progress = Callable[[int, int, str], None]
"""Told (files done, files in all, phase) as the scan goes; phase ``done`` ends the display."""
PROGRESS_EVERY = 64
"""Files between two progress reports (the display throttles itself further)."""


def collect(snapshot: Snapshot, rules: list[Rule[object]], progress: Progress | None = None) -> ScanResult:
    """Run every rule over the snapshot, reading and parsing each file at most once (with the facts cache, the
    result of the scan before when nothing it depends on changed; else each unchanged file's kept outcome)."""
    cache = blobcache.active()
    reuse = None
    if cache is not None:  # imported only here: a scan without the facts cache keeps no record
        from mlops_scan.evidence.reuse import Reuse

        reuse = Reuse(cache, snapshot, rules)
    if reuse is not None and (kept := reuse.kept_result()) is not None:
        return kept
    contexts: dict[str, FileContext] = {}
    project = detect_project(snapshot, contexts)
    matchers = build_matchers(rules, project, snapshot)  # a repository's own rules last, each under a time bound
    done = _FilePass(snapshot, skipped=[skip for ctx in contexts.values() for skip in ctx.skipped])  # the manifests
    if reuse is not None:
        reuse.begin(project)
    done.run(matchers, contexts, progress, reuse)
    total = len(snapshot.files)
    save_literals()
    measurements: dict[str, object] = {}
    if progress is not None:
        progress(total, total, "finishing")
    for matcher in matchers:
        done.hits.extend(matcher.finish(snapshot))
        measurements.update(matcher.measurements())
    if progress is not None:
        progress(total, total, "done")
    evidence, truncated = _to_evidence(snapshot, done.hits)
    capped = {rule.id for rule in rules if is_capped(rule)}
    note = deprecation_note(e.rule for e in evidence if e.rule in capped)
    errors = [*done.errors, note] if note else done.errors
    inspected = _inspected(snapshot, done, truncated)
    title = readme_title(snapshot)
    gathered = list(dict.fromkeys([*snapshot.skipped, *done.skipped]))  # a file referred to twice is skipped once
    result = ScanResult(evidence, project, inspected, measurements, skipped=gathered, errors=errors, readme_title=title)
    if reuse is not None:
        reuse.store(result)
    lifetime.keep("file pass", done, matchers, contexts)  # freed by the next scan, or dropped by the exit at once
    return result


class _FilePass(Gathered):
    """What the pass over the files gathered."""

    def run(
        self,
        matchers: list[AnyMatcher],
        contexts: dict[str, FileContext],
        progress: Progress | None,
        reuse: Reuse | None,
    ) -> None:
        """Give each file to the matchers that want it: this process from the first file on and, when that pays, a
        partner process from the last back (:mod:`mlops_scan.evidence.partner`); with ``reuse``, a file whose kept
        outcome still holds is replayed instead, in its place in the order."""
        snapshot = self.snapshot
        total = len(snapshot.files)
        if reuse is not None:
            work = reuse.plan(matchers, self)
        else:
            work = [(i, e, want) for i, e in enumerate(snapshot.files) if (want := [m for m in matchers if m.wants(e)])]
        shared = partner.pays(len(work)) and snapshot.objects is None  # a revision's files come through one git process
        shared = shared and all(m.reusable for m in matchers)  # each hands back its outcomes (not a repository's rule)
        helper: partner.Partner | None = None
        next_report = 0
        try:
            with _fewer_collections(), parse_bounds():
                helper = partner.Partner.start(len(work), Handover(snapshot, work, contexts, reuse)) if shared else None
                stop = len(work)
                for position, (index, entry, interested) in enumerate(work):
                    if helper is not None and not helper.claim(position):
                        stop = position
                        break
                    if progress is not None and index >= next_report:
                        theirs = total - work[helper.first()][0] if helper and helper.first() < len(work) else 0
                        progress(min(index + theirs, total), total, "scanning")
                        next_report = index + PROGRESS_EVERY
                    self._scan_here(index, entry, interested, contexts, reuse)
                if helper is not None:
                    scan_here = partial(self._scan_here, contexts=contexts, reuse=reuse)
                    take_over(helper, self, matchers, work, stop, scan_here, reuse)
                self.replay_before(total)
        finally:
            if helper is not None:
                helper.stop()

    def _scan_here(
        self,
        index: int,
        entry: FileEntry,
        interested: list[AnyMatcher],
        contexts: dict[str, FileContext],
        reuse: Reuse | None,
    ) -> None:
        """Scan one file in this process, after replaying the kept outcomes of the files before it."""
        ctx = context(self.snapshot, entry, contexts)
        self.replay_before(index)
        self.add_scan(ctx, reuse.scan(ctx, interested) if reuse else scan_file(ctx, interested))


def _inspected(snapshot: Snapshot, done: _FilePass, truncated: dict[str, int]) -> dict[str, object]:
    """The report's ``inspected`` section: what was listed, read and parsed, and what was left out."""
    inspected: dict[str, object] = {
        "files_listed": len(snapshot.files),
        "files_read": snapshot.files_read,
        "bytes_read": snapshot.bytes_read,
        "parsed": dict(sorted(done.parsed.items())),
        "listing": snapshot.source,
    }
    if snapshot.revision is not None:
        inspected["source"] = snapshot.revision
    if done.rule_packs:
        inspected["rule_packs_not_scanned"] = done.rule_packs
    if truncated:
        inspected["evidence_not_listed"] = dict(sorted(truncated.items()))  # over Limits.max_evidence_per_rule
    return inspected


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """During the file pass, the rules, matchers and listing (alive throughout) are left out of garbage
    collection and young objects are collected less often: parsing allocates many short-lived nodes,
    and each collection otherwise walks every long-lived object again (about a tenth of the CPU time)."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 100, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


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
        full = counts_at_full_strength(zone, hit.rule.capability) and not is_capped(hit.rule)
        effective = strength if full else Strength.WEAK
        per_rule[hit.rule.id] += 1
        if per_rule[hit.rule.id] > cap:
            truncated[hit.rule.id] += 1
            continue
        out.append(
            Evidence(
                hit.rule.capability,
                hit.rule.id,
                hit.path,
                hit.line,
                printable(hit.snippet),
                effective,
                zone,
                strength if effective is not strength else None,
                hit.via,
            )
        )
    return out, dict(truncated)


class ProgressLine:
    """A throttled, self-erasing progress line: ``mlops-scan: scanning 1200/9000 files (13%) 2.1 s``.

    Nothing is drawn for a scan that ends within ``delay`` seconds, the line is redrawn at most
    every ``interval`` seconds (phase changes redraw at once), fits the terminal width, and is
    erased when the scan is done, so the report that follows starts on a clean line.
    """

    def __init__(
        self,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        delay: float = 0.5,
        interval: float = 0.1,
        width: int = 80,
        unit: str = "files",
    ):
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.delay = delay
        self.interval = interval
        self.width = width
        self.unit = unit
        self.phase = ""
        self.drawn_at: float | None = None

    def __call__(self, done: int, total: int, phase: str) -> None:
        now = self.clock()
        if phase == "done":
            if self.drawn_at is not None:
                self._write("\r\x1b[2K")
            self.drawn_at = None
            return
        if now - self.start < self.delay:
            return
        if phase == self.phase and self.drawn_at is not None and now - self.drawn_at < self.interval:
            return
        self.phase = phase
        self.drawn_at = now
        count = f" {done}/{total} {self.unit} ({done * 100 // total}%)" if total else ""
        line = f"mlops-scan: {phase}{count} {now - self.start:.1f} s"
        self._write("\r\x1b[2K" + line[: self.width - 1])

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken terminal must not end the scan
            pass


def progress_printer(stream: TextIO | None = None, unit: str = "files") -> Progress | None:
    """A progress line on ``stream`` (stderr) when it is a terminal, else None."""
    stream = stream if stream is not None else sys.stderr
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    import shutil  # only a terminal needs its width (shutil imports bz2 and lzma)

    return ProgressLine(stream, width=shutil.get_terminal_size((80, 24)).columns, unit=unit)
