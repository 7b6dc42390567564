"""A git repository whose capabilities arrive at known commits, for --rev, history and diff tests.

untagged first commit: a package and its requirements (level 0)
v1: a GitHub Actions workflow runs pytest on a test module: ci, automated_tests (level 1)
v2: a training module logs metrics to MLflow: experiment_tracking
v3: the training module registers the model: model_registry
v4: the workflow is removed: ci lost (level 0)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hostile.repos import WORKFLOW

TRAIN_V2 = 'import mlflow\n\nmlflow.log_metric("loss", 0.1)\n'
TRAIN_V3 = TRAIN_V2 + 'mlflow.register_model("runs:/abc/model", "churn")\n'
TAGS = ("v1", "v2", "v3", "v4")
PRESENT = {
    "v1": {"ci", "automated_tests"},
    "v2": {"ci", "automated_tests", "experiment_tracking"},
    "v3": {"ci", "automated_tests", "experiment_tracking", "model_registry"},
    "v4": {"automated_tests", "experiment_tracking", "model_registry"},
}
"""Capabilities present at each tag."""
LEVEL = {"v1": 1, "v2": 1, "v3": 1, "v4": 0}


def git(root: Path, *args: str, date: int = 0) -> str:
    """Run git in ``root`` for a test's set-up (never the scanner's way of running it)."""
    stamp = f"{1_700_000_000 + date * 86_400} +0000"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def write(root: Path, rel: str, content: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)


def commit(root: Path, message: str, day: int, tag: str | None = None) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=day)
    if tag:
        git(root, "tag", "-a", tag, "-m", tag, date=day)


def maturing_repo(root: Path) -> Path:
    """The repository described above, one commit (and day) per step; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, "README.md", "# churn\n")
    write(root, "requirements.txt", "pytest==8.0.0\nmlflow==2.9.0\n")
    write(root, "src/app/__init__.py", "def add(a, b):\n    return a + b\n")
    os.symlink("__init__.py", root / "src/app/alias.py")
    os.symlink("/etc/hostname", root / "src/app/outside.py")
    write(root, "data/big.py", "# padding\n" * 300_000)
    commit(root, "package", 0)
    write(root, ".github/workflows/ci.yml", WORKFLOW)
    write(root, "tests/test_app.py", "from app import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n")
    commit(root, "CI runs the tests", 1, "v1")
    write(root, "src/app/train.py", TRAIN_V2)
    commit(root, "track metrics", 2, "v2")
    write(root, "docs/notes.md", "notes\n")
    commit(root, "docs", 3)
    write(root, "src/app/train.py", TRAIN_V3)
    commit(root, "register the model", 4, "v3")
    (root / ".github/workflows/ci.yml").unlink()
    commit(root, "drop CI", 5, "v4")
    return root
