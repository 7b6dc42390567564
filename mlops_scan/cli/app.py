"""Command line: wires Snapshot -> Evidence -> Assessment -> Report, and chooses the exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlops_scan import __version__
from mlops_scan.cli.diff import diff
from mlops_scan.cli.fleet import fleet
from mlops_scan.cli.history import history
from mlops_scan.cli.models import models
from mlops_scan.errors import MlopsScanError, UsageError
from mlops_scan.reporters.formats import FORMATS

if TYPE_CHECKING:
    from mlops_scan.cli.config import Config
    from mlops_scan.snapshot.tree import Limits, Snapshot

EXIT_HELP = (
    "Exit codes: 0 scan done (and the level is at least --fail-under); 1 the level is below "
    "--fail-under; 2 usage, configuration, input or rule-pack error; 3 internal error (a bug)."
)


class _DefaultToScan(click.Group):
    """``mlops-scan PATH`` means ``mlops-scan scan PATH``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["scan", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToScan, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_HELP)
@click.version_option(__version__, prog_name="mlops-scan")
def cli() -> None:
    """Place a repository on Microsoft's MLOps maturity model (levels 0-4), with evidence.

    \b
    mlops-scan PATH              scan PATH (same as `mlops-scan scan PATH`)
    mlops-scan --rev v1 PATH     scan a git revision (PATH may also be a git URL)
    mlops-scan history PATH      the level at each tag or commit (text, JSON, SVG)
    mlops-scan diff BASE [HEAD]  what a change does to the maturity
    mlops-scan scan --help       every scan option (formats, gate, badge)
    mlops-scan rules list        the rules, by capability
    """


def _size_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """``--max-file-size 4MiB`` in bytes."""
    from mlops_scan.snapshot.tree import parse_size

    try:
        return None if value is None else parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command(epilog=EXIT_HELP)
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True, path_type=str))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    help="Report format  [default: text, or `format` in the configuration].",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=str), help="Write the report to FILE (- for stdout)."
)
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
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Extra rule-pack folder or file (repeatable). Packs are data; nothing in them runs.",
)
@click.option("--model", help="Maturity model: a built-in name or a model YAML file  [default: microsoft].")
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
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the cache of per-file facts in the user cache folder (see docs/git.md).",
)
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
def scan(
    path: str,
    fmt: str | None,
    output: str | None,
    fail_under: int | None,
    badge: str | None,
    summary: str | None,
    json_output: str | None,
    config_file: Path | None,
    no_config: bool,
    rule_dirs: tuple[Path, ...],
    model: str | None,
    git_dir: str | None,
    exclude: tuple[str, ...],
    no_color: bool,
    exit_zero: bool,
    quiet: bool,
    verbose: bool,
    max_file_size: int | None,
    rev: str | None,
    preview: bool,
    no_cache: bool,
    limit_options: tuple[str, ...],
    per_project: bool,
    project_root: str | None,
) -> None:
    """Scan PATH (default: the current folder) and report its MLOps maturity level.

    PATH may be a git URL (https, ssh, file://): it is cloned shallow into a temporary folder,
    scanned, and removed.

    Settings are read from PATH's .mlops-scan.toml or pyproject.toml [tool.mlops-scan]
    (see docs/ci.md); command-line options win, and --exclude/--rules add to the file's lists.
    """
    from mlops_scan.assessment import projects
    from mlops_scan.assessment.maturity import assess, load_model
    from mlops_scan.cli import config as configuration
    from mlops_scan.evidence.collect import collect, progress_printer
    from mlops_scan.evidence.ruleset import load_all_rules
    from mlops_scan.reporters.formats import render
    from mlops_scan.reporters.options import RenderOptions
    from mlops_scan.rules.lifecycle import rules_to_run

    if git_dir is not None:
        if path != ".":
            raise UsageError(f"--git-dir {git_dir}: give either PATH or --git-dir, not both")
        path = git_dir
    root = Path(path)
    settings = _settings(root, config_file, no_config)
    fmt = fmt or settings.format or "text"
    fail_under = settings.fail_under if fail_under is None else fail_under
    maturity_model = load_model(model or settings.model or "microsoft")
    catalogue = set(maturity_model.capabilities) | set(load_model("microsoft").capabilities)
    rules = load_all_rules(catalogue, [*settings.rules, *rule_dirs])  # a rule for a capability nobody knows is an error
    rules = [r for r in rules if r.capability in maturity_model.capabilities]  # one the model leaves out just sits out
    configuration.check_ids(settings, maturity_model, [r.id for r in rules])
    if fail_under is not None and fail_under >= len(maturity_model.levels):
        raise UsageError(f"--fail-under {fail_under}: the model's levels go from 0 to {len(maturity_model.levels) - 1}")
    rules = [r for r in rules if r.id not in settings.disable and r.capability not in settings.disable]
    rules = rules_to_run(rules, preview or settings.preview)
    limits = settings.scan_limits().with_options(limit_options)
    limits = limits if max_file_size is None else replace(limits, max_file_bytes=max_file_size)
    with ExitStack() as stack:
        from mlops_scan.facts.blobcache import opened

        cache = stack.enter_context(opened(not no_cache))
        snapshot = _open(path, rev, limits, settings.exclude + exclude, stack, git_dir is not None)
        if cache is not None and snapshot.blob_ids is None:
            snapshot.blob_ids = {}
        result = collect(snapshot, rules, None if quiet else progress_printer())
    notes = [f"Configuration: {settings.source}."] if settings.source else []
    notes += [n for n in (configuration.disabled_note(settings),) if n]
    assessment = assess(
        maturity_model,
        result.evidence,
        root=path,
        assumed=settings.assume,
        skipped=tuple(result.skipped),
        inspected=result.inspected,
        measurements=result.measurements,
        notes=tuple(notes + snapshot.notes + result.errors),
        readme_title=result.readme_title,
    )
    if project_root is not None:
        assessment = projects.one_project(assessment, snapshot, result.evidence, project_root)
    elif per_project:
        assessment = projects.with_projects(assessment, snapshot, result.evidence)
    output = None if output == "-" else output
    color = fmt == "text" and not no_color and output is None and _colour_wanted(os.environ, sys.stdout.isatty())
    options = RenderOptions(
        color=color,
        verbose=verbose,
        link_base=_link_base(snapshot.root),
        files=tuple(f.path for f in snapshot.files),
        preferred_anchor=_config_path(snapshot, settings),
        rules={r.id: r for r in rules},
    )
    report = render(fmt, assessment, options)
    if output:
        _write(output, report, "report")
    else:
        click.echo(report, nl=False, color=color or None)
    for target, kind in ((badge, "badge"), (json_output, "json"), (summary, "markdown")):
        if target:
            what = {"badge": "badge", "json": "JSON report", "markdown": "summary"}[kind]
            _write(target, render(kind, assessment, replace(options, color=False)), what, append=kind == "markdown")
    gated = assessment.projects.minimum if assessment.projects else assessment.level
    if fail_under is not None and gated < fail_under:
        shown = (
            f"roll-up {assessment.projects.rollup_text()}"
            if assessment.projects
            else f"level {assessment.level} ({assessment.level_name})"
        )
        click.echo(f"mlops-scan: {shown} is below --fail-under {fail_under}", err=True)
        raise click.exceptions.Exit(0 if exit_zero else 1)


