"""Build configs that infrastructure code in the repository runs: a Cloud Build config named by a Terraform
``google_cloudbuild_trigger`` (``filename``), and CodeBuild buildspecs named by a Terraform ``aws_codebuild_project``
(``source { buildspec }``), a CloudFormation ``AWS::CodeBuild::Project`` (``Source.BuildSpec``) or a CDK project
(``BuildSpec.from_source_filename`` / ``fromSourceFilename`` / ``fromAsset``).

The trigger lives outside the CI file, so the file alone does not say when it runs; the declaration does. Read from
the text (no HCL or TypeScript parser): blocks by balanced braces, comments left out, literal paths only."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mlops_scan.facts.ci.systems import DECLARATION_HINTS

MAX_BLOCK = 64 * 1024
"""Characters of one Terraform block read at most."""
_TF_RESOURCE = re.compile(r'^[ \t]*resource\s+"(google_cloudbuild_trigger|aws_codebuild_project)"\s+"[^"]*"\s*\{', re.M)
_TF_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|(#|//)[^\n]*|/\*[\s\S]*?\*/')
_DISABLED = re.compile(r"\bdisabled\s*=\s*true\b")
_FILENAME = re.compile(r'^[ \t]*filename\s*=\s*"([^"$\n]+)"', re.M)
_TF_BUILDSPEC = re.compile(
    r'\bbuildspec\s*=\s*(?:"([^"$\n]+)"|(?:file|templatefile)\(\s*"(?:\$\{path\.module\}/)?([^"$\n]+)")'
)
_CFN_BUILDSPEC = re.compile(r"""^[ \t]*["']?BuildSpec["']?\s*:\s*["']?([\w./-]+\.ya?ml)["']?[\s,}\]]*$""", re.M)
_CDK_BUILDSPEC = re.compile(
    r"""BuildSpec\s*\.\s*(from_source_filename|fromSourceFilename|from_asset|fromAsset)\(\s*(?:path\s*=\s*)?["'`]([^"'`$\n]+)["'`]"""
)
_CLOUD_BUILD_TRIGGERS = (
    ("pull_request", re.compile(r"\bpull_request\s*\{")),
    ("tag", re.compile(r"\bpush\s*\{[^{}]*\btag\s*=|\btrigger_template\s*\{[^{}]*\btag_name\s*=")),
    ("push", re.compile(r"\bpush\s*\{[^{}]*\bbranch\s*=|\btrigger_template\s*\{[^{}]*\bbranch_name\s*=")),
)
"""Events a Cloud Build trigger runs on (GitHub ``github``/``repository_event_config`` push and pull_request blocks,
Cloud Source Repositories ``trigger_template``); a Pub/Sub, webhook or manual trigger runs on none of them."""


@dataclass(frozen=True)
class BuildConfigRef:
    """A build config of the repository that infrastructure code declares a CI project or trigger for."""

    path: str
    """The config, relative to the repository root."""
    system: str
    """``cloud-build`` or ``codebuild``."""
    triggers: tuple[str, ...]
    """What starts it (normalised trigger names)."""
    line: int
    """Where the declaration is, in the file that declares it."""


def declared_configs(path: str, text: str, exists: Callable[[str], bool]) -> list[BuildConfigRef]:
    """The build configs ``text`` (the file ``path``) declares a trigger or a project for, each resolved to a
    listed file (``exists``); paths that name no listed file are left out."""
    if not any(hint in text for hint in DECLARATION_HINTS):
        return []
    folder = posixpath.dirname(path)
    found: list[BuildConfigRef] = []
    if path.endswith(".tf"):
        found += _terraform(text, folder)
    elif path.endswith((".py", ".ts", ".js")):
        for match in _CDK_BUILDSPEC.finditer(text):
            local = match.group(1) in ("from_asset", "fromAsset")  # read from the CDK app's folder, not the source
            found.append(_ref(match.group(2), folder if local else "", "codebuild", ("push",), text, match.start()))
    elif "AWS::CodeBuild::Project" in text:
        found += [_ref(m.group(1), "", "codebuild", ("push",), text, m.start(1)) for m in _CFN_BUILDSPEC.finditer(text)]
    return [ref for ref in found if ref.path and exists(ref.path)]


def _terraform(text: str, folder: str) -> Iterator[BuildConfigRef]:
    for resource, start, body in _blocks(text):
        if resource == "google_cloudbuild_trigger":
            filename = _FILENAME.search(body)
            triggers = tuple(name for name, regex in _CLOUD_BUILD_TRIGGERS if regex.search(body))
            if filename and triggers and not _DISABLED.search(body):
                yield _ref(filename.group(1), "", "cloud-build", triggers, text, start)
            continue
        spec = _TF_BUILDSPEC.search(body)
        if spec:  # a literal path is read from the source root; file("...") from the module's folder
            local = spec.group(2) is not None
            yield _ref(spec.group(1) or spec.group(2), folder if local else "", "codebuild", ("push",), text, start)


def _blocks(text: str) -> Iterator[tuple[str, int, str]]:
    """(resource type, offset, body without comments) of each Terraform resource block the module reads."""
    for match in _TF_RESOURCE.finditer(text):
        depth, end = 1, match.end()
        body = _TF_COMMENT.sub(
            lambda m: "" if m.group(1) or m.group(0).startswith("/*") else m.group(0), text[end : end + MAX_BLOCK]
        )
        for index, char in enumerate(body):
            depth += 1 if char == "{" else -1 if char == "}" else 0
            if depth == 0:
                yield match.group(1), match.start(), body[:index]
                break


def _ref(raw: str, base: str, system: str, triggers: tuple[str, ...], text: str, offset: int) -> BuildConfigRef:
    path = posixpath.normpath(posixpath.join(base, raw.strip())) if raw.strip() else ""
    path = (
        "" if path.startswith("..") or path.startswith("/") or not path.endswith((".yml", ".yaml", ".json")) else path
    )
    return BuildConfigRef(path, system, triggers, text.count("\n", 0, offset) + 1)
