"""``mlops-scan history PATH``: the maturity at each selected revision, as a table, JSON or an SVG chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mlops_scan.cli.options import model_option, no_cache_option, no_revision_config_option, output_option
from mlops_scan.cli.output import emit, write
from mlops_scan.errors import ConfigError, DataFileError, ModelError, UsageError

if TYPE_CHECKING:
    from mlops_scan.assessment.timeline import Timeline
    from mlops_scan.cli.revisions import Assessor
    from mlops_scan.facts.blobcache import BlobCache
    from mlops_scan.snapshot.gitlog import Revision

FORMATS = ("text", "json", "svg")


@click.command(
    epilog="Exit codes: 0 done (a revision whose configuration is broken is shown as skipped, with the reason); "
    "2 usage error (not a git repository, unknown revision); 3 internal error."
)
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=str))
@click.option("--tags", is_flag=True, help="One point per tag (ordered by the date of the commit it names).")
@click.option("--every", type=click.IntRange(min=1), metavar="N", help="Every Nth commit of the first-parent chain.")
@click.option("--since", metavar="DATE", help="Commits since DATE (e.g. 2024-01-01, '6 months ago').")
@click.option("--rev-range", default="HEAD", metavar="A..B", help="Only commits in this range  [default: HEAD].")
@click.option(
    "--limit", "limit", type=click.IntRange(min=1), default=100, show_default=True, help="At most this many revisions."
)
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@output_option()
@click.option(
    "--svg",
    "svg_file",
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE.svg",
    help="Also write the SVG chart.",
)
@model_option
@no_revision_config_option
@no_cache_option("Do not read or write the on-disk cache (results are still shared in this run).")
def history(
    path: str,
    tags: bool,
    every: int | None,
    since: str | None,
    rev_range: str,
    limit: int,
    fmt: str,
    output: str | None,
    svg_file: str | None,
    model: str | None,
    no_config: bool,
    no_cache: bool,
) -> None:
    """The MLOps level and capabilities of PATH's git repository at each selected revision.

    Without --tags or --every, every commit of the first-parent chain (thinned to --limit).
    Each revision is read from git objects (nothing is checked out); a revision whose tree
    was seen before costs nothing, and unchanged files' parses come from the cache.
    """
    from mlops_scan.cli.revisions import Assessor
    from mlops_scan.facts.blobcache import opened
    from mlops_scan.reporters import history as report
    from mlops_scan.reporters.historysvg import render_svg
    from mlops_scan.snapshot.gitlog import Selection, select

    if tags and every:
        raise UsageError("--tags and --every: choose one")
    with opened(not no_cache, memory=True) as cache:
        assessor = Assessor.for_path(path, model, read_config=not no_config)
        try:
            revisions, notes = select(assessor.git_dir, Selection(tags, every, since, rev_range, limit))
            timeline = build(assessor, revisions, cache, path)
        finally:
            assessor.close()
    timeline.notes += notes
    renderers = {"text": report.render_text, "json": report.render_json, "svg": render_svg}
    emit(renderers[fmt](timeline), output)
    if svg_file:
        write(svg_file, render_svg(timeline), "SVG chart")


def build(assessor: Assessor, revisions: list[Revision], cache: BlobCache | None, label: str) -> Timeline:
    """The timeline: each revision assessed once per distinct tree, rows reused from the cache; a revision whose
    configuration (or a rule pack it names) is broken is a skipped point, with the one-line reason."""
    from mlops_scan.assessment.timeline import Timeline, point_from_row, skipped_point, summary_row

    timeline = Timeline(label, assessor.model)
    kind = f"history-{assessor.fingerprint()}"
    for revision in revisions:
        tree = assessor.tree_id(revision.commit) if assessor.prefix else revision.tree
        point = point_from_row(revision, cache.get(kind, tree) if cache else None, assessor.model, reused=True)
        if point is None:
            try:
                row = summary_row(assessor.revision(revision.commit, revision.label))
            except (ConfigError, DataFileError, ModelError) as exc:
                timeline.points.append(skipped_point(revision, str(exc)))
                continue
            if cache is not None:
                cache.put(kind, tree, row)
            point = point_from_row(revision, row, assessor.model, reused=False)
        assert point is not None
        timeline.points.append(point)
    skipped = sum(1 for p in timeline.points if p.skipped is not None)
    if skipped:
        timeline.notes.append(f"{skipped} revision(s) skipped: their configuration is broken (see each one's reason)")
    return timeline
