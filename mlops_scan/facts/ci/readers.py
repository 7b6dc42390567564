"""Readers that turn each CI system's files into :class:`Pipeline` values."""

from __future__ import annotations

import re
from collections.abc import Callable

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.model import Job, Pipeline, Step
from mlops_scan.facts.context import FileContext

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


def read_pipeline(ctx: FileContext) -> Pipeline | None:
    """The pipeline a CI file defines, or None when the file is not a CI definition."""
    system = detect_system(ctx.path)
    if system is None:
        return None
    if system == "jenkins":
        return _jenkins(ctx)
    docs = ctx.yaml
    if not docs:
        return None
    doc = docs[0]
    if system == "yaml?":
        system = _sniff(ctx.path, doc, docs)
        if system is None:
            return None
    reader = _READERS[system]
    return reader(ctx, docs if system in ("tekton", "drone") else doc)


def _sniff(path: str, doc: Node, docs: list[Node]) -> str | None:
    """Recognise CI systems whose files have no fixed name, by their shape."""
    name = path.rsplit("/", 1)[-1].lower()
    keys = {k for k, _, _ in Y.items(doc)}
    jobs = list(Y.items(Y.get(doc, "jobs")))
    if (
        keys & {"on", "true"}
        and jobs
        and all(Y.get(body, "runs-on") is not None or Y.get(body, "uses") is not None for _, _, body in jobs)
    ):
        return "github-actions-template"
    if any((Y.scalar(Y.get(d, "apiVersion")) or "").startswith("tekton.dev/") for d in docs):
        return "tekton"
    if name.startswith("azure-pipelines") or (
        keys & {"trigger", "pr", "schedules"} and keys & {"stages", "jobs", "steps", "extends"}
    ):
        return "azure-pipelines"
    if name.startswith("buildspec") and "phases" in keys:
        return "codebuild"
    if name.startswith("cloudbuild") and "steps" in keys:
        return "cloud-build"
    steps = Y.seq(Y.get(doc, "steps"))
    if steps and all(isinstance(s, MappingNode) and "name" in {k for k, _, _ in Y.items(s)} for s in steps):
        if any(
            (Y.scalar(Y.get(s, "name")) or "").startswith(("gcr.io/", "us-docker.pkg.dev/", "docker.io/", "python"))
            for s in steps
        ) and keys <= {
            "steps",
            "timeout",
            "substitutions",
            "options",
            "images",
            "artifacts",
            "logsBucket",
            "serviceAccount",
            "availableSecrets",
            "tags",
            "queueTtl",
        }:
            return "cloud-build"
    return None


def _commands(node: Node | None) -> list[tuple[str, int]]:
    """Command strings of a scalar or a list of scalars, with lines."""
    if isinstance(node, ScalarNode):
        return [(node.value, Y.line_of(node))] if node.value else []
    if isinstance(node, SequenceNode):
        out: list[tuple[str, int]] = []
        for item in node.value:
            out += _commands(item)
        return out
    return []


def _trigger_keys(node: Node | None, mapping: dict[str, str], line: int) -> dict[str, int]:
    out: dict[str, int] = {}
    if isinstance(node, ScalarNode):
        if node.value in mapping:
            out[mapping[node.value]] = Y.line_of(node)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            out.update(_trigger_keys(item, mapping, line))
    elif isinstance(node, MappingNode):
        for key, key_node, value in Y.items(node):
            if key in mapping:
                tags_only = (
                    key == "push"
                    and Y.get(value, "tags") is not None
                    and all(Y.get(value, k) is None for k in ("branches", "branches-ignore", "paths", "paths-ignore"))
                )
                if not tags_only:  # `push: {tags: [...]}` alone runs on tag pushes only, not on every push
                    out.setdefault(mapping[key], Y.line_of(key_node))
                if key == "push" and Y.get(value, "tags") is not None:
                    out.setdefault("tag", Y.line_of(Y.key_node(value, "tags")))  # type: ignore[arg-type]
    return out


def _github(ctx: FileContext, doc: Node) -> Pipeline | None:
    on = Y.get(doc, "on") or Y.get(doc, "true")
    jobs = Y.get(doc, "jobs")
    if on is None or not isinstance(jobs, MappingNode):
        return None
    on_key = Y.key_node(doc, "on") or Y.key_node(doc, "true")
    system = "github-actions" if ctx.path.startswith(".github/workflows/") else "github-actions-template"
    pipeline = Pipeline(system, ctx.path, _trigger_keys(on, _GH_TRIGGERS, Y.line_of(on)), line=Y.line_of(on_key or doc))
    for name, key_node, body in Y.items(jobs):
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
            run, use = Y.get(step, "run"), Y.scalar(Y.get(step, "uses"))
            if run is not None:
                job.steps.append(Step(Y.scalar(run) or "", Y.line_of(run)))
            elif use:
                with_text = " ".join(f"{k}={Y.scalar(v) or ''}" for k, _, v in Y.items(Y.get(step, "with")))
                job.steps.append(Step(with_text, Y.line_of(step), uses=use))
        pipeline.jobs.append(job)
    return pipeline


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


