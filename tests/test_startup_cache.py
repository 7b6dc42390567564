"""The start-up cache: same rules as a fresh load, rebuilt when a pack changes, corrupt files ignored."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import pytest

from mlops_scan import startcache as cache
from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.ruleset import load_all_rules

PACK = """schema_version: 1
rules:
  - id: ci.cached-probe
    capability: ci
    kind: file
    params: {{paths: ["{glob}"]}}
    strength: weak
    title: Probe
    description: A probe rule.
    remediation: None.
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(folder))
    return folder


def _stored(path: Path) -> tuple[tuple[str, ...], object]:
    """The key and value a cache file holds (its pickle follows its size; what is stored apart shows as a marker)."""
    reader = pickle.Unpickler(io.BytesIO(path.read_bytes()[cache.BLOBS_AT :]))
    reader.persistent_load = lambda pid: ("stored apart", pid)  # type: ignore[method-assign]
    found: tuple[tuple[str, ...], object] = reader.load()
    return found


def _store(path: Path, key: tuple[str, ...], value: object) -> None:
    data = pickle.dumps((key, value))
    path.write_bytes(len(data).to_bytes(cache.BLOBS_AT, "little") + data)


def _capabilities() -> list[str]:
    return list(load_model().capabilities)


def test_cached_rules_equal_a_fresh_load(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_all_rules(_capabilities())
    assert {"model", "rules"} <= {p.name.split("-")[0] for p in cache_dir.glob("*.pickle")}
    again = load_all_rules(_capabilities())
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", "")
    fresh = load_all_rules(_capabilities())
    assert again == first == fresh


def test_a_changed_pack_is_loaded_again(cache_dir: Path, tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "probe.yaml"
    pack.parent.mkdir()
    pack.write_text(PACK.format(glob="one.txt"), encoding="utf-8")
    [before] = [r for r in load_all_rules(_capabilities(), [pack.parent]) if r.id == "ci.cached-probe"]
    written = pack.stat()
    pack.write_text(PACK.format(glob="two.txt"), encoding="utf-8")  # same size, same inode
    os.utime(pack, ns=(written.st_atime_ns, written.st_mtime_ns))  # and the old time put back: its ctime tells
    [after] = [r for r in load_all_rules(_capabilities(), [pack.parent]) if r.id == "ci.cached-probe"]
    assert (before.params.paths, after.params.paths) == (["one.txt"], ["two.txt"])


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."], ids=["empty", "garbage", "wrong-type"])
def test_a_damaged_cache_file_is_rebuilt(cache_dir: Path, damage: bytes) -> None:
    expected = load_all_rules(_capabilities())
    [stored] = cache_dir.glob("rules-*.pickle")
    stored.write_bytes(damage)
    assert load_all_rules(_capabilities()) == expected
    assert stored.read_bytes() != damage


def test_an_entry_stored_under_another_key_is_not_used(cache_dir: Path) -> None:
    assert cache.cached("probe", (), ["x"], list, lambda: [1]) == [1]
    [stored] = cache_dir.glob("probe-*.pickle")
    key, _ = _stored(stored)
    _store(stored, (*key[:-1], "y"), [2])  # as if another key's CRC were the same
    assert cache.cached("probe", (), ["x"], list, lambda: [3]) == [3]


def test_shared_objects_are_stored_by_name_and_the_callers_put_back(cache_dir: Path) -> None:
    big, other = ["a rule", "x" * 10_000], ["another"]
    assert cache.cached("probe", (), [], list, lambda: [big, big, 1], {"big": big}) == [big, big, 1]
    [stored] = cache_dir.glob("probe-*.pickle")
    assert b"x" * 10_000 not in stored.read_bytes()  # by name, not by value
    mine = ["the caller's"]
    found = cache.cached("probe", (), [], list, lambda: [], {"big": mine})
    assert found == [mine, mine, 1] and found[0] is mine
    assert cache.cached("probe", (), [], list, lambda: ["rebuilt"], {"other": other}) == ["rebuilt"]  # name unknown


def test_long_byte_strings_are_stored_apart_and_read_as_views_of_the_file(cache_dir: Path) -> None:
    long, short = bytes(range(256)) * 4, b"short"
    value = {"long": (1, long), "short": short}
    assert cache.cached("probe", (), [], dict, lambda: value) == value
    [stored] = cache_dir.glob("probe-*.pickle")
    assert _stored(stored)[1] == {"long": (1, ("stored apart", (0, len(long)))), "short": short}
    found = cache.cached("probe", (), [], dict, lambda: {})
    assert isinstance(found["long"][1], memoryview) and found["long"][1] == long
    assert found["short"] == short and isinstance(found["short"], bytes)
    cache.store_memo("memo", found)  # views read back are stored again as bytes
    again = cache.load_memo("memo")
    assert again == found and bytes(again["long"][1]) == long


def test_a_cache_file_others_could_write_is_not_read(cache_dir: Path) -> None:
    calls = []
    cache.cached("probe", (), ["x"], list, lambda: calls.append(1) or [1])
    [stored] = cache_dir.glob("probe-*.pickle")
    os.chmod(stored, 0o666)
    cache.cached("probe", (), ["x"], list, lambda: calls.append(1) or [1])
    assert calls == [1, 1]


def test_an_unwritable_cache_folder_only_costs_the_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(blocked / "cache"))
    assert cache.cached("probe", (), [], list, lambda: [2]) == [2]
    assert list(tmp_path.iterdir()) == [blocked]


def test_old_cache_files_are_pruned(cache_dir: Path) -> None:
    for n in range(cache.KEEP_FILES + 3):
        cache.cached("probe", (), [str(n)], list, lambda: [])
    assert len(list(cache_dir.glob("probe-*.pickle"))) == cache.KEEP_FILES
    assert not list(cache_dir.glob(".tmp-*"))


def test_code_stamps_name_every_module_with_its_size(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "facts" / "ci").mkdir(parents=True)
    (tmp_path / "facts" / "ci" / "b.py").write_text("", encoding="utf-8")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "c.py").write_text("", encoding="utf-8")
    (tmp_path / "data.yaml").write_text("", encoding="utf-8")
    stamps = cache.code_stamps.__wrapped__(tmp_path)
    assert [stamp.rsplit(":", 1)[0] for stamp in stamps] == ["./a.py:6", "facts/ci/b.py:0"]
    (tmp_path / "facts" / "ci" / "b.py").write_text("y = 2\n", encoding="utf-8")
    assert cache.code_stamps.__wrapped__(tmp_path) != stamps
