"""Which declared dependencies are optional (extras, groups, dev or test requirements)."""

from __future__ import annotations

from pathlib import Path

from mlops_scan.facts.context import FileContext
from mlops_scan.facts.requirements import read_requirements
from mlops_scan.snapshot.tree import open_snapshot


def _optional(tmp_path: Path, name: str, text: str) -> dict[str, bool]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    snapshot = open_snapshot(tmp_path)
    entry = snapshot.entry(name)
    assert entry is not None
    return {r.name: r.optional for r in read_requirements(FileContext(snapshot, entry))}


def test_pyproject_extras_groups_and_poetry_optional(tmp_path: Path) -> None:
    text = """
[project]
name = "lib"
dependencies = ["requests>=2"]

[project.optional-dependencies]
serve = ["ray[serve]>=2"]

[dependency-groups]
dev = ["pytest"]

[tool.poetry.dependencies]
python = "^3.11"
numpy = "^2"
torch = {version = "^2", optional = true}

[tool.poetry.group.lint.dependencies]
ruff = "*"
"""
    assert _optional(tmp_path, "pyproject.toml", text) == {
        "requests": False,
        "ray": True,
        "pytest": True,
        "numpy": False,
        "torch": True,
        "ruff": True,
    }


def test_setup_py_and_setup_cfg(tmp_path: Path) -> None:
    setup_py = 'from setuptools import setup\nsetup(install_requires=["xgboost"], extras_require={"gpu": ["torch"]},\n      tests_require=["pytest"])\n'
    assert _optional(tmp_path, "setup.py", setup_py) == {"xgboost": False, "torch": True, "pytest": True}
    setup_cfg = "[options]\ninstall_requires =\n    lightgbm\ntests_require = pytest\n\n[options.extras_require]\nviz = matplotlib\n"
    assert _optional(tmp_path, "setup.cfg", setup_cfg) == {"lightgbm": False, "pytest": True, "matplotlib": True}


def test_pipfile_dev_packages(tmp_path: Path) -> None:
    text = '[packages]\npandas = "*"\n\n[dev-packages]\nblack = "*"\n'
    assert _optional(tmp_path, "Pipfile", text) == {"pandas": False, "black": True}
