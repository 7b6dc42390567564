"""The snapshot: git vs walk listing, what stays out, and bounded, safe reads."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlops_scan.errors import UsageError
from mlops_scan.snapshot.limits import Limits
from mlops_scan.snapshot.text import decode
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import Skipped, Zone

FILES = {
    "README.md": "# demo\n",
    ".gitignore": "data/\n*.log\n.venv/\nenv/\nnode_modules/\n__pycache__/\n.ipynb_checkpoints/\n*.egg-info/\n",
    "src/app/__init__.py": "",
    "src/app/train.py": "print('train')\n",
    "tests/test_app.py": "def test_x():\n    pass\n",
    "data/raw.csv": "a,b\n1,2\n",
    "run.log": "started\n",
    "node_modules/left-pad/index.js": "module.exports = 1\n",
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    ".venv/lib/site.py": "import os\n",
    "env/pyvenv.cfg": "home = /usr/bin\n",
    "env/lib/mlflow/__init__.py": "import mlflow\n",
    "src/app/__pycache__/train.cpython-312.pyc": "\x00\x01",
    ".ipynb_checkpoints/a-checkpoint.ipynb": "{}\n",
    "pkg.egg-info/PKG-INFO": "Name: pkg\n",
}


def make_tree(root: Path, files: dict[str, str] = FILES) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def git_tree(tmp_path: Path) -> Path:
    root = make_tree(tmp_path / "repo")
    git(root, "init", "-q")
    git(root, "add", "README.md", ".gitignore", "src/app/__init__.py", "src/app/train.py")
    git(root, "commit", "-q", "-m", "init")
    return root  # tests/test_app.py stays untracked (and not ignored)


def test_git_listing_keeps_tracked_and_untracked_but_not_ignored(git_tree: Path) -> None:
    snap = open_snapshot(git_tree)
    assert snap.source == "git"
    paths = [f.path for f in snap.files]
    assert "tests/test_app.py" in paths  # untracked, not ignored
    assert (
        paths
        == sorted(paths)
        == [".gitignore", "README.md", "src/app/__init__.py", "src/app/train.py", "tests/test_app.py"]
    )
    assert snap.notes == []


def test_git_listing_of_a_subfolder_is_relative_to_it(git_tree: Path) -> None:
    snap = open_snapshot(git_tree / "src")
    assert snap.source == "git"
    assert [f.path for f in snap.files] == ["app/__init__.py", "app/train.py"]


def test_walk_listing_skips_tool_folders_and_virtual_environments(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "plain")
    snap = open_snapshot(root)
    assert snap.source == "walk"
    assert [f.path for f in snap.files] == [
        ".gitignore",
        "README.md",
        "data/raw.csv",
        "run.log",
        "src/app/__init__.py",
        "src/app/train.py",
        "tests/test_app.py",
    ]


def test_walk_when_git_metadata_is_broken(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "broken", {"a.py": "x = 1\n"})
    (root / ".git").write_text("gitdir: /nowhere/at/all\n", encoding="utf-8")
    snap = open_snapshot(root)
    assert snap.source == "walk"
    assert [f.path for f in snap.files] == ["a.py"]
    assert snap.notes == [
        "git not used: .git points at a git directory outside the repository (gitdir:); walked the folder instead"
    ]


def test_zones_are_assigned_when_listing(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "z", {"src/m.py": "", "tests/t.py": "", "docs/x.md": "", "examples/e.py": ""})
    snap = open_snapshot(root)
    assert {f.path: f.zone for f in snap.files} == {
        "docs/x.md": Zone.DOCS,
        "examples/e.py": Zone.EXAMPLES,
        "src/m.py": Zone.PROJECT,
        "tests/t.py": Zone.TESTS,
    }


def test_zone_overrides_win(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "o", {"examples/service/app.py": "", "examples/other.py": ""})
    snap = open_snapshot(root, zone_overrides={"examples/service": Zone.PROJECT})
    assert {f.path: f.zone for f in snap.files} == {
        "examples/other.py": Zone.EXAMPLES,
        "examples/service/app.py": Zone.PROJECT,
    }


def test_exclude_globs_and_folders(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "x", {"a.py": "", "gen/b.py": "", "c.txt": ""})
    snap = open_snapshot(root, exclude=("gen", "*.txt"))
    assert [f.path for f in snap.files] == ["a.py"]


def test_missing_root_and_file_root(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or directory"):
        open_snapshot(tmp_path / "absent")
    (tmp_path / "f.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="not a directory"):
        open_snapshot(tmp_path / "f.txt")


def test_reads_are_bounded_and_counted(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "r", {"small.py": "x = 1\n", "big.py": "y = 2\n" * 100})
    snap = open_snapshot(root, limits=Limits(max_file_bytes=100))
    assert snap.read_text("small.py") == "x = 1\n"
    assert snap.read_text("big.py") is None
    assert snap.skipped == [Skipped("big.py", "too large (600 B > 100 B limit)")]
    assert (snap.files_read, snap.bytes_read) == (1, 6)


def test_binary_skipped_and_odd_encodings_tolerated(tmp_path: Path) -> None:
    root = tmp_path / "b"
    root.mkdir()
    (root / "model.bin").write_bytes(b"\x00\x01\x02PK\x00")
    (root / "latin.py").write_bytes("name = 'Ren\u00e9'\n".encode("latin-1"))
    (root / "utf16.txt").write_bytes("\ufeffhello\n".encode("utf-16-le"))
    (root / "bom.py").write_bytes(b"\xef\xbb\xbfx = 1\n")
    snap = open_snapshot(root)
    assert snap.read_text("model.bin") is None
    assert snap.skipped == [Skipped("model.bin", "binary content")]
    assert snap.read_text("latin.py") == "name = 'Ren\u00e9'\n"
    assert snap.read_text("utf16.txt") == "hello\n"
    assert snap.read_text("bom.py") == "x = 1\n"


def test_decode_utf16_without_bom_and_binary() -> None:
    assert decode("name: x\n".encode("utf-16-le")) == "name: x\n"
    assert decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_links_out_of_the_repository_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("token\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.py").write_text("import mlflow\n", encoding="utf-8")
    root = make_tree(tmp_path / "l", {"real.py": "x = 1\n"})
    os.symlink(outside, root / "leak.txt")
    os.symlink(root / "real.py", root / "alias.py")
    os.symlink(tmp_path / "elsewhere", root / "linked_dir")
    snap = open_snapshot(root)
    assert [f.path for f in snap.files] == ["alias.py", "leak.txt", "real.py"]
    assert snap.skipped == [Skipped("linked_dir", "symbolic link to a folder: not followed")]
    assert snap.read_text("leak.txt") is None
    assert snap.read_text("alias.py") == "x = 1\n"  # a link inside the repository is read
    assert Skipped("leak.txt", "symbolic link pointing outside the repository: not followed") in snap.skipped


def test_listed_file_removed_before_reading(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "gone", {"a.py": "x\n"})
    snap = open_snapshot(root)
    os.remove(root / "a.py")
    assert snap.read_text("a.py") is None
    assert snap.skipped == [Skipped("a.py", "listed but missing from the work tree")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_file_replaced_by_a_fifo_after_its_checks_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal
    import stat

    from mlops_scan.snapshot import worktree

    root = make_tree(tmp_path / "race", {"a.py": "x = 1\n"})
    snap = open_snapshot(root)
    os.remove(root / "a.py")
    os.mkfifo(root / "a.py")  # no writer: an ordinary open would wait for one forever
    lstat = os.lstat

    def looked_up_before_the_swap(path: str) -> os.stat_result:
        found = lstat(path)
        if not path.endswith("a.py"):
            return found
        return os.stat_result((stat.S_IFREG | 0o644, *tuple(found)[1:6], 6, *tuple(found)[7:10]))

    monkeypatch.setattr(worktree.os, "lstat", looked_up_before_the_swap)
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the read blocked on the FIFO"))
    signal.alarm(5)
    try:
        assert snap.read_text("a.py") is None
    finally:
        signal.alarm(0)
    assert snap.skipped == [Skipped("a.py", "not a regular file")]


def test_copied_tree_without_git_is_walked(git_tree: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(git_tree, copy, ignore=shutil.ignore_patterns(".git"))
    walked = {f.path for f in open_snapshot(copy).files}
    listed = {f.path for f in open_snapshot(git_tree).files}
    assert walked - listed == {"data/raw.csv", "run.log"}  # ignored by .gitignore, which a walk does not read
    assert listed < walked


def test_git_leaves_out_tool_folders_nobody_ignored(tmp_path: Path) -> None:
    """An un-ignored virtual environment or node_modules is not listed (not read, not scanned)."""
    root = make_tree(tmp_path / "repo", {"a.py": "", ".venv/lib/site.py": "", "node_modules/m/.travis.yml": ""})
    git(root, "init", "-q")
    snap = open_snapshot(root)
    assert snap.source == "git"
    assert {f.path: f.zone for f in snap.files} == {"a.py": Zone.PROJECT}


def test_a_file_grown_since_its_stat_is_read_whole_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read is sized by the stat: a file larger when read than when looked up is still read whole, and one grown
    past the limit is still refused."""
    root = make_tree(tmp_path / "grow", {"a.py": "x = 1\n" * 10, "b.py": "y = 2\n" * 30})
    snap = open_snapshot(root, limits=Limits(max_file_bytes=100))
    real_lstat = os.lstat

    def stale_lstat(path: str | os.PathLike[str]) -> os.stat_result:
        info = real_lstat(path)
        if not str(path).endswith(".py"):
            return info
        fields = list(info)
        fields[6] = 4  # st_size: the file was 4 bytes when looked up
        return os.stat_result(fields)

    monkeypatch.setattr(os, "lstat", stale_lstat)
    assert snap.read_text("a.py") == "x = 1\n" * 10
    assert snap.read_text("b.py") is None
    assert snap.skipped == [Skipped("b.py", "too large (over 100 B limit)")]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_folders_are_resolved_through_links_at_any_depth(tmp_path: Path) -> None:
    """Each folder's real path is worked out from its parent's: a linked folder below a plain one, and a plain one
    below a link, still lead out of the repository (not read) or stay inside it (read)."""
    (tmp_path / "outside" / "deep").mkdir(parents=True)
    (tmp_path / "outside" / "deep" / "x.py").write_text("import mlflow\n", encoding="utf-8")
    root = make_tree(tmp_path / "r", {"src/real/y.py": "y = 1\n"})
    os.symlink(tmp_path / "outside", root / "src" / "out")
    os.symlink(root / "src" / "real", root / "src" / "alias")
    snap = open_snapshot(root)
    assert snap.read_text("src/out/deep/x.py") is None
    assert snap.read_text("src/alias/y.py") == "y = 1\n"
    assert snap.read_text("src/real/y.py") == "y = 1\n"
    assert snap.skipped[2:] == [
        Skipped("src/out/deep/x.py", "symbolic link pointing outside the repository: not followed")
    ]  # after the walk's two folder links


def test_a_file_shrunk_since_its_stat_is_read_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path / "shrink", {"a.py": "x = 1\n"})
    snap = open_snapshot(root, limits=Limits(max_file_bytes=100))
    real_lstat = os.lstat

    def stale_lstat(path: str | os.PathLike[str]) -> os.stat_result:
        fields = list(real_lstat(path))
        if str(path).endswith(".py"):
            fields[6] = 50  # st_size: the file was 50 bytes when looked up
        return os.stat_result(fields)

    monkeypatch.setattr(os, "lstat", stale_lstat)
    assert snap.read_text("a.py") == "x = 1\n"
    assert (snap.files_read, snap.bytes_read, snap.skipped) == (1, 6, [])
