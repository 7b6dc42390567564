"""Where rule packs come from: the built-ins, ``--rules`` folders, and the ``mlops_scan.rule_packs`` entry points."""

from __future__ import annotations

from pathlib import Path

from mlops_scan.errors import RulePackError
from mlops_scan.maturity import MaturityModel
from mlops_scan.matchers.base import installed_kinds
from mlops_scan.rules import Rule, builtin_pack_dir, load_rules, pack_files

ENTRY_POINT_GROUP = "mlops_scan.rule_packs"


def plugin_pack_dirs() -> list[Path]:
    """Folders declared by installed distributions in the ``mlops_scan.rule_packs`` group (a module or a path)."""
    from importlib.metadata import entry_points

    out = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            target = ep.load()
        except Exception as exc:
            raise RulePackError(f"entry point {ep.name}", f"failed to load ({exc})") from exc
        if isinstance(target, str):
            out.append(Path(target))
        elif getattr(target, "__file__", None):
            out.append(Path(target.__file__).parent)
        else:
            raise RulePackError(f"entry point {ep.name}", "must name a module or a folder path string")
    return out


def load_all_rules(model: MaturityModel, extra: list[Path] = (), builtin: bool = True) -> list[Rule]:  # type: ignore[assignment]
    """Every rule: built-in packs, then installed plug-in packs, then ``extra`` folders."""
    folders = ([builtin_pack_dir()] + plugin_pack_dirs() if builtin else []) + list(extra)
    return load_rules(pack_files(folders), installed_kinds(), set(model.capabilities))
