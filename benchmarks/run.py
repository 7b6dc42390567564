"""Benchmark: mlops-scan against reading the relevant files once and against a naive parser.

    python benchmarks/run.py --sizes 1k,10k,100k [PATH ...]

Synthetic repositories are generated once into ``--workdir`` (default
``/tmp/mlops-scan-bench``) and reused. Every measured run is a fresh process; wall time,
CPU time and peak RSS come from ``os.wait4``. Times are the best of ``--repeat`` runs
(peak memory the worst), after one untimed read of the tree to warm the page cache. CPU
time is shown beside wall time because it barely moves when other work shares the machine.
See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

NOTEBOOK_OUTPUT_MB = (1, 8, 24)


@dataclass
class Run:
    """One measured process."""

    wall: float
    cpu: float
    """User + system CPU seconds: unlike wall time, barely moved by other load on the machine."""
    peak_mb: float
    listed: int
    read: int
    bytes_read: int


def measure(cmd: list[str], report: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` and reap it, so its own wall time and peak RSS are known; counts come from its
    JSON stdout, or from the mlops-scan JSON report it wrote."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.posix_spawn(
            cmd[0],
            cmd,
            {**os.environ, **(env or {})},
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{stderr.decode()[-2000:]}")
    data = json.loads(report.read_text()) if report else json.loads(stdout)
    counts = data.get("inspected", data)
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        counts["files_listed"],
        counts["files_read"],
        counts["bytes_read"],
    )


def relevant_paths(root: Path) -> list[str]:
    """Files some matcher kind wants by path: what a scanner must at least consider reading."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules
    from mlops_scan.matchers.base import ProjectInfo, installed_kinds
    from mlops_scan.snapshot.tree import open_snapshot

    rules = load_all_rules(load_model().capabilities)
    kinds = installed_kinds()
    matchers = [kinds[k]([r for r in rules if r.kind == k], ProjectInfo()) for k in sorted({r.kind for r in rules})]
    return [e.path for e in open_snapshot(root).files if any(m.wants(e) for m in matchers)]


