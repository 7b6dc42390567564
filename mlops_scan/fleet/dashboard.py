"""The fleet dashboard: one self-contained HTML page (no network) of a fleet output folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mlops_scan.data import DATA_DIR
from mlops_scan.errors import UsageError
from mlops_scan.fleet.rows import Row
from mlops_scan.fleet.store import dates, partition, read_rows
from mlops_scan.reporters.escape import escape_text

TEMPLATE = DATA_DIR / "fleet-dashboard.html"


def render(out: Path, page_folder: Path) -> str:
    """The page for ``out``'s latest scan date (and the trend over every date); report links are
    relative to ``page_folder``, where the page will be written."""
    found = dates(out)
    if not found:
        raise UsageError(f"{out}: no scan_date=YYYY-MM-DD partitions (run `mlops-scan fleet REPOS.txt --out {out}`)")
    latest = read_rows(out, found[-1])
    data = {
        "latest": found[-1],
        "capabilities": _capabilities(latest),
        "rows": [_row(r, partition(out, found[-1]), page_folder) for r in latest],
        "trend": [_trend_point(d, read_rows(out, d)) for d in found],
    }
    payload = json.dumps(_shown(data), ensure_ascii=True, sort_keys=True).replace("<", "\\u003c")
    return TEMPLATE.read_text(encoding="utf-8").replace("/*FLEET_DATA*/{}", payload)


def _shown(value: Any) -> Any:
    """``value`` with every string escaped as the reports are (the page would show a bidi override decoded)."""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, list):
        return [_shown(v) for v in value]
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items()}
    return value


def _capabilities(rows: list[Row]) -> list[dict[str, Any]]:
    """Capability ids in the model's order, with names, for the heat map's columns."""
    from mlops_scan.assessment.maturity import load_model

    model_name = next((r.model for r in rows), "microsoft")
    try:
        model = load_model(model_name)
    except Exception:  # a model file that moved since the run: ids alone still make a heat map
        ids = sorted({c for r in rows for c in r.capabilities})
        return [{"id": c, "name": c, "level": None} for c in ids]
    return [{"id": cid, "name": c.name, "level": c.level} for cid, c in model.capabilities.items()]


def _row(row: Row, folder: Path, page_folder: Path) -> dict[str, Any]:
    href = os.path.relpath(folder / row.report, page_folder) if row.report else ""
    return {
        "repo": row.repo,
        "ref": row.ref,
        "commit": row.commit[:12],
        "level": row.level,
        "status": row.status,
        "error": row.error,
        "caps": row.capabilities,
        "evidence": row.evidence_count,
        "seconds": row.duration_s,
        "carried": row.carried_forward,
        "href": Path(href).as_posix() if href else "",
    }


def _trend_point(scan_date: str, rows: list[Row]) -> dict[str, Any]:
    levels = [r.level for r in rows if r.status == "ok"]
    by_level = [levels.count(n) for n in range(max(levels, default=0) + 1)]
    return {
        "date": scan_date,
        "repositories": len(rows),
        "scanned": len(levels),
        "by_level": by_level,
        "mean": round(sum(levels) / len(levels), 2) if levels else None,
    }
