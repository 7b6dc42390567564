"""``mlops-scan scan PATH``: one repository's report in a format, the extra files (badge, JSON, summary) and the gate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mlops_scan.cli import early
from mlops_scan.cli.options import ShortOptionsAtOnce, model_option, no_cache_option, output_option, rule_dirs_option
from mlops_scan.cli.scanrun import ScanRequest, run_scan, scanned_path, settings_of
from mlops_scan.reporters.formats import FORMATS

EXIT_HELP = (
    "Exit codes: 0 scan done (and the level is at least --fail-under); 1 the level is below "
    "--fail-under; 2 usage, configuration, input or rule-pack error; 3 internal error (a bug)."
)


def _size_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """``--max-file-size 4MiB`` in bytes."""
    from mlops_scan.snapshot.limits import parse_size

    try:
        return None if value is None else parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command(cls=ShortOptionsAtOnce, epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, type=click.Path(file_okay=True, dir_okay=True, path_type=str))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    help="Report format  [default: text, or `format` in the configuration].",
)
@output_option("Write the report to FILE (- for stdout).")
@click.option(
    "--fail-under",
    type=click.IntRange(min=0),
    metavar="LEVEL",
    help="Exit with code 1 when the level reached is below LEVEL (after writing the reports).",
)
@click.option(
    "--badge",
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE.svg",
    help="Also write an SVG badge of the level to FILE.svg.",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE",
    help='Also append the Markdown report to FILE (e.g. "$GITHUB_STEP_SUMMARY").',
)
@click.option(
    "--json-output",
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE",
    help="Also write the JSON report to FILE.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Read settings from FILE (a .mlops-scan.toml or a pyproject.toml) instead of PATH's own.",
)
@click.option(
    "--no-config",
    is_flag=True,
    help="Ignore PATH's .mlops-scan.toml and [tool.mlops-scan] (for untrusted repositories).",
)
@click.option(
    "--trusted-config",
    is_flag=True,
    help="Vouch for PATH's own configuration: its model, rules and assumptions count without a warning "
    "(reports still name them; docs/security.md).",
)
@rule_dirs_option("Extra rule-pack folder or file (repeatable). Packs are data; nothing in them runs.")
@model_option
@click.option(
    "--git-dir",
    type=click.Path(file_okay=False, path_type=str),
    metavar="DIR",
    help="Scan the bare git repository DIR (HEAD, or --rev) instead of PATH; never inferred from a folder's files.",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave out paths matching GLOB (repeatable).")
@click.option(
    "--no-color",
    is_flag=True,
    help="No colour (also when NO_COLOR is set and not empty, or stdout is not a terminal and FORCE_COLOR is unset).",
)
@click.option("--exit-zero", is_flag=True, help="Exit with code 0 even when the level is below --fail-under.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output on stderr.")
@click.option("--verbose", "-v", is_flag=True, help="List every skipped file and why in the text report.")
@click.option(
    "--max-file-size",
    callback=_size_option,
    metavar="SIZE",
    help="Skip files larger than SIZE (e.g. 4MiB)  [default: 2MiB].",
)
@click.option(
    "--rev",
    metavar="REV",
    help="Scan commit, tag or branch REV straight from git objects (no checkout), in a work tree or a bare repository.",
)
@click.option(
    "--preview",
    is_flag=True,
    help="Also run experimental rules (or preview = true in the configuration; see `mlops-scan rules show ID`).",
)
@no_cache_option("Neither read nor write the cache of per-file facts in the user cache folder (see docs/git.md).")
@click.option(
    "--limit",
    "limit_options",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a scan limit, e.g. parse-timeout=5 or max-yaml-nodes=50000 (repeatable; see docs/security.md).",
)
@click.option(
    "--per-project",
    is_flag=True,
    help="Also place each ML project below PATH on the model, with the roll-up (lowest level, and how many "
    "projects reach each level); --fail-under and the badge then use the roll-up (docs/monorepos.md).",
)
@click.option(
    "--root",
    "project_root",
    metavar="SUBDIR",
    help="Report on the project in SUBDIR of PATH alone, as if it were the repository (shared CI is "
    "attributed to it as with --per-project).",
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the settings a scan of PATH would use, each with where it came from, and exit.",
)
def scan(paths: tuple[str, ...], show_settings: bool, **given: Any) -> None:
    """Scan PATH (default: the current folder; several PATHs: one report each) and report its MLOps maturity level.

    PATH may be a git URL (https, ssh, file://): it is cloned shallow into a temporary folder,
    scanned, and removed.

    Settings are read from PATH's .mlops-scan.toml or pyproject.toml [tool.mlops-scan]
    (see docs/ci.md); command-line options win, and --exclude/--rules add to the file's lists.
    """
    requests = [ScanRequest(path=path, **given) for path in paths or (".",)]
    early.settle(requests[0] if len(requests) == 1 and not show_settings else None)
    if show_settings:
        from mlops_scan.cli.settings import show_settings as describe

        for r in requests:
            settings = settings_of(Path(scanned_path(r)), r.config_file, r.no_config, r.rev, bool(r.git_dir))
            click.echo(describe(r, settings), nl=False)
    elif len(requests) == 1:
        run_scan(requests[0], early.scanned_ahead(requests[0]))
    else:
        from mlops_scan.cli.several import scan_each

        scan_each(requests, run_scan)
