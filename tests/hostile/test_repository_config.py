"""Hostile repository configuration: it can neither hang, crash, read outside nor raise the level silently.

Each case is generated: the level-1 repository of :func:`hostile.repos.base_repo`, with a
``setup.py`` and a ``conftest.py`` that would leave a marker if anything ran them, a secret
beside the repository, then one hostile piece of configuration (``.mlops-scan.toml`` or
``pyproject.toml``) and what it names. The scan runs in this process under the audit hook:
it must end in bounded time (every wait here is a bounded read or a time limit, never a
wall-clock assertion), exit 0/1/2 only (2 with one line naming the file), leave no marker,
open nothing outside the repository and never print the secret.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from hostile.repos import base_repo, commit_all, run, write
from hostile.watch import outside, watch_opens

SECRET = "TOP-SECRET-7f3a"
ALIAS_BOMB = "".join(
    [
        "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
        *(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)),
        "levels: {0: {}}\ncapabilities: {}\n",
    ]
)
MALFORMED_MODELS = {
    "list-as-id": "levels: {0: {required: [[ci]]}}\ncapabilities: {}\n",
    "gap-in-levels": "levels: {0: {}, 2: {}}\ncapabilities: {}\n",
    "number-as-capability": "levels: {0: {supporting: [1]}}\ncapabilities: {1: {name: x}}\n",
    "levels-list": "levels: [a, b]\ncapabilities: {}\n",
    "name-list": "name: [x]\nlevels: {0: {}}\ncapabilities: {}\n",
}


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


def _hostile_repo(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(repository, marker folder, secret file beside the repository)."""
    repo, markers = base_repo(tmp_path / "repo"), tmp_path / "markers"
    markers.mkdir()
    for name in ("setup.py", "conftest.py"):
        write(repo, name, f"open({str(markers / name)!r}, 'w').close()\n")
    secret = write(tmp_path, "secret/config.yaml", f"{SECRET}: 1\nschema_version: 1\n")
    return repo, markers, secret


Setup = Callable[[Path, Path], None]
"""(repository, secret file) -> None: makes the configuration hostile."""

