"""Where a fleet's repositories run: a local pool of workers, or Ray (one machine or a cluster)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from mlops_scan.errors import UsageError
from mlops_scan.fleet.specs import RepoSpec
from mlops_scan.fleet.worker import Outcome, Previous, RunSettings, run_one

Task = Callable[[RepoSpec, RunSettings, "Previous | None"], Outcome]
Progress = Callable[[int, int], None]
"""Told (repositories done, repositories in all) as the run goes."""

ENGINES = ("pool", "ray")


def run_pool(
    specs: Sequence[RepoSpec],
    settings: RunSettings,
    previous: Mapping[str, Previous],
    jobs: int,
    progress: Progress | None = None,
    task: Task = run_one,
) -> list[Outcome]:
    """``jobs`` repositories at a time; each clones with git and scans in its own process, so clones
    overlap with scans and a repository that hangs or crashes costs only its own row."""
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(jobs, 1), thread_name_prefix="fleet") as pool:
        futures = [pool.submit(task, spec, settings, previous.get(spec.key)) for spec in specs]
        for future in as_completed(futures):
            outcomes.append(future.result())
            if progress:
                progress(len(outcomes), len(specs))
    return sorted(outcomes, key=lambda o: (o.row.repo, o.row.ref))


def run_ray(
    specs: Sequence[RepoSpec],
    settings: RunSettings,
    previous: Mapping[str, Previous],
    address: str | None,
    jobs: int,
    progress: Progress | None = None,
    task: Task = run_one,
) -> list[Outcome]:
    """The same rows through Ray tasks: ``address`` of a running cluster, or a local Ray started for
    the run with ``jobs`` CPUs. A task whose worker process dies is retried by Ray (``max_retries``)."""
    try:
        import ray
    except ImportError:
        raise UsageError("--engine ray needs Ray: pip install 'mlops-scan[ray]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        options: dict[str, Any] = {"address": address} if address else {"num_cpus": max(jobs, 1)}
        ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False, **options)
    try:
        remote = ray.remote(num_cpus=1, max_retries=3)(task)
        pending = [remote.remote(spec, settings, previous.get(spec.key)) for spec in specs]
        outcomes: list[Outcome] = []
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            outcomes.extend(ray.get(done))
            if progress:
                progress(len(outcomes), len(specs))
    finally:
        if started_here:
            ray.shutdown()
    return sorted(outcomes, key=lambda o: (o.row.repo, o.row.ref))
