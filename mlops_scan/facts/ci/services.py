"""Hosted CI services as :class:`Pipeline` values: Jenkins, CircleCI, Travis CI, Bitbucket, Buildkite, Drone."""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, SequenceNode

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.model import Job, Pipeline, Step
from mlops_scan.facts.ci.steps import commands, steps_with, trigger_keys
from mlops_scan.facts.context import FileContext

_JENKINS_STEP = re.compile(r"""\b(?:sh|bat|powershell)\s*\(?\s*(?:script\s*:\s*)?('''|\"\"\"|'|")(.*?)\1""", re.S)


def read_jenkins(ctx: FileContext) -> Pipeline | None:
    text = ctx.text or ""
    if "pipeline" not in text and "node" not in text and "stage" not in text:
        return None
    start = re.search(r"^\s*(pipeline|node)\s*[({]", text, re.M)
    line = text.count("\n", 0, start.start(1)) + 1 if start else 1
    pipeline = Pipeline("jenkins", ctx.path, {"push": line, "pull_request": line}, line=line)
    cron = re.search(r"\bcron\s*\(", text)
    if cron:
        pipeline.triggers["schedule"] = text.count("\n", 0, cron.start()) + 1
    job = Job("pipeline", line)
    for match in _JENKINS_STEP.finditer(text):
        job.steps.append(Step(match.group(2), text.count("\n", 0, match.start()) + 1))
    pipeline.jobs.append(job)
    return pipeline


def read_circleci(ctx: FileContext, doc: Node) -> Pipeline | None:
    jobs = Y.get(doc, "jobs")
    if jobs is None and Y.get(doc, "workflows") is None:
        return None
    pipeline = Pipeline("circleci", ctx.path, {"push": 1, "pull_request": 1})
    for _, _, workflow in Y.items(Y.get(doc, "workflows")):
        for trigger in Y.seq(Y.get(workflow, "triggers")):
            if Y.get(trigger, "schedule") is not None:
                pipeline.triggers.setdefault("schedule", Y.line_of(trigger))
    for name, key_node, body in Y.items(jobs):
        job = Job(name, Y.line_of(key_node))
        for step in Y.seq(Y.get(body, "steps")):
            run = Y.get(step, "run")
            if run is not None:
                command = Y.scalar(run) or Y.scalar(Y.get(run, "command")) or ""
                job.steps.append(Step(command, Y.line_of(run)))
            elif isinstance(step, MappingNode):
                for key, knode, value in Y.items(step):
                    job.steps.append(Step(" ".join(s.value for s in Y.strings(value)), Y.line_of(knode), uses=key))
        pipeline.jobs.append(job)
    return pipeline


def read_travis(ctx: FileContext, doc: Node) -> Pipeline | None:
    pipeline = Pipeline("travis", ctx.path, {"push": 1, "pull_request": 1})
    job = Job("build", 1)
    for key in ("before_install", "install", "before_script", "script", "after_success", "before_deploy"):
        job.steps += [Step(cmd, line) for cmd, line in commands(Y.get(doc, key))]
    for stage in Y.seq(Y.get(Y.get(doc, "jobs"), "include")):
        for key in ("install", "script"):
            job.steps += [Step(cmd, line) for cmd, line in commands(Y.get(stage, key))]
    pipeline.jobs.append(job)
    deploy = Y.key_node(doc, "deploy")
    if deploy is not None:  # the deploy stage runs after a successful build (usually on tags)
        line = Y.line_of(deploy)
        pipeline.jobs.append(Job("deploy", line, keys={"deploy": line}, triggers={"release": line}))
    return pipeline


def read_bitbucket(ctx: FileContext, doc: Node) -> Pipeline | None:
    pipelines = Y.get(doc, "pipelines")
    if pipelines is None:
        return None
    pipeline = Pipeline("bitbucket", ctx.path)
    mapping = {
        "default": "push",
        "branches": "push",
        "pull-requests": "pull_request",
        "tags": "tag",
        "custom": "manual",
    }
    for key, key_node, section in Y.items(pipelines):
        trigger = mapping.get(key)
        if trigger:
            pipeline.triggers.setdefault(trigger, Y.line_of(key_node))
        for name, line, scripts in _bitbucket_steps(section):
            job = Job(name, line, [Step(cmd, ln) for cmd, ln in scripts])
            job.triggers = {trigger: Y.line_of(key_node)} if trigger else {}
            pipeline.jobs.append(job)
    return pipeline


def _bitbucket_steps(section: Node, depth: int = 0) -> list[tuple[str, int, list[tuple[str, int]]]]:
    out: list[tuple[str, int, list[tuple[str, int]]]] = []
    if depth > 6:
        return out
    if isinstance(section, MappingNode):
        step = Y.get(section, "step")
        if step is not None:
            name = Y.scalar(Y.get(step, "name")) or "step"
            out.append((name, Y.line_of(step), commands(Y.get(step, "script"))))
            return out
        for _, _, value in Y.items(section):
            out += _bitbucket_steps(value, depth + 1)
    elif isinstance(section, SequenceNode):
        for item in section.value:
            out += _bitbucket_steps(item, depth + 1)
    return out


def read_buildkite(ctx: FileContext, doc: Node) -> Pipeline | None:
    return steps_with(ctx, doc, "buildkite", ("command", "commands"), {"push": 1, "pull_request": 1})


def read_drone(ctx: FileContext, docs: list[Node]) -> Pipeline | None:
    """Every ``kind: pipeline`` document of a .drone.yml is a job with its own trigger events."""
    mapping = {
        "push": "push",
        "pull_request": "pull_request",
        "tag": "tag",
        "cron": "schedule",
        "promote": "manual",
        "custom": "manual",
    }
    pipeline = Pipeline("drone", ctx.path)
    for doc in docs:
        found = steps_with(ctx, doc, "drone", ("commands",), {})
        if found is None:
            continue
        job = found.jobs[0]
        job.name = Y.scalar(Y.get(doc, "name")) or job.name
        events = Y.get(Y.get(doc, "trigger"), "event")
        job.triggers = (
            trigger_keys(events, mapping, job.line)
            if events is not None
            else {"push": job.line, "pull_request": job.line}
        )
        pipeline.jobs.append(job)
    if not pipeline.jobs:
        return None
    pipeline.line = pipeline.jobs[0].line
    return pipeline
