"""Score mlops-scan on the labelled real repositories with the shared scorer, as a Markdown table.

Usage: python benchmarks/accuracy.py --labels ../shared/realworld/dev.yaml --trees TREES [--scan mlops-scan]
(TREES holds one extracted tree per labelled repository, see ../shared/realworld/README.md).
Prints the table for docs/accuracy.md, then the scorer's summary line; exits with the scorer's code.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

_LINE = re.compile(r"^(\S+): level (\S+) \(want (.+?)\)\s*(.*)$")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", required=True)
    parser.add_argument("--trees", required=True)
    parser.add_argument("--scan", default="mlops-scan")
    args = parser.parse_args()
    scorer = Path(args.labels).resolve().parent / "score.py"
    proc = subprocess.run(
        [sys.executable, str(scorer), "--labels", args.labels, "--trees", args.trees, "--scan", args.scan],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    print(
        "| repository | expected level | found level | capability misses (+ found, not labelled; - labelled, missed) |"
    )
    print("|---|---|---|---|")
    for line in lines[:-1]:
        match = _LINE.match(line)
        if match:
            repo, found, want, misses = match.groups()
            ok = "" if found in want.strip("[]").replace(" ", "").split(",") else " ✗"
            print(f"| {repo.replace('__', '/')} | {want} | {found}{ok} | {misses or '—'} |")
    print()
    print(lines[-1] if lines else proc.stderr.strip())
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
