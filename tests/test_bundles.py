"""Databricks bundles deployed only to development targets run no schedule."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_scan.facts.bundles import bundle_root, development_only
from mlops_scan.snapshot.tree import open_snapshot

JOB = "resources:\n  jobs:\n    train:\n      name: train\n"


@pytest.mark.parametrize(
    ("targets", "paused"),
    [
        ("targets:\n  dev:\n    mode: development\n  test:\n    mode: development\n", True),
        ("targets:\n  dev:\n    mode: development\n  prod:\n    mode: production\n", False),
        ("targets:\n  dev:\n    mode: development\n  prod:\n    workspace:\n      host: h\n", False),
        ("targets:\n  dev:\n    mode: development\n    presets:\n      trigger_pause_status: UNPAUSED\n", False),
        ("bundle:\n  name: x\n", False),
    ],
)
def test_only_development_targets_pause_the_bundle(tmp_path: Path, targets: str, paused: bool) -> None:
    (tmp_path / "ml" / "resources").mkdir(parents=True)
    (tmp_path / "ml" / "databricks.yml").write_text(targets)
    (tmp_path / "ml" / "resources" / "train.yml").write_text(JOB)
    snapshot = open_snapshot(tmp_path)
    assert bundle_root(snapshot, "ml/resources/train.yml") == "ml/databricks.yml"
    assert development_only(snapshot, "ml/resources/train.yml") is paused


def test_a_file_of_no_bundle_is_not_paused(tmp_path: Path) -> None:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "train.yml").write_text(JOB)
    snapshot = open_snapshot(tmp_path)
    assert bundle_root(snapshot, "jobs/train.yml") is None
    assert development_only(snapshot, "jobs/train.yml") is False
