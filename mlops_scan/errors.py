"""One exception hierarchy; the CLI turns each into one line and exit code 2."""

from __future__ import annotations


class MlopsScanError(Exception):
    """Base of every error mlops-scan reports to a person."""

    exit_code = 2


class UsageError(MlopsScanError):
    """The command line or the configuration asks for something impossible."""


class DataFileError(MlopsScanError):
    """One of mlops-scan's data files (a rule pack, a maturity model, the zones) is malformed.

    The message is ``FILE:LINE: problem`` (the line when known)."""

    def __init__(self, source: str, message: str, line: int | None = None):
        super().__init__(f"{source}:{line}: {message}" if line else f"{source}: {message}")
        self.source, self.line, self.problem = source, line, message


class RulePackError(DataFileError):
    """A rule pack is malformed; the message names the file, the line, the rule and the field."""

    def __init__(
        self,
        source: str,
        message: str,
        rule: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ):
        where = f"{source}:{line}" if line else source
        if rule:
            where += f": rule {_shown(rule)}"
        if field:
            where += f": field '{_shown(field)}'"
        MlopsScanError.__init__(self, f"{where}: {message}")
        self.source, self.line, self.problem, self.rule, self.field = source, line, message, rule, field


def _shown(text: str) -> str:
    """A name from a file, escaped when it holds control characters (errors stay on one line)."""
    return text if text.isprintable() else repr(text)[1:-1]


class ModelError(MlopsScanError):
    """A maturity-model file is malformed."""


class ConfigError(MlopsScanError):
    """The project configuration (pyproject or .mlops-scan.toml) is malformed."""
