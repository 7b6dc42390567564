"""Azure Pipelines YAML as :class:`Pipeline` values: stages, jobs, deployment strategies, templates."""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.conditions import azure_never_runs
from mlops_scan.facts.ci.model import Job, Pipeline, Step
from mlops_scan.facts.ci.scriptinputs import script_step
from mlops_scan.facts.context import FileContext


def read_azure(ctx: FileContext, doc: Node) -> Pipeline | None:
    pipeline = Pipeline("azure-pipelines", ctx.path)
    for key, mapped in (("trigger", "push"), ("pr", "pull_request")):
        node = Y.get(doc, key)
        # `trigger: none` and its list form `trigger: [none]` both turn the automatic trigger off.
        if node is not None and Y.scalar(node) != "none" and [Y.scalar(n) for n in Y.seq(node)] != ["none"]:
            pipeline.triggers[mapped] = Y.line_of(Y.key_node(doc, key))  # type: ignore[arg-type]
    if Y.get(doc, "trigger") is None and ctx.path.rsplit("/", 1)[-1].startswith("azure-pipelines"):
        pipeline.triggers["push"] = 1  # a YAML pipeline without 'trigger' runs on every push
    if Y.get(doc, "schedules") is not None:
        pipeline.triggers["schedule"] = Y.line_of(Y.key_node(doc, "schedules"))  # type: ignore[arg-type]
    resources = Y.get(doc, "resources")
    for resource in Y.seq(Y.get(resources, "pipelines")):
        if Y.get(resource, "trigger") is not None:
            pipeline.triggers.setdefault("pipeline", Y.line_of(resource))
    jobs: list[Job] = []
    switched_off: list[int] = []
    _azure_collect(doc, "pipeline", Y.line_of(doc), jobs, depth=0, switched_off=switched_off)
    extends = Y.get(doc, "extends")
    template = Y.scalar(Y.get(extends, "template")) or Y.scalar(extends)
    if template:  # the whole pipeline comes from a template
        line = Y.line_of(Y.key_node(doc, "extends"))  # type: ignore[arg-type]
        jobs.append(Job("extends", line, [Step(f"template: {template}", line)]))
    pipeline.jobs = jobs
    return None if switched_off and not jobs else pipeline


_BRANCH_GATE = re.compile(r"Build\.SourceBranch|Build\.Reason|refs/heads/")


def _azure_collect(
    node: Node,
    name: str,
    line: int,
    jobs: list[Job],
    depth: int,
    gate: int | None = None,
    switched_off: list[int] | None = None,
) -> None:
    """Walk stages/jobs/deployment strategies down to steps lists (bounded depth).

    ``gate``: the line of an enclosing ``condition:`` that limits the job to branch builds (not pull requests).
    ``switched_off`` collects the lines of stages, jobs and steps whose ``condition:`` is literally false.
    """
    if depth > 8 or not isinstance(node, MappingNode):
        return
    if azure_never_runs(node):
        if switched_off is not None:
            switched_off.append(line)
        return
    condition = Y.get(node, "condition")
    if gate is None and _BRANCH_GATE.search(Y.scalar(condition) or ""):
        gate = Y.line_of(condition)  # type: ignore[arg-type]
    steps = Y.get(node, "steps")
    job = Job(name, line, triggers={"push": gate} if gate is not None else {})
    for key, knode, _ in Y.items(node):
        job.keys[key] = Y.line_of(knode)
    if steps is not None:
        for step in Y.seq(steps):
            if azure_never_runs(step):
                if switched_off is not None:
                    switched_off.append(Y.line_of(step))
                continue
            job.steps += _azure_steps(step)
    if job.steps or "environment" in job.keys:
        jobs.append(job)
    for key in ("stages", "jobs"):
        for child in Y.seq(Y.get(node, key)):
            child_name = (
                Y.scalar(Y.get(child, "stage"))
                or Y.scalar(Y.get(child, "job"))
                or Y.scalar(Y.get(child, "deployment"))
                or key
            )
            template = Y.scalar(Y.get(child, "template"))
            if template and not azure_never_runs(child):
                jobs.append(Job(child_name, Y.line_of(child), [Step(f"template: {template}", Y.line_of(child))]))
            _azure_collect(child, child_name, Y.line_of(child), jobs, depth + 1, gate, switched_off)
    strategy = Y.get(node, "strategy")
    for _, _, phase in Y.items(strategy):
        for _, _, hook in Y.items(phase):
            _azure_collect(hook, name, line, jobs, depth + 1, gate, switched_off)


def _azure_steps(step: Node) -> list[Step]:
    line = Y.line_of(step)
    for key in ("script", "bash", "pwsh", "powershell"):
        value = Y.scalar(Y.get(step, key))
        if value is not None:
            return [Step(value, line)]
    task = Y.scalar(Y.get(step, "task"))
    if task:
        inputs = Y.get(step, "inputs")
        known = script_step("azure_tasks", task, inputs)
        if known is not None:
            return [known]
        text = " ".join(f"{k}={Y.scalar(v) or ''}" for k, _, v in Y.items(inputs))
        return [Step(text, line, uses=task)]
    template = Y.scalar(Y.get(step, "template"))
    if template:
        return [Step(f"template: {template}", line)]
    return []
