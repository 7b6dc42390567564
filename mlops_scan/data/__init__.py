"""Where the package's data files live."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
"""Maturity models, zone patterns and the report's JSON Schema shipped with the package."""
REPORT_SCHEMA = DATA_DIR / "report.schema.json"
"""JSON Schema of the ``--format json`` report (its ``schema_version`` is the report's)."""
CONFIG_SCHEMA = DATA_DIR / "config.schema.json"
"""JSON Schema (draft-07) of the ``[tool.mlops-scan]`` table and of a ``.mlops-scan.toml``."""
