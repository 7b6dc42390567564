"""Nothing from the scanned repository runs, and a scan opens no network connection.

The fixture repository is full of code that would leave a marker file in a folder outside the
repository if it were run, imported, unpickled, built, constructed from YAML, or executed by
git (an fsmonitor hook, a clean filter). After a scan the folder must be empty.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hostile.repos import assert_base_level, base_repo, commit_all, git, scan, write


def _payload(markers: Path, name: str) -> str:
    """Python that leaves the marker ``name`` if it ever runs."""
    return f"import pathlib; pathlib.Path({str(markers / name)!r}).write_text('ran')\n"


class _Marker:
    """Unpickling this leaves a marker (``pickle`` calls the reduce function)."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (Path.write_text, (self.path, "ran"))


def hostile_repo(root: Path, markers: Path) -> Path:
    """A level-1 repository whose every executable-looking file would leave a marker when run."""
    base_repo(root)
    code = _payload
    write(
        root,
        "setup.py",
        code(markers, "setup.py") + "from setuptools import setup\nsetup(name='evil', install_requires=['mlflow'])\n",
    )
    write(root, "conftest.py", code(markers, "conftest.py"))
    write(
        root,
        "tests/conftest.py",
        code(markers, "tests-conftest.py") + "import pytest\n\n\n@pytest.fixture\ndef x():\n    return 1\n",
    )
    write(root, "src/evilpkg/__init__.py", code(markers, "init.py"))
    write(root, "src/evilpkg/train.py", code(markers, "train.py") + "import mlflow\nmlflow.log_metric('loss', 1.0)\n")
    write(root, "sitecustomize.py", code(markers, "sitecustomize.py"))
    write(root, "usercustomize.py", code(markers, "usercustomize.py"))
    write(root, "evil.pth", code(markers, "pth"))
    write(
        root,
        "noxfile.py",
        code(markers, "noxfile.py") + "import nox\n\n\n@nox.session\ndef tests(session):\n    session.run('pytest')\n",
    )
    write(root, "tasks.py", code(markers, "tasks.py"))
    for shadow in (
        "yaml",
        "click",
        "git",
        "nbformat",
        "json",
        "mlflow",
    ):  # modules the scanner (or a careless one) imports
        write(root, f"{shadow}.py", code(markers, f"shadow-{shadow}.py"))
    write(root, "build_backend.py", code(markers, "build_backend.py"))
    write(
        root,
        "pyproject.toml",
        '[build-system]\nrequires = []\nbuild-backend = "build_backend"\nbackend-path = ["."]\n'
        '[project]\nname = "evil"\ndependencies = ["mlflow"]\n',
    )
    write(root, "Makefile", f"all:\n\ttouch {markers / 'Makefile'}\n")
    write(root, "tox.ini", f"[testenv]\ncommands = touch {markers / 'tox'}\n")
    write(root, "scripts/train.sh", f"#!/bin/sh\ntouch {markers / 'train.sh'}\n")
    write(root, "params.yaml", f"cmd: !!python/object/apply:os.system ['touch {markers / 'yaml-tag'}']\n")
    write(
        root,
        ".github/workflows/evil.yml",
        f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        f"      - run: touch {markers / 'workflow'}\n"
        f"      - run: !!python/object/apply:os.system ['touch {markers / 'workflow-tag'}']\n",
    )
    write(root, "models/model.pkl", pickle.dumps(_Marker(markers / "pickle")))
    cells = [
        f"import os\nos.system('touch {markers / 'notebook'}')\n",
        f"!touch {markers / 'shell-magic'}\n",
        f"%run {root / 'tasks.py'}\n",
        "import mlflow\nmlflow.start_run()\n",
    ]
    write(
        root,
        "notebooks/explore.ipynb",
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "execution_count": 1,
                        "metadata": {},
                        "outputs": [],
                        "source": c.splitlines(keepends=True),
                    }
                    for c in cells
                ],
                "metadata": {"kernelspec": {"name": "python3"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            },
            indent=1,
        ),
    )
    return root


