"""The scan record: a warm rescan reads one record instead of an entry per file, and still reports exactly what a
cold scan reports whatever changed (a file, the listing, the configuration, the rules, the tool, the record)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile.repos import TRACKING, run, write
from hostile.repos import json_scan as scan
from scanning import FIXTURES
from test_stat_ids import TRAIN, aged_copy

from mlops_scan.evidence import reuse
from mlops_scan.facts.blobcache import FILE_NAME, BlobCache
from mlops_scan.facts.splitvalue import get_split
from mlops_scan.snapshot.tree import FileEntry

RECORD = "scan-record-"


@pytest.fixture
def root(tmp_path: Path, cache_dir: Path) -> Path:
    """An aged copy of the level-2 fixture (its files not racily clean), scanned once to fill the cache."""
    copy = aged_copy(tmp_path)
    scan(copy)
    return copy


class Calls:
    """The cache reads (by kind) and writes (by kind) of the scans made while it watches, and the files scanned
    afresh."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[str] = []
        self.written: list[str] = []
        self.scanned: list[str] = []
        get_text, put, put_text, scan_file = BlobCache.get_text, BlobCache.put, BlobCache.put_text, reuse.scan_file

        def watched_get(cache: BlobCache, kind: str, oid: str) -> str | None:
            self.read.append(_kind(kind))
            return get_text(cache, kind, oid)

        def watched_put(cache: BlobCache, kind: str, oid: str, value: object) -> str:
            self.written.append(_kind(kind))
            return put(cache, kind, oid, value)

        def watched_put_text(cache: BlobCache, kind: str, oid: str, text: str) -> None:
            self.written.append(_kind(kind))
            put_text(cache, kind, oid, text)

        def watched_scan(ctx: reuse.FileContext, matchers: list[reuse.AnyMatcher]) -> reuse.FileScan:
            self.scanned.append(ctx.path)
            return scan_file(ctx, matchers)

        monkeypatch.setattr(BlobCache, "get_text", watched_get)
        monkeypatch.setattr(BlobCache, "put", watched_put)
        monkeypatch.setattr(BlobCache, "put_text", watched_put_text)
        monkeypatch.setattr(reuse, "scan_file", watched_scan)


def _kind(kind: str) -> str:
    """The kind without its namespace: ``outcome``, ``scan-record``, ``python``, ``stat``; ``-base`` for a base
    (:mod:`mlops_scan.facts.splitvalue`)."""
    if kind.endswith("-base"):
        return _kind(kind.removesuffix("-base")) + "-base"
    return kind.rsplit("-", 1)[0] if kind.startswith(("outcome-", RECORD)) else kind.split("-")[0]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    return Calls(monkeypatch)


def test_an_unchanged_rescan_reads_four_entries_and_writes_none(root: Path, calls: Calls) -> None:
    assert scan(root) == scan(root, "--no-cache")
    assert calls.read == ["stat", "stat-base", "scan-record", "scan-record-base"]  # each a head and its base
    assert calls.written == [] and calls.scanned == []


def test_an_edited_file_alone_is_scanned_again(root: Path, calls: Calls) -> None:
    train = root / TRAIN
    train.write_text(train.read_text(encoding="utf-8") + "\nmlflow.log_param('depth', 3)\n", encoding="utf-8")
    warm = scan(root)
    assert calls.scanned == [TRAIN]
    assert calls.read.count("outcome") == 1  # the edited file's own entry (a blob seen elsewhere would be reused)
    assert sorted(set(calls.written)) == ["outcome", "python", "scan-record", "stat"]
    assert warm == scan(root, "--no-cache")


def test_added_and_removed_files_give_the_cold_report(root: Path, calls: Calls) -> None:
    before = scan(root)
    write(root, "src/churn/track.py", TRACKING)
    (root / "src/churn/__init__.py").unlink()  # the package marker beside train.py: its outcome consulted it
    warm = scan(root)
    assert warm == scan(root, "--no-cache") and warm != before
    assert "src/churn/track.py" in calls.scanned and TRAIN in calls.scanned


