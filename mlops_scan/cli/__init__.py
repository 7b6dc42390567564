"""The command line: wires the stages together and picks the exit code."""

from mlops_scan.cli.app import main

__all__ = ["main"]
