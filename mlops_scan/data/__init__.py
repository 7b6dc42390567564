"""Where the package's data files live."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
"""Maturity models and zone patterns shipped with the package."""
