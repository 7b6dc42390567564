"""Work-tree blob ids taken from their stat data on a warm scan: unchanged files are not read, changes are seen."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from gitrepos import commit, git
from hostile.repos import json_scan as scan
from scanning import FIXTURES

from mlops_scan.snapshot.statids import RACY_MARGIN_NS, StatIds, stat_data
from mlops_scan.snapshot.tree import Snapshot, open_snapshot

HOUR_NS = 3600 * 10**9
TRAIN = "src/churn/train.py"


def aged_copy(tmp_path: Path, fixture: str = "level2-mlflow-dvc") -> Path:
    """A copy of a fixture whose files were last modified an hour ago (not racily clean)."""
    root = Path(shutil.copytree(FIXTURES / fixture, tmp_path / "repo"))
    old = time.time_ns() - HOUR_NS
    for path in root.rglob("*"):
        os.utime(path, ns=(old, old))
    return root


def watch_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The work-tree files read from now on, in order (a path once per read)."""
    reads: list[str] = []
    read_file = Snapshot._read_file

    def counted(snapshot: Snapshot, path: str, limit: int) -> bytes | None:
        reads.append(path)
        return read_file(snapshot, path, limit)

    monkeypatch.setattr(Snapshot, "_read_file", counted)
    return reads


def swap_letter(path: Path) -> None:
    """An edit that keeps the size: every ``mlflow`` becomes ``nlflow``."""
    path.write_text(path.read_text(encoding="utf-8").replace("mlflow", "nlflow"), encoding="utf-8")


def test_an_unchanged_file_takes_its_remembered_id_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = aged_copy(tmp_path)
    first = open_snapshot(root)
    first.stat_ids = StatIds()
    oid = first.blob_id(TRAIN)
    assert oid is not None and first.stat_ids.fresh[TRAIN][2] == oid and first.stat_ids.changed()

    def no_read(self: Snapshot, path: str, limit: int) -> bytes | None:
        raise AssertionError(f"{path} read although its stat data is unchanged")

    second = open_snapshot(root)
    second.stat_ids = StatIds.decode(first.stat_ids.encode({TRAIN}))
    monkeypatch.setattr(Snapshot, "_read_file", no_read)
    assert second.blob_id(TRAIN) == oid
    assert not second.stat_ids.changed()


def test_a_racily_clean_file_is_read_again(tmp_path: Path) -> None:
    root = aged_copy(tmp_path)
    now = time.time_ns()
    os.utime(root / TRAIN, ns=(now, now))
    first = open_snapshot(root)
    first.stat_ids = StatIds()
    oid = first.blob_id(TRAIN)
    swap_letter(root / TRAIN)
    os.utime(root / TRAIN, ns=(now, now))
    second = open_snapshot(root)
    second.stat_ids = StatIds.decode(first.stat_ids.encode({TRAIN}))
    assert second.blob_id(TRAIN) not in (None, oid)


