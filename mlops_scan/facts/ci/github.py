"""GitHub Actions workflows (and workflow-shaped templates) and pre-commit hooks as :class:`Pipeline` values."""

from __future__ import annotations

from yaml.nodes import MappingNode, Node

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.conditions import github_never_runs
from mlops_scan.facts.ci.model import Job, Pipeline, Step
from mlops_scan.facts.ci.scriptinputs import script_step
from mlops_scan.facts.ci.steps import trigger_keys
from mlops_scan.facts.context import FileContext

_GH_TRIGGERS = {
    "push": "push",
    "pull_request": "pull_request",
    "pull_request_target": "pull_request",
    "merge_group": "pull_request",
    "schedule": "schedule",
    "release": "release",
    "workflow_dispatch": "manual",
    "repository_dispatch": "dispatch",
    "workflow_call": "workflow_call",
    "workflow_run": "pipeline",
}


def read_github(ctx: FileContext, doc: Node) -> Pipeline | None:
    on = Y.get(doc, "on") or Y.get(doc, "true")
    jobs = Y.get(doc, "jobs")
    if on is None or not isinstance(jobs, MappingNode):
        return None
    on_key = Y.key_node(doc, "on") or Y.key_node(doc, "true")
    system = "github-actions" if ctx.path.startswith(".github/workflows/") else "github-actions-template"
    pipeline = Pipeline(system, ctx.path, trigger_keys(on, _GH_TRIGGERS, Y.line_of(on)), line=Y.line_of(on_key or doc))
    switched_off = 0
    for name, key_node, body in Y.items(jobs):
        if github_never_runs(body):  # `if: false`: the job never runs, so it proves nothing
            switched_off += 1
            continue
        job = Job(name, Y.line_of(key_node))
        for key, knode, _ in Y.items(body):
            job.keys[key] = Y.line_of(knode)
        uses = Y.scalar(Y.get(body, "uses"))
        if uses:
            job.steps.append(Step("", Y.line_of(Y.get(body, "uses")), uses=uses))  # type: ignore[arg-type]
        condition = Y.scalar(Y.get(body, "if")) or ""
        if "refs/tags/" in condition:
            job.triggers["tag"] = job.keys["if"]
        for step in Y.seq(Y.get(body, "steps")):
            if github_never_runs(step):
                continue
            run, use = Y.get(step, "run"), Y.scalar(Y.get(step, "uses"))
            if run is not None:
                job.steps.append(Step(Y.scalar(run) or "", Y.line_of(run)))
            elif use:
                job.steps.append(_action_step(step, use))
        pipeline.jobs.append(job)
    return None if switched_off and not pipeline.jobs else pipeline


def _action_step(step: Node, uses: str) -> Step:
    """A step that uses an action: the script a known script-running action runs (``data/script_inputs.yaml``);
    the ``name=value`` inputs of a local action or a container (followed into the action, passed as arguments);
    nothing for any other action, whose inputs are its own settings, not commands (a comment body, a JavaScript
    snippet)."""
    inputs = Y.get(step, "with")
    known = script_step("github_actions", uses, inputs)
    if known is not None:
        return known
    passed = uses.startswith(("./", "docker://"))
    text = " ".join(f"{k}={Y.scalar(v) or ''}" for k, _, v in Y.items(inputs)) if passed else ""
    return Step(text, Y.line_of(step), uses=uses)


def read_pre_commit(ctx: FileContext, doc: Node) -> Pipeline | None:
    """Git hooks, one job per hook repository; a hook's step runs its ``entry`` (local hooks) and uses its id."""
    repos = Y.seq(Y.get(doc, "repos"))
    if not repos:
        return None
    pipeline = Pipeline("pre-commit", ctx.path, {}, line=Y.line_of(Y.key_node(doc, "repos") or doc))
    for repo in repos:
        job = Job(Y.scalar(Y.get(repo, "repo")) or "repo", Y.line_of(repo))
        for hook in Y.seq(Y.get(repo, "hooks")):
            hook_id = Y.scalar(Y.get(hook, "id")) or ""
            job.steps.append(Step(Y.scalar(Y.get(hook, "entry")) or "", Y.line_of(hook), uses=hook_id))
        pipeline.jobs.append(job)
    return pipeline
