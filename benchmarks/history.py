"""History over many revisions, and a rescan with a warm facts cache, against full cold scans.

    python benchmarks/history.py [--files 3000] [--revisions 25] [--repeat 2] [--workdir DIR] [--json FILE]

Builds a synthetic repository (benchmarks/synth.py) as a git repository whose history has
``--revisions`` tagged commits; between two tags a few Python modules change (about 1 % of
them) and, at fixed tags, capabilities arrive (CI, experiment tracking, a model registry) or
leave (CI). Then, every figure from a fresh process (wall and CPU time via os.wait4, git's
own processes included):

- full scan: ``mlops-scan --rev TAG --no-cache`` of the newest tag (the unit below);
- naive history: that, for every tag (what a loop over tags without reuse costs);
- ``history --tags`` with no disk cache (trees and facts shared in memory within the run),
  with a cold disk cache, and again with the warm cache;
- work tree: a cold scan (``--no-cache``), a scan with a warm facts cache after 1 % of the
  modules changed, and ``git ls-files`` (listing alone) for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import generate

SCAN = [sys.executable, "-m", "mlops_scan"]
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "init.defaultBranch=main"]
WORKFLOW = "on: [push, pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
ARRIVALS = {
    3: (".github/workflows/ci.yml", WORKFLOW),
    8: ("src/bench_train.py", "import mlflow\n\nmlflow.log_metric('loss', 0.1)\n"),
    14: ("src/bench_register.py", "import mlflow\n\nmlflow.register_model('runs:/1/m', 'm')\n"),
}
LEAVES = {20: ".github/workflows/ci.yml"}


@dataclass
class Timing:
    wall: float
    cpu: float


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Timing:
    """Wall and CPU seconds (user + system, children included) of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        pid = os.posix_spawn(
            cmd[0] if os.path.isabs(cmd[0]) else shutil.which(cmd[0]) or cmd[0],
            cmd,
            {**os.environ, **(env or {})},
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, out.fileno(), 2)],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status):
            out.seek(0)
            raise SystemExit(f"failed: {' '.join(cmd)}\n{out.read().decode()[-2000:]}")
    return Timing(wall, usage.ru_utime + usage.ru_stime)


def best(runs: list[Timing]) -> Timing:
    return Timing(min(r.wall for r in runs), min(r.cpu for r in runs))


def build(root: Path, files: int, revisions: int) -> list[str]:
    """The repository and its tags (oldest first)."""
    generate(root, files)
    git = [*GIT, "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "r00"], check=True)
    subprocess.run([*git, "tag", "r00"], check=True)
    modules = sorted(p for p in root.rglob("*.py") if ".git" not in p.parts)
    rng = random.Random(11)
    tags = ["r00"]
    for n in range(1, revisions):
        for path in rng.sample(modules, max(1, len(modules) // 100)):
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(f"\nCHANGED_AT_{n} = {n}\n")
        if n in ARRIVALS:
            rel, text = ARRIVALS[n]
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        if n in LEAVES:
            (root / LEAVES[n]).unlink()
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", f"r{n:02}"], check=True)
        subprocess.run([*git, "tag", f"r{n:02}"], check=True)
        tags.append(f"r{n:02}")
    return tags


def touch_one_percent(root: Path) -> None:
    modules = sorted(p for p in root.rglob("*.py") if ".git" not in p.parts)
    for path in random.Random(5).sample(modules, max(1, len(modules) // 100)):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\nEDITED = True\n")


def run(args: argparse.Namespace) -> dict[str, object]:
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    repo = work / "repo"
    tags = build(repo, args.files, args.revisions)
    cache = work / "cache"

    def fresh_cache() -> dict[str, str]:
        shutil.rmtree(cache, ignore_errors=True)
        return {"MLOPS_SCAN_CACHE_DIR": str(cache)}

    quiet = ["-q", "-f", "json", "-o", os.devnull]
    history = [*SCAN, "history", "--tags", "-f", "json", "-o", os.devnull, str(repo)]
    figures: dict[str, Timing] = {}
    figures["full scan (--rev newest tag, no cache)"] = best(
        [measure([*SCAN, "--rev", tags[-1], "--no-cache", *quiet, str(repo)]) for _ in range(args.repeat)]
    )
    naive = [measure([*SCAN, "--rev", tag, "--no-cache", *quiet, str(repo)]) for tag in tags]
    figures[f"naive history ({len(tags)} x --rev, no cache)"] = Timing(
        sum(t.wall for t in naive), sum(t.cpu for t in naive)
    )
    figures["history --tags, no disk cache"] = best([measure([*history, "--no-cache"]) for _ in range(args.repeat)])
    cold, warm = [], []
    for _ in range(args.repeat):
        env = fresh_cache()
        cold.append(measure(history, env))
        warm.append(measure(history, env))
    figures["history --tags, cold disk cache"] = best(cold)
    figures["history --tags, warm disk cache"] = best(warm)
    figures["work tree: cold scan (--no-cache)"] = best(
        [measure([*SCAN, "--no-cache", *quiet, str(repo)]) for _ in range(args.repeat)]
    )
    env = fresh_cache()
    measure([*SCAN, *quiet, str(repo)], env)  # fills the cache
    touch_one_percent(repo)
    figures["work tree: 1 % changed, warm cache"] = best(
        [measure([*SCAN, *quiet, str(repo)], env) for _ in range(args.repeat)]
    )
    figures["listing alone (git ls-files)"] = best(
        [measure(["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others"]) for _ in range(args.repeat)]
    )
    unit = figures["full scan (--rev newest tag, no cache)"]
    return {
        "files": args.files,
        "revisions": len(tags),
        "figures": {
            name: {
                "wall": round(t.wall, 2),
                "cpu": round(t.cpu, 2),
                "full_scans_wall": round(t.wall / unit.wall, 2),
                "full_scans_cpu": round(t.cpu / unit.cpu, 2),
            }
            for name, t in figures.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--revisions", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "mlops-scan-bench-history"))
    parser.add_argument("--json", dest="json_file")
    result = run(parser.parse_args())
    print(f"{result['files']} files, {result['revisions']} revisions (tags)")
    print(f"{'run':<44} {'wall s':>8} {'CPU s':>8} {'x full (wall)':>14} {'x full (CPU)':>13}")
    for name, f in result["figures"].items():  # type: ignore[attr-defined]
        print(
            f"{name:<44} {f['wall']:>8.2f} {f['cpu']:>8.2f} {f['full_scans_wall']:>14.2f} {f['full_scans_cpu']:>13.2f}"
        )
    if parser.parse_args().json_file:
        Path(parser.parse_args().json_file).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