def _open(
    path: str, rev: str | None, limits: Limits, exclude: tuple[str, ...], stack: ExitStack, git_dir: bool
) -> Snapshot:
    """The snapshot of PATH: a work tree or folder, revision REV of a repository (``git_dir``: PATH is a bare
    repository the user named), or a clone of a URL."""
    from mlops_scan.snapshot.gitclone import cloned, is_url
    from mlops_scan.snapshot.gitrev import open_revision
    from mlops_scan.snapshot.tree import open_snapshot

    if is_url(path) and not git_dir:
        clone = stack.enter_context(cloned(path, limits.max_notebook_bytes, branch=rev))
        snapshot = open_revision(clone, "HEAD", limits, exclude)
    elif rev is not None:
        snapshot = open_revision(path, rev, limits, exclude, bare=git_dir or None)
    else:
        return open_snapshot(path, limits=limits, exclude=exclude, git_dir=git_dir)
    if snapshot.objects is not None:
        stack.callback(snapshot.objects.close)
    return snapshot


def _settings(root: Path, config_file: Path | None, no_config: bool) -> Config:
    """The configuration: --config FILE, else the scanned root's own (unless --no-config)."""
    from mlops_scan.cli.config import Config, find_config, load_config

    if config_file is not None:
        if not config_file.is_file():
            raise UsageError(f"--config {config_file}: no such file")
        return load_config(config_file)
    found = None if no_config or not root.is_dir() else find_config(root)
    return load_config(found, root=root) if found else Config()


def _config_path(snapshot: Snapshot, settings: Config) -> str | None:
    """The configuration file's path in the scanned repository (None when it lies outside)."""
    if settings.path is not None and settings.path.resolve().is_relative_to(snapshot.root):
        return settings.path.resolve().relative_to(snapshot.root).as_posix()
    return None


def _link_base(root: Path) -> str:
    """The URL of the scanned files in a GitHub Actions or GitLab CI job ('' elsewhere)."""
    from mlops_scan.reporters.markdown import link_base_from_env

    top = next((p for p in (root, *root.parents) if (p / ".git").exists()), root)
    return link_base_from_env(os.environ, root.relative_to(top).as_posix())


