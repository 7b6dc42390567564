"""The file pass shared with a forked partner: the same report, byte for byte, whatever the number of processes."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile.repos import TRACKING, WORKFLOW, json_scan, notebook, write
from test_scan_record import Calls
from test_stat_ids import watch_reads

from mlops_scan import startcache
from mlops_scan.evidence import partner
from mlops_scan.evidence.handover import Handover
from mlops_scan.facts.blobcache import BlobCache
from mlops_scan.matchers import regexes
from mlops_scan.matchers.base import installed_kinds
from mlops_scan.matchers.file import FileMatcher
from mlops_scan.snapshot.tree import Snapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the partner is forked")

SERVE = (
    "import mlflow\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
    "model = mlflow.pyfunc.load_model('models:/churn/Production')\n\n\n"
    "@app.post('/predict')\ndef predict(row: dict):\n    return model.predict(row)\n"
)
PACK = "schema_version: 1\nrules:\n  - id: experiment_tracking.local-copy\n    kind: python\n"


def _repository(root: Path) -> Path:
    """Some sixty files of every kind, with problems early and late in the listing (either process reads them)."""
    write(root, ".github/workflows/ci.yml", WORKFLOW + "      - run: python scripts/train.py\n")
    write(root, "scripts/train.py", TRACKING)
    write(root, "requirements.txt", "mlflow==2.9.0\npytest==8.0.0\n")
    write(root, "Dockerfile", "FROM python:3.11-slim\nCOPY . /app\nCMD python serve.py\n")
    write(root, "aaa/blob.yaml", b"\x00\x01\x02binary\x00")
    write(root, "aaa/broken.py", "import mlflow\ndef broken(:\n")
    for n in range(24):
        write(root, f"src/churn/helpers/helper_{n:02}.py", f"def helper_{n}(x):\n    return x + {n}\n")
        write(root, f"src/churn/tracked/tracked_{n:02}.py", TRACKING if n % 3 == 0 else "import os\n")
    write(root, "src/churn/__init__.py", "")
    write(root, "src/churn/serve.py", SERVE)
    write(root, "notebooks/explore.ipynb", notebook("import mlflow\nmlflow.log_param('depth', 3)\n"))
    write(root, "zzz/rules/local.yaml", PACK)  # a rule pack: the partner hands it back unscanned
    write(root, "zzz/k8s/bad.yaml", "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nspec: [\n")
    write(root, "zzz/z-blob.yaml", b"\x00\xffbinary too\x00")
    write(root, "zzz/z-broken.py", "import mlflow\ndef late(:\n")
    return root


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(files the partner handed back, files to scan) of each shared pass."""
    seen: list[tuple[int, int]] = []
    results = partner.Partner.results

    def spy(self: partner.Partner) -> tuple[dict[int, dict[str, object]], object]:
        found = results(self)
        seen.append((len(found[0]), self.count))
        return found

    monkeypatch.setattr(partner.Partner, "results", spy)
    return seen


def _scans(root: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> tuple[str, str]:
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "1")
    alone = json_scan(root, *options)
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    return alone, json_scan(root, *options)


def test_the_report_is_the_one_process_report_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handed: list[tuple[int, int]]
) -> None:
    root = _repository(tmp_path / "repo")
    alone, shared = _scans(root, monkeypatch, "--no-cache")
    assert shared == alone
    [(from_partner, files)] = handed
    assert files >= partner.MIN_FILES and 0 < from_partner < files  # both processes scanned files
    report = json.loads(shared)
    skipped = {(s["path"], s["reason"]) for s in report["skipped"]}
    assert {("aaa/blob.yaml", "binary content"), ("zzz/z-blob.yaml", "binary content")} <= skipped
    assert ("zzz/z-broken.py", "Python syntax error: not analysed") in skipped
    assert ("zzz/k8s/bad.yaml", "malformed YAML at line 4: did not find expected node content") in skipped
    assert report["inspected"]["rule_packs_not_scanned"] == ["zzz/rules/local.yaml"]


def test_a_failed_partner_leaves_every_file_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handed: list[tuple[int, int]]
) -> None:
    root = _repository(tmp_path / "repo")

    def fail(self: object, position: int) -> None:
        raise RuntimeError("the partner fails")

    monkeypatch.setattr(Handover, "scan", fail)
    alone, shared = _scans(root, monkeypatch, "--no-cache")
    assert shared == alone
    assert [found for found, _ in handed] == [0]


def test_outcomes_handed_back_are_kept_for_the_rescans(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, handed: list[tuple[int, int]]
) -> None:
    root = _repository(tmp_path / "repo")
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    json_scan(root)
    assert handed and handed[0][0] > 0
    calls = Calls(monkeypatch)
    write(root, "src/churn/helpers/helper_23.py", "def helper_23(x):\n    return x * 23\n")  # the partner's file
    assert json_scan(root) == json_scan(root, "--no-cache")
    # every other outcome was kept, the partner's too (a rule pack is never kept: it is not matched)
    assert calls.scanned == ["src/churn/helpers/helper_23.py", "zzz/rules/local.yaml"]