def _arm_git(root: Path, markers: Path) -> None:
    """Commit, then configure git commands that would run on any listing (an fsmonitor hook, a clean filter)."""
    commit_all(root)
    hook = markers.parent / "fsmonitor-hook"
    hook.write_text(f"#!/bin/sh\ntouch {markers / 'fsmonitor'}\n")
    hook.chmod(0o755)
    git(root, "config", "core.fsmonitor", str(hook))
    git(root, "config", "filter.evil.clean", f"touch {markers / 'git-filter'}")
    git(root, "config", "filter.evil.smudge", f"touch {markers / 'git-filter'}")
    write(root, ".gitattributes", "* filter=evil\n")
    write(root, ".git/hooks/post-checkout", f"#!/bin/sh\ntouch {markers / 'hook'}\n").chmod(0o755)
    (root / "src/evilpkg/train.py").write_text((root / "src/evilpkg/train.py").read_text() + "# changed\n")
    for leftover in markers.iterdir():  # the set-up's own git commands may have run the filter
        leftover.unlink()


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    folder = tmp_path / "markers"
    folder.mkdir()
    return folder


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to resolve a name or open a connection is recorded and refused."""
    attempts: list[str] = []

    def refuse(name):
        def refused(*args, **kwargs):
            attempts.append(name)
            raise OSError(f"network access during a scan: {name}")

        return refused

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


def _repo_modules(root: Path) -> list[str]:
    return [
        name
        for name, module in list(sys.modules.items())
        if str(getattr(module, "__file__", "") or "").startswith(str(root))
    ]


@pytest.mark.parametrize("listing", ["walk", "git", "git-tree"])
def test_scan_runs_nothing_from_the_repository(tmp_path, markers, no_network, listing):
    root = hostile_repo(tmp_path / "repo", markers)
    if listing != "walk":
        _arm_git(root, markers)
    if listing == "git-tree":  # a bare clone, with the same hooks configured
        bare = tmp_path / "bare.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(root), str(bare)], check=True, capture_output=True)
        git(bare, "config", "core.fsmonitor", str(markers.parent / "fsmonitor-hook"))
        git(bare, "config", "filter.evil.smudge", f"touch {markers / 'git-filter'}")
        for leftover in markers.iterdir():
            leftover.unlink()
        root = bare
    report = scan(root)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert _repo_modules(root) == []
    assert no_network == []
    assert_base_level(report)
    assert report.data["inspected"]["listing"] == listing
    # The files were read: the tracking calls in the package and the notebook were found.
    evidence = {(e["rule"], e["path"]) for e in report.data["capabilities"]["experiment_tracking"]["evidence"]}
    assert ("experiment_tracking.mlflow-log-call", "src/evilpkg/train.py") in evidence
    assert ("experiment_tracking.mlflow-log-call", "notebooks/explore.ipynb") in evidence


@pytest.mark.parametrize("how", ["command", "python-m"])
def test_command_run_inside_the_checkout_runs_nothing_from_it(tmp_path, markers, how):
    # CI runs `mlops-scan .` from inside the checkout: the repository's yaml.py, git.py, sitecustomize.py
    # and the like must not shadow anything the command imports (`python -m` puts the folder on sys.path).
    root = hostile_repo(tmp_path / "repo", markers)
    _arm_git(root, markers)
    command = (
        [shutil.which("mlops-scan", path=str(Path(sys.executable).parent)) or "mlops-scan"]
        if how == "command"
        else [sys.executable, "-m", "mlops_scan"]
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    done = subprocess.run(
        [*command, ".", "--format", "json", "--quiet", "--no-config"],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["level"] == 1
    assert sorted(p.name for p in markers.iterdir()) == []


def test_the_payloads_are_real(tmp_path, markers):
    """The fixture's payloads do leave markers when run: the tests above prove something."""
    root = hostile_repo(tmp_path / "repo", markers)
    _arm_git(root, markers)
    subprocess.run([sys.executable, str(root / "conftest.py")], check=True)
    with open(root / "models/model.pkl", "rb") as handle:
        pickle.load(handle)
    git(root, "ls-files", "--cached", "--others", "--exclude-standard")  # plain git runs the fsmonitor hook
    assert sorted(p.name for p in markers.iterdir()) == ["conftest.py", "fsmonitor", "pickle"]
