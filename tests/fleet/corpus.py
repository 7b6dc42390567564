"""A generated fleet: git repositories of known levels behind file:// URLs, local paths and bare mirrors,
plus repositories that are broken, too large, or hang."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LEVELS = {
    "level0-notebooks": 0,
    "level1-actions-pytest": 1,
    "level2-mlflow-dvc": 2,
    "level3-azureml-bluegreen": 3,
    "level4-kserve-evidently": 4,
}
COPIES = 6
MAX_FILES = 40
"""The fleet's --max-files: every level fixture has fewer files, the large repository more."""


@dataclass(frozen=True)
class Expected:
    """What the fleet must report for one line of REPOS.txt."""

    repo: str
    ref: str
    status: str
    level: int = -1


def git(*args: str, cwd: Path) -> None:
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "PATH": "/usr/bin:/bin"}
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )


def make_repo(path: Path, source: Path | None = None, extra_files: int = 0) -> Path:
    """A git work tree with one commit (of ``source``'s files) and a tag ``v1``."""
    if source is not None:
        shutil.copytree(source, path)
    path.mkdir(parents=True, exist_ok=True)
    for n in range(extra_files):
        (path / f"data/part-{n:04d}.txt").parent.mkdir(exist_ok=True)
        (path / f"data/part-{n:04d}.txt").write_text(f"row {n}\n")
    git("init", "-q", ".", cwd=path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "initial", cwd=path)
    git("tag", "v1", cwd=path)
    return path


@contextmanager
def hanging_server() -> Iterator[str]:
    """An http:// URL whose server accepts connections and never answers (a clone of it must time out)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hangs.git"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


def build_fleet(root: Path, hang_url: str) -> tuple[Path, list[Expected]]:
    """REPOS.txt and the rows it must give: 30 repositories of known levels, two broken, one too
    large, one that hangs."""
    lines = ["# generated fleet", ""]
    expected: list[Expected] = []
    for name, level in LEVELS.items():
        for copy in range(COPIES):
            work = make_repo(root / "work" / f"{name}-{copy}", FIXTURES / name)
            kind = copy % 3
            if kind == 0:
                source, ref = work.as_uri(), ""
            elif kind == 1:
                source, ref = str(work), "v1"
            else:
                bare = root / "bare" / f"{name}-{copy}.git"
                git("clone", "-q", "--bare", str(work), str(bare), cwd=root)
                source, ref = str(bare), "main"
            lines.append(f"{source}@{ref}  # {name}" if ref else source)
            expected.append(Expected(source, ref, "ok", level))
    missing = (root / "nowhere.git").as_uri()
    broken = root / "bare" / "broken.git"
    broken.mkdir(parents=True)
    git("init", "-q", "--bare", str(broken), cwd=root)  # no commits: nothing to fetch
    large = make_repo(root / "work" / "large", FIXTURES / "level1-actions-pytest", extra_files=MAX_FILES)
    lines += [missing, str(broken), large.as_uri(), hang_url]
    expected += [
        Expected(missing, "", "error"),
        Expected(str(broken), "", "error"),
        Expected(large.as_uri(), "", "skipped"),
        Expected(hang_url, "", "timeout"),
    ]
    repos = root / "REPOS.txt"
    repos.write_text("\n".join(lines) + "\n")
    return repos, sorted(expected, key=lambda e: (e.repo, e.ref))