@pytest.mark.parametrize(
    "config",
    ['disable = ["experiment_tracking"]\n', 'exclude = ["src/churn/train.py"]\n', "[limits]\nmax_file_bytes = 500\n"],
)
def test_a_changed_configuration_gives_the_cold_report(root: Path, config: str) -> None:
    def scanned(*options: str) -> str:
        report = run("scan", str(root), "-f", "json", "-q", *options)
        assert report.code == 0, report.stderr
        return report.stdout

    (root / ".mlops-scan.toml").write_text("# nothing set\n", encoding="utf-8")
    before = scanned()
    (root / ".mlops-scan.toml").write_text(config, encoding="utf-8")
    warm = scanned()
    assert warm == scanned("--no-cache") and json.loads(warm)["capabilities"] != json.loads(before)["capabilities"]


PACK = """\
schema_version: 1
rules:
  - id: experiment_tracking.local-probe
    capability: experiment_tracking
    kind: python
    strength: strong
    title: Probe
    description: A probe rule.
    remediation: None.
    params:
      calls: [{call}]
"""


def test_a_changed_rule_gives_the_cold_report(root: Path, tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    write(packs, "probe.yaml", PACK.format(call="mlflow.log_metric"))
    before = scan(root, "--rules", str(packs))
    write(packs, "probe.yaml", PACK.format(call="mlflow.start_run"))
    warm = scan(root, "--rules", str(packs))
    assert warm == scan(root, "--rules", str(packs), "--no-cache") and warm != before


def test_another_tool_version_scans_every_file_again(
    tmp_path: Path, cache_dir: Path, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = aged_copy(tmp_path)
    cold = scan(copy)
    first, calls.scanned = calls.scanned, []
    assert scan(copy) == cold and calls.scanned == []
    monkeypatch.setattr(reuse, "__version__", "0.0.0-other")
    assert scan(copy) == cold and calls.scanned == first and len(first) > 5


def _record_head(cache_dir: Path) -> tuple[str, str]:
    """(kind, key) of the one scan record's head."""
    with sqlite3.connect(cache_dir / FILE_NAME) as db:
        keys = [key for (key,) in db.execute("SELECT key FROM entries WHERE key LIKE ?", (f"%:{RECORD}%",))]
    [head] = [key for key in keys if not key.split(":")[1].endswith("-base")]
    _, kind, key = head.split(":", 2)
    return kind, key


def read_record(cache_dir: Path) -> dict[str, Any]:
    """The scan record as a scan reads it: its head's fields and its ``files`` (base and delta merged)."""
    kind, key = _record_head(cache_dir)
    cache = BlobCache(cache_dir / FILE_NAME)
    kept = get_split(cache, kind, key)
    cache.close()
    return {**kept.head, "files": kept.entries}


def write_record(cache_dir: Path, value: object) -> None:
    """Write ``value`` as the scan record: a value of :func:`read_record`'s shape as its head and a new base."""
    kind, key = _record_head(cache_dir)
    cache = BlobCache(cache_dir / FILE_NAME)
    if isinstance(value, dict) and "files" in value:
        cache.put_text(f"{kind}-base", "written", json.dumps(value["files"]))
        head = {name: field for name, field in value.items() if name != "files"}
        cache.put(kind, key, {"head": head, "base": "written", "delta": {}})
    else:
        cache.put(kind, key, value)
    cache.close()


def _damage(cache_dir: Path, change: object) -> None:
    value = read_record(cache_dir)
    files = value["files"]
    first = next(iter(files))
    if callable(change):
        change(value, files, first)
    else:
        value = change  # type: ignore[assignment]
    write_record(cache_dir, value)


DAMAGES = {
    "not a record": [1, 2],
    "another format": lambda v, f, p: v.update(format=99),
    "files not a mapping": lambda v, f, p: v.update(files=[1]),
    "entry too short": lambda v, f, p: f.update({p: f[p][:3]}),
    "kinds not an index": lambda v, f, p: [f[k].__setitem__(1, "file") for k in f],
    "kinds out of the table": lambda v, f, p: [f[k].__setitem__(1, 99) for k in f],
    "kind table not a list": lambda v, f, p: v.update(kinds={"file": 0}),
    "unknown kind": lambda v, f, p: v.update(kinds=[["no-such-kind"] for _ in v["kinds"]]),
    "outcome not json": lambda v, f, p: [f[k].__setitem__(3, "{not json") for k in f],
    "outcome of another shape": lambda v, f, p: [f[k].__setitem__(3, '{"hits": 1}') for k in f],
    "outcome not text": lambda v, f, p: [f[k].__setitem__(3, {"hits": []}) for k in f],
    "deeply nested outcome": lambda v, f, p: [f[k].__setitem__(3, "[" * 100_000) for k in f],
    "another blob id": lambda v, f, p: [f[k].__setitem__(2, "0" * 40) for k in f],
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_a_damaged_record_is_a_miss_never_a_wrong_report(root: Path, cache_dir: Path, damage: str) -> None:
    cold = scan(root, "--no-cache")
    _damage(cache_dir, DAMAGES[damage])
    assert scan(root) == cold
    assert scan(root) == cold  # the record written again after the damaged one


def test_an_unchanged_rescan_takes_the_recorded_result_without_scanning(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = scan(root, "--no-cache")
    from mlops_scan.evidence import collect

    def no_project(*args: object) -> None:
        raise AssertionError("the project read again although nothing changed")

    monkeypatch.setattr(collect, "detect_project", no_project)
    assert scan(root) == cold


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir() if p.name not in ("rules", "traps")))
def test_warm_rescans_of_every_fixture_report_what_cold_scans_do(tmp_path: Path, cache_dir: Path, fixture: str) -> None:
    copy = aged_copy(tmp_path, fixture)
    cold = scan(copy, "--no-cache", "--per-project")
    assert [scan(copy, "--per-project") for _ in range(3)] == [cold] * 3


def test_a_new_file_the_listing_skips_gives_the_cold_report(root: Path) -> None:
    before = scan(root)
    write(root, b"notes\nabout.txt", "a newline in the name\n")
    warm = scan(root)
    assert warm == scan(root, "--no-cache") and warm != before
    assert {
        "path": "notes\\nabout.txt",
        "reason": "file name contains control characters (e.g. a newline): not scanned",
    } in json.loads(warm)["skipped"]


def test_a_file_no_kind_wants_but_the_scan_read_is_seen(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README is read for its title outside any file's scan: its change must be seen although no kind wants it."""
    from mlops_scan.matchers.base import installed_kinds

    for cls in installed_kinds().values():
        monkeypatch.setattr(cls, "wants", _refusing(cls.wants, "README.md"))
    write(root, "README.md", "# Churn model\n")
    before = scan(root)
    assert scan(root) == before
    write(root, "README.md", "# Churn examples\n")
    warm = scan(root)
    assert warm == scan(root, "--no-cache") and warm != before
    assert any("collection of examples" in note for note in json.loads(warm)["notes"])


def _refusing(wants: Callable[[object, FileEntry], bool], path: str) -> Callable[[object, FileEntry], bool]:
    def refusing(self: object, entry: FileEntry) -> bool:
        return entry.path != path and wants(self, entry)

    return refusing


RESULT_DAMAGES = {
    "text changed": lambda v: v.update(result=v["result"].replace('"level', '"levle')),
    "unknown rule": lambda v: _resealed(v, lambda r: r["evidence"][0].__setitem__(1, "ci.no-such-rule")),
    "strength unknown": lambda v: _resealed(v, lambda r: r["evidence"][0].__setitem__(5, "mighty")),
    "inspected count as text": lambda v: _resealed(v, lambda r: r["inspected"].__setitem__("files_read", "8")),
    "outside path changed": lambda v: v["outside"].update({next(iter(v["outside"])): "project:" + "0" * 40}),
    "listing skips differ": lambda v: v.update(listing=[["x", "y"]]),
}


def _resealed(value: dict[str, Any], change: Callable[[dict[str, Any]], object]) -> None:
    result = json.loads(value["result"])
    change(result)
    value["result"] = json.dumps(result)
    value["sha"] = hashlib.sha256(value["result"].encode()).hexdigest()


@pytest.mark.parametrize("damage", RESULT_DAMAGES, ids=list(RESULT_DAMAGES))
def test_a_damaged_recorded_result_is_a_miss(root: Path, cache_dir: Path, damage: str) -> None:
    cold = scan(root, "--no-cache")
    scan(root)
    value = read_record(cache_dir)
    RESULT_DAMAGES[damage](value)
    write_record(cache_dir, value)
    assert scan(root) == cold


def test_a_file_without_evidence_gaining_some_is_seen(tmp_path: Path, cache_dir: Path) -> None:
    """Nothing outside the file's own scan consulted it: only its own blob id shows the change."""
    copy = aged_copy(tmp_path)
    write(copy, "src/churn/util.py", "def double(x):\n    return 2 * x\n")
    before = scan(copy)
    assert scan(copy) == before
    write(copy, "src/churn/util.py", TRACKING)
    warm = scan(copy)
    assert warm == scan(copy, "--no-cache") and warm != before
