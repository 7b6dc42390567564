"""The scanned repository's git config must not run anything: every git-reading command, with a config
whose every command-valued setting (and hook) would leave a marker file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from gitrepos import git, maturing_repo, write
from hostile.repos import run

SETTINGS = (
    "core.fsmonitor",
    "core.pager",
    "core.sshCommand",
    "core.askPass",
    "core.editor",
    "sequence.editor",
    "credential.helper",
    "gpg.program",
    "diff.external",
    "uploadpack.packObjectsHook",
    "filter.evil.clean",
    "filter.evil.smudge",
    "filter.evil.process",
    "diff.evil.textconv",
    "pager.log",
    "pager.ls-tree",
    "pager.cat-file",
)
HOOKS = ("post-checkout", "pre-commit", "reference-transaction", "post-index-change", "pre-auto-gc", "post-rewrite")


def arm(git_dir: Path, markers: Path, promisor: bool = False) -> None:
    """Point every command-valued setting and hook of ``git_dir`` at a script leaving a marker (``promisor``:
    and make the hostile remote a partial clone's promisor, which keeps git from running at all)."""
    hooks = git_dir / "evil-hooks"
    hooks.mkdir()
    for name in (*SETTINGS, *HOOKS):
        script = hooks / name
        script.write_text(f"#!/bin/sh\ntouch '{markers}/{name}'\ncat >/dev/null 2>&1\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    for name in HOOKS:
        os.makedirs(git_dir / "hooks", exist_ok=True)
        (git_dir / "hooks" / name).write_bytes((hooks / name).read_bytes())
        (git_dir / "hooks" / name).chmod(0o755)
    for name in SETTINGS:
        git(git_dir, "config", name, str(hooks / name))
    git(git_dir, "config", "core.hooksPath", str(hooks))
    git(git_dir, "config", "core.repositoryformatversion", "1")
    git(git_dir, "config", "remote.origin.url", f"ext::sh -c touch% {markers}/ext-remote")
    if promisor:
        git(git_dir, "config", "remote.origin.promisor", "true")
        git(git_dir, "config", "extensions.partialClone", "origin")
    (git_dir / "info").mkdir(exist_ok=True)
    (git_dir / "info/attributes").write_text("* filter=evil diff=evil\n")


def drop_blob(git_dir: Path, content: bytes) -> None:
    """Remove a loose blob, so reading it would need a lazy fetch from the (hostile) promisor remote."""
    oid = subprocess.run(["git", "hash-object", "--stdin"], input=content, capture_output=True, check=True).stdout
    (git_dir / "objects" / oid[:2].decode() / oid[2:].strip().decode()).unlink()


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    folder = tmp_path / "markers"
    folder.mkdir()
    return folder


@pytest.fixture
def armed(tmp_path: Path, markers: Path) -> Path:
    repo = maturing_repo(tmp_path / "repo")
    write(repo, "src/app/gone.py", "import mlflow\n")
    write(repo, ".gitattributes", "* filter=evil diff=evil\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    arm(repo / ".git", markers)
    drop_blob(repo / ".git", b"import mlflow\n")
    return repo


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "-f", "json", "-q", "--rev", "HEAD"),
        ("scan", "-f", "json", "-q", "--rev", "v2"),
        ("history", "--tags", "-f", "json"),
        ("history", "-f", "json"),
        ("diff", "v1", "HEAD", "-f", "json", "--repo"),
        ("diff", "v1", "-f", "json", "--repo"),
    ],
)
def test_repository_config_runs_nothing(
    armed: Path, markers: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(markers.parent / "cache"))
    report = run(*args, str(armed))
    assert report.code == 0, report.stderr
    json.loads(report.stdout)
    assert sorted(p.name for p in markers.iterdir()) == []


@pytest.mark.parametrize("args", [("scan", "--rev", "HEAD"), ("history",), ("diff", "v1", "--repo")])
def test_a_promisor_remote_keeps_git_from_running(
    armed: Path, markers: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(markers.parent / "cache"))
    git(armed, "config", "remote.origin.promisor", "true")
    report = run(args[0], "-f", "json", *args[1:], str(armed))
    assert (report.code, report.stdout) == (2, "")
    assert report.stderr == (
        f"mlops-scan: error: {armed}: git not used: a partial clone (promisor remote): git could fetch missing objects\n"
    )
    report = run("scan", "-f", "json", "-q", "--no-config", str(armed))  # the work tree is walked instead
    assert report.code == 0 and json.loads(report.stdout)["inspected"]["listing"] == "walk"
    assert sorted(p.name for p in markers.iterdir()) == []


def test_missing_blob_is_skipped_not_fetched(armed: Path, markers: Path) -> None:
    report = run("scan", "-f", "json", "-q", "--no-cache", "--rev", "HEAD", str(armed))
    data = json.loads(report.stdout)
    assert {
        "path": "src/app/gone.py",
        "reason": "blob not in the local clone (left out by its size filter): not read",
    } in data["skipped"]
    assert sorted(p.name for p in markers.iterdir()) == []


def test_bare_and_url_scans_run_nothing(markers: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    plain = maturing_repo(tmp_path / "plain")
    subprocess.run(["git", "clone", "-q", "--bare", str(plain), str(bare)], check=True, capture_output=True)
    arm(bare, markers)
    git(bare, "config", "uploadpack.allowFilter", "true")
    for args in (
        ("scan", "-f", "json", "-q", "--no-cache", str(bare)),
        ("scan", "-f", "json", "-q", "--no-cache", f"file://{bare}"),
    ):
        report = run(*args)
        assert report.code == 0, report.stderr
        assert json.loads(report.stdout)["inspected"]["listing"] == "git-tree"
    assert sorted(p.name for p in markers.iterdir()) == []
