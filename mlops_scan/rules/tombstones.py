"""Removed rules: their ids stay in their packs as tombstones (``removed:``) that explain themselves in
``mlops-scan rules show ID`` and keep the id from being reused (see ``rules/lifecycle.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_scan import strictyaml
from mlops_scan.errors import DataFileError, RulePackError
from mlops_scan.strictyaml import line_of

TOMBSTONE_FIELDS = ("id", "removed_in", "reason", "replaced_by")


@dataclass(frozen=True)
class Tombstone:
    """A removed rule id, kept so that it explains itself."""

    id: str
    removed_in: str
    """The version that removed the rule."""
    reason: str
    """Why it was removed."""
    replaced_by: str | None = None
    """The rule that took over, if any."""
    source: str = ""
    """The pack file that holds the tombstone."""

    def explain(self) -> str:
        """One paragraph for ``rules show``."""
        instead = f" Use {self.replaced_by} instead." if self.replaced_by else ""
        return f"{self.id}\n  removed in {self.removed_in}: {self.reason.rstrip('.')}.{instead}"


def tombstones_of(raw: Any, source: str) -> list[Tombstone]:
    """The ``removed:`` list of a loaded pack, checked strictly (RulePackError naming the line)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise RulePackError(source, "removed must be a list of removed rule ids", field="removed", line=line_of(raw))
    out = []
    for index, item in enumerate(raw):
        where = line_of(raw, index)
        try:
            entry = strictyaml.mapping(item, source, "removed rule", TOMBSTONE_FIELDS, TOMBSTONE_FIELDS[:3], where)
            text = {
                key: strictyaml.typed(entry[key], str, source, f"removed rule: {key}", entry.line_of(key), "a string")
                for key in TOMBSTONE_FIELDS
                if key in entry
            }
        except DataFileError as exc:
            raise RulePackError(source, exc.problem, field="removed", line=exc.line) from None
        out.append(Tombstone(text["id"], text["removed_in"], text["reason"], text.get("replaced_by"), source))
    return out


def load_tombstones(files: Iterable[Path]) -> list[Tombstone]:
    """Every tombstone of the given pack files (read again: only ``rules show`` of an unknown id needs them)."""
    out: list[Tombstone] = []
    for path in files:
        data = strictyaml.load_file(path)
        if isinstance(data, dict):
            out.extend(tombstones_of(data.get("removed"), str(path)))
    return out
