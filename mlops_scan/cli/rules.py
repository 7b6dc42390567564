"""``mlops-scan rules list|show|docs|validate``: the rules, one or all, their docs, and checks of new packs."""

from __future__ import annotations

from pathlib import Path

import click

from mlops_scan.cli.options import HelpGroup, rule_dirs_option
from mlops_scan.errors import MlopsScanError


@click.group(cls=HelpGroup)
def rules() -> None:
    """List, show and validate rules."""


@rules.command("list")
@click.option("--capability", "-c", multiple=True, help="Only rules of this capability (repeatable).")
@rule_dirs_option()
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
@rule_dirs_option()
def rules_show(rule_id: str, rule_dirs: tuple[Path, ...]) -> None:
    """Print one rule in full (a removed rule: when and why, and what replaced it)."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules
    from mlops_scan.rules.lifecycle import lifecycle_line
    from mlops_scan.rules.loader import pack_files
    from mlops_scan.rules.sources import builtin_pack_dir, plugin_pack_dirs
    from mlops_scan.rules.tombstones import load_tombstones

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
    from mlops_scan.reporters.catalogue import render
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
