"""A large mapping kept as a base and a delta: a few changed entries write the head alone, many write a new base,
and a head without its base is a miss."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mlops_scan.facts.blobcache import FILE_NAME, BlobCache
from mlops_scan.facts.splitvalue import FOLD_AT, get_split, put_split

KIND, KEY = "probe", "root"
ENTRIES: dict[str, object] = {f"src/m{n}.py": [n, "a" * 40] for n in range(200)}


def rows(path: Path) -> dict[str, str]:
    """Kind -> value text of every entry."""
    with sqlite3.connect(path) as db:
        return {key.split(":")[1]: value for key, value in db.execute("SELECT key, value FROM entries")}


def stored(path: Path, head: dict[str, object], entries: dict[str, object]) -> None:
    cache = BlobCache(path)
    put_split(cache, KIND, KEY, head, entries, get_split(cache, KIND, KEY))
    cache.close()


def read(path: Path) -> tuple[dict[str, object], dict[str, object]]:
    cache = BlobCache(path)
    kept = get_split(cache, KIND, KEY)
    cache.close()
    return kept.head, kept.entries


def test_a_few_changes_write_the_head_alone_with_them(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    stored(path, {"format": 1}, ENTRIES)
    base = rows(path)[f"{KIND}-base"]
    changed = {**ENTRIES, "src/m3.py": [3, "b" * 40], "src/new.py": [0, "c" * 40]}
    del changed["src/m7.py"]
    stored(path, {"format": 1}, changed)
    assert rows(path)[f"{KIND}-base"] == base  # one base: not written again
    assert '"delta":{"src/m3.py":[3,"' + "b" * 40 + '"],"src/new.py":[0,"' in rows(path)[KIND]
    assert '"src/m7.py":null' in rows(path)[KIND]
    assert read(path) == ({"format": 1}, changed)


def test_many_changes_write_a_new_base_and_an_empty_delta(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    stored(path, {}, ENTRIES)
    changed = ENTRIES | {p: [0, "d" * 40] for p in list(ENTRIES)[: FOLD_AT + 1]}
    stored(path, {}, changed)
    with sqlite3.connect(path) as db:
        bases = [value for (value,) in db.execute("SELECT value FROM entries WHERE key LIKE ?", (f"%:{KIND}-base:%",))]
    assert len(bases) == 2 and '"src/m0.py":[0,"' + "d" * 40 in bases[1]  # the old one leaves with the least used
    assert rows(path)[KIND].endswith('"delta":{}}')
    assert read(path) == ({}, changed)


def test_nothing_is_written_when_nothing_changed(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    stored(path, {"n": 1}, ENTRIES)
    cache = BlobCache(path)
    put_split(cache, KIND, KEY, {"n": 1}, dict(ENTRIES), get_split(cache, KIND, KEY))
    assert cache._pending == {}
    cache.close()


def test_a_head_without_its_base_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    stored(path, {"n": 1}, ENTRIES)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM entries WHERE key LIKE ?", (f"%:{KIND}-base:%",))
    assert read(path) == ({}, {})
    stored(path, {"n": 1}, ENTRIES)  # written whole again
    assert read(path) == ({"n": 1}, ENTRIES)