def _gitlab(ctx: FileContext, doc: Node) -> Pipeline | None:
    pipeline = Pipeline("gitlab-ci", ctx.path)
    workflow = Y.get(doc, "workflow")
    if workflow is not None:
        pipeline.triggers = _gitlab_sources(workflow)
    included = [Step(f"template: {path}", line) for path, line in _gitlab_includes(Y.get(doc, "include"))]
    if included:
        pipeline.jobs.append(Job("include", included[0].line, included))
    jobs: dict[str, Job] = {}
    parents: dict[str, list[str]] = {}
    for name, key_node, body in Y.items(doc):
        if name in _GITLAB_RESERVED or not isinstance(body, MappingNode):
            continue
        job = Job(name, Y.line_of(key_node))
        for key, knode, _ in Y.items(body):
            job.keys[key] = Y.line_of(knode)
        for key in ("before_script", "script", "after_script"):
            job.steps += [Step(cmd, line) for cmd, line in _commands(Y.get(body, key))]
        job.triggers = _gitlab_sources(body)
        if Y.scalar(Y.get(body, "when")) == "manual":
            job.triggers["manual"] = job.keys["when"]
        jobs[name] = job
        parents[name] = [s.value for s in Y.strings(Y.get(body, "extends"))]
    for name, job in jobs.items():
        if name.startswith("."):  # hidden: a template for `extends`, or a disabled job; never runs by itself
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
    out.update(_trigger_keys(Y.get(body, "only"), mapping, 0))
    return out


def _azure(ctx: FileContext, doc: Node) -> Pipeline | None:
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
    _azure_collect(doc, "pipeline", Y.line_of(doc), jobs, depth=0)
    extends = Y.get(doc, "extends")
    template = Y.scalar(Y.get(extends, "template")) or Y.scalar(extends)
    if template:  # the whole pipeline comes from a template
        line = Y.line_of(Y.key_node(doc, "extends"))  # type: ignore[arg-type]
        jobs.append(Job("extends", line, [Step(f"template: {template}", line)]))
    pipeline.jobs = jobs
    return pipeline


_BRANCH_GATE = re.compile(r"Build\.SourceBranch|Build\.Reason|refs/heads/")


def _azure_collect(node: Node, name: str, line: int, jobs: list[Job], depth: int, gate: int | None = None) -> None:
    """Walk stages/jobs/deployment strategies down to steps lists (bounded depth).

    ``gate``: the line of an enclosing ``condition:`` that limits the job to branch builds (not pull requests).
    """
    if depth > 8 or not isinstance(node, MappingNode):
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
            if template:
                jobs.append(Job(child_name, Y.line_of(child), [Step(f"template: {template}", Y.line_of(child))]))
            _azure_collect(child, child_name, Y.line_of(child), jobs, depth + 1, gate)
    strategy = Y.get(node, "strategy")
    for _, _, phase in Y.items(strategy):
        for _, _, hook in Y.items(phase):
            _azure_collect(hook, name, line, jobs, depth + 1, gate)


def _azure_steps(step: Node) -> list[Step]:
    line = Y.line_of(step)
    for key in ("script", "bash", "pwsh", "powershell"):
        value = Y.scalar(Y.get(step, key))
        if value is not None:
            return [Step(value, line)]
    task = Y.scalar(Y.get(step, "task"))
    if task:
        inputs = Y.get(step, "inputs")
        text = " ".join(f"{k}={Y.scalar(v) or ''}" for k, _, v in Y.items(inputs))
        return [Step(text, line, uses=task)]
    template = Y.scalar(Y.get(step, "template"))
    if template:
        return [Step(f"template: {template}", line)]
    return []


_JENKINS_STEP = re.compile(r"""\b(?:sh|bat|powershell)\s*\(?\s*(?:script\s*:\s*)?('''|\"\"\"|'|")(.*?)\1""", re.S)


def _jenkins(ctx: FileContext) -> Pipeline | None:
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


def _circleci(ctx: FileContext, doc: Node) -> Pipeline | None:
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


