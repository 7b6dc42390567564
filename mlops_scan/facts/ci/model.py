"""The normalised shape of any CI definition."""

from __future__ import annotations

from dataclasses import dataclass, field

TRIGGERS = ("push", "pull_request", "schedule", "tag", "release", "manual", "dispatch", "workflow_call", "pipeline")
"""Normalised trigger names. ``manual``: run by hand (workflow_dispatch, custom); ``pipeline``: after another pipeline."""


@dataclass
class Step:
    """One step: the command it runs (or the action it uses) and where."""

    command: str
    line: int
    uses: str = ""
    """GitHub action / Azure task / orb reference, when the step uses one."""


@dataclass
class Job:
    """A job (or stage) with its steps."""

    name: str
    line: int
    steps: list[Step] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)
    """Job-level keys (``environment``, ``when``) and their lines."""
    triggers: dict[str, int] = field(default_factory=dict)
    """Job-level triggers (GitLab ``rules: if: $CI_PIPELINE_SOURCE == "schedule"``)."""


@dataclass
class Pipeline:
    """One CI definition file."""

    system: str
    path: str
    triggers: dict[str, int] = field(default_factory=dict)
    """Trigger name -> line."""
    jobs: list[Job] = field(default_factory=list)
    line: int = 1
