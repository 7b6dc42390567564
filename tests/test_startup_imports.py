"""Bounds on the work of a plain scan's start-up: what it imports, checked in a fresh interpreter (not timed).

A scan of a small folder must not import what only other commands, other sources or other options
need: a timed test would be flaky on a busy machine, a list of modules is not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "level2-mlflow-dvc"
PROBE = """
import json, sys
from mlops_scan.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
NEVER = [
    "git",  # gitpython: git runs through the safe runner, never the library
    "nbformat",  # notebooks are read as JSON
    "subprocess",  # git: a folder without .git is walked
    "importlib.metadata",  # entry points come from the start-up cache once it is warm
    "tempfile",  # writing cache files: nothing to write once the cache is warm
    "urllib.request",
    "xml.sax",  # the SVG badge only
    "configparser",  # setup.cfg only
    "multiprocessing",  # workers only past the parallel threshold
    "mlops_scan.cli.diff",
    "mlops_scan.cli.fleet",
    "mlops_scan.cli.history",
    "mlops_scan.cli.models",
    "mlops_scan.cli.rules",
    "mlops_scan.assessment.projects",  # only with --per-project or --project-root
    "mlops_scan.snapshot.gitclone",
    "mlops_scan.snapshot.gitrev",
    "mlops_scan.snapshot.gitobjects",
]

NEVER_WITHOUT_CACHE = [
    "sqlite3",  # the facts cache's file
    "hashlib",  # the facts cache's and the scan record's keys (the start-up cache compares its keys whole)
    "mlops_scan.evidence.reuse",  # the scan record and the outcomes it keeps
    "mlops_scan.evidence.record",
    "mlops_scan.facts.splitvalue",
]
"""What a --no-cache scan never needs."""

KEPT_FACTS_ONLY = ["mlops_scan.facts.factcodec"]
"""The codec of the Python facts the facts cache keeps: a --no-cache scan parses, it never encodes or decodes them."""

OTHER_CI_FAMILIES = [
    "mlops_scan.facts.ci.github",
    "mlops_scan.facts.ci.azure",
    "mlops_scan.facts.ci.services",
    "mlops_scan.facts.ci.cloud",
]
"""The fixture's CI is GitLab's: the readers of the other CI families are never imported."""

NOT_ASKED_FOR = [
    "mlops_scan.facts.ci.iacrefs",  # no infrastructure code naming a build config (its hints are in no file)
    "mlops_scan.facts.index",  # no python match to follow: no project index, and no route served
    "mlops_scan.matchers.pychains",
    "mlops_scan.matchers.routebody",  # no module importing a web framework: no route handler to read
]
"""What the fixture's files never ask for, though a file of their kind may."""


NEVER_WHEN_REPLAYED = [
    "yaml",  # PyYAML: every file's outcome is replayed, the model, rules and zones come from the start-up cache
    "mlops_scan.facts.yamlnodes",
    "mlops_scan.facts.ci.readers",
    "mlops_scan.facts.ci.hops",
    "mlops_scan.facts.entrypoints",
    "mlops_scan.facts.ci.model",
    "mlops_scan.facts.ci.iacrefs",
    "mlops_scan.facts.python",  # the Python facts, the index and what uses them
    "mlops_scan.facts.index",
    "mlops_scan.facts.dataorigin",
    "mlops_scan.facts.notebooks",
    "mlops_scan.matchers.pychains",
    "mlops_scan.matchers.routebody",
    "mlops_scan.rules.tombstones",  # read with the packs, which the start-up cache holds
]
"""What a rescan of unchanged files (the facts cache on) needs no more than the first scan's parsers."""


