"""Assign each path a zone, from the patterns in ``data/zones.yaml``."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from mlops_scan.data import DATA_DIR
from mlops_scan.types import Zone


@lru_cache(maxsize=1)
def zones_document() -> dict[str, Any]:
    """``data/zones.yaml``, read once: the zone patterns and the examples-collection policy."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: read on every run
    return yaml.load((DATA_DIR / "zones.yaml").read_text(encoding="utf-8"), Loader=loader)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[Zone, re.Pattern[str]], ...]:
    data = zones_document()["zones"]
    return tuple((Zone(name), re.compile("|".join(f"(?:{p})" for p in pats))) for name, pats in data.items())


def zone_of(path: str, overrides: dict[str, Zone] | None = None) -> Zone:
    """The zone of a POSIX path relative to the scanned root.

    ``overrides`` maps a path prefix (folder or file) to a zone and wins over the patterns.
    """
    if overrides:
        for prefix, zone in overrides.items():
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return zone
    for zone, pattern in _patterns():
        if pattern.search(path):
            return zone
    return Zone.PROJECT
