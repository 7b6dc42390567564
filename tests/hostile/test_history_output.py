"""history, diff and the fleet dashboard escape names as the scan's reports do.

One generated repository per hostile character: a first commit at level 1 (tag ``v1`` plus a
tag whose name holds the character), then a commit adding evidence in a file whose name holds
it. Every history format (text, JSON, SVG) and diff format (text, Markdown, JSON) must show the
character escaped, never raw, and no line may begin with ``::``; JSON must still parse to the
true name. The fleet dashboard shows every string of its data escaped.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from hostile.repos import TRACKING, base_repo, commit_all, git, run, write
from hostile.test_output import NAMES, RAW
from mlops_scan.fleet import dashboard, store
from mlops_scan.fleet.rows import Row
from mlops_scan.fleet.specs import Shard
from mlops_scan.fleet.worker import Outcome

CASES = {case: NAMES[case] for case in ("c1-next-line", "line-separator", "bidi-override", "zero-width-space")}


def _repository(tmp_path: Path, name: str) -> tuple[Path, str]:
    """A repository with tags v1 and ``v1<char>`` at level 1, then a commit adding evidence in ``name``."""
    repo = base_repo(tmp_path / "repo")
    commit_all(repo)
    char = next(c for c in RAW if c in name)
    tag = f"v1{char}"
    git(repo, "tag", "v1")
    git(repo, "tag", tag)
    write(repo, name, TRACKING)
    write(repo, "::error file=a::x/train.py", TRACKING)
    commit_all(repo, "track")
    git(repo, "tag", "v2")
    return repo, tag


def _clean(output: str) -> None:
    assert not any(char in output for char in RAW)
    assert not any(line.lstrip().startswith("::") for line in output.splitlines())


@pytest.mark.parametrize("case", sorted(CASES))
def test_history_and_diff_escape_names_in_every_format(tmp_path: Path, case: str, monkeypatch) -> None:
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(tmp_path / "cache"))
    name, shown = CASES[case]
    repo, tag = _repository(tmp_path, name)
    for fmt in ("text", "json", "svg"):
        report = run("history", "--tags", "-f", fmt, str(repo))
        assert report.code == 0, report.stderr
        _clean(report.stdout)
        if fmt == "json":
            labels = [r["revision"] for r in json.loads(report.stdout)["revisions"]]
            assert tag in labels  # the true tag, once parsed
        elif fmt == "svg":
            ElementTree.fromstring(report.stdout)  # still a well-formed document
            assert shown in report.stdout
        else:
            assert shown in report.stdout
    for fmt in ("text", "markdown", "json"):
        report = run("diff", tag, "v2", "-f", fmt, "--repo", str(repo))
        assert report.code == 0, report.stderr
        _clean(report.stdout)
        if fmt == "json":
            added = [e["path"] for e in json.loads(report.stdout)["evidence_added"]]
            assert name in added and "::error file=a::x/train.py" in added
        else:
            assert shown in report.stdout


def test_the_fleet_dashboard_shows_names_escaped(tmp_path: Path) -> None:
    rows = [
        Row(
            f"https://example.invalid/{case}{name}",
            "main",
            "2026-12-01",
            "0.2.0",
            "h",
            "microsoft",
            "error",
            error=name,
        )
        for case, (name, _) in sorted(CASES.items())
    ]
    store.write_shard(tmp_path, "2026-12-01", Shard(), [Outcome(row, None) for row in rows], ["ci"])
    page = dashboard.render(tmp_path, tmp_path)
    payload = page.split('id="fleet-data"', 1)[1].split(">", 1)[1].split("</script>", 1)[0]
    data = json.loads(payload)
    shown = [(row["repo"], row["error"]) for row in data["rows"]]
    assert all(not any(c in repo + error for c in RAW) for repo, error in shown)
    assert {error for _, error in shown} == {
        name.replace(c, f"\\u{ord(c):04x}") for name, _ in CASES.values() for c in RAW if c in name
    }
