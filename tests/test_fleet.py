"""Fleet scans of a generated fleet of 34 repositories: rows through the pool, shards and Ray, reuse with
--since, the Parquet schema, and the dashboard in a real headless browser."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fleet.corpus import MAX_FILES, Expected, build_fleet, hanging_server

from mlops_scan.cli.app import cli
from mlops_scan.fleet import store
from mlops_scan.fleet.rows import Row, arrow_schema
from mlops_scan.fleet.specs import RepoSpec, Shard, parse_shard, parse_spec, read_repos_file, shard_from_env

DATE = "2026-12-01"
TIMEOUT = "300"
CLONE_TIMEOUT = "5"
CAPABILITIES = 16  # the 15 of MATURITY.md and the notebook_centric finding


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Expected]]]:
    with hanging_server() as hang_url:
        yield build_fleet(tmp_path_factory.mktemp("fleet"), hang_url)


def run_fleet(repos: Path, out: Path, *extra: str) -> str:
    args = [
        "fleet",
        str(repos),
        "--out",
        str(out),
        "--scan-date",
        DATE,
        "--timeout",
        TIMEOUT,
        "--clone-timeout",
        CLONE_TIMEOUT,
    ]
    result = CliRunner().invoke(cli, [*args, "--max-files", str(MAX_FILES), "--jobs", "2", "-q", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def comparable(rows: list[Row]) -> list[dict[str, object]]:
    """Rows without what differs between runs of the same scan (time taken, reuse, where the report went)."""
    return [asdict(replace(r, duration_s=0.0, carried_forward=False, report="")) for r in rows]


@pytest.fixture(scope="module")
def pool_out(fleet: tuple[Path, list[Expected]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pool")
    summary = run_fleet(fleet[0], out)
    assert "34 repositories (30 ok, 2 error, 1 timeout, 1 skipped; 0 carried forward)" in summary
    return out


def test_pool_rows_are_the_known_truth(fleet: tuple[Path, list[Expected]], pool_out: Path) -> None:
    rows = store.read_rows(pool_out, DATE)
    got = [Expected(r.repo, r.ref, r.status, r.level) for r in rows]
    assert got == fleet[1]
    ok = [r for r in rows if r.status == "ok"]
    assert all(len(r.commit) == 40 and r.error == "" and len(r.capabilities) == CAPABILITIES for r in ok)
    assert all(r.level == -1 and r.capabilities == {} and r.error for r in rows if r.status != "ok")
    by_status = {r.status: r.error for r in rows if r.status != "ok"}
    assert by_status["skipped"] == f"too large: {MAX_FILES + 6} files, over the limit of {MAX_FILES}"
    assert by_status["timeout"].endswith(f": cannot clone (git clone took longer than {CLONE_TIMEOUT} s)")
    level4 = next(r for r in rows if r.level == 4)
    report = json.loads((store.partition(pool_out, DATE) / level4.report).read_text())
    assert report["level"] == 4 and report["root"] == RepoSpec(level4.repo, level4.ref).key
    assert level4.evidence_count == sum(len(c["evidence"]) for c in report["capabilities"].values())


def test_parquet_has_the_explicit_schema_and_the_jsonl_rows(pool_out: Path) -> None:
    import pyarrow.parquet as pq

    folder = store.partition(pool_out, DATE)
    assert sorted(p.name for p in folder.iterdir()) == [
        "reports",
        "shard-00000-of-00001.jsonl",
        "shard-00000-of-00001.parquet",
    ]
    table = pq.read_table(folder / "shard-00000-of-00001.parquet")
    capability_ids = [n[4:] for n in table.schema.names if n.startswith("cap_")]
    assert len(capability_ids) == CAPABILITIES
    assert table.schema.equals(arrow_schema(capability_ids))
    lines = (folder / "shard-00000-of-00001.jsonl").read_text().splitlines()
    assert table.to_pylist() == [json.loads(line) for line in lines]


def test_shards_merged_equal_the_pool(fleet: tuple[Path, list[Expected]], pool_out: Path, tmp_path: Path) -> None:
    for index in range(3):
        run_fleet(fleet[0], tmp_path, "--shard", f"{index}/3")
    names = sorted(p.name for p in store.partition(tmp_path, DATE).glob("*.jsonl"))
    assert names == [f"shard-0000{i}-of-00003.jsonl" for i in range(3)]
    assert comparable(store.read_rows(tmp_path, DATE)) == comparable(store.read_rows(pool_out, DATE))


def test_ray_gives_the_pool_rows_and_retries_a_killed_worker(
    fleet: tuple[Path, list[Expected]], pool_out: Path, tmp_path: Path
) -> None:
    from mlops_scan.fleet import engines
    from mlops_scan.fleet.worker import run_one

    specs = read_repos_file(fleet[0])
    settings = _settings_of(pool_out)
    marker = tmp_path / "killed-once"
    victim = specs[0].key

    def dies_once(spec, run_settings, previous):  # type: ignore[no-untyped-def]
        if spec.key == victim and not marker.exists():
            marker.write_text("killed")
            os._exit(1)  # the Ray worker process dies mid-task
        return run_one(spec, run_settings, previous)

    outcomes = engines.run_ray(specs, settings, {}, None, 2, task=dies_once)
    assert marker.exists()
    rows = [o.row for o in outcomes]
    assert comparable(rows) == comparable(store.read_rows(pool_out, DATE))


def _settings_of(out: Path):  # type: ignore[no-untyped-def]
    from mlops_scan import __version__
    from mlops_scan.fleet.scan import ScanSettings
    from mlops_scan.fleet.worker import RunSettings

    first = store.read_rows(out, DATE)[0]
    return RunSettings(
        DATE, __version__, first.rules_hash, ScanSettings(), float(TIMEOUT), float(CLONE_TIMEOUT), MAX_FILES
    )


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("https://github.com/org/repo", RepoSpec("https://github.com/org/repo")),
        ("https://github.com/org/repo@v1.2", RepoSpec("https://github.com/org/repo", "v1.2")),
        ("https://user@host/org/repo", RepoSpec("https://user@host/org/repo")),
        ("git@github.com:org/repo.git", RepoSpec("git@github.com:org/repo.git")),
        ("git@github.com:org/repo.git@release/2", RepoSpec("git@github.com:org/repo.git", "release/2")),
        ("/srv/mirrors/repo.git@main", RepoSpec("/srv/mirrors/repo.git", "main")),
        ("file:///srv/repo", RepoSpec("file:///srv/repo")),
    ],
)
def test_repository_lines(text: str, spec: RepoSpec) -> None:
    assert parse_spec(text) == spec


def test_shards_partition_the_list_stably() -> None:
    specs = [RepoSpec(f"https://example.com/r{n}") for n in range(200)]
    parts = [Shard(i, 4).select(specs) for i in range(4)]
    assert sorted(s for p in parts for s in p) == sorted(specs)
    assert all(30 < len(p) < 70 for p in parts)
    assert shard_from_env({"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"}) == Shard(1, 3)
    assert shard_from_env({"JOB_COMPLETION_INDEX": "0", "MLOPS_SCAN_SHARDS": "5"}) == Shard(0, 5)
    assert shard_from_env({}) is None
    assert parse_shard("3/4") == Shard(3, 4)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "4/4"], "mlops-scan: error: --shard 4/4: I must be in 0..N-1 and N at least 1"),
        (["--shard", "x"], "mlops-scan: error: --shard 'x': expected I/N, e.g. 0/4"),
        (["--scan-date", "yesterday"], "mlops-scan: error: --scan-date 'yesterday': expected YYYY-MM-DD"),
    ],
)
def test_bad_fleet_options_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    from mlops_scan.cli.app import main

    repos = tmp_path / "REPOS.txt"
    repos.write_text("https://example.com/a\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["fleet", str(repos), "--out", str(tmp_path / "out"), *args])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == message + "\n"


def test_dashboard_in_a_real_browser(pool_out: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("MLOPS_SCAN_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (CI installs it) but was not found")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    page_path = tmp_path / "site" / "fleet.html"
    page_path.parent.mkdir()
    result = CliRunner().invoke(cli, ["fleet", "report", str(pool_out), "--html", str(page_path)])
    assert result.exit_code == 0, result.output
    assert "<script src" not in page_path.read_text() and "https://" not in page_path.read_text()
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(page_path.as_uri())
        assert page.locator("#repos tbody tr").count() == 34
        assert page.locator("#distribution .bar[data-level='3'] .count").text_content() == "6"
        page.fill("#filter", "level:2")
        assert page.locator("#repos tbody tr").count() == 6
        assert page.locator("#shown").text_content() == "6 of 34 shown"
        page.fill("#filter", "status:timeout")
        assert page.locator("#repos tbody tr").count() == 1
        page.fill("#filter", "")
        page.click("#repos th[data-key='level']")
        page.click("#repos th[data-key='level']")
        assert page.locator("#repos tbody tr td:nth-child(2)").first.text_content() == "4"
        link = page.locator("#repos tbody tr a").first.get_attribute("href")
        assert link is not None and (page_path.parent / link).is_file()
        page.screenshot(path=str(os.environ.get("MLOPS_SCAN_SCREENSHOT", tmp_path / "fleet.png")), full_page=True)
        browser.close()
    assert problems == []


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Last: it commits to one repository of the module's fleet.
def test_rerun_overwrites_and_since_rescans_nothing_unchanged(
    fleet: tuple[Path, list[Expected]], pool_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "next"
    summary = run_fleet(fleet[0], out, "--since", str(pool_out))
    assert "(30 ok, 2 error, 1 timeout, 1 skipped; 30 carried forward)" in summary
    rows = store.read_rows(out, DATE)
    assert all(r.carried_forward for r in rows if r.status == "ok")
    assert comparable(rows) == comparable(store.read_rows(pool_out, DATE))
    reports = store.partition(out, DATE) / "reports"
    assert len(list(reports.iterdir())) == 30
    # a new commit in one repository: only that one is scanned again
    changed = next(r for r in rows if r.repo.startswith("file://") and r.level == 2)
    work = Path(changed.repo.removeprefix("file://"))
    (work / "NOTES.md").write_text("a change\n")
    os.system(
        f"cd {work} && git -c user.name=t -c user.email=t@e add -A && git -c user.name=t -c user.email=t@e commit -qm change"
    )
    summary = run_fleet(fleet[0], out, "--since", str(out))
    assert "29 carried forward" in summary
    assert len(list(store.partition(out, DATE).glob("*.jsonl"))) == 1
