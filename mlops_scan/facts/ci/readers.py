"""Which CI system a file belongs to (by name, or by shape), and the reader that turns it into a :class:`Pipeline`
(one module per family: github, gitlab, azure, services, cloud)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, cast

from yaml.nodes import MappingNode, Node

from mlops_scan.facts import yamlnodes as Y
from mlops_scan.facts.ci.systems import detect_system
from mlops_scan.facts.context import FileContext

if TYPE_CHECKING:
    from mlops_scan.facts.ci.model import Pipeline


def read_pipeline(ctx: FileContext) -> Pipeline | None:
    """The pipeline a CI file defines, or None when the file is not a CI definition."""
    system = detect_system(ctx.path)
    if system is None:
        return None
    if system == "jenkins":
        return _reader(system)(ctx)
    docs = ctx.yaml
    if not docs:
        return None
    doc = docs[0]
    if system == "yaml?":
        system = _sniff(ctx.path, doc, docs)
        if system is None:
            return None
    return _reader(system)(ctx, docs if system in ("tekton", "drone") else doc)


def build_config_shape(ctx: FileContext) -> str | None:
    """The build-config system a YAML file has the shape of, whatever its name: ``cloud-build`` (top-level ``steps``,
    each a mapping with a ``name``: the builder image) or ``codebuild`` (top-level ``phases``); else None."""
    docs = ctx.yaml
    if not docs:
        return None
    doc = docs[0]
    if isinstance(Y.get(doc, "phases"), MappingNode):
        return "codebuild"
    steps = Y.seq(Y.get(doc, "steps"))
    if steps and all(isinstance(s, MappingNode) and Y.get(s, "name") is not None for s in steps):
        return "cloud-build"
    return None


def read_build_config(ctx: FileContext, system: str) -> Pipeline | None:
    """The file read as a build config of ``system`` (one of :data:`~mlops_scan.facts.ci.systems.BUILD_CONFIG_SYSTEMS`), whatever its name."""
    docs = ctx.yaml
    return _reader(system)(ctx, docs[0]) if docs else None


def _in_buildspec_folder(path: str) -> bool:
    """The file sits in a folder named for CodeBuild buildspecs (``buildspecs/deploy.yml``), the names a pipeline's
    build actions point at."""
    return any(folder.lower().startswith("buildspec") for folder in path.split("/")[:-1])


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
    if "phases" in keys and (name.startswith("buildspec") or (_in_buildspec_folder(path) and "version" in keys)):
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


_READERS = {
    "github-actions": ("github", "read_github"),
    "github-actions-template": ("github", "read_github"),
    "pre-commit": ("github", "read_pre_commit"),
    "gitlab-ci": ("gitlab", "read_gitlab"),
    "azure-pipelines": ("azure", "read_azure"),
    "circleci": ("services", "read_circleci"),
    "travis": ("services", "read_travis"),
    "bitbucket": ("services", "read_bitbucket"),
    "buildkite": ("services", "read_buildkite"),
    "drone": ("services", "read_drone"),
    "jenkins": ("services", "read_jenkins"),
    "cloud-build": ("cloud", "read_cloud_build"),
    "codebuild": ("cloud", "read_codebuild"),
    "tekton": ("cloud", "read_tekton"),
}
"""Each system's reader: (module of this package, function); a module is imported when a file of its family is read."""


def _reader(system: str) -> Callable[..., Pipeline | None]:
    module, name = _READERS[system]
    return cast("Callable[..., Pipeline | None]", getattr(import_module(f"mlops_scan.facts.ci.{module}"), name))
