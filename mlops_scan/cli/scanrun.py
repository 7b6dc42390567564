"""A scan of one repository from the scan command's arguments: the stages, the reports, the gate.

Nothing here imports the command-line library when loaded: a scan run ahead (:mod:`mlops_scan.cli.early`) runs the
stages before that library is loaded.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_scan import lifetime
from mlops_scan.errors import UsageError

if TYPE_CHECKING:
    from mlops_scan.assessment.maturity import MaturityModel
    from mlops_scan.assessment.provenance import Provenance
    from mlops_scan.assessment.results import Assessment
    from mlops_scan.cli.config import Config
    from mlops_scan.reporters.options import RenderOptions
    from mlops_scan.rules.loader import Rule
    from mlops_scan.snapshot.tree import Snapshot


@dataclass(frozen=True, eq=False)
class ScanRequest:
    """The scan command's arguments, as given (the configuration fills in what is None). Never compared: no ``__eq__``
    or ``__hash__`` is generated for its 25 fields (every scan's start-up would compile them)."""

    path: str
    fmt: str | None
    output: str | None
    fail_under: int | None
    badge: str | None
    summary: str | None
    json_output: str | None
    config_file: Path | None
    no_config: bool
    trusted_config: bool
    rule_dirs: tuple[Path, ...]
    model: str | None
    git_dir: str | None
    exclude: tuple[str, ...]
    no_color: bool
    exit_zero: bool
    quiet: bool
    verbose: bool
    max_file_size: int | None
    rev: str | None
    preview: bool
    no_cache: bool
    limit_options: tuple[str, ...]
    per_project: bool
    project_root: str | None


Assessed = tuple["Assessment", "Snapshot", "Config", list["Rule[object]"], int | None]
"""A scan's assessment, snapshot, settings, rules scanned and --fail-under level (:func:`assess_request`)."""


def run_scan(request: ScanRequest, assessed: Assessed | None = None) -> None:
    """Snapshot -> Evidence -> Assessment (unless ``assessed`` already) -> reports, then the --fail-under gate."""
    assessment, snapshot, settings, rules, fail_under = assessed or assess_request(request)
    _write_reports(request, request.fmt or settings.format or "text", assessment, _options(snapshot, settings, rules))
    lifetime.keep("scan", snapshot, rules, assessment)
    _gate(assessment, fail_under, request.exit_zero)


def assess_request(request: ScanRequest) -> Assessed:
    """Snapshot -> Evidence -> Assessment (a scan run ahead, :mod:`mlops_scan.cli.early`, runs this far)."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.assessment.pipeline import assess_snapshot, rules_to_scan
    from mlops_scan.cli.config import clamped
    from mlops_scan.evidence.collect import progress_printer
    from mlops_scan.facts.blobcache import opened
    from mlops_scan.snapshot.sources import open_source

    path = scanned_path(request)
    settings = settings_of(Path(path), request.config_file, request.no_config, request.rev, bool(request.git_dir))
    fail_under = settings.fail_under if request.fail_under is None else request.fail_under
    model = load_model(request.model or settings.model or "microsoft")
    rules = _model_rules(request, settings, model)
    if fail_under is not None and fail_under >= len(model.levels):
        raise UsageError(f"--fail-under {fail_under}: the model's levels go from 0 to {len(model.levels) - 1}")
    rules = rules_to_scan(rules, request.preview or settings.preview, settings.disable)
    limits = settings.scan_limits().with_options(request.limit_options)
    if request.max_file_size is not None:
        limits = replace(limits, max_file_bytes=request.max_file_size)
    limits, lowered = clamped(limits, unbounded_ok=True)
    with ExitStack() as stack:
        cache = stack.enter_context(opened(not request.no_cache))
        snapshot = open_source(
            path, request.rev, limits, settings.exclude + request.exclude, stack, bool(request.git_dir)
        )
        if cache is not None and snapshot.blob_ids is None:
            snapshot.blob_ids = {}
        assessment = assess_snapshot(
            snapshot,
            model,
            rules,
            path,
            assumed=settings.assume,
            notes=_config_notes(settings) + settings.limit_notes() + lowered,
            progress=None if request.quiet else progress_printer(),
            per_project=request.per_project,
            project_root=request.project_root,
        )
    assessment = replace(assessment, provenance=_provenance(request, settings, snapshot.root))
    return assessment, snapshot, settings, rules, fail_under


def scanned_path(request: ScanRequest) -> str:
    """PATH, or the bare repository --git-dir names (not both)."""
    if request.git_dir is None:
        return request.path
    if request.path != ".":
        raise UsageError(f"--git-dir {request.git_dir}: give either PATH or --git-dir, not both")
    return request.git_dir


def _model_rules(request: ScanRequest, settings: Config, model: MaturityModel) -> list[Rule[object]]:
    """The model's rules (the configuration's packs and --rules added), the configuration's ids checked against them."""
    from mlops_scan.assessment.pipeline import model_rules
    from mlops_scan.cli.config import check_ids

    supplied = settings.rules if settings.from_repository else ()
    extra = list(request.rule_dirs) if supplied else [*settings.rules, *request.rule_dirs]
    rules = model_rules(model, extra, supplied)
    check_ids(settings, model, [r.id for r in rules])
    return rules


def _config_notes(settings: Config) -> list[str]:
    """The report's notes on the configuration: where it came from, what it turned off."""
    from mlops_scan.cli.config import disabled_note

    notes = [f"Configuration: {settings.source}."] if settings.source else []
    return notes + [n for n in (disabled_note(settings),) if n]