def bench_repo(name: str, root: Path, repeat: int, workdir: Path) -> dict[str, object]:
    """Measure the scan and both baselines on one repository, interleaved, best of ``repeat``."""
    list_file = workdir / f"{name}.relevant"
    list_file.write_bytes("\0".join(relevant_paths(root)).encode("utf-8", "surrogateescape"))
    report = workdir / f"{name}.report.json"
    scan = [sys.executable, "-m", "mlops_scan", "scan", "-q", "-f", "json", "-o", str(report), str(root)]
    cmds = {
        "read": ([sys.executable, str(HERE / "baselines.py"), "read", str(root), str(list_file)], None, None),
        "naive": ([sys.executable, str(HERE / "baselines.py"), "naive", str(root), str(list_file)], None, None),
        "scan": (scan, report, None),
        "scan2": (scan, report, {"MLOPS_SCAN_JOBS": "2"}),
    }
    measure(cmds["read"][0])  # warm the page cache
    runs: dict[str, list[Run]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for key, (cmd, rep, env) in cmds.items():
            runs[key].append(measure(cmd, rep, env))
    best = {
        k: Run(
            min(r.wall for r in v),
            min(r.cpu for r in v),
            max(r.peak_mb for r in v),
            v[0].listed,
            v[0].read,
            v[0].bytes_read,
        )
        for k, v in runs.items()
    }
    return {"name": name, "runs": best, "spread": {k: _spread(v) for k, v in runs.items()}}


def _spread(runs: list[Run]) -> float:
    walls = [r.wall for r in runs]
    return (max(walls) - min(walls)) / statistics.mean(walls) if len(walls) > 1 else 0.0


def print_table(results: list[dict[str, object]]) -> None:
    head = (
        f"{'repository':<22} {'run':<5} {'listed':>7} {'read':>7} {'MB read':>8} {'wall s':>7} {'cpu s':>7} {'peak MB':>7} "
        f"{'x(a)':>6} {'x(b)':>6} {'cpu x(a)':>8} {'cpu x(b)':>8}"
    )
    print(head)
    print("-" * len(head))
    for res in results:
        runs: dict[str, Run] = res["runs"]  # type: ignore[assignment]
        for key, label in (("scan", "scan"), ("scan2", "2 proc"), ("read", "(a)"), ("naive", "(b)")):
            r = runs[key]
            a, b = runs["read"], runs["naive"]
            print(
                f"{res['name'] if key == 'scan' else '':<22} {label:<5} {r.listed:>7} {r.read:>7} {r.bytes_read / 1e6:>8.1f} "
                f"{r.wall:>7.2f} {r.cpu:>7.2f} {r.peak_mb:>7.0f} {r.wall / a.wall:>6.2f} {r.wall / b.wall:>6.2f} "
                f"{r.cpu / a.cpu:>8.2f} {r.cpu / b.cpu:>8.2f}"
            )
    print()


def print_linearity(results: list[dict[str, object]]) -> None:
    """Scan cost per relevant megabyte and per listed file, size by size."""
    rows = [r for r in results if str(r["name"]).startswith("synthetic-")]
    if len(rows) < 2:
        return
    print(f"{'linearity':<26} {'relevant MB':>12} {'scan s':>8} {'s per MB':>9} {'us per file':>12}")
    for res in rows:
        scan: Run = res["runs"]["scan"]  # type: ignore[index]
        relevant = res["runs"]["read"].bytes_read / 1e6  # type: ignore[index]
        print(
            f"{res['name']:<26} {relevant:>12.1f} {scan.wall:>8.2f} {scan.wall / relevant:>9.4f} {scan.wall / scan.listed * 1e6:>12.1f}"
        )
    print()


def startup(repeat: int) -> None:
    """`mlops-scan --version` and a scan of the small level-2 fixture, end to end (median wall and CPU time)."""
    exe = shutil.which("mlops-scan", path=str(Path(sys.executable).parent)) or "mlops-scan"
    fixture = next(iter(sorted((HERE.parent / "fixtures").glob("level2*"))), None)
    cases = [("mlops-scan --version", [exe, "--version"], 0.3)]
    if fixture is not None:
        cases.append((f"mlops-scan {fixture.relative_to(HERE.parent)}", [exe, "-q", str(fixture)], 0.5))
    for label, cmd, target in cases:
        walls, cpus = [], []
        for _ in range(max(5, repeat)):
            start = time.perf_counter()
            pid = os.posix_spawn(
                cmd[0], cmd, dict(os.environ), file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
            )
            _, _, usage = os.wait4(pid, 0)
            walls.append(time.perf_counter() - start)
            cpus.append(usage.ru_utime + usage.ru_stime)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(
            f"{label:<44} median wall {wall:.3f} s, cpu {cpu:.3f} s  (target < {target} s: {'ok' if wall < target else 'MISSED'})"
        )
    print()


def notebook_memory(workdir: Path) -> None:
    """Peak RSS of scanning one notebook whose stored outputs grow: should stay flat."""
    print(f"{'notebook outputs':<26} {'file MB':>8} {'wall s':>8} {'peak MB':>8}")
    for mb in NOTEBOOK_OUTPUT_MB:
        root = workdir / f"notebook-{mb}mb"
        if not root.exists():
            root.mkdir(parents=True)
            (root / "analysis.ipynb").write_bytes(synth.notebook_with_outputs(mb * 1024 * 1024))
        report = workdir / f"notebook-{mb}mb.json"
        run = measure(
            [sys.executable, "-m", "mlops_scan", "scan", "-q", "-f", "json", "-o", str(report), str(root)], report
        )
        size = (root / "analysis.ipynb").stat().st_size / 1e6
        print(f"{f'{mb} MiB of outputs':<26} {size:>8.1f} {run.wall:>8.2f} {run.peak_mb:>8.0f}")
    print()


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="Real repositories to measure as well.")
    parser.add_argument(
        "--sizes", default="1k,10k,100k", help="Synthetic repository sizes in files (default 1k,10k,100k)."
    )
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement; the best is kept (default 3).")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "mlops-scan-bench")
    parser.add_argument("--json", type=Path, help="Also write the results as JSON.")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; best of {args.repeat}\n")
    startup(args.repeat)
    results = []
    for size in [parse_size(s) for s in args.sizes.split(",") if s.strip()]:
        root = args.workdir / f"synthetic-{size}-v{synth.GENERATOR_VERSION}"
        done = args.workdir / f"{root.name}.complete"
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            start = time.perf_counter()
            written = synth.generate(root, size)
            done.write_text(json.dumps(written))
            print(
                f"generated {root} ({sum(written.values()) / 1e6:.0f} MB) in {time.perf_counter() - start:.0f} s",
                file=sys.stderr,
            )
        results.append(
            bench_repo(
                f"synthetic-{size // 1000}k" if size >= 1000 else f"synthetic-{size}", root, args.repeat, args.workdir
            )
        )
    for path in args.paths:
        results.append(bench_repo(path.resolve().name, path.resolve(), args.repeat, args.workdir))
    print_table(results)
    print_linearity(results)
    notebook_memory(args.workdir)
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {"name": r["name"], "spread": r["spread"], "runs": {k: vars(v) for k, v in r["runs"].items()}}
                    for r in results
                ],
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
