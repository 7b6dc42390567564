"""``dependency`` kind: packages declared in requirements, pyproject, setup.cfg/py, Pipfile, conda files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mlops_scan.facts.context import FileContext
from mlops_scan.facts.requirements import MANIFEST_KINDS, manifest_kind, normalise, read_requirements
from mlops_scan.matchers.base import Hit, Matcher
from mlops_scan.matchers.globs import compile_globs
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry
from mlops_scan.types import ProjectInfo


@dataclass(frozen=True)
class DependencyParams:
    """Params of a ``dependency`` rule: ``packages``, or a pinning threshold, or both."""

    packages: list[str] = field(default_factory=list)
    """Distribution names; any one declared fires (names are compared PEP 503-normalised)."""
    min_pinned_share: float | None = None
    """Fire on a requirements or conda file whose entries are pinned (``==``) at least this share."""
    min_entries: int = 3
    """With ``min_pinned_share``: the file must declare at least this many entries."""
    paths: list[str] = field(default_factory=list)
    """Only manifests matching these path globs."""
    manifests: list[str] = field(default_factory=list)
    """Only these manifest kinds (``requirements``, ``pyproject``, ``pipfile``, ``setup.cfg``, ``setup.py``, ``conda``);
    ``pyproject``/``setup.cfg``/``setup.py`` declare an installable package."""
    required_only: bool = False
    """With ``packages``: only dependencies installed with the package, not optional extras, dependency groups,
    dev or test requirements (a library's ``ray[serve]`` extra is not its own ML code)."""

    def __post_init__(self) -> None:
        """Reject well-typed but meaningless values (ValueError, or re.error for a bad regex)."""
        if not self.packages and self.min_pinned_share is None:
            raise ValueError("give packages or min_pinned_share")
        if self.min_pinned_share is not None and not 0 < self.min_pinned_share <= 1:
            raise ValueError("min_pinned_share must be in (0, 1]")
        for kind in self.manifests:
            if kind not in MANIFEST_KINDS:
                raise ValueError(f"unknown manifest kind {kind!r} (known: {', '.join(MANIFEST_KINDS)})")


class DependencyMatcher(Matcher[DependencyParams]):
    """Reads each manifest once and serves every dependency rule."""

    kind = "dependency"
    Params = DependencyParams
    reusable = True

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        super().__init__(rules, project)
        self._wanted = [
            (
                rule,
                {normalise(p) for p in rule.params.packages},
                compile_globs(rule.params.paths) if rule.params.paths else None,
            )
            for rule in self.rules
        ]

    def wants(self, entry: FileEntry) -> bool:
        return manifest_kind(entry.path) is not None

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        requirements = [r for r in read_requirements(ctx) if r.name not in self.project.distributions]
        if not requirements:
            return
        kind = manifest_kind(ctx.path)
        for rule, names, paths in self._wanted:
            if (paths and not paths.search(ctx.path)) or (rule.params.manifests and kind not in rule.params.manifests):
                continue
            found = next(
                (r for r in requirements if r.name in names and not (rule.params.required_only and r.optional)), None
            )
            if found is not None:
                yield Hit(rule, ctx.path, found.line, found.text)
                continue
            share = rule.params.min_pinned_share
            if share is not None and kind in ("requirements", "conda") and len(requirements) >= rule.params.min_entries:
                pinned = sum(r.pinned for r in requirements)
                if pinned / len(requirements) >= share:
                    yield Hit(
                        rule, ctx.path, requirements[0].line, f"{pinned} of {len(requirements)} requirements pinned"
                    )