def test_a_first_scan_works_blob_ids_out_in_the_pass_and_keeps_them_all(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, handed: list[tuple[int, int]]
) -> None:
    """With nothing kept to find, no file is read for its blob id before the pass: each process works out the ids of
    the files it scans, and the partner's come back with their stat data, so the next scan reads no file at all."""
    root = _repository(tmp_path / "repo")
    old = time.time_ns() - 3600 * 10**9  # not racily clean: the next scan may take the remembered ids
    for path in root.rglob("*"):
        os.utime(path, ns=(old, old))
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    hashed: list[tuple[str, bool]] = []  # (path, before the fork), in this process
    forked: list[int] = []
    hash_file, fork = Snapshot._hash_file, os.fork

    def watched(snapshot: Snapshot, path: str) -> str | None:
        hashed.append((path, not forked))
        return hash_file(snapshot, path)

    def watched_fork() -> int:
        forked.append(1)
        return fork()

    monkeypatch.setattr(Snapshot, "_hash_file", watched)
    monkeypatch.setattr(os, "fork", watched_fork)
    first = json_scan(root)
    assert forked and not [path for path, before in hashed if before]  # none before the pass
    [(from_partner, files)] = handed
    assert len({path for path, _ in hashed}) <= files - from_partner  # the partner's came back, not worked out here
    read = watch_reads(monkeypatch)
    assert json_scan(root) == first
    assert set(read) == {"zzz/rules/local.yaml"}  # only the rule pack (never kept): every id remembered with its
    # stat data, the partner's files' too, and every outcome replayed


def test_an_outcome_is_kept_as_the_same_text_whichever_process_scanned_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handed: list[tuple[int, int]]
) -> None:
    root = _repository(tmp_path / "repo")
    kept = []
    for jobs in ("1", "2"):
        monkeypatch.setenv("MLOPS_SCAN_JOBS", jobs)
        monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(tmp_path / f"cache-{jobs}"))
        json_scan(root)
        with sqlite3.connect(tmp_path / f"cache-{jobs}" / "blob-facts.sqlite") as db:
            kept.append(dict(db.execute("SELECT key, value FROM entries WHERE key LIKE '%:outcome-%'").fetchall()))
    assert handed and handed[0][0] > 0  # the partner scanned some
    assert len(kept[0]) > 40 and kept[1] == kept[0]


def test_few_files_or_one_process_are_not_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLOPS_SCAN_JOBS", raising=False)
    monkeypatch.setattr(partner.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert partner.jobs() == partner.DEFAULT_JOBS == 2
    assert partner.pays(partner.MIN_FILES)
    assert not partner.pays(partner.MIN_FILES - 1)
    monkeypatch.setattr(partner.os, "sched_getaffinity", lambda pid: {0})
    assert partner.jobs() == 1 and not partner.pays(10_000)  # one usable core
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "1")
    monkeypatch.setattr(partner.os, "sched_getaffinity", lambda pid: {0, 1})
    assert not partner.pays(10_000)


class _Walk:
    """A job that takes positions and makes nothing of them."""

    def enter(self) -> None:
        pass

    def scan(self, position: int) -> dict[str, object] | None:
        return None

    def leave(self) -> object:
        return None


class _Count:
    """A job whose scan of a position is the position, failing or sleeping where told."""

    def __init__(self, fail_at: int | None = None, sleep: float = 0.0) -> None:
        self.fail_at = fail_at
        self.sleep = sleep
        self.entered = False

    def enter(self) -> None:
        self.entered = True

    def scan(self, position: int) -> dict[str, object] | None:
        if position == self.fail_at:
            raise RuntimeError("failed")
        time.sleep(self.sleep)
        return {"position": position, "entered": self.entered} if position % 7 else None

    def leave(self) -> object:
        return ["left"]


def test_each_position_is_taken_by_one_process_at_least_and_the_rest_handed_back() -> None:
    count = 200
    helper = partner.Partner.start(count, _Count())
    assert helper is not None
    mine = []
    for position in range(count):
        if not helper.claim(position):
            break
        mine.append(position)
        time.sleep(0.001)  # this process's scan of the file
    stop = len(mine)
    files, left = helper.results()
    helper.stop()
    assert mine == list(range(stop)) and 0 < stop < count
    theirs = {p for p in range(max(stop - 1, 0), count) if p % 7}  # a file both took is the front's
    assert set(files) - {stop - 1} == theirs - {stop - 1}
    assert all(files[p] == {"position": p, "entered": True} for p in files)
    assert left == ["left"]


def test_a_partner_that_fails_hands_back_nothing() -> None:
    helper = partner.Partner.start(50, _Count(fail_at=40))
    assert helper is not None
    assert helper.results() == ({}, None)
    helper.stop()


def test_stop_ends_a_partner_still_scanning_and_the_next_start_reaps_it() -> None:
    helper = partner.Partner.start(5, _Count(sleep=60))
    assert helper is not None
    helper.stop()
    following = partner.Partner.start(1, _Count())
    assert following is not None
    with pytest.raises(ChildProcessError):  # ended and reaped: no process left behind
        os.waitpid(helper.pid, os.WNOHANG)
    following.results()
    following.stop()
    assert partner._unreaped in ([], [following.pid])


