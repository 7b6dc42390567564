"""Shared test set-up: the tests folder is importable (fixture helpers live beside the tests)."""

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Property tests run from a fixed, derandomized profile: the same examples on every run and in CI.
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "deep",
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The start-up cache (rule packs, model) and the facts cache go to a folder of this test session, never the
# user's. A test that replaces a parser scans with --no-cache (facts cached by an earlier test would skip it).
os.environ["MLOPS_SCAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="mlops-scan-test-cache-")


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test alone (MLOPS_SCAN_CACHE_DIR), not yet created."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _reports_match_their_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON report, SARIF log and GitLab Code Quality report rendered in-process during a test is checked
    against its schema."""
    from schemas import valid_gitlab, valid_report, valid_sarif

    from mlops_scan.reporters import gitlab, sarif
    from mlops_scan.reporters import json as json_reporter

    def checked(render: Callable[..., str], validate: Callable[[str], object]) -> Callable[..., str]:
        def wrapper(*args: Any, **kwargs: Any) -> str:
            text = render(*args, **kwargs)
            validate(text)
            return text

        return wrapper

    monkeypatch.setattr(json_reporter, "render", checked(json_reporter.render, valid_report))
    monkeypatch.setattr(sarif, "render", checked(sarif.render, valid_sarif))
    monkeypatch.setattr(gitlab, "render", checked(gitlab.render, valid_gitlab))


class MatcherProbe:
    """Matcher kinds on their own: rules written as a pack author writes them (a one-rule pack, with the named
    patterns of the built-in pack of the rule's capability) and loaded by the real strict loader, then run over
    files written to the test's folder as the Evidence stage runs them (each file a matcher wants, then finish)."""

    def __init__(self, root: Path, packs: Path) -> None:
        self.root = root
        self.packs = packs

    def maker(self, matcher_kind: str, default_id: str, /, **defaults: Any) -> Callable[..., Any]:
        """``make_rule(rule_id=default_id, **params)`` for one kind, ``defaults`` under the given params."""

        def make_rule(rule_id: str = default_id, /, **params: Any) -> Any:
            return self.rule(matcher_kind, rule_id, **{**defaults, **params})

        return make_rule

    def rule(self, matcher_kind: str, rule_id: str, /, **params: Any) -> Any:
        import yaml

        from mlops_scan import strictyaml
        from mlops_scan.matchers.base import installed_params
        from mlops_scan.rules.loader import SCHEMA_VERSION, load_pack
        from mlops_scan.rules.sources import builtin_pack_dir

        capability = rule_id.split(".", 1)[0]
        builtin = builtin_pack_dir() / f"{capability}.yaml"
        patterns = (strictyaml.load_file(builtin).get("patterns") or {}) if builtin.is_file() else {}
        fields = {"id": rule_id, "capability": capability, "kind": matcher_kind, "strength": "strong", "title": "Probe"}
        fields |= {"description": "A probe rule.", "remediation": "None.", "params": params}
        path = self.packs / f"pack{len(list(self.packs.iterdir()))}.yaml"
        pack = {"schema_version": SCHEMA_VERSION, "patterns": dict(patterns), "rules": [fields]}
        path.write_text(yaml.safe_dump(pack, sort_keys=False, allow_unicode=True), encoding="utf-8")
        [rule] = load_pack(path, installed_params(), {capability})
        return rule

    def run(
        self, files: dict[str, str], *rules: Any, packages: frozenset[str] = frozenset(), kind: str | None = None
    ) -> tuple[list[tuple[str, str, int | None]], dict[str, Any]]:
        """Write ``files`` (beside those of earlier runs) and scan the folder with the kinds of ``rules`` (and
        ``kind``, with no rule of it): sorted (rule, path, line) hits and the kinds' measurements."""
        from mlops_scan.facts.context import FileContext
        from mlops_scan.matchers.base import installed_kinds
        from mlops_scan.snapshot.tree import open_snapshot
        from mlops_scan.types import ProjectInfo

        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        snapshot = open_snapshot(self.root)
        kinds = installed_kinds()
        matchers = [
            kinds[k]([r for r in rules if r.kind == k], ProjectInfo(packages=packages))
            for k in sorted({r.kind for r in rules} | ({kind} if kind else set()))
        ]
        hits = []
        for entry in snapshot.files:
            for matcher in (m for m in matchers if m.wants(entry)):
                hits += matcher.scan(FileContext(snapshot, entry))
        measurements: dict[str, Any] = {}
        for matcher in matchers:
            hits += matcher.finish(snapshot)
            measurements |= matcher.measurements()
        return sorted((h.rule.id, h.path, h.line) for h in hits), measurements

    def hits(
        self, files: dict[str, str], *rules: Any, packages: frozenset[str] = frozenset()
    ) -> list[tuple[str, str, int | None]]:
        """The sorted (rule, path, line) hits of ``rules`` over the folder with ``files`` written into it."""
        return self.run(files, *rules, packages=packages)[0]


@pytest.fixture
def probe(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> MatcherProbe:
    """Rules through the real loader and matcher kinds over ``tmp_path`` (the packs live elsewhere, never scanned)."""
    return MatcherProbe(tmp_path, tmp_path_factory.mktemp("packs"))
