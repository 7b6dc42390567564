"""A fleet row: one repository's scan as a flat record, with its explicit Arrow schema."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("ok", "error", "timeout", "skipped")

FIXED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("repo", "string"),
    ("ref", "string"),
    ("commit", "string"),
    ("scan_date", "string"),
    ("tool_version", "string"),
    ("rules_hash", "string"),
    ("model", "string"),
    ("level", "int32"),
    ("evidence_count", "int32"),
    ("duration_s", "float64"),
    ("status", "string"),
    ("error", "string"),
    ("carried_forward", "bool"),
    ("report", "string"),
)
"""Name and Arrow type of every column but the capability columns (``cap_<id>``, bool), which follow ``level``."""


@dataclass
class Row:
    """One repository in one fleet run; ``level`` is -1 and capabilities empty unless ``status`` is ok."""

    repo: str
    ref: str
    scan_date: str
    tool_version: str
    rules_hash: str
    model: str
    status: str
    commit: str = ""
    level: int = -1
    capabilities: dict[str, bool] = field(default_factory=dict)
    evidence_count: int = 0
    duration_s: float = 0.0
    error: str = ""
    carried_forward: bool = False
    report: str = ""
    """Path of the repository's JSON report, relative to the run's date partition ('' without one)."""

    def flat(self, capability_ids: Iterable[str]) -> dict[str, Any]:
        """The row as the columns of the table, capabilities as ``cap_<id>`` (null when not scanned)."""
        data = asdict(self)
        for cid in capability_ids:
            data[f"cap_{cid}"] = self.capabilities.get(cid) if self.status == "ok" else None
        return {name: data[name] for name in column_names(capability_ids)}

    @classmethod
    def from_flat(cls, data: Mapping[str, Any]) -> Row:
        """The row a :meth:`flat` record came from."""
        caps = {k[4:]: bool(v) for k, v in data.items() if k.startswith("cap_") and v is not None}
        fields = {name: data[name] for name, _ in FIXED_COLUMNS if name in data}
        return cls(capabilities=caps, **fields)


def column_names(capability_ids: Iterable[str]) -> list[str]:
    """Every column, in order."""
    names = [name for name, _ in FIXED_COLUMNS]
    at = names.index("level") + 1
    return names[:at] + [f"cap_{c}" for c in capability_ids] + names[at:]


def arrow_schema(capability_ids: Iterable[str]) -> Any:
    """The explicit ``pyarrow.Schema`` of the table (pyarrow is the ``parquet`` extra)."""
    import pyarrow as pa

    arrow = {"string": pa.string(), "int32": pa.int32(), "float64": pa.float64(), "bool": pa.bool_()}
    types = dict(FIXED_COLUMNS)
    return pa.schema(
        [pa.field(n, pa.bool_() if n.startswith("cap_") else arrow[types[n]]) for n in column_names(capability_ids)]
    )