def _colour_wanted(env: Mapping[str, str], is_terminal: bool) -> bool:
    """no-color.org: a non-empty NO_COLOR turns colour off; a non-empty FORCE_COLOR turns it on off a terminal."""
    if env.get("NO_COLOR"):
        return False
    return is_terminal or bool(env.get("FORCE_COLOR"))


def _write(target: str, text: str, what: str = "report", append: bool = False) -> None:
    """Write (or append) ``text`` to ``target``; ``-`` is stdout."""
    if target == "-":
        click.echo(text, nl=False)
        return
    try:
        with open(target, "a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise MlopsScanError(f"{target}: cannot write {what} ({exc.strerror})") from exc


@cli.group()
def rules() -> None:
    """List, show and validate rules."""


@rules.command("list")
@click.option("--capability", "-c", multiple=True, help="Only rules of this capability (repeatable).")
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Extra rule-pack folder.",
)
def rules_list(capability: tuple[str, ...], rule_dirs: tuple[Path, ...]) -> None:
    """List rules: id, strength, kind and title."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules

    model = load_model()
    unknown = [c for c in capability if c not in model.capabilities]
    if unknown:
        raise MlopsScanError(f"unknown capability {unknown[0]!r} (known: {', '.join(model.capabilities)})")
    for rule in load_all_rules(model.capabilities, list(rule_dirs)):
        if not capability or rule.capability in capability:
            click.echo(f"{rule.id:<58} {rule.strength.value:<7} {rule.kind:<10} {rule.title}")


@rules.command("show")
@click.argument("rule_id")
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Extra rule-pack folder.",
)
def rules_show(rule_id: str, rule_dirs: tuple[Path, ...]) -> None:
    """Print one rule in full (a removed rule: when and why, and what replaced it)."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules
    from mlops_scan.rules.lifecycle import lifecycle_line, load_tombstones
    from mlops_scan.rules.loader import pack_files
    from mlops_scan.rules.sources import builtin_pack_dir, plugin_pack_dirs

    found = [r for r in load_all_rules(load_model().capabilities, list(rule_dirs)) if r.id == rule_id]
    if not found:
        packs = pack_files([builtin_pack_dir(), *plugin_pack_dirs(), *rule_dirs])
        removed = [t for t in load_tombstones(packs) if t.id == rule_id]
        if not removed:
            raise MlopsScanError(f"no rule {rule_id!r} (see `mlops-scan rules list`)")
        click.echo(removed[0].explain())
        return
    r = found[0]
    click.echo(
        f"{r.id}\n  {r.title}\n  capability: {r.capability}   strength: {r.strength.value}   kind: {r.kind}"
        f"   lifecycle: {r.lifecycle}   added in: {r.added_in}\n\n  {r.description}\n\n  Remediation: {r.remediation}"
    )
    if r.docs:
        click.echo(f"  Docs: {r.docs}")
    meaning = lifecycle_line(r)
    if meaning:
        click.echo(f"  {meaning}")


@rules.command("docs")
@click.option(
    "--params-in",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    metavar="FILE",
    help="Instead, print FILE (docs/writing-rules.md) with its params tables generated from the Params docstrings.",
)
def rules_docs(params_in: Path | None) -> None:
    """Print the detector catalogue in Markdown (docs/detectors.md is this output)."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules
    from mlops_scan.matchers.base import installed_params
    from mlops_scan.rules.docs import render
    from mlops_scan.rules.paramsdoc import with_params_tables

    if params_in is not None:
        click.echo(with_params_tables(params_in.read_text(encoding="utf-8"), installed_params()), nl=False)
        return
    model = load_model()
    click.echo(render(model, load_all_rules(model.capabilities, builtin=True)), nl=False)


@rules.command("validate")
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path))
def rules_validate(folders: tuple[Path, ...]) -> None:
    """Check rule packs (with the built-ins, so ids must not collide)."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules

    model = load_model()
    count = len(load_all_rules(model.capabilities, list(folders))) - len(load_all_rules(model.capabilities))
    click.echo(f"ok: {count} rule(s) valid")


cli.add_command(fleet)
cli.add_command(history)
cli.add_command(diff)
cli.add_command(models)


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors become one line on stderr and exit code 2; a traceback is a bug."""
    try:
        code = cli.main(args=argv, prog_name="mlops-scan", standalone_mode=False)  # an Exit's code comes back here
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("mlops-scan: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"mlops-scan: error: {exc.format_message()}", err=True)
        sys.exit(2)
    except MlopsScanError as exc:
        click.echo(f"mlops-scan: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # a bug: still one line, the traceback only when asked for
        if os.environ.get("MLOPS_SCAN_DEBUG"):
            raise
        click.echo(
            f"mlops-scan: internal error: {exc.__class__.__name__}: {exc} "
            "(a bug: please report it; MLOPS_SCAN_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)
