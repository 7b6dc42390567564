"""Build configs whose triggers infrastructure code declares (:mod:`mlops_scan.facts.ci.iacrefs`): a Cloud Build config
or a CodeBuild buildspec is matched, when it is scanned, under its own triggers and under every set of triggers a
declaration could give it; once every file is read, the declarations that name it choose which outcome counts."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import TYPE_CHECKING, TypeGuard

from mlops_scan.matchers.base import Hit
from mlops_scan.rules.loader import Rule

if TYPE_CHECKING:
    from mlops_scan.facts.ci.iacrefs import BuildConfigRef

OWN = ""
"""Key of the outcome under the file's own triggers (its conventional name, its trigger substitutions)."""
DECLARABLE = {"cloud-build": ("push", "pull_request", "tag"), "codebuild": ("push",)}
"""Per system, the triggers a declaration gives (canonical order)."""

Found = list[tuple[str, int, str]]
"""(rule id, line, snippet) of each rule that matched."""


def trigger_sets(system: str) -> list[tuple[str, ...]]:
    """Every non-empty set of the triggers a declaration may give a config of ``system``."""
    names = DECLARABLE[system]
    return [combo for size in range(1, len(names) + 1) for combo in combinations(names, size)]


class BuildConfigs:
    """The declarations and the configs' outcomes of one scan; a file's share is its kept state."""

    def __init__(self) -> None:
        self.refs: list[tuple[str, BuildConfigRef]] = []
        """(declaring file, what it declares)."""
        self.held: list[tuple[str, str, dict[str, Found]]] = []
        """(config file, system, outcome key -> what matched): keys are :data:`OWN` or triggers joined by commas."""
        self._marks = (0, 0)

    def start(self) -> None:
        """A file's scan starts: what is added from now on is its state."""
        self._marks = (len(self.refs), len(self.held))

    def file_state(self) -> dict[str, object]:
        """JSON-ready: the declarations and outcomes the last file scanned added."""
        refs = [[r.path, r.system, list(r.triggers), r.line] for _, r in self.refs[self._marks[0] :]]
        configs = [
            [system, {key: [list(f) for f in found] for key, found in outcomes.items()}]
            for _, system, outcomes in self.held[self._marks[1] :]
        ]
        return {"refs": refs, "configs": configs}

    def restore(self, path: str, state: object, known: set[str]) -> Callable[[], None]:
        """What adds a kept state of ``path`` (ValueError when it has another shape)."""
        kept = state if isinstance(state, dict) else {}
        refs, configs = kept.get("refs"), kept.get("configs")
        if not isinstance(refs, list) or not all(_ref(r) for r in refs):
            raise ValueError("refs: not a list of declarations")
        if not isinstance(configs, list) or not all(_config(c, known) for c in configs):
            raise ValueError("configs: not a list of outcomes")
        from mlops_scan.facts.ci.iacrefs import BuildConfigRef  # read only where a kept file declared one

        declared = [(path, BuildConfigRef(p, s, tuple(t), line)) for p, s, t, line in refs]
        held = [
            (path, system, {k: [(r, n, t) for r, n, t in v] for k, v in outcomes.items()})
            for system, outcomes in configs
        ]

        def add() -> None:
            self.refs.extend(declared)
            self.held.extend(held)

        return add

    def hits(self, rules: dict[str, Rule[object]]) -> list[Hit]:
        """Each config's outcome under the triggers its declarations give (their union), citing them; under its own
        triggers when nothing declares it."""
        out: list[Hit] = []
        for path, system, outcomes in self.held:
            declared = [(source, r) for source, r in self.refs if r.path == path and r.system == system]
            given = {t for _, r in declared for t in r.triggers}
            key = ",".join(t for t in DECLARABLE[system] if t in given) if declared else OWN
            via = tuple(f"{source}:{r.line}" for source, r in declared)
            out += [Hit(rules[rule], path, line, snippet, via=via) for rule, line, snippet in outcomes.get(key, [])]
        return out


def _ref(data: object) -> bool:
    return (
        isinstance(data, list)
        and len(data) == 4
        and isinstance(data[0], str)
        and data[1] in DECLARABLE
        and isinstance(data[2], list)
        and all(isinstance(t, str) for t in data[2])
        and type(data[3]) is int
    )


def _config(data: object, known: set[str]) -> bool:
    if not (isinstance(data, list) and len(data) == 2 and data[0] in DECLARABLE and isinstance(data[1], dict)):
        return False
    return all(isinstance(k, str) and _found(v, known) for k, v in data[1].items())


def _found(data: object, known: set[str]) -> TypeGuard[Found]:
    return isinstance(data, list) and all(
        isinstance(f, list) and len(f) == 3 and f[0] in known and type(f[1]) is int and isinstance(f[2], str)
        for f in data
    )
