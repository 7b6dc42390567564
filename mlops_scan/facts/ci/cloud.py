"""Cloud build systems as :class:`Pipeline` values: Google Cloud Build, AWS CodeBuild, Tekton."""

from __future__ import annotations

import re

from yaml.nodes import Node

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.model import Job, Pipeline, Step
from mlops_scan.facts.ci.steps import commands
from mlops_scan.facts.context import FileContext

_TRIGGER_SUBSTITUTIONS = (
    ("tag", re.compile(r"\$\{?TAG_NAME\b")),
    ("pull_request", re.compile(r"\$\{?_(?:PR_NUMBER|HEAD_BRANCH|BASE_BRANCH|HEAD_REPO_URL)\b")),
    ("push", re.compile(r"\$\{?(?:COMMIT_SHA|SHORT_SHA|BRANCH_NAME|REVISION_ID|REF_NAME)\b")),
)
"""Substitutions Cloud Build fills only in builds a trigger starts (a tag push, a pull request, a branch push);
``gcloud builds submit`` by hand leaves them empty."""


def read_cloud_build(ctx: FileContext, doc: Node) -> Pipeline | None:
    steps = Y.seq(Y.get(doc, "steps"))
    if not steps:
        return None
    name = ctx.path.rsplit("/", 1)[-1].lower()
    # A Cloud Build trigger lives outside the repository; the conventional file name is what triggers use,
    # and a config of any name that reads a substitution only a trigger fills was written for one.
    line = Y.line_of(steps[0])
    triggers = {"push": line, "pull_request": line} if name.startswith("cloudbuild") else {}
    for trigger, regex in _TRIGGER_SUBSTITUTIONS:
        found = next((n for n, t in enumerate(ctx.lines, 1) if regex.search(t) and not t.lstrip().startswith("#")), 0)
        if found and trigger not in triggers:
            triggers[trigger] = found
    job = Job("build", line)
    for step in steps:
        parts = [Y.scalar(Y.get(step, "entrypoint")) or ""] + [s.value for s in Y.strings(Y.get(step, "args"))]
        parts += [Y.scalar(Y.get(step, "script")) or ""]
        job.steps.append(
            Step(" ".join(p for p in parts if p), Y.line_of(step), uses=Y.scalar(Y.get(step, "name")) or "")
        )
    return Pipeline("cloud-build", ctx.path, triggers, [job], line=line)


def read_codebuild(ctx: FileContext, doc: Node) -> Pipeline | None:
    phases = Y.get(doc, "phases")
    if phases is None:
        return None
    job = Job("build", Y.line_of(Y.key_node(doc, "phases") or phases))
    for _, _, phase in Y.items(phases):
        job.steps += [Step(cmd, line) for cmd, line in commands(Y.get(phase, "commands"))]
    # CodeBuild reads buildspec.yml from the source root by default; a project on the repository
    # (webhook or CodePipeline source) runs it on every push, as Cloud Build triggers run cloudbuild.yaml.
    return Pipeline("codebuild", ctx.path, {"push": job.line}, [job], line=job.line)


def read_tekton(ctx: FileContext, docs: list[Node]) -> Pipeline | None:
    pipeline = Pipeline("tekton", ctx.path)
    for doc in docs:
        if not (Y.scalar(Y.get(doc, "apiVersion")) or "").startswith("tekton.dev/"):
            continue
        annotations = Y.get(Y.get(doc, "metadata"), "annotations")
        for key, knode, value in Y.items(annotations):
            if key.endswith("on-event"):
                text = " ".join(s.value for s in Y.strings(value))
                if "push" in text:
                    pipeline.triggers["push"] = Y.line_of(knode)
                if "pull_request" in text:
                    pipeline.triggers["pull_request"] = Y.line_of(knode)
        job = Job(Y.scalar(Y.get(doc, "kind")) or "task", Y.line_of(doc))
        for steps_node in _tekton_steps(Y.get(doc, "spec")):
            for step in Y.seq(steps_node):
                parts = [Y.scalar(Y.get(step, "script")) or ""]
                parts += [s.value for s in Y.strings(Y.get(step, "command"))] + [
                    s.value for s in Y.strings(Y.get(step, "args"))
                ]
                job.steps.append(
                    Step(" ".join(p for p in parts if p), Y.line_of(step), uses=Y.scalar(Y.get(step, "image")) or "")
                )
        pipeline.jobs.append(job)
    return pipeline if pipeline.jobs else None


def _tekton_steps(node: Node | None, depth: int = 0) -> list[Node]:
    if node is None or depth > 8:
        return []
    out = []
    for key, _, value in Y.items(node):
        if key == "steps":
            out.append(value)
        else:
            out += _tekton_steps(value, depth + 1)
    for item in Y.seq(node):
        out += _tekton_steps(item, depth + 1)
    return out
