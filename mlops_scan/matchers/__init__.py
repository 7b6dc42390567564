"""Matcher kinds: code that serves every rule of one kind in one pass over the files."""

from mlops_scan.matchers.base import Hit, Matcher, installed_kinds

__all__ = ["Hit", "Matcher", "installed_kinds"]
