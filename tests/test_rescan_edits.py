"""Rescans after a few edits: the files whose scan found nothing are replayed from their compact record, only the
edited files are scanned again, and the report is the cold scan's, byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hostile.repos import TRACKING, write
from hostile.repos import json_scan as scan
from scanning import builtin_rules
from test_scan_record import Calls, read_record, write_record
from test_stat_ids import TRAIN, aged_copy

from mlops_scan.matchers.base import installed_kinds
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import ProjectInfo

NOTE = "docs/notes/note-{}.md"
CONFIG = "data/labels-{}.yaml"
MODULE = "src/churn/helpers/helper_{}.py"
TRACKED = "src/churn/helpers/tracked_{}.py"


@pytest.fixture
def root(tmp_path: Path, cache_dir: Path) -> Path:
    """The level-2 fixture with 40 more files (notes, configs, modules, modules that track runs), scanned once."""
    copy = aged_copy(tmp_path)
    for n in range(10):
        write(copy, NOTE.format(n), f"# Note {n}\n\nNothing to see.\n")
        write(copy, CONFIG.format(n), f"fields:\n  - id\n  - label_{n}\n")
        write(copy, MODULE.format(n), f"def helper_{n}(x):\n    return x + {n}\n")
        write(copy, TRACKED.format(n), TRACKING)
    scan(copy)
    return copy


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    return Calls(monkeypatch)


def _files(cache_dir: Path) -> dict[str, Any]:
    files: dict[str, Any] = read_record(cache_dir)["files"]
    return files


def test_files_that_carry_nothing_are_recorded_in_the_compact_form(root: Path, cache_dir: Path) -> None:
    files = _files(cache_dir)
    assert files[NOTE.format(3)][3] == [len("# Note 3\n\nNothing to see.\n")]
    assert files[CONFIG.format(3)][3] == [len("fields:\n  - id\n  - label_3\n")]  # no parse: nothing it could match
    assert isinstance(files[MODULE.format(3)][3], str)  # its code lines count for the notebook kind
    assert isinstance(files[TRACKED.format(3)][3], str)  # evidence
    assert isinstance(files["params.yaml"][3], str)  # evidence


EDITS = {
    "a note edited": (NOTE.format(2), "# Note 2\n\nStill nothing.\n"),
    "a config edited": (CONFIG.format(2), "fields:\n  - id\n"),
    "a module edited": (MODULE.format(2), "def helper_2(x):\n    return x * 2\n"),
    "a module starting to track runs": (MODULE.format(2), TRACKING),
    "a module no longer tracking runs": (TRACKED.format(2), "def tracked():\n    return None\n"),
    "a config gaining evidence": (CONFIG.format(2), "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n"),
    "a package marker edited": ("src/churn/__init__.py", '"""Churn."""\n'),  # its siblings only looked it up
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_one_edited_file_among_many_is_the_only_one_scanned_and_the_report_is_the_cold_one(
    root: Path, calls: Calls, edit: str
) -> None:
    path, text = EDITS[edit]
    write(root, path, text)
    warm = scan(root)
    assert calls.scanned == [path]
    assert {"scan-record", "stat"} <= set(calls.written)  # the heads, with their deltas; not the bases
    assert not {"scan-record-base", "stat-base"} & set(calls.written)
    assert warm == scan(root, "--no-cache")
    assert scan(root) == warm  # and the record written after the edit replays it


def test_edits_in_a_row_each_give_the_cold_report(root: Path, calls: Calls) -> None:
    for n, (path, text) in enumerate(EDITS.values()):
        write(root, path, text + f"# edit {n}\n")
        calls.scanned = []
        warm = scan(root)
        assert calls.scanned == [path] and warm == scan(root, "--no-cache")
        assert scan(root) == warm and calls.scanned == [path]  # nothing scanned: the record after the edit holds


PLAIN_DAMAGES: dict[str, object] = {
    "empty": [],
    "size as text": ["12"],
    "parse not a name": [12, 3],
    "size of a float": [12.5],
    "a mapping": {"size": 12},
    "a number": 12,
}


@pytest.mark.parametrize("damage", PLAIN_DAMAGES, ids=list(PLAIN_DAMAGES))
def test_a_damaged_compact_entry_is_a_miss_never_a_wrong_report(
    root: Path, cache_dir: Path, calls: Calls, damage: str
) -> None:
    value = read_record(cache_dir)
    plain = [path for path, item in value["files"].items() if isinstance(item[3], list)]
    assert len(plain) >= 20
    for path in plain:
        value["files"][path][3] = PLAIN_DAMAGES[damage]
    write_record(cache_dir, value)
    write(root, TRAIN, (root / TRAIN).read_text(encoding="utf-8") + "\n# edited\n")
    assert scan(root) == scan(root, "--no-cache")
    if isinstance(PLAIN_DAMAGES[damage], list):
        assert set(plain) <= set(calls.scanned)  # scanned again, not replayed
    else:
        assert not set(plain) & set(calls.scanned)  # not a recorded outcome: the file's own kept entry serves
    calls.scanned = []
    assert scan(root) == scan(root, "--no-cache") and calls.scanned == []


def test_a_state_of_none_adds_nothing_to_any_kind(tmp_path: Path) -> None:
    """A rescan replays a file whose kinds' states are all None without asking the kinds (see Matcher.restore_state)."""
    rules = builtin_rules()
    snapshot = open_snapshot(tmp_path)
    kinds = installed_kinds()
    assert {"python", "workflow", "yaml", "notebook", "file"} <= set(kinds)
    for kind, cls in kinds.items():
        own = [rule for rule in rules if rule.kind == kind]
        fresh, restored = cls(own, ProjectInfo()), cls(own, ProjectInfo())
        restored.restore_state(TRAIN, None)()
        assert list(restored.finish(snapshot)) == list(fresh.finish(snapshot)), kind
        assert restored.measurements() == fresh.measurements(), kind
        assert vars(restored).keys() == vars(fresh).keys()
