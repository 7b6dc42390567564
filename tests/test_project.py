"""The repository's own identity: distributions and packages from every manifest of the project zone."""

from __future__ import annotations

from pathlib import Path

from scanning import builtin_rules

from mlops_scan.evidence.collect import collect
from mlops_scan.facts.project import detect_project
from mlops_scan.snapshot.tree import open_snapshot


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


MONOREPO = {
    "python/servekit/pyproject.toml": '[project]\nname = "servekit"\nversion = "1.0"\n',
    "python/servekit/servekit/__init__.py": "",
    "python/servekit/servekit/custom.py": "import servekit\n\n\nclass Echo(servekit.Model):\n    pass\n",
    "python/servekit-storage/setup.cfg": "[metadata]\nname = servekit-storage\n",
    "python/servekit-storage/src/storage_helpers/__init__.py": "",
    "examples/demo-app/pyproject.toml": '[project]\nname = "kserve"\n',
    "docs/tool/pyproject.toml": '[project]\nname = "mlflow"\n',
    "{{cookiecutter.slug}}/pyproject.toml": '[project]\nname = "torch"\n',
}


def test_manifests_of_the_project_zone_name_the_repository_anywhere(tmp_path: Path) -> None:
    write(tmp_path, MONOREPO)
    info = detect_project(open_snapshot(tmp_path), {})
    assert info.distributions == {"servekit", "servekit-storage"}
    assert info.packages == {"servekit", "servekit_storage", "storage_helpers"}


def test_a_nested_manifest_makes_its_product_own_source(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            **MONOREPO,
            "python/servekit/pyproject.toml": '[project]\nname = "kserve"\n',
            "python/servekit/kserve/__init__.py": "",
            "python/servekit/kserve/custom.py": "import kserve\n\n\nclass Echo(kserve.Model):\n    pass\n",
        },
    )
    snapshot = open_snapshot(tmp_path)
    result = collect(snapshot, builtin_rules())
    assert "kserve" in result.project.packages
    assert not [e for e in result.evidence if e.rule == "model_packaging.model-server-handler"]


def test_setup_py_names_from_constants_and_config_dicts(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "setup.py": 'from setuptools import setup\nNAME = "alpha-core"\nsetup(name=NAME, version="1")\n',
            "beta/setup.py": 'import setuptools\nconfig = {"name": "beta", "version": "1"}\nsetuptools.setup(**config)\n',
            "gamma/setup.py": 'from setuptools import setup\nkw = dict(name="gamma-io")\nsetup(**kw)\n',
            "delta/setup.py": "from setuptools import setup\nsetup(name=compute_name())\n",
        },
    )
    info = detect_project(open_snapshot(tmp_path), {})
    assert info.distributions == {"alpha-core", "beta", "gamma-io"}
    assert info.packages == {"alpha_core", "beta", "gamma_io"}
