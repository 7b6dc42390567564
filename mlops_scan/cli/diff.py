"""``mlops-scan diff BASE [HEAD]``: what a change does to the maturity, as text, Markdown (a PR comment) or JSON."""

from __future__ import annotations

import click

from mlops_scan.cli.options import model_option, no_cache_option, no_revision_config_option, output_option
from mlops_scan.cli.output import emit

FORMATS = ("text", "markdown", "json")


@click.command(
    epilog="Exit codes: 0 done; 1 the level went down and --fail-on-drop was given; 2 usage error; 3 internal error."
)
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--repo",
    "path",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=str),
    help="The repository (or a folder of it).",
)
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@output_option()
@model_option
@click.option("--fail-on-drop", is_flag=True, help="Exit with code 1 when HEAD's level is below BASE's.")
@no_revision_config_option
@no_cache_option("Do not read or write the on-disk cache.")
def diff(
    base: str,
    head: str | None,
    path: str,
    fmt: str,
    output: str | None,
    model: str | None,
    fail_on_drop: bool,
    no_config: bool,
    no_cache: bool,
) -> None:
    """Compare revision BASE with revision HEAD (default: the work tree as it is).

    Capabilities gained and lost, the level change, and evidence added or removed, e.g.
    `mlops-scan diff origin/main HEAD -f markdown` in a pull-request job.
    """
    from mlops_scan.assessment.compare import compare
    from mlops_scan.cli.revisions import Assessor
    from mlops_scan.facts.blobcache import opened
    from mlops_scan.reporters import diff as report

    with opened(not no_cache, memory=True):
        assessor = Assessor.for_path(path, model, read_config=not no_config)
        try:
            before = assessor.revision(base)
            after = assessor.revision(head) if head is not None else assessor.work_tree()
        finally:
            assessor.close()
    change = compare(before, after, base, head if head is not None else "work tree")
    renderers = {"text": report.render_text, "markdown": report.render_markdown, "json": report.render_json}
    emit(renderers[fmt](change), output)
    if fail_on_drop and change.level_change < 0:
        click.echo(f"mlops-scan: level dropped from {before.level} to {after.level}", err=True)
        raise click.exceptions.Exit(1)
