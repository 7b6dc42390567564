"""Name patterns and text globs decide exactly as the regexes they replace (fnmatch, anchored alternations)."""

from __future__ import annotations

import fnmatch
import re

import pytest

from mlops_scan.matchers.names import NamePatterns, TextGlob, name_patterns

PATTERNS = [
    "mlflow.log_metric",
    "neptune.integrations.*",
    "azure.ai.ml.MLClient.*.online_endpoints.begin_create_or_update",
    "*.fit",
    "hash",
    "evidently",
]
NAMES = [
    "mlflow.log_metric",
    "mlflow.log_metrics",
    "mlflow.log_metric.x",
    "mlflow",
    "neptune.integrations",
    "neptune.integrations.keras.Callback",
    "neptune.integrationsX",
    "azure.ai.ml.MLClient().online_endpoints.begin_create_or_update",
    "azure.ai.ml.MLClient.online_endpoints.begin_create_or_update",
    "model.fit",
    "fit",
    "hash",
    "hashlib.sha256",
    "evidently",
    "evidently.presets.DataDriftPreset",
    "evidentlyai",
    "",
    ".evidently",
]


def regex_of(patterns: list[str], prefix: bool) -> re.Pattern[str]:
    parts = [re.escape(p).replace(r"\*", ".*") for p in patterns]
    return re.compile("^(?:" + "|".join(parts) + ")" + (r"(?:\..*)?" if prefix else "") + "$")


@pytest.mark.parametrize("prefix", [False, True])
@pytest.mark.parametrize("count", range(1, len(PATTERNS) + 1))
def test_name_patterns_decide_as_the_anchored_regex(prefix: bool, count: int) -> None:
    patterns = PATTERNS[:count]
    names = NamePatterns(patterns, prefix)
    regex = regex_of(patterns, prefix)
    assert [n for n in NAMES if names.match(n)] == [n for n in NAMES if regex.match(n)]


def test_a_prefix_pattern_matches_the_names_under_it_only() -> None:
    names = NamePatterns(["evidently"], prefix=True)
    assert names.match("evidently.presets")
    assert not names.match("evidentlyai")
    assert not NamePatterns(["evidently"]).match("evidently.presets")


def test_no_patterns_is_none() -> None:
    assert name_patterns([]) is None


@pytest.mark.parametrize(
    "glob",
    ["pypa/gh-action-pypi-publish@*", "actions/checkout@v4", "*deploy*", "kserve.io/v1beta?", "v[12]", "*", "a]b*"],
)
def test_text_globs_decide_as_fnmatchcase(glob: str) -> None:
    texts = [
        "pypa/gh-action-pypi-publish@release/v1",
        "pypa/gh-action-pypi-publish",
        "actions/checkout@v4",
        "actions/checkout@v4.1",
        "azure/webapps-deploy@v2",
        "kserve.io/v1beta1",
        "v1",
        "v3",
        "a]b-c",
        "",
        "Actions/Checkout@v4",
    ]
    assert [t for t in texts if TextGlob(glob).match(t)] == [t for t in texts if fnmatch.fnmatchcase(t, glob)]
