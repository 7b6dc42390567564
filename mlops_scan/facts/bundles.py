"""Databricks Asset Bundles: where a bundle's resources are deployed, read from its root ``databricks.yml``.

A target in ``mode: development`` pauses every schedule and trigger of the jobs it deploys (unless a job sets
``schedule.pause_status: UNPAUSED`` itself, or the target's ``presets.trigger_pause_status`` is ``UNPAUSED``).
A bundle whose targets are all development targets therefore runs no schedule without a person.
"""

from __future__ import annotations

import posixpath

from yaml.nodes import Node

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.context import FileContext
from mlops_scan.snapshot.tree import Snapshot

BUNDLE_ROOTS = ("databricks.yml", "databricks.yaml")


def bundle_root(snapshot: Snapshot, path: str) -> str | None:
    """The ``databricks.yml`` of the bundle a file belongs to: in its folder or the nearest folder above."""
    folder = posixpath.dirname(path)
    while True:
        for name in BUNDLE_ROOTS:
            candidate = posixpath.join(folder, name) if folder else name
            if snapshot.entry(candidate) is not None:
                return candidate
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def development_only(snapshot: Snapshot, path: str) -> bool:
    """The bundle of ``path`` deploys only to development targets that keep schedules paused (False when the file
    belongs to no bundle, or its root cannot be read)."""
    root = bundle_root(snapshot, path)
    entry = snapshot.entry(root) if root else None
    if entry is None:
        return False
    docs = FileContext(snapshot, entry).yaml
    return bool(docs) and _paused_everywhere(docs[0])


def _paused_everywhere(doc: Node) -> bool:
    targets = list(Y.items(Y.get(doc, "targets")))
    if not targets:
        return False  # no targets: the default target is not in development mode
    for _, _, target in targets:
        mode = Y.scalar(Y.get(target, "mode"))
        unpaused = Y.scalar(Y.get(Y.get(target, "presets"), "trigger_pause_status")) == "UNPAUSED"
        if mode != "development" or unpaused:
            return False
    return True
