"""The CI systems, and which one a file is by its path alone, or whether it may declare a build config (no parsing:
the workflow kind asks of every listed file; the readers that parse a file are in :mod:`mlops_scan.facts.ci.readers`
and :mod:`mlops_scan.facts.ci.iacrefs`)."""

from __future__ import annotations

import re

SYSTEMS = (
    "github-actions",
    "gitlab-ci",
    "azure-pipelines",
    "jenkins",
    "circleci",
    "travis",
    "bitbucket",
    "buildkite",
    "drone",
    "cloud-build",
    "codebuild",
    "tekton",
    "github-actions-template",
    "pre-commit",
)
OPT_IN_SYSTEMS = ("github-actions-template", "pre-commit")
"""Not CI that runs: workflow-shaped YAML parked outside ``.github/workflows/`` (inert until copied) and
git hooks. Only rules that name them in ``systems`` see them."""
_YAML_SUFFIXES = (".yml", ".yaml")


def detect_system(path: str) -> str | None:
    """The CI system a path belongs to by name alone (content-detected systems return ``yaml?``)."""
    name = path.rsplit("/", 1)[-1]
    lower = name.lower()
    if path.startswith(".github/workflows/") and lower.endswith(_YAML_SUFFIXES):
        return "github-actions"
    if lower in (".gitlab-ci.yml", ".gitlab-ci.yaml") or (
        path.startswith(".gitlab/") and lower.endswith(_YAML_SUFFIXES)
    ):
        return "gitlab-ci"
    if name == "Jenkinsfile" or lower.endswith(".jenkinsfile") or name.startswith("Jenkinsfile."):
        return "jenkins"
    if path in (".circleci/config.yml", ".circleci/config.yaml"):
        return "circleci"
    if path == ".travis.yml":
        return "travis"
    if lower in ("bitbucket-pipelines.yml", "bitbucket-pipelines.yaml"):
        return "bitbucket"
    if path.startswith(".buildkite/") and lower.endswith(_YAML_SUFFIXES):
        return "buildkite"
    if lower in (".drone.yml", ".drone.yaml"):
        return "drone"
    if lower in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
        return "pre-commit"
    if lower.endswith(_YAML_SUFFIXES) or lower == "cloudbuild.json":
        return "yaml?"
    return None


BUILD_CONFIG_SYSTEMS = ("cloud-build", "codebuild")
"""Systems whose trigger may be declared outside the file, in infrastructure code (``facts/ci/iacrefs.py``)."""


DECLARATION_HINTS = ("cloudbuild_trigger", "uildspec", "uildSpec")
"""One of these is in every declaration :mod:`~mlops_scan.facts.ci.iacrefs` reads (plain substring tests: most files
hold none, and its reader is never imported for them)."""
_IAC_SUFFIXES = (".tf", ".py", ".ts", ".js", ".yml", ".yaml", ".template")
_CFN_JSON = re.compile(r"(template|cfn)[^/]*\.json$")


def may_declare(path: str) -> bool:
    """Whether a file of this name may declare a build config (Terraform, CloudFormation, CDK in Python or
    TypeScript/JavaScript); the text decides."""
    lower = path.lower()
    if lower.endswith((".d.ts", ".test.ts", ".spec.ts")):
        return False
    return lower.endswith(_IAC_SUFFIXES) or bool(_CFN_JSON.search(lower))
