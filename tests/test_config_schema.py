"""The shipped JSON Schema of ``[tool.mlops-scan]``: every configuration example in the docs passes it and the
configuration reader, and the schema and the reader agree on the keys and on what they accept."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from mlops_scan.cli.config import KEYS, LIMIT_FIELDS, load_config
from mlops_scan.data import CONFIG_SCHEMA
from mlops_scan.errors import ConfigError
from mlops_scan.reporters.formats import FORMATS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads(CONFIG_SCHEMA.read_text(encoding="utf-8"))
Draft7Validator.check_schema(SCHEMA)
VALIDATOR = Draft7Validator(SCHEMA)


def doc_examples() -> list[tuple[str, str]]:
    """(where, TOML text) of every configuration example: a ``toml`` block with ``[tool.mlops-scan]``, or one that
    starts with the comment ``# .mlops-scan.toml``."""
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for number, block in enumerate(re.findall(r"```toml\n(.*?)```", text, re.S), 1):
            if "[tool.mlops-scan" in block or block.startswith("# .mlops-scan.toml"):
                found.append((f"{doc.relative_to(ROOT)} block {number}", block))
    return found


def table_of(block: str) -> Any:
    document = tomllib.loads(block)
    return document["tool"]["mlops-scan"] if "[tool.mlops-scan" in block else document


def schema_problems(table: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in VALIDATOR.iter_errors(table)]


def test_the_docs_show_configuration_examples() -> None:
    assert [where for where, _ in doc_examples()] == ["docs/ci.md block 1", "docs/ci.md block 2"]


@pytest.mark.parametrize(("where", "block"), doc_examples(), ids=[w for w, _ in doc_examples()])
def test_every_documented_example_passes_the_schema_and_the_reader(where: str, block: str, tmp_path: Path) -> None:
    assert schema_problems(table_of(block)) == [], where
    name = "pyproject.toml" if "[tool.mlops-scan" in block else ".mlops-scan.toml"
    (tmp_path / name).write_text(block, encoding="utf-8")
    assert load_config(tmp_path / name).source  # read without an error


def test_the_schema_and_the_reader_know_the_same_keys() -> None:
    assert set(SCHEMA["properties"]) == KEYS
    assert SCHEMA["properties"]["format"]["enum"] == list(FORMATS)
    limits = SCHEMA["properties"]["limits"]["properties"]
    assert set(limits) == {n for name in LIMIT_FIELDS for n in (name, name.replace("_", "-"))}
    for name, default in LIMIT_FIELDS.items():
        kind = "size" if name.endswith("_bytes") else "count" if isinstance(default, int) else "seconds"
        assert limits[name] == limits[name.replace("_", "-")] == {"$ref": f"#/definitions/{kind}"}, name


@pytest.mark.parametrize(
    "toml",
    [
        "fail-under = 2",
        "fail-under = -1",
        "fail-under = true",
        "fail-under = 1.5",
        'format = "sarif"',
        'format = "html"',
        'exclude = ["docs/**"]',
        'exclude = [""]',
        'exclude = "docs"',
        'disable = ["ci", 3]',
        'rules = ["packs"]',
        'model = "google"',
        'model = ""',
        "preview = true",
        'preview = "yes"',
        'colour = "blue"',
        'assume = {model_registry = "promoted in the vendor console"}',
        'assume = {model_registry = "  "}',
        "assume = {model_registry = 1}",
        'assume = "all"',
        'limits = {max-file-bytes = "4MiB"}',
        'limits = {max_file_bytes = "500kB"}',
        'limits = {max-file-bytes = "4 parsecs"}',
        "limits = {max-file-bytes = 0}",
        "limits = {max-files = 10}",
        "limits = {max-files = 0}",
        "limits = {max-files = 2.5}",
        "limits = {parse-timeout = 0}",
        "limits = {git-timeout = 2.5}",
        "limits = {git-timeout = -1}",
        "limits = {speed = 1}",
        "limits = 3",
    ],
)
def test_the_schema_accepts_what_the_reader_accepts(toml: str, tmp_path: Path) -> None:
    config = tmp_path / ".mlops-scan.toml"
    config.write_text(toml + "\n", encoding="utf-8")
    try:
        load_config(config)
        read = True
    except ConfigError:
        read = False
    assert (schema_problems(tomllib.loads(toml)) == []) is read
