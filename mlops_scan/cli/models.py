"""``mlops-scan models list|show``: the maturity models that ship, and any model file, in full."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mlops_scan.cli.options import HelpGroup

if TYPE_CHECKING:
    from mlops_scan.assessment.maturity import MaturityModel
    from mlops_scan.types import CapabilityId


@click.group(cls=HelpGroup)
def models() -> None:
    """List and show maturity models (docs/models.md)."""


@models.command("list")
def models_list() -> None:
    """The built-in models: id, levels and name."""
    from mlops_scan.assessment.maturity import BUILTIN_MODELS, load_model

    for name in BUILTIN_MODELS:
        model = load_model(name)
        click.echo(f"{model.id:<12} levels 0-{len(model.levels) - 1}  {model.name}")


@models.command("show")
@click.argument("model", metavar="NAME|FILE")
def models_show(model: str) -> None:
    """Print one model: each level with its required and supporting capabilities (a file is checked first)."""
    from mlops_scan.assessment.maturity import load_model

    click.echo(describe(load_model(model)), nl=False)


def describe(model: MaturityModel) -> str:
    """A model as text: its source, then each level and what it needs."""
    lines = [f"{model.name} ({model.id})", f"Source: {model.source or 'not given'}", ""]
    for level in model.levels:
        lines.append(f"Level {level.number}  {level.name}")
        if level.summary:
            lines.append(f"  {level.summary}")
        roles: list[tuple[str, tuple[CapabilityId, ...]]] = [
            ("required", level.required),
            ("supporting", level.supporting),
        ]
        if level.number == 0:
            roles = [("finding", level.supporting)]
        for role, ids in roles:
            for cid in ids:
                lines.append(f"  {role:<10} {cid:<22} {model.capabilities[cid].name}")
        lines.append("")
    lines.append("A level is reached when all its required capabilities are present and the level below is reached.")
    return "\n".join(lines) + "\n"
