"""Fleet throughput: repositories per minute through the local pool, and peak memory.

    python benchmarks/fleet.py [--repos 200] [--jobs N] [--work DIR]

Builds N git repositories (copies of the bundled level fixtures, one commit each) behind
file:// URLs, then runs `mlops-scan fleet` over them as a user would and prints wall time,
repositories per minute, the peak RSS of the fleet process and of the largest of its children
(git and the per-repository scan processes), and the rows' statuses.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p for p in (ROOT / "fixtures").glob("level*") if p.is_dir())
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "init.defaultBranch=main"]


def build(work: Path, count: int) -> Path:
    lines = []
    for n in range(count):
        repo = work / "repos" / f"r{n:04d}"
        shutil.copytree(FIXTURES[n % len(FIXTURES)], repo)
        for args in (["init", "-q", "."], ["add", "-A"], ["commit", "-q", "-m", "one"]):
            subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)
        lines.append(repo.as_uri())
    repos = work / "REPOS.txt"
    repos.write_text("\n".join(lines) + "\n")
    return repos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, help="Keep the generated repositories here.")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    repos = build(work, args.repos)
    out = work / "out"
    command = [sys.executable, "-m", "mlops_scan", "fleet", str(repos), "--out", str(out), "--jobs", str(args.jobs)]
    started = time.perf_counter()
    subprocess.run([*command, "-q", "--scan-date", "2000-01-01"], check=True, cwd=work)
    wall = time.perf_counter() - started
    peak_child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = [json.loads(line) for f in out.glob("scan_date=*/*.jsonl") for line in f.read_text().splitlines()]
    statuses = {s: sum(r["status"] == s for r in rows) for s in ("ok", "error", "timeout", "skipped")}
    print(f"repositories      {len(rows)}  ({', '.join(f'{n} {s}' for s, n in statuses.items())})")
    print(f"jobs              {args.jobs}  (cores: {os.cpu_count()})")
    print(f"wall              {wall:.1f} s")
    print(f"throughput        {len(rows) / wall * 60:.0f} repositories per minute")
    print(f"peak RSS          {peak_child_mb:.0f} MB (largest single process: the fleet or one of its children)")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
