"""Assign each path a zone, from the patterns in ``data/zones.yaml`` (read once, strictly)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlops_scan import strictyaml
from mlops_scan.data import DATA_DIR
from mlops_scan.errors import DataFileError
from mlops_scan.startcache import cached
from mlops_scan.strictyaml import line_of
from mlops_scan.types import Zone

ZONES_FILE = DATA_DIR / "zones.yaml"
_FIELDS = ("zones", "never_walked", "full_strength_in_zone", "examples_collection")
_EXAMPLES_FIELDS = ("readme_title", "course_folders", "course_min_folders", "infra_paths", "engineering_capabilities")


@dataclass(frozen=True)
class ExamplesCollectionPolicy:
    """When a repository is a collection of examples, and what still counts as its own engineering."""

    readme_title: re.Pattern[str]
    """A README title matching this presents the repository as a collection of examples."""
    course_folders: re.Pattern[str]
    """A top-level folder named as a part of a course or a book (``week1``, ``02-experiment-tracking``)."""
    course_min_folders: int
    """So many such folders lay the repository out as a course, which is judged as a collection of examples."""
    infra_paths: re.Pattern[str]
    """Paths that hold the repository's own infrastructure."""
    engineering_capabilities: frozenset[str]
    """Capabilities that are the repository's own engineering when found in ``infra_paths``."""


@dataclass(frozen=True)
class ZonePolicy:
    """Everything ``data/zones.yaml`` says."""

    patterns: tuple[tuple[Zone, re.Pattern[str]], ...]
    """Zones in order, each with its patterns joined (matched without regard to case); the first zone that
    matches a path wins."""
    screen: str
    """Every zone's patterns joined in one regex (matched without regard to case, compiled on first use): it
    matches a path when one of the zones does."""
    never_walked: frozenset[str]
    """Folder names a walk of the work tree never enters."""
    full_strength_in_zone: dict[Zone, frozenset[str]]
    """Zone -> capabilities whose evidence there is not down-graded (tests prove ``automated_tests``)."""
    examples_collection: ExamplesCollectionPolicy


@lru_cache(maxsize=1)
def zone_policy() -> ZonePolicy:
    """``data/zones.yaml``, read once and checked strictly (from the start-up cache while the file is unchanged)."""
    return cached("zones", [ZONES_FILE], [], ZonePolicy, lambda: load_zone_policy(ZONES_FILE))


def load_zone_policy(path: Path) -> ZonePolicy:
    """A zones file checked strictly: unknown keys, unknown zones, wrong types and bad patterns name the line."""
    source = str(path)
    data = strictyaml.mapping(strictyaml.load_file(path), source, "the zones file", _FIELDS, required=_FIELDS)
    zones = strictyaml.mapping(data["zones"], source, "zones", [z.value for z in Zone if z is not Zone.PROJECT])
    patterns = tuple(
        (Zone(name), _regex(source, joined(_strings(source, zones, name)), zones, name, re.I)) for name in zones
    )
    full = strictyaml.mapping(data["full_strength_in_zone"], source, "full_strength_in_zone", list(zones))
    examples = strictyaml.mapping(data["examples_collection"], source, "examples_collection", _EXAMPLES_FIELDS)
    return ZonePolicy(
        patterns,
        joined([p for name in zones for p in _strings(source, zones, name)]),
        frozenset(_strings(source, data, "never_walked")),
        {Zone(name): frozenset(_strings(source, full, name)) for name in full},
        ExamplesCollectionPolicy(
            _regex(source, _string(source, examples, "readme_title"), examples, "readme_title"),
            _regex(source, _string(source, examples, "course_folders"), examples, "course_folders"),
            strictyaml.typed(
                examples.get("course_min_folders"),
                int,
                source,
                "course_min_folders",
                line_of(examples, "course_min_folders"),
                "a whole number",
            ),
            _regex(source, _string(source, examples, "infra_paths"), examples, "infra_paths"),
            frozenset(_strings(source, examples, "engineering_capabilities")),
        ),
    )


def _string(source: str, data: Any, key: str) -> str:
    return strictyaml.typed(data.get(key), str, source, key, line_of(data, key), "a string")


def _strings(source: str, data: Any, key: str) -> list[str]:
    values = strictyaml.typed(data.get(key), list, source, key, line_of(data, key), "a list of strings")
    for index, value in enumerate(values):
        strictyaml.typed(value, str, source, key, line_of(values, index), "a list of strings")
    return values


def _regex(source: str, pattern: str, data: Any, key: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise DataFileError(source, f"{key}: bad regular expression ({exc})", line_of(data, key)) from None


def zone_of(path: str, overrides: dict[str, Zone] | None = None) -> Zone:
    """The zone of a POSIX path relative to the scanned root.

    ``overrides`` maps a path prefix (folder or file) to a zone and wins over the patterns.
    """
    if overrides:
        for prefix, zone in overrides.items():
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return zone
    global _unscreened
    if _unscreened > 0:  # a small repository: testing each zone costs less than compiling the screen
        _unscreened -= 1
    elif not _any_zone().search(path):  # one search for the many paths of no zone
        return Zone.PROJECT
    for zone, pattern in zone_policy().patterns:
        if pattern.search(path):
            return zone
    return Zone.PROJECT


_unscreened = 32
"""Paths tested zone by zone before the one-regex screen is compiled (kept compiled in the warm-start memo, it then
costs less than a few dozen paths' tests)."""


@lru_cache(maxsize=1)
def _any_zone() -> re.Pattern[str]:
    """Every zone's patterns in one regex: it matches a path when one of the zones does."""
    return re.compile(zone_policy().screen, re.I)


AFTER_SLASH = "(^|/)"
"""How most zone patterns start: at the start of the path or of a folder or file name in it."""


def joined(patterns: list[str]) -> str:
    """The patterns as one regex matching where one of them does; those starting ``(^|/)`` share that start, so the
    regex engine tries them only at the start and after a ``/`` (a fifth of the attempts on a long path)."""
    shared = [p[len(AFTER_SLASH) :] for p in patterns if _shares_start(p)]
    parts = [f"(?:^|/)(?:{'|'.join(shared)})"] if shared else []
    return "|".join(parts + [f"(?:{p})" for p in patterns if not _shares_start(p)])


def _shares_start(pattern: str) -> bool:
    """The pattern is ``(^|/)`` followed by the rest, with no alternative outside a group (``(^|/)a|b``: ``b``
    anywhere) and no back-reference (a group's number changes when its start is shared)."""
    if not pattern.startswith(AFTER_SLASH) or re.search(r"\\[1-9]|\(\?P=", pattern):
        return False
    depth, at, in_class = 0, len(AFTER_SLASH), False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 1  # the escaped character stands for itself
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            at += 2 if pattern[at + 1 : at + 3] == "^]" else 1 if pattern[at + 1 : at + 2] in ("]", "^") else 0
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return False
        at += 1
    return depth == 0


def counts_at_full_strength(zone: Zone, capability: str) -> bool:
    """Evidence in ``zone`` keeps its strength: the project zone, and the exceptions of the zones file."""
    return zone is Zone.PROJECT or capability in zone_policy().full_strength_in_zone.get(zone, frozenset())