def test_stop_does_not_wait_for_a_partner_still_exiting(monkeypatch: pytest.MonkeyPatch) -> None:
    helper = partner.Partner.start(5, _Count(sleep=60))
    assert helper is not None
    waits: list[int] = []
    waitpid = os.waitpid

    def recorded(pid: int, options: int) -> tuple[int, int]:
        waits.append(options)
        return waitpid(pid, options)

    monkeypatch.setattr(os, "waitpid", recorded)
    helper.stop()
    assert waits and all(options == os.WNOHANG for options in waits)


LEFT_EXITING = """
import atexit, os
ended = []

def check():
    for pid in ended:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            print("reaped", flush=True)
        else:
            print("left", flush=True)

atexit.register(check)  # registered first, so it runs after the partner module's own exit handler
from mlops_scan.evidence import partner

class Job:
    def enter(self): pass
    def scan(self, position): return {"position": position}
    def leave(self): return None

helper = partner.Partner.start(3, Job())
helper.results()
helper.stop()
ended.append(helper.pid)
"""


def test_a_partner_still_exiting_is_reaped_at_this_process_exit() -> None:
    done = subprocess.run([sys.executable, "-c", LEFT_EXITING], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout == "reaped\n"


def test_a_forked_cache_hands_back_what_it_stored_and_used(tmp_path: Path) -> None:
    parent = BlobCache(tmp_path / "facts.sqlite")
    parent.put("python", "aaa", {"before": 1})
    parent.close()
    parent = BlobCache(tmp_path / "facts.sqlite")
    parent.put("python", "bbb", {"pending": 2})
    parent.forked()  # as the partner does: reads through a connection of its own
    assert parent.get("python", "aaa") == {"before": 1}
    parent.put("python", "ccc", {"new": 3})
    stored, used = parent.handed_back()
    assert [key.rsplit(":", 1)[1] for key in stored] == ["ccc"]  # not what was pending before the fork
    assert [key.rsplit(":", 1)[1] for key in used] == ["aaa"]
    other = BlobCache(tmp_path / "other.sqlite")
    other.adopt((stored, used))
    other.adopt("damaged")
    other.close()
    other = BlobCache(tmp_path / "other.sqlite")
    assert other.get("python", "ccc") == {"new": 3}


def test_the_modules_imported_before_forking_exist() -> None:
    named = {name for kind in installed_kinds().values() for name in kind.scan_modules}
    assert "mlops_scan.facts.python" in named
    assert all(importlib.util.find_spec(name) is not None for name in named)


def test_what_the_partners_memos_worked_out_is_kept_by_this_process(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path / "repo")
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    monkeypatch.setattr(partner.Partner, "claim", lambda self, position: False)  # the partner scans every file
    monkeypatch.setattr(regexes, "_screens", None)  # as in a new process
    monkeypatch.setattr(regexes, "_learned", {})
    json_scan(root, "--no-cache")
    [memo] = cache_dir.glob("regex-screens-*.pickle")
    _, screens = pickle.loads(memo.read_bytes()[startcache.BLOBS_AT :])
    assert len(screens) > 20  # worked out in the partner, written by this process


def test_memos_registered_take_what_another_process_learned(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[dict[str, int]] = []
    monkeypatch.setattr(startcache, "_learners", {})
    startcache.learner("probe", lambda: {"mine": 1}, taken.append)
    assert startcache.learned() == {"probe": {"mine": 1}}
    startcache.adopt({"probe": {"theirs": 2}, "unknown": {"x": 3}})
    startcache.adopt({"probe": {}})  # nothing learned: nothing to take
    startcache.adopt("damaged")
    assert taken == [{"theirs": 2}]


def test_a_claim_is_never_seen_half_written() -> None:
    """The partner's claim only goes down; read while it is written, it is the old value or the new one (a write
    that zeroed its bytes first let this process read 0 and stop, leaving the partner nearly every file)."""
    count = 1_000_000
    helper = partner.Partner.start(count, _Walk())
    assert helper is not None
    seen = [count]
    for _ in range(1_000_000):
        back = helper.first()
        assert back <= seen[-1], (seen[-1], back)
        seen.append(back)
    helper.claim(count)  # ends the partner's walk: it has every position below, as far as it got
    helper.results()
    helper.stop()
    assert len(set(seen)) > 10  # the partner moved while this process watched


def test_no_partner_when_a_kind_cannot_hand_its_outcomes_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plug-in kind that keeps no file state would have every file the partner took scanned again here."""
    root = _repository(tmp_path / "repo")
    started: list[int] = []
    start = partner.Partner.start.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        partner.Partner, "start", classmethod(lambda cls, count, job: started.append(count) or start(cls, count, job))
    )
    monkeypatch.setattr(FileMatcher, "reusable", False)
    alone, shared = _scans(root, monkeypatch, "--no-cache")
    assert shared == alone and started == []
    monkeypatch.setattr(FileMatcher, "reusable", True)
    json_scan(root, "--no-cache")
    assert len(started) == 1  # the same scan with every kind able to: shared
