"""A scan that covers less than a whole repository says so in a note (text and JSON), never a silent level 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepos import commit, git, write
from scanning import run_cli


def notes(root: Path, *args: str, cwd: Path | None = None) -> tuple[list[str], list[str]]:
    """The notes of the text report (continuation lines joined) and of the JSON report."""
    text = run_cli(str(root), "--quiet", "--no-color", "--no-config", *args, cwd=cwd)
    data = run_cli(str(root), "--quiet", "--format", "json", "--no-config", *args, cwd=cwd)
    assert text.returncode == data.returncode == 0, text.stderr + data.stderr
    joined = text.stdout.replace("\n  ", " ").splitlines()
    return [line.removeprefix("Note: ") for line in joined if line.startswith("Note: ")], json.loads(data.stdout)[
        "notes"
    ]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("notes") / "repo"
    git(root.parent, "init", "-q", "-b", "main", str(root))
    write(root, "src/train.py", "import mlflow\nmlflow.log_metric('loss', 0.1)\n")
    write(root, "pyproject.toml", '[project]\nname = "shop"\n')
    commit(root, "first", 1)
    return root


def test_an_empty_folder(tmp_path: Path) -> None:
    expected = "nothing to scan: the folder has no files; level 0 here means nothing was assessed"
    assert notes(tmp_path) == ([expected], [expected])


def test_every_file_excluded(repo: Path) -> None:
    expected = "nothing to scan: all 2 listed file(s) match the exclude globs; level 0 here means nothing was assessed"
    assert notes(repo, "--exclude", "src", "--exclude", "*.toml") == ([expected], [expected])


def test_a_folder_inside_a_repository_points_at_its_root(repo: Path) -> None:
    expected = (
        "src is inside the git repository at .: CI and other files outside it are not scanned; scan . for the"
        " whole repository (and see --root in docs/monorepos.md)"
    )
    assert notes(Path("src"), cwd=repo) == ([expected], [expected])
    below = "../.."
    expected = expected.replace("src is", ". is").replace("at .:", f"at {below}:").replace("scan .", f"scan {below}")
    write(repo, "src/models/keep.py", "")
    assert notes(Path("."), cwd=repo / "src" / "models") == ([expected], [expected])


def test_a_repository_top_has_no_note(repo: Path) -> None:
    assert notes(repo) == ([], [])


def mirror(repo: Path, target: Path) -> Path:
    git(repo, "clone", "-q", "--mirror", str(repo), str(target))
    (target / "config").unlink()  # a copied mirror without its config file
    return target


def test_a_bare_mirror_without_config_scans_head(repo: Path, tmp_path: Path) -> None:
    bare = mirror(repo, tmp_path / "shop.git")
    head = git(repo, "rev-parse", "HEAD").strip()
    expected = f"bare git repository: scanned HEAD (main, commit {head[:12]})"
    assert notes(bare) == ([expected], [expected])


def test_a_bare_head_naming_no_commit_lists_what_to_scan(repo: Path, tmp_path: Path) -> None:
    bare = mirror(repo, tmp_path / "shop.git")
    (bare / "HEAD").write_text("ref: refs/heads/master\n", encoding="utf-8")
    expected = (
        "bare git repository: HEAD (master) names no commit; nothing scanned; its branches and tags include main:"
        " scan one with --rev"
    )
    assert notes(bare) == ([expected], [expected])


def test_an_empty_bare_repository(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", str(tmp_path / "new.git"))
    expected = "bare git repository: no commits; nothing scanned"
    assert notes(tmp_path / "new.git") == ([expected], [expected])


def test_a_mirror_without_git_in_its_name_is_walked_with_a_hint(repo: Path, tmp_path: Path) -> None:
    bare = mirror(repo, tmp_path / "shop")
    expected = (
        f"{bare} has a bare git repository's layout (HEAD, objects/, refs/): its files were read as they are, not its"
        f" commits; scan its HEAD with --git-dir {bare}"
    )
    assert notes(bare) == ([expected], [expected])
