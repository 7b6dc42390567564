"""Assess git revisions (and work trees) for ``history`` and ``diff``: one rule set, one facts cache, one git reader."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from mlops_scan import __version__
from mlops_scan.assessment.maturity import MaturityModel, load_model
from mlops_scan.assessment.pipeline import assess_snapshot, model_rules, rules_to_scan
from mlops_scan.assessment.results import Assessment
from mlops_scan.evidence.ruleset import rules_hash
from mlops_scan.facts.blobcache import code_hash
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.gitobjects import BlobReader
from mlops_scan.snapshot.gitrev import locate, open_revision
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
    git_dir: Path = field(init=False)
    prefix: str = field(init=False)
    """The scanned folder inside the repository's tree ('' at the top)."""
    _reader: BlobReader = field(init=False)

    def __post_init__(self) -> None:
        self.git_dir, self.prefix = locate(self.root.resolve())
        self._reader = BlobReader(self.git_dir)

    @classmethod
    def for_path(cls, root: str, model_name: str | None, rule_dirs: tuple[Path, ...] = ()) -> Assessor:
        model = load_model(model_name or "microsoft")
        rules = rules_to_scan(model_rules(model, rule_dirs))
        return cls(Path(root), model, rules)

    def revision(self, rev: str) -> Assessment:
        """The assessment of revision ``rev`` (read from git objects)."""
        snapshot = open_revision(self.root, rev, self.limits, reader=self._reader)
        return self._assess(snapshot, rev)

    def work_tree(self) -> Assessment:
        """The assessment of the work tree as it is now (uncommitted changes included)."""
        snapshot = open_snapshot(self.root, self.limits)
        snapshot.blob_ids = {}
        return self._assess(snapshot, str(self.root))

    def tree_id(self, commit: str) -> str:
        """The id of the scanned folder's tree at ``commit`` (the root tree when the folder is the top)."""
        if not self.prefix:
            return run(self.git_dir, "rev-parse", "--verify", f"{commit}^{{tree}}").decode().strip()
        return run(self.git_dir, "rev-parse", "--verify", f"{commit}:{self.prefix}").decode().strip()

    def fingerprint(self) -> str:
        """What a revision's result depends on besides its tree: the code, the rule packs, the model and the limits."""
        digest = hashlib.sha256(__version__.encode())
        digest.update(code_hash(tuple(sorted(str(p.relative_to(_PACKAGE)) for p in _PACKAGE.rglob("*.py")))).encode())
        digest.update(repr((self.model, rules_hash(self.rules), self.limits)).encode())
        return digest.hexdigest()[:16]

    def close(self) -> None:
        self._reader.close()

    def _assess(self, snapshot: Snapshot, label: str) -> Assessment:
        return assess_snapshot(snapshot, self.model, self.rules, label)
