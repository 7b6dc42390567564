"""GitLab CI files as :class:`Pipeline` values: jobs, ``extends``, local includes, rules and ``only:``."""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.conditions import gitlab_never_runs
from mlops_scan.facts.ci.model import Job, Pipeline, Step
from mlops_scan.facts.ci.steps import commands, trigger_keys
from mlops_scan.facts.context import FileContext

_GITLAB_RESERVED = {
    "stages",
    "variables",
    "include",
    "default",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "types",
    "pages:deploy",
}


def read_gitlab(ctx: FileContext, doc: Node) -> Pipeline | None:
    pipeline = Pipeline("gitlab-ci", ctx.path)
    workflow = Y.get(doc, "workflow")
    if workflow is not None:
        if gitlab_never_runs(workflow):  # every workflow rule says `when: never`: no pipeline is ever created
            return None
        pipeline.triggers = _gitlab_sources(workflow)
    included = [Step(f"template: {path}", line) for path, line in _gitlab_includes(Y.get(doc, "include"))]
    if included:
        pipeline.jobs.append(Job("include", included[0].line, included))
    jobs: dict[str, Job] = {}
    parents: dict[str, list[str]] = {}
    never: dict[str, bool] = {}
    """Jobs whose own ``rules``/``when`` decide whether they run -> they never run."""
    for name, key_node, body in Y.items(doc):
        if name in _GITLAB_RESERVED or not isinstance(body, MappingNode):
            continue
        if Y.get(body, "rules") is not None or Y.get(body, "when") is not None:
            never[name] = gitlab_never_runs(body)
        job = Job(name, Y.line_of(key_node))
        for key, knode, _ in Y.items(body):
            job.keys[key] = Y.line_of(knode)
        for key in ("before_script", "script", "after_script"):
            job.steps += [Step(cmd, line) for cmd, line in commands(Y.get(body, key))]
        job.triggers = _gitlab_sources(body)
        if Y.scalar(Y.get(body, "when")) == "manual":
            job.triggers["manual"] = job.keys["when"]
        jobs[name] = job
        parents[name] = [s.value for s in Y.strings(Y.get(body, "extends"))]
    for name, job in jobs.items():
        if name.startswith(".") or _never_runs(name, never, parents) is True:  # hidden (a template), or switched off
            continue
        _gitlab_inherit(job, parents[name], jobs, parents)
        if "environment" in job.keys and not job.triggers:  # deploy jobs run in branch pipelines
            job.triggers["push"] = job.keys["environment"]
        if job.steps or "trigger" in job.keys:
            pipeline.jobs.append(job)
    if not pipeline.jobs:
        return None
    pipeline.line = min(job.line for job in pipeline.jobs)
    if not pipeline.triggers:  # no workflow rules: every push and merge request runs the pipeline
        pipeline.triggers = {"push": pipeline.line, "pull_request": pipeline.line}
    return pipeline


def _never_runs(name: str, never: dict[str, bool], parents: dict[str, list[str]], depth: int = 0) -> bool | None:
    """Whether a job never runs: its own rules say, or (without rules of its own) those of the jobs it ``extends``
    (the last one that has rules wins, as GitLab merges them); None when no rules decide."""
    if name in never or depth > 5:
        return never.get(name)
    for parent in reversed(parents.get(name, [])):
        found = _never_runs(parent, never, parents, depth + 1)
        if found is not None:
            return found
    return None


def _gitlab_inherit(
    job: Job, names: list[str], jobs: dict[str, Job], parents: dict[str, list[str]], depth: int = 0
) -> None:
    """Fill what a job leaves out (script, keys, rules) from the jobs it ``extends`` (GitLab merges, the job wins)."""
    for name in names:
        parent = jobs.get(name)
        if parent is None or depth > 5:
            continue
        job.steps = job.steps or list(parent.steps)
        job.keys = {**parent.keys, **job.keys}
        job.triggers = job.triggers or dict(parent.triggers)
        _gitlab_inherit(job, parents.get(name, []), jobs, parents, depth + 1)


def _gitlab_includes(node: Node | None) -> list[tuple[str, int]]:
    """Local files pulled in with ``include:`` (a string, ``local:`` entries, or a list of either)."""
    out: list[tuple[str, int]] = []
    for item in Y.seq(node) or ([node] if node is not None else []):
        path = Y.scalar(item) or Y.scalar(Y.get(item, "local"))
        if path and not path.startswith(("http://", "https://")) and Y.get(item, "project") is None:
            out.append((path.lstrip("/"), Y.line_of(item)))
    return out


def _gitlab_sources(body: Node) -> dict[str, int]:
    """Triggers named in ``rules: - if: $CI_PIPELINE_SOURCE == ...`` and ``only:``."""
    out: dict[str, int] = {}
    mapping = {
        "schedule": "schedule",
        "push": "push",
        "merge_request_event": "pull_request",
        "web": "manual",
        "api": "dispatch",
        "trigger": "dispatch",
        "pipeline": "pipeline",
        "schedules": "schedule",
        "merge_requests": "pull_request",
        "tags": "tag",
        "branches": "push",
    }
    for scalar in Y.strings(Y.get(body, "rules")):
        for source in re.findall(r"CI_PIPELINE_SOURCE\s*==\s*[\"']?(\w+)", scalar.value):
            if source in mapping:
                out.setdefault(mapping[source], Y.line_of(scalar))
        if "CI_COMMIT_TAG" in scalar.value:
            out.setdefault("tag", Y.line_of(scalar))
    out.update(trigger_keys(Y.get(body, "only"), mapping, 0))
    return out
