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
    parsed: int = 0
    """Files parsed (Python, notebooks, YAML, TOML), as the report counts them; 0 for the baselines."""


def measure(cmd: list[str], report: Path | None = None, env: dict[str, str] | None = None, counts: bool = True) -> Run:
    """Run ``cmd`` and reap it, so its own wall time and peak RSS are known; counts come from its
    JSON stdout, or from the mlops-scan JSON report it wrote (none when ``counts`` is False)."""
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
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    if not counts:
        return Run(wall, cpu, peak, 0, 0, 0)
    data = json.loads(report.read_text()) if report else json.loads(stdout)
    found = data.get("inspected", data)
    parsed = sum(found.get("parsed", {}).values())
    return Run(wall, cpu, peak, found["files_listed"], found["files_read"], found["bytes_read"], parsed)


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


ROWS = (
    ("scan", "scan"),
    ("serial", "scan, 1 process"),
    ("parallel", "scan, 2 processes"),
    ("read", "(a) read once"),
    ("naive", "(b) naive"),
)
"""Rows of the table: key, label (the serial and parallel rows only with ``--jobs``)."""


def installed() -> list[str]:
    """The ``mlops-scan`` command installed beside this interpreter, as a user runs it (``python -m mlops_scan`` when
    there is none: ``-m`` also loads ``runpy``)."""
    exe = shutil.which("mlops-scan", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "mlops_scan"]


def scan_command(report: Path, root: Path) -> list[str]:
    return [*installed(), "scan", "-q", "--no-cache", "-f", "json", "-o", str(report), str(root)]


def relevant_list(name: str, root: Path, workdir: Path) -> Path:
    """The file listing ``root``'s relevant paths (NUL-separated) for the baselines, written into ``workdir``."""
    list_file = workdir / f"{name}.relevant"
    list_file.write_bytes("\0".join(relevant_paths(root)).encode("utf-8", "surrogateescape"))
    return list_file


def baseline_command(mode: str, root: Path, list_file: Path) -> list[str]:
    return [sys.executable, str(HERE / "baselines.py"), mode, str(root), str(list_file)]


