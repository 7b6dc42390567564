"""One exception hierarchy; the CLI turns each into one line and exit code 2."""

from __future__ import annotations


class MlopsScanError(Exception):
    """Base of every error mlops-scan reports to a person."""

    exit_code = 2


class UsageError(MlopsScanError):
    """The command line or the configuration asks for something impossible."""


class RulePackError(MlopsScanError):
    """A rule pack is malformed; the message names the file, the rule and the field."""

    def __init__(self, source: str, message: str, rule: str | None = None, field: str | None = None):
        where = source
        if rule:
            where += f": rule {_shown(rule)}"
        if field:
            where += f": field '{_shown(field)}'"
        super().__init__(f"{where}: {message}")
        self.source, self.rule, self.field = source, rule, field


def _shown(text: str) -> str:
    """A name from a file, escaped when it holds control characters (errors stay on one line)."""
    return text if text.isprintable() else repr(text)[1:-1]


class ModelError(MlopsScanError):
    """A maturity-model file is malformed."""


class ConfigError(MlopsScanError):
    """The project configuration (pyproject or .mlops-scan.toml) is malformed."""
