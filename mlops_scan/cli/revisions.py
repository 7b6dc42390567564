"""Assess git revisions (and work trees) for ``history`` and ``diff``: one rule set, one facts cache, one git reader."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from mlops_scan import __version__
from mlops_scan.assessment.maturity import MaturityModel, load_model
from mlops_scan.assessment.pipeline import assess_snapshot, model_rules, rules_to_scan
from mlops_scan.assessment.results import Assessment
from mlops_scan.cli.config import Config, check_ids, find_config, load_config
from mlops_scan.cli.revconfig import revision_config
from mlops_scan.evidence.ruleset import rules_hash
from mlops_scan.facts.blobcache import code_hash
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.gitobjects import BlobReader
from mlops_scan.snapshot.gitrev import locate, open_revision, resolve_commit
from mlops_scan.snapshot.gitrun import run
from mlops_scan.snapshot.limits import Limits
from mlops_scan.snapshot.tree import Snapshot, open_snapshot

_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass
class Assessor:
    """Assesses revisions of one repository with one model and rule set."""

    root: Path
    model: MaturityModel
    rules: list[Rule[object]]
    limits: Limits = field(default_factory=Limits)
    rule_dirs: tuple[Path, ...] = ()
    read_config: bool = True
    """Each revision's own configuration applies (its exclude, disable, preview, rules, limits, assume)."""
    git_dir: Path = field(init=False)
    prefix: str = field(init=False)
    """The scanned folder inside the repository's tree ('' at the top)."""
    _reader: BlobReader = field(init=False)

    def __post_init__(self) -> None:
        self.git_dir, self.prefix = locate(self.root.resolve())
        self._reader = BlobReader(self.git_dir)

    @classmethod
    def for_path(
        cls, root: str, model_name: str | None, rule_dirs: tuple[Path, ...] = (), read_config: bool = True
    ) -> Assessor:
        model = load_model(model_name or "microsoft")
        rules = rules_to_scan(model_rules(model, rule_dirs))
        return cls(Path(root), model, rules, rule_dirs=rule_dirs, read_config=read_config)

    def revision(self, rev: str, label: str | None = None) -> Assessment:
        """The assessment of revision ``rev`` (read from git objects, with the configuration of that revision, whose
        errors name it as ``label``, default ``rev``)."""
        if not self.read_config:
            return self._assess(open_revision(self.root, rev, self.limits, reader=self._reader), rev, Config())
        commit = resolve_commit(self.git_dir, rev)
        with revision_config(self.git_dir, commit, self.prefix, label or rev) as config:
            limits = config.scan_limits()
            snapshot = open_revision(self.root, rev, limits, config.exclude, reader=self._reader)
            return self._assess(snapshot, rev, config)

    def work_tree(self) -> Assessment:
        """The assessment of the work tree as it is now (uncommitted changes included, its configuration too)."""
        found = find_config(self.root) if self.read_config else None
        config = load_config(found, root=self.root) if found else Config()
        snapshot = open_snapshot(self.root, config.scan_limits(), config.exclude)
        snapshot.blob_ids = {}
        return self._assess(snapshot, str(self.root), config)

    def rules_for(self, config: Config) -> list[Rule[object]]:
        """The rules a revision with this configuration runs (its packs added, its disabled rules left out)."""
        if not config.source:
            return self.rules
        supplied = config.rules if config.from_repository else ()
        extra = [*self.rule_dirs, *([] if supplied else config.rules)]
        rules = model_rules(self.model, extra, supplied)
        check_ids(config, self.model, [r.id for r in rules])
        return rules_to_scan(rules, config.preview, config.disable)

    def tree_id(self, commit: str) -> str:
        """The id of the scanned folder's tree at ``commit`` (the root tree when the folder is the top)."""
        if not self.prefix:
            return run(self.git_dir, "rev-parse", "--verify", f"{commit}^{{tree}}").decode().strip()
        return run(self.git_dir, "rev-parse", "--verify", f"{commit}:{self.prefix}").decode().strip()

    def fingerprint(self) -> str:
        """What a revision's result depends on besides its tree: the code, the rule packs, the model and the limits."""
        digest = hashlib.sha256(__version__.encode())
        digest.update(code_hash(tuple(sorted(str(p.relative_to(_PACKAGE)) for p in _PACKAGE.rglob("*.py")))).encode())
        digest.update(repr((self.model, rules_hash(self.rules), self.limits, self.read_config)).encode())
        return digest.hexdigest()[:16]

    def close(self) -> None:
        self._reader.close()

    def _assess(self, snapshot: Snapshot, label: str, config: Config) -> Assessment:
        return assess_snapshot(snapshot, self.model, self.rules_for(config), label, assumed=config.assume)
