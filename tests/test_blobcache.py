"""The per-blob facts cache: same reports warm and cold, bounded, off with --no-cache, never trusts a bad file."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from gitrepos import commit, git, write
from hostile.repos import json_scan as scan
from scanning import FIXTURES

from mlops_scan.facts.blobcache import FILE_NAME, BlobCache

NOTEBOOKS = FIXTURES / "level0-notebooks"


def entries(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(row[0].split(":", 1)[1].split(":")[0] for row in db.execute("SELECT key FROM entries"))


@pytest.mark.parametrize("fixture", ["level2-mlflow-dvc", "level0-notebooks"])
def test_warm_scan_reports_exactly_what_a_cold_scan_does(cache_dir: Path, fixture: str) -> None:
    cold = scan(FIXTURES / fixture, "--no-cache")
    assert not (cache_dir / FILE_NAME).exists()
    first = scan(FIXTURES / fixture)
    kinds = entries(cache_dir / FILE_NAME)
    named = {k.removesuffix("-base") for k in kinds}
    # The fixture's notebooks import no module a rule for notebooks names: never parsed, no facts to keep.
    facts = set() if fixture == "level0-notebooks" else {"python"}
    assert kinds and {k.rsplit("-", 1)[0] if k.startswith(("outcome-", "scan-record-")) else k for k in named} == {
        *facts,
        "outcome",
        "scan-record",
        "stat-ids",
    }
    assert sum(k.endswith("-base") for k in kinds) == 2  # the record's and the stat ids' bases
    warm = scan(FIXTURES / fixture)
    assert first == cold and warm == cold


def test_a_notebooks_facts_are_kept_and_a_warm_scan_reports_what_a_cold_one_does(
    cache_dir: Path, tmp_path: Path
) -> None:
    cells = ["%pip install mlflow\nimport mlflow\n", "mlflow.log_metric('rmse', 0.5)\n"]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    notebook["cells"] = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": c} for c in cells]
    repo = tmp_path / "repo"
    write(repo, "train.ipynb", json.dumps(notebook, indent=1))
    git(repo, "init", "-q")
    commit(repo, "a notebook", 0)
    cold = scan(repo, "--no-cache")
    assert '"experiment_tracking.mlflow-log-call"' in cold
    first = scan(repo)
    assert "notebook-python" in entries(cache_dir / FILE_NAME)
    warm = scan(repo)
    assert first == cold and warm == cold


def test_warm_scan_takes_the_facts_from_the_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scan(FIXTURES / "level2-mlflow-dvc")
    from mlops_scan.facts import context

    def no_parse(self: object, source: str) -> None:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(context.FileContext, "_extract", no_parse)
    assert json.loads(scan(FIXTURES / "level2-mlflow-dvc"))["level"] == 2


@pytest.mark.parametrize(
    "damage",
    [
        b"not a database at all" * 100,
        b"SQLite format 3\x00" + b"\xff" * 4000,
    ],
)
def test_corrupt_cache_file_is_ignored(cache_dir: Path, damage: bytes) -> None:
    cold = scan(FIXTURES / "level2-mlflow-dvc", "--no-cache")
    cache_dir.mkdir(exist_ok=True)
    (cache_dir / FILE_NAME).write_bytes(damage)
    (cache_dir / FILE_NAME).chmod(0o600)
    assert scan(FIXTURES / "level2-mlflow-dvc") == cold
    assert (cache_dir / FILE_NAME).read_bytes() == damage  # left alone, never rewritten


def test_foreign_database_and_unsafe_file_are_ignored(cache_dir: Path) -> None:
    cold = scan(FIXTURES / "level2-mlflow-dvc", "--no-cache")
    cache_dir.mkdir(exist_ok=True)
    with sqlite3.connect(cache_dir / FILE_NAME) as db:
        db.execute("CREATE TABLE entries (key TEXT, value TEXT, size INTEGER, used INTEGER)")
        db.execute("CREATE TABLE meta (name TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('format', 'some other tool')")
    os.chmod(cache_dir / FILE_NAME, 0o600)
    assert scan(FIXTURES / "level2-mlflow-dvc") == cold
    assert entries(cache_dir / FILE_NAME) == []
    (cache_dir / FILE_NAME).unlink()
    scan(FIXTURES / "level2-mlflow-dvc")
    os.chmod(cache_dir / FILE_NAME, 0o666)  # others could have written it: not read
    assert BlobCache(cache_dir / FILE_NAME).persistent is False


def test_damaged_entries_are_misses_not_facts(cache_dir: Path) -> None:
    cold = scan(FIXTURES / "level2-mlflow-dvc", "--no-cache")
    scan(FIXTURES / "level2-mlflow-dvc")
    values = [
        "{not json",
        json.dumps({"facts": {"imports": "mlflow"}, "parses": 1, "by_cells": True}),
        json.dumps({"facts": None, "parses": 1, "by_cells": True}),
        json.dumps({"parses": -1}),
        "[" * 100_000,
    ]
    for value in values:
        with sqlite3.connect(cache_dir / FILE_NAME) as db:
            db.execute("UPDATE entries SET value = ?", (value,))
        assert scan(FIXTURES / "level2-mlflow-dvc") == cold


def test_cache_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    cache = BlobCache(path, max_bytes=10_000)
    for n in range(100):
        cache.put("python", f"{n:040x}", {"pad": "x" * 500})
    cache.close()
    with sqlite3.connect(path) as db:
        total = db.execute("SELECT SUM(size) FROM entries").fetchone()[0]
    assert 0 < total <= 7_500
    again = BlobCache(path, max_bytes=10_000)
    assert again.get("python", f"{99:040x}") == {"pad": "x" * 500}
    assert again.get("python", f"{0:040x}") is None
    again.close()


def test_cache_folder_off_when_empty(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", "")
    monkeypatch.chdir(tmp_path)
    scan(FIXTURES / "level2-mlflow-dvc")
    assert list(tmp_path.iterdir()) == []


class _Untouchable:
    def execute(self, *args: object) -> None:
        raise AssertionError("looked up in a file that holds nothing")


def test_a_file_that_holds_nothing_is_not_looked_up_and_one_that_does_is(tmp_path: Path) -> None:
    first = BlobCache(tmp_path / FILE_NAME)
    assert first._db is not None
    assert first._db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: no flush at every commit
    real, first._db = first._db, _Untouchable()  # type: ignore[assignment]
    assert first.get("kind", "oid") is None
    first.put("kind", "oid", {"a": 1})
    assert first.get("kind", "oid") == {"a": 1}  # this run's own, from memory
    first._db = real
    first.close()
    again = BlobCache(tmp_path / FILE_NAME)
    assert again.get("kind", "oid") == {"a": 1}
    again.close()


def _file_state(path: Path) -> tuple[bytes, bool]:
    """The database file's bytes, and whether a write-ahead log was left beside it."""
    return path.read_bytes(), Path(f"{path}-wal").exists()


def test_a_rerun_using_only_what_the_last_run_marked_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    first = BlobCache(path)
    first.put("python", "a" * 40, {"facts": 1})
    first.put("python", "b" * 40, {"facts": 2})
    first.close()
    before = _file_state(path)
    again = BlobCache(path)
    assert again.get("python", "a" * 40) == {"facts": 1}
    again.close()
    assert _file_state(path) == before


def test_entries_used_after_another_run_stored_are_marked_again(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    first = BlobCache(path)
    first.put("python", "a" * 40, {"facts": 1})
    first.close()
    other = BlobCache(path)  # another repository's scan stores an entry: the clock moves on
    other.put("python", "b" * 40, {"facts": 2})
    other.close()
    again = BlobCache(path)
    assert again.get("python", "a" * 40) == {"facts": 1}
    again.close()
    with sqlite3.connect(path) as db:
        marks = dict(db.execute("SELECT substr(key, -40), used FROM entries").fetchall())
    assert marks["a" * 40] > marks["b" * 40]  # the most recently used is kept first when the file is bounded
