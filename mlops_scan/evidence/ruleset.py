"""The rule set of a scan: every pack's rules, built against the installed matcher kinds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from mlops_scan.matchers.base import installed_kinds
from mlops_scan.rules.loader import Rule, load_rules, pack_files
from mlops_scan.rules.sources import builtin_pack_dir, plugin_pack_dirs


def load_all_rules(capabilities: Iterable[str], extra: Sequence[Path] = (), builtin: bool = True) -> list[Rule]:
    """Every rule: built-in packs, then installed plug-in packs, then ``extra`` folders."""
    folders = ([builtin_pack_dir()] + plugin_pack_dirs() if builtin else []) + list(extra)
    return load_rules(pack_files(folders), installed_kinds(), set(capabilities))
