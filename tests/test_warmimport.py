"""Warm imports: the package's modules run from the last run's memo are the modules the ordinary import makes, and an
entry that cannot be trusted leaves the module to the ordinary import."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path
from typing import Any

import pytest

from mlops_scan.cli import warmimport

PROBE = """
import json, sys
import mlops_scan.cli
import mlops_scan.reporters.sarif as sarif
print(json.dumps([type(sarif.__spec__.loader).__name__, sarif.__file__, sarif.__name__, callable(sarif.render)]))
"""


def _probe(cache: Path) -> list[Any]:
    env = {**os.environ, "MLOPS_SCAN_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout
    return list(json.loads(out))


def test_a_second_run_imports_the_package_from_the_memo(tmp_path: Path) -> None:
    real = str(Path(warmimport.__file__).resolve().parent.parent / "reporters" / "sarif.py")
    assert _probe(tmp_path) == ["SourceFileLoader", real, "mlops_scan.reporters.sarif", True]
    assert _probe(tmp_path) == ["CodeMemoFinder", real, "mlops_scan.reporters.sarif", True]


def _module(tmp_path: Path, source: str, filename: str | None = None) -> tuple[str, bool, bytes]:
    origin = tmp_path / "probe_pkg" / "__init__.py"
    origin.parent.mkdir(exist_ok=True)
    origin.write_text(source, encoding="utf-8")
    return str(origin), True, marshal.dumps(compile(source, filename or str(origin), "exec"))


def test_a_remembered_package_gets_the_ordinary_attributes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    finder = warmimport.CodeMemoFinder({"probe_pkg": _module(tmp_path, "VALUE = __file__\n")})
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    monkeypatch.delitem(sys.modules, "probe_pkg", raising=False)
    import probe_pkg  # type: ignore[import-not-found]

    origin = str(tmp_path / "probe_pkg" / "__init__.py")
    assert (probe_pkg.VALUE, probe_pkg.__file__, probe_pkg.__path__) == (origin, origin, [str(tmp_path / "probe_pkg")])
    assert probe_pkg.__spec__.loader is finder


@pytest.mark.parametrize("damage", ["not marshal", "other file", "not code"])
def test_an_entry_that_cannot_be_trusted_is_imported_the_ordinary_way(tmp_path: Path, damage: str) -> None:
    origin, package, code = _module(
        tmp_path, "VALUE = 1\n", filename="elsewhere.py" if damage == "other file" else None
    )
    stored = {"not marshal": b"\x00garbage", "not code": marshal.dumps(1)}.get(damage, code)
    assert warmimport.CodeMemoFinder({"probe_pkg": (origin, package, stored)}).find_spec("probe_pkg") is None


def test_exit_keeps_the_code_of_the_modules_imported_the_ordinary_way(monkeypatch: pytest.MonkeyPatch) -> None:
    stored: dict[str, dict[str, tuple[str, bool, bytes]]] = {}
    monkeypatch.setattr(warmimport, "store_memo", lambda kind, value: stored.setdefault(kind, value))
    ordinary = {
        name
        for name, module in sys.modules.items()
        if name.startswith("mlops_scan.") and isinstance(getattr(module.__spec__, "loader", None), SourceFileLoader)
    }
    finder = warmimport.CodeMemoFinder({})
    asked = sorted(ordinary)[1:]  # the first was imported before the finder was there: it was never asked
    assert all(finder.find_spec(name) is None for name in [*asked, "mlops_scan.no_such_module", "yaml"])
    warmimport.save(finder)
    memo = stored[warmimport.KIND]
    assert asked and set(memo) == set(asked)
    for name, (origin, package, code) in memo.items():
        assert (origin, package) == (sys.modules[name].__file__, hasattr(sys.modules[name], "__path__"))
        assert marshal.loads(code).co_filename == origin


def test_exit_keeps_the_code_another_process_imported_too(monkeypatch: pytest.MonkeyPatch) -> None:
    stored: dict[str, dict[str, tuple[str, bool, bytes]]] = {}
    monkeypatch.setattr(warmimport, "store_memo", lambda kind, value: stored.setdefault(kind, value))
    finder = warmimport.CodeMemoFinder({name: ("x", False, b"") for name in sys.modules})  # holds all of this one's
    theirs = {"mlops_scan.partner_only": ("/p/partner_only.py", False, marshal.dumps(compile("", "p", "exec")))}
    warmimport.save(finder, theirs)
    assert set(stored[warmimport.KIND]) == set(finder.memo) | {"mlops_scan.partner_only"}