def _provenance(request: ScanRequest, settings: Config, root: Path) -> Provenance:
    """Where the model, rules and assumptions came from: the command line, a --config file, or the repository."""
    from mlops_scan.assessment.maturity import BUILTIN_MODELS
    from mlops_scan.assessment.provenance import Provenance

    repository = settings.from_repository
    model = request.model or settings.model or "microsoft"
    origin = "built-in" if model in BUILTIN_MODELS else "file"
    if origin == "file" and repository and request.model is None:
        origin = "repository"
    base = settings.path.parent if origin == "repository" and settings.path else root  # a revision's copy too
    model_file = "" if origin == "built-in" else _shown_path(Path(model), base)
    supplied = {
        "model": repository and request.model is None and settings.model is not None,
        "rules": repository and bool(settings.rules),
        "assumptions": repository and bool(settings.assume),
    }
    return Provenance(
        model_origin=origin,
        model_file=model_file,
        config_file=settings.source,
        from_repository=tuple(what for what, given in supplied.items() if given),
        trusted=request.trusted_config,
    )


def _shown_path(path: Path, root: Path) -> str:
    """``path`` relative to the scanned root when it is inside it, else as given."""
    resolved, top = path.resolve(), root.resolve()
    return resolved.relative_to(top).as_posix() if resolved.is_relative_to(top) else str(path)


def _options(snapshot: Snapshot, settings: Config, rules: list[Rule[object]]) -> RenderOptions:
    """What the reporters need to know of the scanned repository (colour and verbosity are set later)."""
    from mlops_scan.reporters.options import RenderOptions

    top = next((p for p in (snapshot.root, *snapshot.root.parents) if (p / ".git").exists()), snapshot.root)
    return RenderOptions(
        link_base=_link_base(snapshot.root, top),
        path_prefix="" if top == snapshot.root else snapshot.root.relative_to(top).as_posix(),
        files=tuple(f.path for f in snapshot.files),
        preferred_anchor=_config_path(snapshot, settings),
        rules={r.id: r for r in rules},
    )


def _write_reports(request: ScanRequest, fmt: str, assessment: Assessment, options: RenderOptions) -> None:
    """The report in ``fmt`` to --output or stdout, then the badge, JSON report and summary asked for."""
    from mlops_scan.cli.output import colour_wanted, echo, terminal_width, write
    from mlops_scan.reporters.formats import render

    output = None if request.output == "-" else request.output
    color = fmt == "text" and not request.no_color and output is None and colour_wanted(os.environ, sys.stdout.isatty())
    width = terminal_width(os.environ) if output is None else 80
    options = replace(options, color=color, verbose=request.verbose, width=width)
    report = render(fmt, assessment, options)
    if output:
        write(output, report, "report")
    else:
        echo(report, nl=False, color=color or None)
    extras = ((request.badge, "badge", "badge"), (request.json_output, "json", "JSON report"))
    for target, kind, what in (*extras, (request.summary, "markdown", "summary")):
        if target:
            write(target, render(kind, assessment, replace(options, color=False)), what, append=kind == "markdown")


def _gate(assessment: Assessment, fail_under: int | None, exit_zero: bool) -> None:
    """--fail-under: exit 1 (0 with --exit-zero) when the level, or the projects' lowest, is below it; a warning
    first when the level rests on the scanned repository's own model, rules or assumptions (not vouched for)."""
    from mlops_scan.cli.output import echo

    provenance = assessment.provenance
    if fail_under is not None and provenance.from_repository and not provenance.trusted:
        echo(f"mlops-scan: warning: --fail-under {fail_under}: {provenance.warning()}", err=True)
    gated = assessment.projects.minimum if assessment.projects else assessment.level
    if fail_under is not None and gated < fail_under:
        shown = (
            f"roll-up {assessment.projects.rollup_text()}"
            if assessment.projects
            else f"level {assessment.level} ({assessment.level_name})"
        )
        echo(f"mlops-scan: {shown} is below --fail-under {fail_under}", err=True)
        sys.exit(0 if exit_zero else 1)


def settings_of(root: Path, config_file: Path | None, no_config: bool, rev: str | None, git_dir: bool) -> Config:
    """The configuration: --config FILE, else the scanned root's own (unless --no-config): for --rev or a bare
    repository, the one in the revision's tree (docs/git.md)."""
    from mlops_scan.cli.config import Config, load_config, settings_for
    from mlops_scan.snapshot.gitmeta import looks_like_git_dir

    if config_file is not None:
        if not config_file.is_file():
            raise UsageError(f"--config {config_file}: no such file")
        return load_config(config_file)
    bare = git_dir or (root.name.endswith(".git") and looks_like_git_dir(root))
    if not no_config and (rev is not None or bare) and root.is_dir():
        from mlops_scan.cli.revconfig import scan_config  # the git object reader: only for a revision

        return scan_config(root, rev or "HEAD", bare or None)
    return Config() if no_config or not root.is_dir() else settings_for(root)


def _config_path(snapshot: Snapshot, settings: Config) -> str | None:
    """The configuration file's path in the scanned repository (None when it lies outside)."""
    if settings.path is not None and settings.path.resolve().is_relative_to(snapshot.root):
        return settings.path.resolve().relative_to(snapshot.root).as_posix()
    return None


def _link_base(root: Path, top: Path) -> str:
    """The URL of the scanned files in a GitHub Actions or GitLab CI job ('' elsewhere); ``top``: the work tree's."""
    from mlops_scan.reporters.options import link_base_from_env

    return link_base_from_env(os.environ, root.relative_to(top).as_posix())
