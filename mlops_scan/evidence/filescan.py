"""One file scanned by the matchers that want it (:func:`scan_file`), and what the file pass gathers from files
scanned afresh and from outcomes kept by the scans before and replayed (:mod:`mlops_scan.evidence.reuse`) alike."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import AnyMatcher, Hit, decode_hit, encode_hit
from mlops_scan.rules.loader import Rule, looks_like_rule_pack
from mlops_scan.snapshot.tree import Consulted, FileEntry, Snapshot
from mlops_scan.types import Skipped

if TYPE_CHECKING:  # the scan record is imported only by a scan that keeps one (not with --no-cache)
    from mlops_scan.evidence.record import Plain


Work = tuple[int, FileEntry, list[AnyMatcher]]
"""A file to scan: its index in the listing, its entry, the matcher kinds that want it."""


@dataclass
class Outcome:
    """What scanning one file produced, kept for the scans after (see :mod:`mlops_scan.evidence.reuse`)."""

    hits: list[Hit]
    add_states: list[Callable[[], None]]
    parsed: list[str]
    skipped: list[Skipped]
    reads: dict[str, int]
    plain: Plain | None = None
    """Its compact form in the scan record, when it carries nothing but counts (:data:`Plain`)."""


@dataclass
class FileScan:
    """What the matchers made of one file in this scan."""

    hits: list[Hit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rule_pack: bool = False
    whole: bool = True
    """Every matcher ran to its end on the file (none failed or was cut short)."""


def scan_file(ctx: FileContext, matchers: list[AnyMatcher]) -> FileScan:
    """Run the matchers interested in one file; a matcher failing on it is reported, and the scan goes on."""
    done = FileScan()
    if ctx.entry.suffix in (".yaml", ".yml") and looks_like_rule_pack(ctx.text):
        done.rule_pack = True  # describes signatures; it is not evidence of using them
        return done
    for matcher in matchers:
        try:
            done.hits.extend(matcher.scan(ctx))
        except RecursionError:
            done.whole = False
            ctx.skip(f"nested too deeply for the {matcher.kind} matcher")
        except Exception as exc:  # a matcher bug must not end the scan: report it and go on
            done.whole = False
            done.errors.append(f"{matcher.kind} matcher failed on {ctx.path}: {exc.__class__.__name__}: {exc}")
    return done


def outcome_of(
    ctx: FileContext, matchers: list[AnyMatcher], done: FileScan, consulted: Consulted
) -> dict[str, object] | None:
    """What scanning ``ctx`` produced (``done``, with ``consulted`` set during the scan), JSON-ready, for another
    scan or process to replay (:func:`decode_outcome`): the hits, what each kind added to its state, the parses
    run, the problems recorded and the size of every file read. None when it cannot be replayed: a rule pack, a
    matcher failed or was cut short, a kind that keeps no file state."""
    if done.rule_pack or not done.whole or not all(m.reusable for m in matchers):
        return None
    used = consulted.read | ({ctx.path} if ctx.text_loaded else set())
    sizes = ctx.snapshot.read_sizes
    return {
        "hits": [encode_hit(hit) for hit in done.hits],
        "states": {m.kind: m.file_state(ctx.path) for m in matchers},
        "parsed": list(ctx.parsed),
        "skipped": [[s.path, s.reason] for s in ctx.skipped],
        "reads": {p: sizes[p] for p in sorted(used) if p in sizes},
    }


def decode_outcome(
    value: dict[str, object], path: str, matchers: list[AnyMatcher], rules: dict[str, Rule[object]]
) -> Outcome:
    """The :class:`Outcome` of :func:`outcome_of`'s ``value`` for the file ``path``, ready to replay; ValueError,
    TypeError or KeyError when ``value`` has another shape (a damaged record)."""
    states = value["states"]
    if not isinstance(states, dict) or set(states) != {m.kind for m in matchers}:
        raise ValueError("not the states of these kinds")
    names, skipped, reads = _list(value["parsed"]), _list(value["skipped"]), value["reads"]
    parsed = [p for p in names if isinstance(p, str)]
    if len(parsed) != len(names):
        raise ValueError("not parser names")
    if not all(isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item) for item in skipped):
        raise ValueError("not skipped paths and reasons")
    if not isinstance(reads, dict) or not all(isinstance(p, str) and type(n) is int for p, n in reads.items()):
        raise ValueError("not read sizes")
    hits = [decode_hit(h, rules) for h in _list(value["hits"])]
    adds = [m.restore_state(path, states[m.kind]) for m in matchers if states[m.kind] is not None]
    return Outcome(hits, adds, parsed, [Skipped(*cast("list[str]", item)) for item in skipped], reads)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


@dataclass(eq=False, repr=False)
class Gathered:
    """What the file pass found so far, from files scanned afresh and from replayed outcomes alike (never compared
    or shown: no generated ``__eq__`` or ``__repr__`` to compile at every start)."""

    snapshot: Snapshot
    hits: list[Hit] = field(default_factory=list)
    parsed: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rule_packs: list[str] = field(default_factory=list)
    replays: deque[tuple[int, Outcome]] = field(default_factory=deque)
    """Outcomes to replay, by file index, in the order of the files (the kinds' states depend on it)."""

    def add_scan(self, ctx: FileContext, done: FileScan) -> None:
        """Add what scanning one file afresh found."""
        self.hits += done.hits
        self.errors += done.errors
        if done.rule_pack:
            self.rule_packs.append(ctx.path)
            return
        self.parsed.update(ctx.parsed)
        self.skipped += ctx.skipped

    def replay_counts(self, path: str, size: int | None, parsed: list[str]) -> None:
        """Replay an outcome that carries nothing but counts: the size of the file as read (None when it was not
        read) and the parses run (their place in the order of the files does not matter)."""
        if size is not None:
            self.snapshot.read_sizes[path] = size
        if parsed:
            self.parsed.update(parsed)

    def replay_before(self, index: int) -> None:
        """Replay the kept outcomes of the files listed before ``index``."""
        while self.replays and self.replays[0][0] < index:
            self.replay(self.replays.popleft()[1])

    def replay(self, outcome: Outcome) -> None:
        """Add what a file's kept outcome holds, as if the file were scanned afresh here."""
        self.hits += outcome.hits
        for add in outcome.add_states:
            add()
        self.skipped += outcome.skipped
        self.snapshot.read_sizes.update(outcome.reads)
        self.parsed.update(outcome.parsed)