def _modules_of_scan(root: Path, cache: Path, *options: str) -> set[str]:
    env = {"MLOPS_SCAN_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    args = ["scan", "-q", *options, "-f", "json", "-o", str(root.parent / "report.json"), str(root)]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The modules a second scan of a copy of the level-2 fixture (outside any git repository) imported."""
    work = tmp_path_factory.mktemp("startup")
    root = work / "repo"
    shutil.copytree(FIXTURE, root)
    _modules_of_scan(root, work / "cache", "--no-cache")  # fills the start-up cache
    return _modules_of_scan(root, work / "cache", "--no-cache")


@pytest.fixture(scope="module")
def rescan_modules(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The modules a rescan of an unchanged copy of the level-2 fixture imported (facts cache on)."""
    work = tmp_path_factory.mktemp("rescan")
    root = work / "repo"
    shutil.copytree(FIXTURE, root)
    _modules_of_scan(root, work / "cache")  # fills the start-up cache and keeps each file's outcome
    return _modules_of_scan(root, work / "cache")


@pytest.fixture(scope="module")
def first_cached_modules(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The modules a first scan with the facts cache imported (the start-up cache warm, nothing kept of the files)."""
    work = tmp_path_factory.mktemp("first")
    root = work / "repo"
    shutil.copytree(FIXTURE, root)
    _modules_of_scan(root, work / "cache")  # fills the start-up cache
    for kept in (work / "cache").glob("blob-facts.sqlite*"):
        kept.unlink()
    return _modules_of_scan(root, work / "cache")


@pytest.mark.parametrize("name", NEVER + NEVER_WITHOUT_CACHE + KEPT_FACTS_ONLY + OTHER_CI_FAMILIES + NOT_ASKED_FOR)
def test_a_plain_scan_does_not_import(modules: set[str], name: str) -> None:
    assert name not in modules


def test_the_probe_sees_what_a_scan_needs(modules: set[str]) -> None:
    assert {
        "yaml",
        "click",
        "mlops_scan.evidence.collect",
        "mlops_scan.matchers.python",
        "mlops_scan.facts.ci.gitlab",
    } <= modules


@pytest.mark.parametrize("name", NEVER + NEVER_WHEN_REPLAYED)
def test_a_rescan_of_unchanged_files_does_not_import(rescan_modules: set[str], name: str) -> None:
    assert name not in rescan_modules


def test_the_rescan_probe_sees_what_a_rescan_needs(rescan_modules: set[str]) -> None:
    assert {
        "click",
        "mlops_scan.evidence.collect",
        "mlops_scan.matchers.workflow",
        *NEVER_WITHOUT_CACHE,
    } <= rescan_modules


RUN_PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))  # run last, after the command's
from mlops_scan.cli import run
run()
"""
"""``mlops-scan ARGS`` as the installed command runs it (:func:`mlops_scan.cli.run`), then the modules it imported."""


def _modules_of_command(args: list[str], cache: Path) -> set[str]:
    env = {"MLOPS_SCAN_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", RUN_PROBE, *args], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_a_scan_run_ahead_is_reported_without_click(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    report = ["scan", "-q", "-f", "json", "-o", str(tmp_path / "report.json"), str(root)]
    first = _modules_of_command(report, tmp_path / "cache")  # parsed by click, then remembered
    plain = _modules_of_command([str(root)], tmp_path / "cache")  # known without a memory
    remembered = _modules_of_command(report, tmp_path / "cache")
    assert "click" in first
    assert "click" not in plain and "mlops_scan.cli.app" not in plain
    assert "click" not in remembered and "mlops_scan.cli.app" not in remembered
    assert "mlops_scan.reporters.text" in plain  # the text report, written without click
    for deferred in ("dis", "tokenize", "linecache", "struct"):  # what inspect and base64 import (cli.onfirstuse)
        assert deferred not in plain and deferred not in remembered


@pytest.mark.parametrize("name", NEVER)
def test_a_first_scan_with_the_facts_cache_does_not_import(first_cached_modules: set[str], name: str) -> None:
    assert name not in first_cached_modules  # the blob ids are hashed here: git is never started for a folder


def test_the_first_cached_scan_probe_sees_what_it_needs(first_cached_modules: set[str]) -> None:
    assert {"sqlite3", "hashlib", "mlops_scan.facts.factcodec", "mlops_scan.snapshot.blobids"} <= first_cached_modules
