"""Fleet output on disk: ``DIR/scan_date=YYYY-MM-DD/`` partitions of JSONL and Parquet shards, and reports."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from mlops_scan.errors import UsageError
from mlops_scan.fleet.rows import Row, arrow_schema
from mlops_scan.fleet.specs import RepoSpec, Shard
from mlops_scan.fleet.worker import Outcome, Previous

_PARTITION = re.compile(r"^scan_date=(\d{4}-\d{2}-\d{2})$")
MAX_ROWS_FILE = 512 * 1024 * 1024


def partition(out: Path, scan_date: str) -> Path:
    """The folder of one scan date."""
    return out / f"scan_date={scan_date}"


def write_shard(
    out: Path, scan_date: str, shard: Shard, outcomes: Sequence[Outcome], capability_ids: Sequence[str]
) -> list[Path]:
    """Write one shard's rows (JSONL, and Parquet when pyarrow is installed) and its reports; the files
    written. Names are deterministic, so a rerun of the same shard on the same date replaces them."""
    folder = partition(out, scan_date)
    (folder / "reports").mkdir(parents=True, exist_ok=True)
    rows = []
    for outcome in outcomes:
        row = outcome.row
        if outcome.report is not None:
            row = replace(row, report=f"reports/{RepoSpec(row.repo, row.ref).slug}.json")
            _atomic_write(folder / row.report, outcome.report.encode("utf-8"))
        rows.append(row.flat(capability_ids))
    jsonl = folder / f"{shard.name}.jsonl"
    _atomic_write(jsonl, "".join(json.dumps(r, sort_keys=False) + "\n" for r in rows).encode("utf-8"))
    written = [jsonl]
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return written
    table = pa.Table.from_pylist(rows, schema=arrow_schema(capability_ids))
    parquet = folder / f"{shard.name}.parquet"
    pq.write_table(table, str(parquet) + ".tmp")
    os.replace(str(parquet) + ".tmp", parquet)
    return [*written, parquet]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def dates(out: Path) -> list[str]:
    """The scan dates with a partition under ``out``, oldest first."""
    if not out.is_dir():
        raise UsageError(f"{out}: no such fleet output folder")
    return sorted(m[1] for p in out.iterdir() if p.is_dir() and (m := _PARTITION.match(p.name)))


def read_rows(out: Path, scan_date: str) -> list[Row]:
    """Every row of one date partition (all shards), sorted by repository."""
    rows = []
    for path in sorted(partition(out, scan_date).glob("shard-*.jsonl")):
        if path.stat().st_size > MAX_ROWS_FILE:
            raise UsageError(f"{path}: larger than {MAX_ROWS_FILE // 2**20} MiB")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                rows.append(Row.from_flat(json.loads(line)))
            except (ValueError, TypeError, KeyError) as exc:
                raise UsageError(f"{path}:{number}: not a fleet row ({exc})") from None
    return sorted(rows, key=lambda r: (r.repo, r.ref))


def previous_rows(since: Path) -> dict[str, Previous]:
    """The latest row (and report) of each repository under an earlier run's folder, by ``repo@ref``."""
    latest: dict[str, Previous] = {}
    for scan_date in dates(since):
        for row in read_rows(since, scan_date):
            report_path = partition(since, scan_date) / row.report if row.report else None
            report = report_path.read_text(encoding="utf-8") if report_path and report_path.is_file() else None
            latest[RepoSpec(row.repo, row.ref).key] = Previous(row, report)
    return latest