def _travis(ctx: FileContext, doc: Node) -> Pipeline | None:
    pipeline = Pipeline("travis", ctx.path, {"push": 1, "pull_request": 1})
    job = Job("build", 1)
    for key in ("before_install", "install", "before_script", "script", "after_success", "before_deploy"):
        job.steps += [Step(cmd, line) for cmd, line in _commands(Y.get(doc, key))]
    for stage in Y.seq(Y.get(Y.get(doc, "jobs"), "include")):
        for key in ("install", "script"):
            job.steps += [Step(cmd, line) for cmd, line in _commands(Y.get(stage, key))]
    pipeline.jobs.append(job)
    deploy = Y.key_node(doc, "deploy")
    if deploy is not None:  # the deploy stage runs after a successful build (usually on tags)
        line = Y.line_of(deploy)
        pipeline.jobs.append(Job("deploy", line, keys={"deploy": line}, triggers={"release": line}))
    return pipeline


def _bitbucket(ctx: FileContext, doc: Node) -> Pipeline | None:
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
            out.append((name, Y.line_of(step), _commands(Y.get(step, "script"))))
            return out
        for _, _, value in Y.items(section):
            out += _bitbucket_steps(value, depth + 1)
    elif isinstance(section, SequenceNode):
        for item in section.value:
            out += _bitbucket_steps(item, depth + 1)
    return out


def _steps_with(
    ctx: FileContext, doc: Node, system: str, keys: tuple[str, ...], triggers: dict[str, int]
) -> Pipeline | None:
    steps = Y.seq(Y.get(doc, "steps"))
    if not steps:
        return None
    job = Job(system, Y.line_of(doc))
    for step in steps:
        for key in keys:
            job.steps += [Step(cmd, line) for cmd, line in _commands(Y.get(step, key))]
    return Pipeline(system, ctx.path, dict(triggers), [job])


def _buildkite(ctx: FileContext, doc: Node) -> Pipeline | None:
    return _steps_with(ctx, doc, "buildkite", ("command", "commands"), {"push": 1, "pull_request": 1})


def _drone(ctx: FileContext, docs: list[Node]) -> Pipeline | None:
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
        found = _steps_with(ctx, doc, "drone", ("commands",), {})
        if found is None:
            continue
        job = found.jobs[0]
        job.name = Y.scalar(Y.get(doc, "name")) or job.name
        events = Y.get(Y.get(doc, "trigger"), "event")
        job.triggers = (
            _trigger_keys(events, mapping, job.line)
            if events is not None
            else {"push": job.line, "pull_request": job.line}
        )
        pipeline.jobs.append(job)
    if not pipeline.jobs:
        return None
    pipeline.line = pipeline.jobs[0].line
    return pipeline


_TRIGGER_SUBSTITUTIONS = (
    ("tag", re.compile(r"\$\{?TAG_NAME\b")),
    ("pull_request", re.compile(r"\$\{?_(?:PR_NUMBER|HEAD_BRANCH|BASE_BRANCH|HEAD_REPO_URL)\b")),
    ("push", re.compile(r"\$\{?(?:COMMIT_SHA|SHORT_SHA|BRANCH_NAME|REVISION_ID|REF_NAME)\b")),
)
"""Substitutions Cloud Build fills only in builds a trigger starts (a tag push, a pull request, a branch push);
``gcloud builds submit`` by hand leaves them empty."""


def _cloud_build(ctx: FileContext, doc: Node) -> Pipeline | None:
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


def _codebuild(ctx: FileContext, doc: Node) -> Pipeline | None:
    phases = Y.get(doc, "phases")
    if phases is None:
        return None
    job = Job("build", Y.line_of(Y.key_node(doc, "phases") or phases))
    for _, _, phase in Y.items(phases):
        job.steps += [Step(cmd, line) for cmd, line in _commands(Y.get(phase, "commands"))]
    # CodeBuild reads buildspec.yml from the source root by default; a project on the repository
    # (webhook or CodePipeline source) runs it on every push, as Cloud Build triggers run cloudbuild.yaml.
    return Pipeline("codebuild", ctx.path, {"push": job.line}, [job], line=job.line)


def _tekton(ctx: FileContext, docs: list[Node]) -> Pipeline | None:
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


def _pre_commit(ctx: FileContext, doc: Node) -> Pipeline | None:
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


_READERS: dict[str, Callable[..., Pipeline | None]] = {
    "github-actions": _github,
    "github-actions-template": _github,
    "pre-commit": _pre_commit,
    "gitlab-ci": _gitlab,
    "azure-pipelines": _azure,
    "circleci": _circleci,
    "travis": _travis,
    "bitbucket": _bitbucket,
    "buildkite": _buildkite,
    "drone": _drone,
    "cloud-build": _cloud_build,
    "codebuild": _codebuild,
    "tekton": _tekton,
}
