"""Rule lifecycle, as ruff's rule groups: what ``experimental``, ``deprecated`` and removed mean.

- ``experimental``: a new rule still being tried on real repositories; it runs only in preview
  (``--preview``, or ``preview = true`` in the configuration).
- ``stable``: runs in every scan.
- ``deprecated``: will be removed; it still runs, but its evidence counts as weak (shown, never
  deciding) and the report says so.
- removed: the id stays in its pack as a tombstone (``removed:``), so ``mlops-scan rules show ID``
  explains what happened to it and names its replacement, and the id is never reused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from mlops_scan.rules.loader import Rule

R = TypeVar("R", bound=Rule[object])
EXPERIMENTAL = "experimental"
DEPRECATED = "deprecated"


def rules_to_run(rules: Sequence[R], preview: bool) -> list[R]:
    """The rules a scan runs: experimental ones only in preview."""
    return [r for r in rules if preview or r.lifecycle != EXPERIMENTAL]


def is_capped(rule: Rule[object]) -> bool:
    """Deprecated rules' evidence counts as weak."""
    return rule.lifecycle == DEPRECATED


def deprecation_note(rule_ids: Iterable[str]) -> str | None:
    """The report's note naming the deprecated rules that found evidence (None when none did)."""
    ids = sorted(set(rule_ids))
    if not ids:
        return None
    return f"deprecated rules, whose evidence counts as weak and which will be removed: {', '.join(ids)}"


def lifecycle_line(rule: Rule[object]) -> str | None:
    """What the rule's lifecycle means for a scan, for ``rules show`` (None for stable rules)."""
    if rule.lifecycle == EXPERIMENTAL:
        return "Experimental: runs only with --preview (or preview = true in the configuration)."
    if rule.lifecycle == DEPRECATED:
        return "Deprecated: still runs, but its evidence counts as weak; it will be removed."
    return None
