"""A large mapping kept in the facts cache as a base entry and a small delta, so a scan that changed a few of its
entries writes a few entries, not the whole mapping again.

The *head* (kind, key) holds the caller's small fields, the id of the base and the delta: the entries added or
changed since the base was written, and None for those removed. The base (``<kind>-base``, keyed by the SHA-256 of
its text) holds the mapping as it was then. When the delta would hold more than :data:`FOLD_SHARE` of the entries,
the base is written again and the delta starts empty. A head whose base is missing or of another shape is a miss;
the entries are the caller's to check. Old bases are never read again and leave with the least recently used.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_scan.facts.blobcache import BlobCache

FOLD_SHARE = 1 / 16
"""Past this share of the entries in the delta (and at least :data:`FOLD_AT` entries), the base is written again."""
FOLD_AT = 64


@dataclass
class SplitValue:
    """A mapping as read (``head``: the caller's fields; ``entries``: base and delta merged, never None), and where it
    came from."""

    head: dict[str, object] = field(default_factory=dict)
    entries: dict[str, object] = field(default_factory=dict)
    base_id: str | None = None
    base: dict[str, object] = field(default_factory=dict)
    delta: dict[str, object] = field(default_factory=dict)


def get_split(cache: BlobCache, kind: str, key: str) -> SplitValue:
    """The mapping kept for ``(kind, key)``; empty when there is none or it has another shape."""
    value = cache.get(kind, key)
    if not isinstance(value, dict) or not isinstance(value.get("head"), dict):
        return SplitValue()
    base_id, delta = value.get("base"), value.get("delta")
    base = cache.get(f"{kind}-base", base_id) if isinstance(base_id, str) else None
    if not isinstance(base, dict) or not isinstance(delta, dict):
        return SplitValue()
    entries = {**base, **delta} if delta else base
    for path in [path for path, item in delta.items() if item is None]:
        del entries[path]
    return SplitValue(value["head"], entries, base_id, base, delta)


def put_split(
    cache: BlobCache, kind: str, key: str, head: dict[str, object], entries: dict[str, object], before: SplitValue
) -> None:
    """Keep ``head`` and ``entries`` for ``(kind, key)``, as a delta to the base ``before`` came from when that is
    small, else with a new base; nothing is written when both are what ``before`` holds."""
    base = before.base if before.base_id is not None else {}
    delta: dict[str, object] = {path: item for path, item in entries.items() if base.get(path, _ABSENT) != item}
    delta |= {path: None for path in base if path not in entries}
    base_id = before.base_id
    if base_id is None or len(delta) > max(FOLD_AT, len(entries) * FOLD_SHARE):
        text = json.dumps(entries, separators=(",", ":"))
        base_id = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        if base_id != before.base_id:
            cache.put_text(f"{kind}-base", base_id, text)
        delta = {}
    if head == before.head and delta == before.delta and base_id == before.base_id:
        return
    cache.put(kind, key, {"head": head, "base": base_id, "delta": delta})


_ABSENT = object()