REFUSED: dict[str, tuple[Setup, str]] = {
    "fifo-dotfile": (lambda r, s: _fifo(r / ".mlops-scan.toml"), "cannot read configuration (not a regular file"),
    "dotfile-to-dev-zero": (lambda r, s: os.symlink("/dev/zero", r / ".mlops-scan.toml"), "outside the repository"),
    "dotfile-link-out": (lambda r, s: os.symlink(s, r / ".mlops-scan.toml"), "outside the repository: not read"),
    "fifo-model": (
        lambda r, s: (_fifo(r / "models/m.yaml"), write(r, ".mlops-scan.toml", 'model = "models/m.yaml"\n')),
        "no such maturity model",
    ),
    "alias-bomb-model": (
        lambda r, s: (write(r, "m.yaml", ALIAS_BOMB), write(r, ".mlops-scan.toml", 'model = "m.yaml"\n')),
        "more than 100000 YAML nodes with aliases expanded: not read",
    ),
    "sparse-model": (
        lambda r, s: (
            write(r, "m.yaml", ""),
            os.truncate(r / "m.yaml", 4 * 1024**3),
            write(r, ".mlops-scan.toml", 'model = "m.yaml"\n'),
        ),
        "too large (4096.0 MiB > 2.0 MiB limit): not read",
    ),
    "sparse-pack": (
        lambda r, s: (
            write(r, "packs/big.yaml", ""),
            os.truncate(r / "packs/big.yaml", 4 * 1024**3),
            write(r, ".mlops-scan.toml", 'rules = ["packs"]\n'),
        ),
        "too large (4096.0 MiB > 2.0 MiB limit): not read",
    ),
    "pack-link-out": (
        lambda r, s: (
            (r / "packs").mkdir(),
            os.symlink(s, r / "packs/team.yaml"),
            write(r, ".mlops-scan.toml", 'rules = ["packs"]\n'),
        ),
        "'team.yaml' in packs/ is a link to a file outside the repository: not read",
    ),
    "fifo-pack": (
        lambda r, s: (_fifo(r / "team.yaml"), write(r, ".mlops-scan.toml", 'rules = ["team.yaml"]\n')),
        "not a regular file or folder (a FIFO or device): not read",
    ),
    **{
        f"model-{name}": (
            lambda r, s, text=text: (write(r, "m.yaml", text), write(r, ".mlops-scan.toml", 'model = "m.yaml"\n')),
            "m.yaml",
        )
        for name, text in MALFORMED_MODELS.items()
    },
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hostile_configuration_is_a_one_line_error(tmp_path: Path, case: str) -> None:
    setup, message = REFUSED[case]
    repo, markers, secret = _hostile_repo(tmp_path)
    setup(repo, secret)
    with watch_opens() as opened:
        report = run("scan", str(repo), "--format", "json", "--quiet")
    assert (report.code, report.stdout) == (2, "")
    [line] = report.stderr.splitlines()
    assert line.startswith("mlops-scan: error: ") and message in line
    assert SECRET not in report.stderr
    assert list(markers.iterdir()) == []
    assert outside(list(opened), repo) == []


def _scan_json(repo: Path, *options: str):
    with watch_opens() as opened:
        report = run("scan", str(repo), "--format", "json", "--quiet", *options)
    assert report.code in (0, 1), report.stderr
    return report, json.loads(report.stdout), list(opened)


def test_a_fifo_pyproject_is_not_configuration(tmp_path: Path) -> None:
    repo, markers, _ = _hostile_repo(tmp_path)
    _fifo(repo / "pyproject.toml")
    report, data, opened = _scan_json(repo)
    assert (report.code, data["level"], data["configuration"]["file"]) == (0, 1, None)
    assert list(markers.iterdir()) == [] and outside(opened, repo) == []


def test_limits_of_100_gb_are_clamped_with_a_note(tmp_path: Path) -> None:
    repo, markers, _ = _hostile_repo(tmp_path)
    limits = 'max-file-bytes = "100GB"\nmax-notebook-bytes = "100GB"\nmax-files = 4000000000\nparse-timeout = 0\n'
    write(repo, ".mlops-scan.toml", "[limits]\n" + limits)
    write(repo, "big.txt", "x" * 3000)
    report, data, opened = _scan_json(repo)
    assert (report.code, data["level"]) == (0, 1)
    assert data["notes"][1:] == [
        "Limit max-file-bytes = 93.1 GiB is above its hard maximum: 256.0 MiB used.",
        "Limit max-notebook-bytes = 93.1 GiB is above its hard maximum: 512.0 MiB used.",
        "Limit max-files = 4,000,000,000 is above its hard maximum: 10,000,000 used.",
        "Limit parse-timeout = 0 (no bound) is above its hard maximum: 600 s used.",
    ]
    assert list(markers.iterdir()) == [] and outside(opened, repo) == []


GENEROUS_MODEL = """\
id: microsoft
name: Microsoft MLOps maturity model
source: https://learn.microsoft.com/azure/architecture/ai-ml/guide/mlops-maturity-model
levels:
  0: {name: No MLOps}
  1: {name: DevOps but no MLOps, supporting: [ci]}
  2: {name: Automated training}
  3: {name: Automated model deployment}
  4: {name: Full MLOps automated operations}
capabilities:
  ci: {name: continuous integration}
"""


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif", "shields"])
def test_a_repository_model_posing_as_microsofts_is_named_in_every_format(tmp_path: Path, fmt: str) -> None:
    repo, markers, _ = _hostile_repo(tmp_path)
    write(repo, "models/microsoft.yaml", GENEROUS_MODEL)
    write(repo, ".mlops-scan.toml", 'model = "models/microsoft.yaml"\n[assume]\nci = "we say so"\n')
    with watch_opens() as opened:
        report = run("scan", str(repo), "--format", fmt, "--quiet", "--no-color", "--fail-under", "4")
    assert report.code == 0  # the level is 4 under the repository's model: the gate passes, but not silently
    shown = " ".join(report.stdout.split())
    if fmt in ("json", "sarif"):
        shown = json.dumps(json.loads(report.stdout))
    assert "(repository's own config)" in shown if fmt == "shields" else "from the scanned repository" in shown
    assert report.stderr == (
        "mlops-scan: warning: --fail-under 4: The model and assumptions come from the scanned repository's "
        ".mlops-scan.toml, not from mlops-scan or the command line: the level depends on them (scan with "
        "--no-config to leave them out, or --trusted-config if you vouch for them).\n"
    )
    assert list(markers.iterdir()) == [] and outside(list(opened), repo) == []


def test_trusted_config_and_no_config_are_explicit_choices(tmp_path: Path) -> None:
    repo, _, _ = _hostile_repo(tmp_path)
    write(repo, "models/microsoft.yaml", GENEROUS_MODEL)
    write(repo, ".mlops-scan.toml", 'model = "models/microsoft.yaml"\n')
    trusted = run("scan", str(repo), "--format", "json", "--quiet", "--fail-under", "4", "--trusted-config")
    assert (trusted.code, trusted.stderr) == (0, "")
    data = json.loads(trusted.stdout)
    assert (data["level"], data["model"]["source"], data["configuration"]["trusted"]) == (4, "repository", True)
    ignored = run("scan", str(repo), "--format", "json", "--quiet", "--fail-under", "4", "--no-config")
    assert ignored.code == 1
    assert ignored.stderr == "mlops-scan: level 1 (DevOps but no MLOps) is below --fail-under 4\n"
    data = json.loads(ignored.stdout)
    assert (data["model"]["source"], data["configuration"]) == (
        "built-in",
        {"file": None, "from_repository": [], "trusted": False, "warning": None},
    )


CATASTROPHIC_PACK = """\
schema_version: 1
rules:
  - id: ci.team-nested-quantifier
    capability: ci
    kind: file
    params: {paths: ["*.txt"], pattern: '^(a+)+$'}
    strength: strong
    title: A regex that backtracks for ever on 'aaa...ab'
    description: Nested quantifiers.
    remediation: None.
  - id: ci.team-marker
    capability: ci
    kind: file
    params: {paths: ["ok.txt"], pattern: '^fine$'}
    strength: weak
    title: A rule that matches
    description: Still runs.
    remediation: None.
"""


@pytest.mark.parametrize("count", [1, 3])
def test_a_catastrophic_regex_in_a_repository_pack_is_bounded_once(tmp_path: Path, count: int) -> None:
    repo, markers, _ = _hostile_repo(tmp_path)
    write(repo, "packs/team.yaml", CATASTROPHIC_PACK)
    write(repo, ".mlops-scan.toml", 'rules = ["packs"]\n')
    for index in range(count):  # 41 bytes each: 2**41 steps apiece without the bound
        write(repo, f"data/{index}.txt", "a" * 40 + "b\n")
    write(repo, "ok.txt", "fine\n")
    report, data, opened = _scan_json(repo, "--limit", "parse-timeout=0.5", "--trusted-config")
    assert (report.code, data["level"]) == (0, 1)
    timed_out = [s for s in data["skipped"] if "ci.team-nested-quantifier" in s["reason"]]
    assert timed_out == [
        {
            "path": timed_out[0]["path"],
            "reason": "rule ci.team-nested-quantifier (a pack of the scanned repository) ran past 0.5 s: no match, "
            "and the rule is not run on further files",
        }
    ]  # one file pays the bound; the rule runs on no other
    assert timed_out[0]["path"].startswith("data/")
    assert ("ok.txt", 1) in [(e["path"], e["line"]) for e in data["capabilities"]["ci"]["evidence"]]
    assert list(markers.iterdir()) == [] and outside(opened, repo) == []


def test_a_revisions_own_pack_and_model_are_bounded_and_named_too(tmp_path: Path) -> None:
    repo, markers, _ = _hostile_repo(tmp_path)
    write(repo, "packs/team.yaml", CATASTROPHIC_PACK)
    write(repo, "models/microsoft.yaml", GENEROUS_MODEL)
    write(repo, ".mlops-scan.toml", 'rules = ["packs"]\nmodel = "models/microsoft.yaml"\n')
    write(repo, "data/0.txt", "a" * 40 + "b\n")
    commit_all(repo)
    report, data, opened = _scan_json(repo, "--rev", "HEAD", "--limit", "parse-timeout=0.5")
    assert (report.code, data["level"]) == (0, 4)  # the revision's own model: level 4, and every report says so
    assert (data["model"]["source"], data["model"]["file"]) == ("repository", "models/microsoft.yaml")
    assert data["configuration"]["from_repository"] == ["model", "rules"]
    timed_out = [s for s in data["skipped"] if "ci.team-nested-quantifier" in s["reason"]]
    assert [s["path"] for s in timed_out] == ["data/0.txt"]
    assert list(markers.iterdir()) == [] and outside(opened, repo) == []
