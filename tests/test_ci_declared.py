"""Build configs that infrastructure code declares a trigger or a CodeBuild project for are read as triggered CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepos import commit, git, write
from hostile.repos import run

from mlops_scan.facts.ci.iacrefs import BuildConfigRef, declared_configs

TERRAFORM = """\
# resource "google_cloudbuild_trigger" "old" { filename = "ci/old.yaml" }
resource "google_cloudbuild_trigger" "pr" {
  name = "checks" # a brace in a comment {
  github {
    owner = "acme"
    pull_request {
      branch = "^main$"
    }
  }
  filename = "ci/checks.yaml"
}

resource "google_cloudbuild_trigger" "off" {
  disabled = true
  trigger_template { branch_name = "main" }
  filename = "ci/off.yaml"
}

resource "google_cloudbuild_trigger" "by_hand" {
  source_to_build {
    ref = "refs/heads/main"
  }
  filename = "ci/by-hand.yaml"
}

resource "google_cloudbuild_trigger" "both" {
  trigger_template {
    branch_name = "main"
  }
  github {
    push {
      tag = "^v"
    }
  }
  filename = "./ci/../ci/release.yaml"
}

resource "aws_codebuild_project" "tests" {
  source {
    type      = "GITHUB"
    buildspec = "specs/tests.yml"
  }
}

resource "aws_codebuild_project" "local" {
  source {
    buildspec = file("${path.module}/deploy.yml")
  }
}

resource "aws_codebuild_project" "outside" {
  source {
    buildspec = "../elsewhere/spec.yml"
  }
}
"""


def test_terraform_declarations() -> None:
    refs = declared_configs("infra/main.tf", TERRAFORM, lambda path: path != "ci/missing.yaml")
    assert refs == [
        BuildConfigRef("ci/checks.yaml", "cloud-build", ("pull_request",), 2),
        BuildConfigRef("ci/release.yaml", "cloud-build", ("tag", "push"), 26),
        BuildConfigRef("specs/tests.yml", "codebuild", ("push",), 38),
        BuildConfigRef("infra/deploy.yml", "codebuild", ("push",), 45),
    ]
    assert declared_configs("infra/main.tf", TERRAFORM, lambda path: False) == []


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "infra/stack.template.json",
            '{"Resources": {"P": {"Type": "AWS::CodeBuild::Project",\n'
            '  "Properties": {"Source": {"Type": "CODEPIPELINE",\n    "BuildSpec": "ci/spec.yml"}}}}}',
            [BuildConfigRef("ci/spec.yml", "codebuild", ("push",), 3)],
        ),
        (
            "infra/stack.yml",
            "Resources:\n  P:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Source:\n"
            "        BuildSpec: |\n          version: 0.2\n",
            [],
        ),
        (
            "infra/app/stack.py",
            "spec = codebuild.BuildSpec.from_source_filename('ci/spec.yml')\n"
            "local = codebuild.BuildSpec.from_asset(path='specs/local.yml')\n",
            [
                BuildConfigRef("ci/spec.yml", "codebuild", ("push",), 1),
                BuildConfigRef("infra/app/specs/local.yml", "codebuild", ("push",), 2),
            ],
        ),
        (
            "infra/lib/stack.ts",
            "new codebuild.PipelineProject(this, 'T', {\n  buildSpec: codebuild.BuildSpec.fromSourceFilename(`./ci/spec.yml`),\n});",
            [BuildConfigRef("ci/spec.yml", "codebuild", ("push",), 2)],
        ),
    ],
)
def test_cloudformation_and_cdk_declarations(path: str, text: str, expected: list[BuildConfigRef]) -> None:
    assert declared_configs(path, text, lambda _: True) == expected


CONFIG = "steps:\n  - name: $_IMAGE\n    entrypoint: pytest\n    args: [tests]\n"
TRIGGER = 'resource "google_cloudbuild_trigger" "t" {\n  trigger_template {\n    %s = "main"\n  }\n%s  filename = "ci/checks.yaml"\n}\n'


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(folder))
    return folder


def _rules(*args: str) -> tuple[dict[str, object], set[tuple[str, str, tuple[str, ...]]]]:
    report = run("scan", "-f", "json", "-q", "--no-config", *args)
    assert report.code == 0, report.stderr
    data = json.loads(report.stdout)
    found = {
        (e["rule"], e["path"], tuple(e.get("via", ())))
        for capability in data["capabilities"].values()
        for e in capability.get("evidence", [])
    }
    return data, found


def test_only_the_declaration_changes_warm_and_cold_agree(tmp_path: Path, cache_dir: Path) -> None:
    """The config's blob never changes; what counts follows the Terraform trigger as it is in each revision."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "ci/checks.yaml", CONFIG)
    states = [
        TRIGGER % ("branch_name", ""),
        TRIGGER % ("branch_name", "  disabled = true\n"),
        TRIGGER % ("tag_name", ""),
    ]
    for day, text in enumerate(states):
        write(repo, "infra/triggers.tf", text)
        commit(repo, f"trigger {day}", day, f"t{day}")
    expected = [True, False, False]
    for rounds in range(2):
        for tag, ci in zip(("t0", "t1", "t2"), expected):
            warm, found = _rules("--rev", tag, str(repo))
            assert warm == _rules("--rev", tag, "--no-cache", str(repo))[0], (rounds, tag)
            assert (("ci.cloud-build-config", "ci/checks.yaml", ("infra/triggers.tf:1",)) in found) is ci, tag
            assert (("automated_tests.ci-runs-tests", "ci/checks.yaml", ("infra/triggers.tf:1",)) in found) is (
                tag != "t1"
            )
