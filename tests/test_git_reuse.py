"""Per-file results reused across revisions and rescans: never a different report from a cold scan."""

from __future__ import annotations

import json
import shutil
import sqlite3
import traceback
from pathlib import Path

import pytest
from gitrepos import commit, git, write
from hostile.repos import WORKFLOW, run
from scanning import FIXTURES

from mlops_scan.facts.blobcache import FILE_NAME

SERIES = (
    ("level0-notebooks", None),
    ("level1-actions-pytest", None),
    ("level2-mlflow-dvc", "level1-actions-pytest"),
    ("level3-azureml-bluegreen", "level2-mlflow-dvc"),
    ("level4-kserve-evidently", "monorepo-two-projects"),
    ("level2-mlflow-dvc", None),
)
"""Each revision: a fixture at the top, and another one under ``old/`` (files move, most blobs recur)."""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(folder))
    return folder


def scan(*args: str) -> dict[str, object]:
    report = run("scan", "-f", "json", "-q", "--no-config", *args)
    assert report.code == 0, report.stderr
    data: dict[str, object] = json.loads(report.stdout)
    return data


def outcomes(cache_dir: Path) -> int:
    with sqlite3.connect(cache_dir / FILE_NAME) as db:
        return int(db.execute("SELECT COUNT(*) FROM entries WHERE key LIKE '%:outcome-%'").fetchone()[0])


def fixtures_repo(root: Path) -> list[str]:
    """One commit per entry of SERIES; the commits, oldest first."""
    git(root, "init", "-q", "-b", "main")
    commits = []
    for day, (top, old) in enumerate(SERIES):
        for child in root.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        shutil.copytree(FIXTURES / top, root, dirs_exist_ok=True)
        if old:
            shutil.copytree(FIXTURES / old, root / "old")
        commit(root, f"{top} {old}", day)
        commits.append(git(root, "rev-parse", "HEAD").strip())
    return commits


def test_revisions_scanned_with_reuse_are_the_cold_scans(tmp_path: Path, cache_dir: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    commits = fixtures_repo(repo)
    cold = [scan("--rev", c, "--no-cache", str(repo)) for c in commits]
    assert [r["level"] for r in cold] == [0, 1, 2, 3, 4, 2]
    first = [scan("--rev", c, str(repo)) for c in commits]  # later revisions reuse earlier ones' files
    kept = outcomes(cache_dir)
    again = [scan("--rev", c, str(repo)) for c in reversed(commits)][::-1]
    assert first == cold and again == cold
    assert outcomes(cache_dir) == kept > 50  # nothing new to keep: every file's outcome was replayed
    history = json.loads(run("history", "-f", "json", "--no-cache", str(repo)).stdout)["revisions"]
    assert [(r["level"], r["evidence"]) for r in history] == [(r["level"], len(_evidence(r))) for r in cold]


TRAINING = "#!/bin/sh\ndvc repro train\n"
IDLE = "#!/bin/sh\necho nothing to do\n"
CI = WORKFLOW.replace("pytest", "bash scripts/run.sh && make model")


def test_a_changed_dependency_is_seen_although_the_ci_file_is_unchanged(tmp_path: Path, cache_dir: Path) -> None:
    """Only the script (and then the Makefile) a workflow step runs changes: the workflow's kept outcome must not
    be replayed where what it consulted differs."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, ".github/workflows/ci.yml", CI)
    write(repo, "Makefile", "model:\n\techo later\n")
    steps = [("scripts/run.sh", IDLE), ("scripts/run.sh", TRAINING), ("scripts/run.sh", IDLE)]
    steps += [("Makefile", "model:\n\tmlflow run . -e train\n"), ("Makefile", "model:\n\techo later\n")]
    for day, (path, text) in enumerate(steps):
        write(repo, path, text)
        commit(repo, f"step {day}", day, f"s{day}")
    tags = [f"s{n}" for n in range(len(steps))]
    expected = [False, True, False, True, False]
    for rounds in range(2):
        warm = [scan("--rev", tag, str(repo)) for tag in tags]
        runs = ["training_pipeline.ci-runs-training" in _rules(r) for r in warm]
        assert runs == expected, f"round {rounds}"
        assert warm == [scan("--rev", tag, "--no-cache", str(repo)) for tag in tags]
    history = json.loads(run("history", "--tags", "-f", "json", str(repo)).stdout)["revisions"]
    assert ["training_pipeline" in r["present"] for r in history] == expected


def test_a_package_marker_appearing_changes_a_kept_module_result(tmp_path: Path, cache_dir: Path) -> None:
    """A module's result depends on the ``__init__.py`` beside it (package-only rules) and on the packages the
    repository declares: neither is in the module's blob."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "requirements.txt", "torch==2.2.0\n")
    write(repo, "lib/model.py", "import torch\n\nnet = torch.nn.Linear(2, 1)\n")
    commit(repo, "module", 0, "a")
    write(repo, "lib/__init__.py", "")
    commit(repo, "package", 1, "b")
    (repo / "lib/__init__.py").unlink()
    commit(repo, "module again", 2, "c")
    for tag in ("a", "b", "c", "b", "a"):
        report = scan("--rev", tag, str(repo))
        assert report == scan("--rev", tag, "--no-cache", str(repo)), tag
        assert ("collaboration.importable-ml-package" in _rules(report)) is (tag == "b")


def test_a_warm_work_tree_rescan_replays_and_sees_an_edit(tmp_path: Path, cache_dir: Path) -> None:
    root = tmp_path / "work"
    shutil.copytree(FIXTURES / "level2-mlflow-dvc", root)
    cold = scan("--no-cache", str(root))
    assert scan(str(root)) == cold
    kept = outcomes(cache_dir)
    assert scan(str(root)) == cold and outcomes(cache_dir) == kept
    train = root / "src/churn/train.py"
    train.write_text(train.read_text().replace("mlflow", "mlf"))
    edited = scan(str(root))
    assert edited == scan("--no-cache", str(root)) and edited != cold


def _evidence(report: dict[str, object]) -> list[dict[str, object]]:
    capabilities = report["capabilities"]
    assert isinstance(capabilities, dict)
    return [e for c in capabilities.values() for e in c["evidence"]]


def _rules(report: dict[str, object]) -> set[str]:
    return {str(e["rule"]) for e in _evidence(report)}


def test_no_reusable_kind_reads_the_whole_listing_while_scanning_one_file(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept outcome depends only on what the snapshot recorded; a ``scan`` that walked ``snapshot.files`` would
    depend on every path unrecorded (that belongs in ``finish``, which runs each scan)."""
    from mlops_scan.snapshot.tree import Snapshot

    walked: list[str] = []

    def get(self: Snapshot) -> object:
        stack = traceback.extract_stack()
        if self.consulted is not None and any(frame.name == "scan_file" for frame in stack):
            walked.append("".join(traceback.format_list(stack[-4:])))
        return self.__dict__["_listed"]

    def put(self: Snapshot, files: object) -> None:
        self.__dict__["_listed"] = files

    monkeypatch.setattr(Snapshot, "files", property(get, put), raising=False)
    for fixture in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name not in ("rules", "traps")):
        scan(str(fixture))
    assert walked == []
