"""Command line: wires Snapshot -> Evidence -> Assessment -> Report, and chooses the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mlops_scan import __version__
from mlops_scan.errors import MlopsScanError

FORMATS = ("text", "json")
EXIT_HELP = "Exit codes: 0 scan done; 2 usage, configuration or rule-pack error."


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

    Run `mlops-scan PATH` (same as `mlops-scan scan PATH`); `mlops-scan rules` lists the rules.
    """


@cli.command(epilog=EXIT_HELP)
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True, path_type=str))
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=str), help="Write the report to FILE instead of stdout.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
              help="Extra rule-pack folder or file (repeatable). Packs are data; nothing in them runs.")
@click.option("--model", default="microsoft", show_default=True, help="Maturity model: a built-in name or a model YAML file.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Leave out paths matching GLOB (repeatable).")
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set or stdout is not a terminal).")
@click.option("--quiet", "-q", is_flag=True, help="No progress output on stderr.")
def scan(path: str, fmt: str, output: str | None, rule_dirs: tuple[Path, ...], model: str, exclude: tuple[str, ...],
         no_color: bool, quiet: bool) -> None:
    """Scan PATH (default: the current folder) and report its MLOps maturity level."""
    from mlops_scan.maturity import assess, load_model
    from mlops_scan.packs import load_all_rules
    from mlops_scan.scanner import collect, progress_printer
    from mlops_scan.snapshot import open_snapshot

    maturity_model = load_model(model)
    rules = load_all_rules(maturity_model, list(rule_dirs))
    snapshot = open_snapshot(path, exclude=exclude)
    result = collect(snapshot, rules, None if quiet else progress_printer())
    assessment = assess(
        maturity_model, result.evidence, root=path, skipped=tuple(snapshot.skipped), inspected=result.inspected,
        measurements=result.measurements, notes=tuple(snapshot.notes + result.errors),
    )
    color = fmt == "text" and not no_color and "NO_COLOR" not in os.environ and output is None and sys.stdout.isatty()
    report = _render(fmt, assessment, color)
    if output:
        try:
            Path(output).write_text(report, encoding="utf-8")
        except OSError as exc:
            raise MlopsScanError(f"{output}: cannot write report ({exc.strerror})") from exc
    else:
        click.echo(report, nl=False)


def _render(fmt: str, assessment, color: bool) -> str:  # type: ignore[no-untyped-def]
    if fmt == "json":
        from mlops_scan.reporters import json as json_report

        return json_report.render(assessment)
    from mlops_scan.reporters import text

    return text.render(assessment, color=color)


@cli.group()
def rules() -> None:
    """List, show and validate rules."""


@rules.command("list")
@click.option("--capability", "-c", multiple=True, help="Only rules of this capability (repeatable).")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(path_type=Path), metavar="DIR", help="Extra rule-pack folder.")
def rules_list(capability: tuple[str, ...], rule_dirs: tuple[Path, ...]) -> None:
    """List rules: id, strength, kind and title."""
    from mlops_scan.maturity import load_model
    from mlops_scan.packs import load_all_rules

    model = load_model()
    unknown = [c for c in capability if c not in model.capabilities]
    if unknown:
        raise MlopsScanError(f"unknown capability {unknown[0]!r} (known: {', '.join(model.capabilities)})")
    for rule in load_all_rules(model, list(rule_dirs)):
        if not capability or rule.capability in capability:
            click.echo(f"{rule.id:<58} {rule.strength.value:<7} {rule.kind:<10} {rule.title}")


@rules.command("show")
@click.argument("rule_id")
def rules_show(rule_id: str) -> None:
    """Print one rule in full."""
    from mlops_scan.maturity import load_model
    from mlops_scan.packs import load_all_rules

    found = [r for r in load_all_rules(load_model()) if r.id == rule_id]
    if not found:
        raise MlopsScanError(f"no rule {rule_id!r} (see `mlops-scan rules list`)")
    r = found[0]
    click.echo(f"{r.id}\n  {r.title}\n  capability: {r.capability}   strength: {r.strength.value}   kind: {r.kind}"
               f"   lifecycle: {r.lifecycle}   added in: {r.added_in}\n\n  {r.description}\n\n  Remediation: {r.remediation}")
    if r.docs:
        click.echo(f"  Docs: {r.docs}")


@rules.command("docs")
def rules_docs() -> None:
    """Print the detector catalogue in Markdown (docs/detectors.md is this output)."""
    from mlops_scan.docsgen import render
    from mlops_scan.maturity import load_model
    from mlops_scan.packs import load_all_rules

    model = load_model()
    click.echo(render(model, load_all_rules(model, builtin=True)), nl=False)


@rules.command("validate")
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path))
def rules_validate(folders: tuple[Path, ...]) -> None:
    """Check rule packs (with the built-ins, so ids must not collide)."""
    from mlops_scan.maturity import load_model
    from mlops_scan.packs import load_all_rules

    model = load_model()
    count = len(load_all_rules(model, list(folders))) - len(load_all_rules(model))
    click.echo(f"ok: {count} rule(s) valid")


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors become one line on stderr and exit code 2; a traceback is a bug."""
    try:
        cli.main(args=argv, prog_name="mlops-scan", standalone_mode=False)
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
    sys.exit(0)