def bench_repo(name: str, root: Path, repeat: int, workdir: Path, jobs: bool = False) -> dict[str, object]:
    """Measure the scan, both baselines and the start-up on one repository, interleaved, best of ``repeat``.

    Start-up is a scan of an empty folder (interpreter, imports, rules, report) and ``python`` the bare
    interpreter (``python -c pass``), both measured beside the scan, so that load on the machine hits all
    of them alike. With ``jobs``, the scan is also run with ``MLOPS_SCAN_JOBS=1`` and ``=2``.
    """
    list_file = relevant_list(name, root, workdir)
    report = workdir / f"{name}.report.json"
    empty = workdir / "empty"
    empty.mkdir(exist_ok=True)
    scan = scan_command(report, root)
    cmds: dict[str, tuple[list[str], Path | None, dict[str, str] | None, bool]] = {
        "read": (baseline_command("read", root, list_file), None, None, True),
        "naive": (baseline_command("naive", root, list_file), None, None, True),
        "scan": (scan, report, None, True),
        "startup": (scan_command(workdir / "empty.json", empty), None, None, False),
        "python": ([sys.executable, "-c", "pass"], None, None, False),
    }
    if jobs:
        cmds["serial"] = (scan, report, {"MLOPS_SCAN_JOBS": "1"}, True)
        cmds["parallel"] = (scan, report, {"MLOPS_SCAN_JOBS": "2"}, True)
    measure(cmds["read"][0])  # warm the page cache
    runs: dict[str, list[Run]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for key, (cmd, rep, env, counted) in cmds.items():
            runs[key].append(measure(cmd, rep, env, counted))
    best = {
        k: Run(
            min(r.wall for r in v),
            min(r.cpu for r in v),
            max(r.peak_mb for r in v),
            v[0].listed,
            v[0].read,
            v[0].bytes_read,
            v[0].parsed,
        )
        for k, v in runs.items()
    }
    return {"name": name, "runs": best, "spread": {k: _spread(v) for k, v in runs.items()}}


def _spread(runs: list[Run]) -> float:
    walls = [r.wall for r in runs]
    return (max(walls) - min(walls)) / statistics.mean(walls) if len(walls) > 1 else 0.0


def print_table(results: list[dict[str, object]]) -> None:
    """One block per repository: the scan and the baselines, counts, time, memory and the two ratios."""
    if not results:
        return
    head = (
        f"{'repository':<28} {'run':<18} {'listed':>7} {'read':>7} {'parsed':>7} {'MB read':>8} {'wall s':>7} "
        f"{'cpu s':>7} {'peak MB':>7} {'x(a)':>6} {'x(b)':>6} {'cpu x(a)':>8} {'cpu x(b)':>8}"
    )
    print(head)
    print("-" * len(head))
    for res in results:
        runs: dict[str, Run] = res["runs"]  # type: ignore[assignment]
        a, b = runs["read"], runs["naive"]
        first = True
        for key, label in ROWS:
            r = runs.get(key)
            if r is None:
                continue
            print(
                f"{res['name'] if first else '':<28} {label:<18} {r.listed:>7} {r.read:>7} "
                f"{r.parsed if key != 'read' and key != 'naive' else '':>7} {r.bytes_read / 1e6:>8.1f} "
                f"{r.wall:>7.2f} {r.cpu:>7.2f} {r.peak_mb:>7.0f} {r.wall / a.wall:>6.2f} {r.wall / b.wall:>6.2f} "
                f"{r.cpu / a.cpu:>8.2f} {r.cpu / b.cpu:>8.2f}"
            )
            first = False
        start, python = runs["startup"], runs["python"]
        print(
            f"{'':<28} {'start-up':<18} empty-folder scan {start.wall:.3f} s (cpu {start.cpu:.3f} s), "
            f"python -c pass {python.wall:.3f} s; scan - python {runs['scan'].wall - python.wall:.3f} s"
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


FIXTURE_TARGET = 0.15
"""Seconds a scan of the bundled level-2 fixture may take beyond ``python -c pass``."""
SMALL_TARGET = 0.3
"""Seconds a scan of a small real repository (``--small``) may take beyond ``python -c pass``."""


def startup(repeat: int, small: list[Path]) -> None:
    """End to end against the bare interpreter, in rounds (python, then each command), median of the
    per-round differences: `mlops-scan --version`, the level-2 fixture and each ``small`` repository."""
    exe = installed()
    fixture = next(iter(sorted((HERE.parent / "fixtures").glob("level2*"))), None)
    cases = [("mlops-scan --version", [*exe, "--version"], None)]
    if fixture is not None:
        cases.append((f"scan {fixture.relative_to(HERE.parent)}", [*exe, "-q", str(fixture)], FIXTURE_TARGET))
    cases += [(f"scan {path.resolve().name}", [*exe, "-q", str(path)], SMALL_TARGET) for path in small]
    python = [sys.executable, "-c", "pass"]
    walls: dict[str, list[float]] = {label: [] for label, _, _ in [("python -c pass", python, None), *cases]}
    cpus: dict[str, list[float]] = {label: [] for label in walls}
    for _ in range(max(7, repeat)):
        for label, cmd, _ in [("python -c pass", python, None), *cases]:
            wall, cpu = _timed(cmd)
            walls[label].append(wall)
            cpus[label].append(cpu)
    base = walls["python -c pass"]
    print(f"{'start-up (median of ' + str(len(base)) + ' rounds)':<44} {'wall s':>7} {'cpu s':>7} {'- python s':>10}")
    for label, _, target in [("python -c pass", python, None), *cases]:
        extra = statistics.median(w - p for w, p in zip(walls[label], base))
        verdict = f"  (target <= {target} s: {'ok' if extra <= target else 'MISSED'})" if target else ""
        print(
            f"{label:<44} {statistics.median(walls[label]):>7.3f} {statistics.median(cpus[label]):>7.3f} "
            f"{extra:>10.3f}{verdict}"
        )
    print()


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``cmd`` (output discarded)."""
    start = time.perf_counter()
    pid = os.posix_spawn(
        cmd[0], cmd, dict(os.environ), file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    )
    _, _, usage = os.wait4(pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def notebook_memory(workdir: Path) -> None:
    """Peak RSS of scanning one notebook whose stored outputs grow: should stay flat."""
    print(f"{'notebook outputs':<26} {'file MB':>8} {'wall s':>8} {'peak MB':>8}")
    for mb in NOTEBOOK_OUTPUT_MB:
        root = workdir / f"notebook-{mb}mb"
        if not root.exists():
            root.mkdir(parents=True)
            (root / "analysis.ipynb").write_bytes(synth.notebook_with_outputs(mb * 1024 * 1024))
        report = workdir / f"notebook-{mb}mb.json"
        run = measure(scan_command(report, root), report)
        size = (root / "analysis.ipynb").stat().st_size / 1e6
        print(f"{f'{mb} MiB of outputs':<26} {size:>8.1f} {run.wall:>8.2f} {run.peak_mb:>8.0f}")
    print()


def paired(paths: list[Path], pairs: int, workdir: Path) -> None:
    """Each repository's scan against the naive run in ``pairs`` pairs of runs, one after the other: the medians of
    each and of the pairs' ratios. A pair shares the machine's state of the moment, so the median ratio moves less
    than a ratio of bests when the two are close (a small repository)."""
    print(
        f"{'paired runs (medians of ' + str(pairs) + ')':<34} {'scan s':>7} {'naive s':>8} {'x(b)':>6} {'cpu x(b)':>8}"
    )
    for path in paths:
        root = path.resolve()
        list_file = relevant_list(root.name, root, workdir)
        report = workdir / f"{root.name}.report.json"
        scan, naive = scan_command(report, root), baseline_command("naive", root, list_file)
        measure(scan, report)  # this command line's first run: the next ones scan ahead, as a user's would
        runs = [(measure(scan, report), measure(naive)) for _ in range(pairs)]
        print(
            f"{root.name:<34} {statistics.median(s.wall for s, _ in runs):>7.3f} "
            f"{statistics.median(n.wall for _, n in runs):>8.3f} {statistics.median(s.wall / n.wall for s, n in runs):>6.2f} "
            f"{statistics.median(s.cpu / n.cpu for s, n in runs):>8.2f}"
        )
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
    parser.add_argument(
        "--small",
        type=Path,
        action="append",
        default=[],
        help=f"A small repository whose end-to-end scan must stay within {SMALL_TARGET} s of the interpreter (repeatable).",
    )
    parser.add_argument("--jobs", action="store_true", help="Also measure the scan with 1 and with 2 processes.")
    parser.add_argument(
        "--pairs",
        type=int,
        default=0,
        metavar="N",
        help="Also measure each --small repository's scan against the naive run in N pairs of runs (medians).",
    )
    parser.add_argument("--no-fixture", action="store_true", help="Leave the level-2 fixture out of the table.")
    parser.add_argument("--no-notebooks", action="store_true", help="Leave out the notebook-outputs memory check.")
    args = parser.parse_args(argv)
    if args.pairs and not args.small:
        parser.error("--pairs measures the --small repositories: give at least one --small PATH")
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; best of {args.repeat}\n")
    startup(args.repeat, args.small)
    results = []
    fixture = next(iter(sorted((HERE.parent / "fixtures").glob("level2*"))), None)
    if fixture is not None and not args.no_fixture:
        results.append(bench_repo(fixture.name, fixture, args.repeat, args.workdir, args.jobs))
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
                f"synthetic-{size // 1000}k" if size >= 1000 else f"synthetic-{size}",
                root,
                args.repeat,
                args.workdir,
                args.jobs,
            )
        )
    for path in args.paths:
        results.append(bench_repo(path.resolve().name, path.resolve(), args.repeat, args.workdir, args.jobs))
    print_table(results)
    print_linearity(results)
    if args.pairs:
        paired(args.small, args.pairs, args.workdir)
    if not args.no_notebooks:
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
