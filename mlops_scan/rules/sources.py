"""Where rule packs come from: the built-ins, ``--rules`` folders, and the ``mlops_scan.rule_packs`` entry points."""

from __future__ import annotations

from pathlib import Path

from mlops_scan.errors import RulePackError
from mlops_scan.startcache import entry_points, load_entry_point

ENTRY_POINT_GROUP = "mlops_scan.rule_packs"


def plugin_pack_dirs() -> list[Path]:
    """Folders declared by installed distributions in the ``mlops_scan.rule_packs`` group (a module or a path)."""
    out = []
    for name, value in entry_points(ENTRY_POINT_GROUP):
        try:
            target = load_entry_point(value)
        except Exception as exc:
            raise RulePackError(f"entry point {name}", f"failed to load ({exc})") from exc
        if isinstance(target, str):
            out.append(Path(target))
        elif isinstance(module_file := getattr(target, "__file__", None), str):
            out.append(Path(module_file).parent)
        else:
            raise RulePackError(f"entry point {name}", "must name a module or a folder path string")
    return out


def builtin_pack_dir() -> Path:
    """The built-in rule packs: ``mlops_scan/detectors`` in a wheel, top-level ``detectors/`` in a checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "detectors"
    return installed if installed.is_dir() else package.parent / "detectors"
