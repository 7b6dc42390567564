"""Bounds on the work one repository can cause, and ``--limit NAME=VALUE`` / ``--max-file-size`` parsing."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from typing import Any

from mlops_scan.errors import UsageError
from mlops_scan.snapshot.text import printable


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one repository can cause (see docs/security.md)."""

    max_file_bytes: int = 2 * 1024 * 1024
    """Text files larger than this are skipped."""
    max_notebook_bytes: int = 32 * 1024 * 1024
    """Notebooks larger than this are skipped (outputs make notebooks big)."""
    max_files: int = 500_000
    """Listing stops after this many files."""
    max_depth: int = 64
    """Folders nested deeper than this are not walked."""
    max_yaml_nodes: int = 200_000
    """A YAML stream with more nodes than this, aliases expanded, is not parsed."""
    max_evidence_per_rule: int = 50
    """Evidence kept per rule; the rest is counted, not listed."""
    parse_timeout: float = 10.0
    """Seconds one parse of one file may take before it is abandoned (0: no bound)."""
    git_timeout: float = 60.0
    """Seconds one git call may take before it is killed (the folder is then walked)."""

    def with_options(self, options: list[str] | tuple[str, ...]) -> Limits:
        """A copy with ``name=value`` options applied: ``max-file-bytes=4MiB``, ``parse-timeout=2``."""
        names = {f.name for f in fields(self)}
        changes: dict[str, Any] = {}  # each value checked against its field by _parse_limit
        for option in options:
            name, sep, value = option.partition("=")
            field_name = name.strip().replace("-", "_")
            if not sep or field_name not in names:
                known = ", ".join(n.replace("_", "-") for n in sorted(names))
                raise UsageError(f"--limit {printable(option[:60])}: expected NAME=VALUE with NAME one of {known}")
            changes[field_name] = _parse_limit(name.strip(), value.strip(), field_name)
        return replace(self, **changes)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?i?b?)", re.I)
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1000,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1000**3,
    "gib": 1024**3,
}


def parse_size(text: str) -> int:
    """Bytes in a size such as ``2MiB``, ``500kB`` or ``1048576``; ValueError otherwise."""
    match = _SIZE.fullmatch(text.strip())
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {printable(text[:40])!r} (e.g. 2MiB, 500kB, 1048576)")
    size = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if size >= 2**63:
        raise ValueError(f"not a size: {printable(text[:40])!r} is too large")
    return int(size)


def _parse_limit(name: str, value: str, field_name: str) -> int | float:
    shown = printable(f"{name}={value}"[:60])
    try:
        if field_name.endswith("_bytes"):
            number: int | float = parse_size(value)
        elif field_name.endswith("_timeout"):
            number = float(value)
        else:
            number = int(value)
    except ValueError:
        kind = (
            "a size such as 2MiB"
            if field_name.endswith("_bytes")
            else "a number of seconds"
            if field_name.endswith("_timeout")
            else "a whole number"
        )
        raise UsageError(f"--limit {shown}: expected {kind}") from None
    if not math.isfinite(number):
        raise UsageError(f"--limit {shown}: expected a finite number")
    if number < 0 or (number == 0 and field_name != "parse_timeout"):
        raise UsageError(f"--limit {shown}: must be {'positive' if field_name != 'parse_timeout' else 'zero or more'}")
    return number
