"""Builders of hostile repositories (most cases cannot be committed as files) and an in-process scan.

Every case starts from :func:`base_repo`, a small repository that reaches level 1 (a GitHub
Actions workflow running pytest, and a test), adds one hostile thing, and checks that the
report still says level 1 and names what it skipped and why.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from mlops_scan.cli.app import main

WORKFLOW = """\
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: pytest -q
"""
TRACKING = 'import mlflow\n\nmlflow.log_metric("loss", 0.1)\n'
"""Python source whose line 3 is evidence of experiment tracking (rule :data:`TRACKING_RULE`)."""
TRACKING_RULE = "experiment_tracking.mlflow-log-call"


def write(root: Path, rel: str | bytes, content: str | bytes) -> Path:
    """Write ``content`` at ``rel`` under ``root`` (bytes names allow non-UTF-8 file names)."""
    path = os.path.join(os.fsencode(root), rel if isinstance(rel, bytes) else os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content.encode("utf-8") if isinstance(content, str) else content)
    return Path(os.fsdecode(path))


def base_repo(root: Path) -> Path:
    """A repository at level 1 (CI on push and pull request runs pytest; a test module)."""
    write(root, ".github/workflows/ci.yml", WORKFLOW)
    write(root, "requirements.txt", "pytest==8.0.0\n")
    write(root, "src/app/__init__.py", "def add(a, b):\n    return a + b\n")
    write(root, "tests/test_app.py", "from app import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n")
    return root


def notebook(*sources: object, nbformat: object = 4, outputs: list[object] | None = None) -> str:
    """An .ipynb document with one code cell per source (any JSON value, to build broken cells).

    Text sources are stored as Jupyter stores them: a list of lines.
    """
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": outputs or [],
            "source": s.splitlines(keepends=True) if isinstance(s, str) else s,
        }
        for s in sources
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": nbformat, "nbformat_minor": 5}, indent=1)


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` (the test's own set-up, never the scanner) and return its output."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit_all(root: Path, message: str = "base") -> None:
    """``git init`` (when needed), add everything, commit."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@dataclass
class Report:
    """What one scan printed and returned."""

    code: int
    stdout: str
    stderr: str
    data: dict = field(default_factory=dict)

    @property
    def level(self) -> int:
        return self.data["level"]

    @property
    def skipped(self) -> dict[str, list[str]]:
        """Skipped path -> the reasons given for it."""
        out: dict[str, list[str]] = {}
        for item in self.data["skipped"]:
            out.setdefault(item["path"], []).append(item["reason"])
        return out

    def evidence(self, rule: str) -> list[tuple[str, int | None]]:
        """(path, line) of each piece of evidence of ``rule``."""
        capability = rule.split(".", 1)[0]
        return [(e["path"], e["line"]) for e in self.data["capabilities"][capability]["evidence"] if e["rule"] == rule]


def run(*argv: str) -> Report:
    """Run the command line in this process (stdout and stderr captured, the exit code returned)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:  # pragma: no cover - main always exits
            code = 0
    return Report(code, out.getvalue(), err.getvalue())


def scan(root: Path, *options: str) -> Report:
    """Scan ``root`` to JSON; the scan must succeed without a traceback."""
    report = run("scan", str(root), "--format", "json", "--quiet", "--no-config", *options)
    assert report.code == 0, report.stderr
    assert "Traceback" not in report.stderr
    report.data = json.loads(report.stdout)
    return report


def assert_read_once(report: Report, root: Path) -> None:
    """The work a scan did is bounded by the repository: no file read twice, no byte read beyond the files' sizes
    (counted in the report's ``inspected`` section; wall-clock bounds are benchmarks/hostile.py's job)."""
    files = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.relative_to(root).parts]
    inspected = report.data["inspected"]
    assert inspected["files_read"] <= min(len(files), inspected["files_listed"])
    assert inspected["bytes_read"] <= sum(p.stat().st_size for p in files)


def assert_base_level(report: Report) -> None:
    """The rest of the repository still gives level 1 with its CI and tests."""
    assert report.level == 1
    assert report.data["capabilities"]["ci"]["present"]
    assert report.data["capabilities"]["automated_tests"]["present"]


def json_scan(root: Path, *options: str) -> str:
    """The JSON report of a scan of ``root`` without its configuration (the scan must exit 0)."""
    report = run("scan", str(root), "-f", "json", "-q", "--no-config", *options)
    assert report.code == 0, report.stderr
    return report.stdout