def test_lookup_wants_the_same_stat_data_and_an_mtime_safely_older_than_the_record(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n", encoding="utf-8")
    info = os.lstat(path)
    oid = "a" * 40
    safe = StatIds({"a.py": (stat_data(info), info.st_mtime_ns + RACY_MARGIN_NS + 1, oid)})
    assert safe.lookup("a.py", info) == oid
    assert safe.lookup("b.py", info) is None
    racy = StatIds({"a.py": (stat_data(info), info.st_mtime_ns + RACY_MARGIN_NS, oid)})
    assert racy.lookup("a.py", info) is None
    other_ctime = list(stat_data(info))
    other_ctime[2] += 1
    moved = StatIds({"a.py": (tuple(other_ctime), info.st_mtime_ns + HOUR_NS, oid)})  # type: ignore[dict-item]
    assert moved.lookup("a.py", info) is None


@pytest.mark.parametrize(
    "value",
    [
        None,
        "entries",
        {"format": 2, "entries": {"a.py": [1, 2, 3, 4, 5, 6, 7, "a" * 40]}},
        {"format": 1, "entries": {"a.py": [1, 2, 3, 4, 5, 6, 7, "not an id"]}},
        {"format": 1, "entries": {"a.py": [True, 2, 3, 4, 5, 6, 7, "a" * 40]}},
        {"format": 1, "entries": {"a.py": [1.5, 2, 3, 4, 5, 6, 7, "a" * 40]}},
        {"format": 1, "entries": {"a.py": [2, 3, 4, 5, 6, 7, "a" * 40]}},
        {"format": 1, "entries": ["a.py"]},
    ],
)
def test_entries_of_the_wrong_shape_are_forgotten(value: object) -> None:
    assert StatIds.decode(value).known == {}


def test_a_good_entry_is_decoded_beside_a_bad_one() -> None:
    value = {"format": 1, "entries": {"a.py": [1, 2, 3, 4, 5, 6, 7, "b" * 40], "c.py": [1, "x"]}}
    assert StatIds.decode(value).known == {"a.py": ((1, 2, 3, 4, 5, 6), 7, "b" * 40)}


def test_warm_scans_of_an_aged_tree_report_what_cold_scans_do(tmp_path: Path, cache_dir: Path) -> None:
    root = aged_copy(tmp_path)
    cold = scan(root, "--no-cache")
    assert scan(root) == cold
    assert scan(root) == cold


def test_a_first_scan_reads_each_file_once_for_its_content_and_its_blob_id(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blob id of a file the scan reads is worked out from the bytes read, with the stat data taken before: the
    outcome kept under it needs no second read, and the next scan reads nothing."""
    root = aged_copy(tmp_path)
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "1")
    reads = watch_reads(monkeypatch)
    cold = scan(root, "--no-cache")
    assert TRAIN in reads
    reads.clear()
    assert scan(root) == cold
    assert TRAIN in reads and len(reads) == len(set(reads))  # read once each, the ids kept with their stat data
    reads.clear()
    assert scan(root) == cold
    assert reads == []


def test_an_edit_keeping_size_and_mtime_is_seen(tmp_path: Path, cache_dir: Path) -> None:
    root = aged_copy(tmp_path)
    before = scan(root)
    info = os.lstat(root / TRAIN)
    swap_letter(root / TRAIN)
    os.utime(root / TRAIN, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert os.lstat(root / TRAIN).st_size == info.st_size
    warm = scan(root)
    assert warm == scan(root, "--no-cache") and warm != before


def test_an_edit_keeping_size_and_mtime_within_the_racy_window_is_seen(tmp_path: Path, cache_dir: Path) -> None:
    root = aged_copy(tmp_path)
    now = time.time_ns()
    os.utime(root / TRAIN, ns=(now, now))
    before = scan(root)
    swap_letter(root / TRAIN)
    os.utime(root / TRAIN, ns=(now, now))
    warm = scan(root)
    assert warm == scan(root, "--no-cache") and warm != before


def test_an_edit_with_a_new_mtime_is_seen(tmp_path: Path, cache_dir: Path) -> None:
    root = aged_copy(tmp_path)
    before = scan(root)
    swap_letter(root / TRAIN)
    warm = scan(root)
    assert warm == scan(root, "--no-cache") and warm != before


@pytest.mark.parametrize("replacement", ["link inside", "link outside", "fifo"])
def test_a_file_replaced_between_scans_is_handled_as_on_a_cold_scan(
    tmp_path: Path, cache_dir: Path, replacement: str
) -> None:
    root = aged_copy(tmp_path)
    outside = tmp_path / "outside.py"
    outside.write_text((root / TRAIN).read_text(encoding="utf-8"), encoding="utf-8")
    before = scan(root)
    (root / TRAIN).unlink()
    if replacement == "fifo":
        os.mkfifo(root / TRAIN)
    else:
        target = outside if replacement == "link outside" else root / "src/churn/prepare.py"
        os.symlink(target, root / TRAIN)
    warm = scan(root)
    assert warm == scan(root, "--no-cache") and warm != before


@pytest.mark.parametrize("where", ["inside", "outside"])
def test_a_folder_moved_behind_a_link_is_handled_as_on_a_cold_scan(tmp_path: Path, cache_dir: Path, where: str) -> None:
    """Git still lists the files under the folder (they are in its index) and they keep their stat data (a rename
    keeps inodes and times): only the check of the folders on the way sees the link."""
    root = aged_copy(tmp_path)
    git(root, "init", "-q")
    commit(root, "fixture", 0)
    before = scan(root)
    target = root / "src/moved" if where == "inside" else tmp_path / "moved"
    os.rename(root / "src/churn", target)
    os.symlink(target, root / "src/churn")
    warm = scan(root)
    assert warm == scan(root, "--no-cache") and warm != before  # outside: not followed; inside: other paths
