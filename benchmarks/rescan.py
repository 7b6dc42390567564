"""A rescan of a barely changed repository (pre-commit, CI on every push) against a cold scan and listing alone.

    python benchmarks/rescan.py [--tree /work/trees/wandb__wandb] [--synthetic 3000] [--repeat 3] [--workdir DIR]

For each repository (a copy of ``--tree``, and a synthetic one from benchmarks/synth.py made a git
repository), every figure from a fresh process, best of ``--repeat`` (wall and CPU via os.wait4):

- cold: ``mlops-scan --no-cache`` (no facts, no kept per-file outcomes);
- warm, unchanged: a scan with the cache filled by the scan before;
- warm, one file edited: before each run, a comment is appended to one Python or YAML file (a commit's worth);
- warm, 1 % edited: before each run, a comment is appended to 1 % of the Python and YAML files;
- listing alone: a process that lists the repository as the scan does (``open_snapshot``) and nothing else;
- start-up alone: ``mlops-scan --version``.

Ratios are to the cold scan of the same repository. The package is byte-compiled first (as an install is), so
no figure pays for compiling its modules (a shell with ``PYTHONDONTWRITEBYTECODE`` set would otherwise make each
process compile every module it imports).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from history import GIT, Timing, best, measure
from synth import generate

SCAN = [sys.executable, "-m", "mlops_scan"]
LIST = [
    sys.executable,
    "-c",
    "import sys; from mlops_scan.snapshot.tree import open_snapshot; open_snapshot(sys.argv[1])",
]


def edit(root: Path, round_: int, share: float) -> None:
    """Append a comment to ``share`` of the Python and YAML files (at least one), chosen by ``round_``."""
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml", ".yml") and ".git" not in p.parts)
    for path in random.Random(round_).sample(files, max(1, int(len(files) * share))):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\n# edited {round_}\n")


def figures(root: Path, cache: Path, repeat: int) -> dict[str, Timing]:
    quiet = ["-q", "-f", "json", "-o", os.devnull, "--no-config", str(root)]
    env = {"MLOPS_SCAN_CACHE_DIR": str(cache)}
    out = {"cold (--no-cache)": best([measure([*SCAN, "--no-cache", *quiet], env) for _ in range(repeat)])}
    shutil.rmtree(cache, ignore_errors=True)
    measure([*SCAN, *quiet], env)  # fills the cache
    out["warm, unchanged"] = best([measure([*SCAN, *quiet], env) for _ in range(repeat)])
    for label, share in (("warm, one .py/.yaml edited", 0.0), ("warm, 1 % of .py/.yaml edited", 0.01)):
        edited = []
        for round_ in range(repeat):
            edit(root, round_ if share else 100 + round_, share)
            edited.append(measure([*SCAN, *quiet], env))
        out[label] = best(edited)
    out["listing alone (open_snapshot)"] = best([measure([*LIST, str(root)], env) for _ in range(repeat)])
    out["start-up alone (--version)"] = best([measure([*SCAN, "--version"], env) for _ in range(repeat)])
    return out


def synthetic(root: Path, files: int) -> Path:
    generate(root, files)
    subprocess.run([*GIT, "-C", str(root), "init", "-q"], check=True)
    subprocess.run([*GIT, "-C", str(root), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(root), "commit", "-q", "-m", "synthetic"], check=True)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", default="/work/trees/wandb__wandb")
    parser.add_argument("--synthetic", type=int, default=3000, metavar="FILES")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "mlops-scan-bench-rescan"))
    args = parser.parse_args()
    import mlops_scan

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(mlops_scan.__file__).parent)], check=True)
    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    repos = {}
    if args.tree:
        repos[Path(args.tree).name] = Path(shutil.copytree(args.tree, work / "tree", symlinks=True))
    if args.synthetic:
        repos[f"synthetic {args.synthetic} files (git)"] = synthetic(work / "synthetic", args.synthetic)
    for name, root in repos.items():
        result = figures(root, work / "cache", args.repeat)
        unit = result["cold (--no-cache)"]
        print(f"\n{name}")
        print(f"{'run':<34} {'wall s':>8} {'CPU s':>8} {'x cold (wall)':>14} {'x cold (CPU)':>13}")
        for label, t in result.items():
            print(f"{label:<34} {t.wall:>8.2f} {t.cpu:>8.2f} {t.wall / unit.wall:>14.2f} {t.cpu / unit.cpu:>13.2f}")


if __name__ == "__main__":
    main()
