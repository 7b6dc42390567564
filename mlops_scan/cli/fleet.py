"""``mlops-scan fleet``: scan many repositories into a date-partitioned table, and show it as a page."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import click

from mlops_scan import __version__
from mlops_scan.errors import UsageError


class _DefaultToRun(click.Group):
    """``mlops-scan fleet REPOS.txt`` means ``mlops-scan fleet run REPOS.txt``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToRun)
def fleet() -> None:
    """Scan an organisation's repositories into one table (see docs/fleet.md).

    \b
    mlops-scan fleet REPOS.txt --out DIR    scan every repository REPOS.txt lists
    mlops-scan fleet report DIR --html F    a dashboard page of DIR's rows
    """


@fleet.command("run")
@click.argument("repos", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Repositories at a time  [default: the core count].")
@click.option(
    "--shard", help="Take shard I of N (I/N, 0-based)  [default: from JOB_COMPLETION_INDEX or CI_NODE_INDEX]."
)
@click.option("--engine", type=click.Choice(("pool", "ray")), default="pool", show_default=True, help="Where to run.")
@click.option("--ray-address", metavar="ADDRESS", help="A running Ray cluster (default: a local Ray for the run).")
@click.option(
    "--since",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="PREV_DIR",
    help="Carry rows forward from an earlier run's output when commit, tool version and rules are unchanged.",
)
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=600, show_default=True, help="Seconds per repository, in all."
)
@click.option(
    "--clone-timeout", type=click.FloatRange(min=1), default=120, show_default=True, help="Seconds for its clone."
)
@click.option(
    "--max-files", type=click.IntRange(min=1), default=200_000, show_default=True, help="Skip larger repositories."
)
@click.option("--model", default="microsoft", show_default=True, help="Maturity model: a built-in name or a file.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(exists=True, path_type=Path), metavar="DIR")
@click.option("--scan-date", metavar="YYYY-MM-DD", help="The partition to write  [default: today, UTC].")
@click.option("--quiet", "-q", is_flag=True, help="No progress output on stderr.")
def run(
    repos: Path,
    out: Path,
    jobs: int | None,
    shard: str | None,
    engine: str,
    ray_address: str | None,
    since: Path | None,
    timeout: float,
    clone_timeout: float,
    max_files: int,
    model: str,
    rule_dirs: tuple[Path, ...],
    scan_date: str | None,
    quiet: bool,
) -> None:
    """Scan every repository REPOS.txt lists (URL, file:// URL, local path or bare mirror, optional @ref,
    one a line, # comments) into OUT/scan_date=YYYY-MM-DD/. A repository that fails is a row with its
    status and reason; the run goes on. Repository configuration is never read."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.assessment.pipeline import model_rules, rules_to_scan
    from mlops_scan.evidence.collect import progress_printer
    from mlops_scan.evidence.ruleset import rules_hash
    from mlops_scan.fleet import engines, specs, store
    from mlops_scan.fleet.scan import ScanSettings
    from mlops_scan.fleet.worker import RunSettings

    chosen = specs.parse_shard(shard) if shard else specs.shard_from_env(os.environ) or specs.Shard()
    todo = chosen.select(specs.read_repos_file(repos))
    maturity_model = load_model(model)
    rules = rules_to_scan(model_rules(maturity_model, rule_dirs))  # the rules each repository's scan runs
    settings = RunSettings(
        scan_date=_scan_date(scan_date),
        tool_version=__version__,
        rules_hash=rules_hash(rules),
        scan=ScanSettings(model=model, rule_dirs=tuple(str(d.resolve()) for d in rule_dirs)),
        timeout=timeout,
        clone_timeout=clone_timeout,
        max_files=max_files,
    )
    previous = store.previous_rows(since) if since else {}
    line = None if quiet else progress_printer(unit="repositories")
    progress = (lambda done, total: line(done, total, "fleet")) if line else None
    workers = jobs or os.cpu_count() or 1
    if engine == "ray":
        outcomes = engines.run_ray(todo, settings, previous, ray_address, workers, progress)
    else:
        outcomes = engines.run_pool(todo, settings, previous, workers, progress)
    if line:
        line(0, 0, "done")
    written = store.write_shard(out, settings.scan_date, chosen, outcomes, list(maturity_model.capabilities))
    counts = {s: sum(o.row.status == s for o in outcomes) for s in ("ok", "error", "timeout", "skipped")}
    reused = sum(o.row.carried_forward for o in outcomes)
    click.echo(
        f"mlops-scan fleet: {len(outcomes)} repositories ({', '.join(f'{n} {s}' for s, n in counts.items())}; "
        f"{reused} carried forward) -> {', '.join(str(p) for p in written)}"
    )


def _scan_date(text: str | None) -> str:
    if text is None:
        return datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"--scan-date {text!r}: expected YYYY-MM-DD") from None


@fleet.command("report")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--html", "html", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="OUT.html")
def report(out: Path, html: Path) -> None:
    """Write one self-contained HTML page of OUT's rows: level distribution, capability heat map, trend
    over scan dates, filter and sort; each repository links to its JSON report."""
    from mlops_scan.fleet.dashboard import render

    page = render(out, html.resolve().parent)
    try:
        html.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{html}: cannot write the page ({exc.strerror})") from None
    click.echo(f"mlops-scan fleet: dashboard -> {html}")
