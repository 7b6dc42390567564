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


@pytest.fixture(autouse=True)
def _reports_match_their_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON report and SARIF log rendered in-process during a test is checked against its schema."""
    from schemas import valid_report, valid_sarif

    from mlops_scan.reporters import json as json_reporter
    from mlops_scan.reporters import sarif

    def checked(render: Callable[..., str], validate: Callable[[str], object]) -> Callable[..., str]:
        def wrapper(*args: Any, **kwargs: Any) -> str:
            text = render(*args, **kwargs)
            validate(text)
            return text

        return wrapper

    monkeypatch.setattr(json_reporter, "render", checked(json_reporter.render, valid_report))
    monkeypatch.setattr(sarif, "render", checked(sarif.render, valid_sarif))
