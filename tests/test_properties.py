"""Property tests of every parser-facing function: any input gives a result or a clean error, and the results
keep their promises.

A clean error is the function's documented exception (or a recorded skip) with a one-line,
printable message; anything else (a KeyError, a RecursionError, a hang) is a bug. Results are
checked for what must hold whatever the input: lines inside the file, evidence only on listed
files, the same answer twice, a level that never drops when evidence is added, round trips.
The examples come from the fixed ``ci`` profile registered in conftest.py (derandomized).
"""

from __future__ import annotations

import json
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import load_model
from mlops_scan.cli.config import load_config
from mlops_scan.errors import ConfigError, RulePackError, UsageError
from mlops_scan.evidence.collect import collect
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.facts import notebooks, yamlnodes
from mlops_scan.facts.ci.model import TRIGGERS
from mlops_scan.facts.ci.readers import read_pipeline
from mlops_scan.facts.ci.systems import SYSTEMS
from mlops_scan.facts.context import FileContext
from mlops_scan.facts.project import detect_project
from mlops_scan.facts.requirements import Requirement, read_requirements
from mlops_scan.matchers.base import installed_params
from mlops_scan.rules.loader import load_pack
from mlops_scan.snapshot.limits import Limits, parse_size
from mlops_scan.snapshot.text import decode
from mlops_scan.snapshot.tree import Snapshot, open_snapshot
from mlops_scan.types import CapabilityId, Evidence, RuleId, Strength, Zone

MODEL = load_model()
RULES = load_all_rules(MODEL.capabilities)
KINDS = installed_params()
CAPABILITIES = set(MODEL.capabilities)

# --- strategies -------------------------------------------------------------------------------

YAML_CHARS = st.sampled_from(
    list("abcxyz019 :-[]{}&*!|>'\"#%@`,?.\n\t\\") + ["{{", "}}", "{%", "%}", "---", "\u00e9", "\x00"]
)
yaml_text = st.lists(YAML_CHARS, max_size=80).map("".join)
CI_KEYS = [
    "on",
    "jobs",
    "steps",
    "run",
    "script",
    "stages",
    "stage",
    "trigger",
    "pr",
    "schedules",
    "pipelines",
    "default",
    "step",
    "commands",
    "command",
    "phases",
    "apiVersion",
    "kind",
    "spec",
    "tasks",
    "workflows",
    "include",
    "extends",
    "uses",
    "with",
    "name",
    "image",
    "args",
    "entrypoint",
    "before_script",
    "deploy",
    "branches",
    "schedule",
    "cron",
    "push",
    "pull_request",
    "dependencies",
    "pip",
    "metadata",
    "annotations",
    "template",
    "parameters",
    "needs",
    "if",
    "env",
    "matrix",
    "strategy",
    "services",
    "only",
    "rules",
    "when",
    "<<",
]
CI_SCALARS = st.sampled_from(
    [
        "push",
        "pull_request",
        "pytest",
        "python train.py",
        "tekton.dev/v1",
        "make test",
        "*",
        "gcr.io/x",
        "main",
        "0 0 * * *",
        "mlflow",
        "numpy==1.0",
        "pip",
        "",
        "~",
        "true",
        "1",
    ]
)
scalars = st.none() | st.booleans() | st.integers(-10, 10**6) | st.text(max_size=12) | CI_SCALARS
KEY_TEXT = st.text(max_size=6).filter(lambda t: "\x85" not in t)
"""Mapping keys without NEL: PyYAML's emitter can write it raw inside a quoted key (``{"\\x85": None}``), and a YAML
reader (PyYAML's own too) folds that line break into a space: no round trip to hold the reader to."""
structured = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(CI_KEYS) | KEY_TEXT, inner, max_size=5),
    max_leaves=25,
)


def _dump_yaml(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=None, allow_unicode=True)


any_yaml = (
    yaml_text
    | structured.map(_dump_yaml)
    | st.lists(structured.map(_dump_yaml), min_size=2, max_size=3).map("---\n".join)
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None) + "}"
    return '""'


def _toml(document: dict) -> str:  # type: ignore[type-arg]
    """A TOML document from nested values (tables written inline, so any nesting is valid TOML)."""
    return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in document.items() if v is not None)


TOML_KEYS = [
    "project",
    "dependencies",
    "optional-dependencies",
    "dependency-groups",
    "tool",
    "poetry",
    "group",
    "pdm",
    "dev-dependencies",
    "name",
    "packages",
    "include",
    "python",
    "mlops-scan",
    "fail-under",
    "format",
    "exclude",
    "disable",
    "rules",
    "model",
    "assume",
    "limits",
    "max_files",
    "parse-timeout",
]
toml_values = st.recursive(
    st.booleans() | st.integers(-3, 10**6) | st.text(max_size=10) | CI_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(TOML_KEYS), inner, max_size=4),
    max_leaves=20,
)
toml_text = st.dictionaries(st.sampled_from(TOML_KEYS), toml_values, max_size=4).map(_toml) | yaml_text

NB_KEYS = [
    "cells",
    "nbformat",
    "nbformat_minor",
    "cell_type",
    "source",
    "input",
    "outputs",
    "worksheets",
    "execution_count",
    "metadata",
    "text",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 5)
    | st.text(max_size=20)
    | st.sampled_from(["code", "markdown", "import mlflow\n", "%pip install x\n", "!ls\n"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(NB_KEYS), inner, max_size=5),
    max_leaves=30,
)
notebook_text = json_values.map(json.dumps) | yaml_text | st.text(max_size=60)
binary = st.binary(max_size=200)


def _one_line(message: str) -> None:
    assert message and "\n" not in message and message.isprintable(), message


@contextmanager
def repository(files: dict[str, str | bytes]):
    """A temporary repository holding ``files``, opened as a snapshot."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        yield open_snapshot(root)


def _context(snapshot: Snapshot, path: str) -> FileContext:
    entry = snapshot.entry(path)
    assert entry is not None
    return FileContext(snapshot, entry)


def _skips_are_clean(snapshot: Snapshot, *contexts: FileContext) -> None:
    for skipped in [*snapshot.skipped, *(s for ctx in contexts for s in ctx.skipped)]:
        _one_line(skipped.reason)


# --- rule packs ---------------------------------------------------------------------------------

RULE_VALUES = {
    "id": st.sampled_from(["ci.x-y", "ci.a-b", "automated_tests.z", "Bad Id", "ci.", "ci.x-y/z"]) | st.text(max_size=8),
    "capability": st.sampled_from(sorted(CAPABILITIES)) | st.text(max_size=6),
    "kind": st.sampled_from(sorted(KINDS)) | st.text(max_size=6),
    "strength": st.sampled_from(["strong", "medium", "weak", "huge"]),
    "params": st.dictionaries(
        st.sampled_from(
            [
                "paths",
                "pattern",
                "imports",
                "calls",
                "names",
                "kinds",
                "where",
                "commands",
                "triggers",
                "files",
                "notebooks",
                "kwarg_values",
                "x",
            ]
        ),
        structured,
        max_size=3,
    )
    | structured,
    "title": st.text(max_size=10),
    "description": st.text(max_size=10),
    "remediation": st.text(max_size=10),
    "lifecycle": st.sampled_from(["stable", "experimental", "gone"]),
    "docs": st.text(max_size=5),
    "added_in": scalars,
}
rule = st.fixed_dictionaries({}, optional=RULE_VALUES) | structured
pack = st.fixed_dictionaries(
    {},
    optional={
        "schema_version": st.sampled_from([1, 2, "1"]),
        "namespace": st.sampled_from(["acme", "Bad NS", ""]) | scalars,
        "patterns": st.dictionaries(st.text(max_size=5), st.text(max_size=8) | scalars, max_size=2),
        "rules": st.lists(rule, max_size=3) | scalars,
        "extra": scalars,
    },
)


@given(st.one_of(pack.map(_dump_yaml), any_yaml, binary))
def test_rule_pack_loader_gives_rules_or_one_error(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.yaml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        try:
            rules = load_pack(path, KINDS, CAPABILITIES)
        except RulePackError as error:
            where = re.match(rf"{re.escape(str(path))}(?::(\d+))?: ", str(error))
            assert where is not None, "the message starts with the file, and the line when known"
            lines = len(content.splitlines()) if isinstance(content, str) else None
            assert where.group(1) is None or lines is None or 1 <= int(where.group(1)) <= lines + 1
            assert "\n" not in str(error)
        else:
            assert rules and all(r.capability in CAPABILITIES and r.kind in KINDS for r in rules)


# --- YAML ---------------------------------------------------------------------------------------

PATHS = st.lists(
    st.sampled_from(["on", "jobs", "steps", "*", "[*]", "[0]", "[3]", ".", "spec", "x.y", "[", "]"]), max_size=5
).map(lambda parts: ".".join(parts))


@given(any_yaml, st.integers(1, 400), PATHS)
def test_yaml_reader_gives_nodes_or_an_error_message(text, max_nodes, path):
    docs, error = yamlnodes.compose_documents(text, max_nodes)
    if error is not None:
        _one_line(error)
    for doc in docs:
        assert isinstance(yamlnodes.select(doc, path), list)
        assert all(isinstance(s.value, str) for s in yamlnodes.strings(doc))
        assert all(isinstance(k, str) for k, _, _ in yamlnodes.items(doc))
    templated, _ = yamlnodes.compose_documents(yamlnodes.detemplate(text), max_nodes, strict_keys=False)
    assert isinstance(templated, list)


@given(structured)
def test_yaml_reader_reads_back_what_yaml_wrote(value):
    docs, error = yamlnodes.compose_documents(_dump_yaml(value), 100_000)
    assert error is None and len(docs) == 1
    if isinstance(value, dict):
        assert [k for k, _, _ in yamlnodes.items(docs[0])] == sorted(value)  # safe_dump sorts keys
    if isinstance(value, list):
        assert len(yamlnodes.seq(docs[0])) == len(value)


@given(any_yaml)
def test_detemplate_keeps_every_line(text):
    assert yamlnodes.detemplate(text).count("\n") == text.count("\n")


# --- notebooks ----------------------------------------------------------------------------------


@given(notebook_text)
def test_notebook_reader_gives_cells_or_a_notebook_error(text):
    problems: list[str] = []
    try:
        cells = notebooks.read_cells(text, problems)
    except notebooks.NotebookError as error:
        _one_line(str(error))
    else:
        assert all(isinstance(c.source, str) and 1 <= c.first_line <= text.count("\n") + 1 for c in cells)
        source, line_map = notebooks.as_python(cells)
        assert len(line_map) == len(source.split("\n"))
        for problem in problems:
            _one_line(problem)


# --- dependency manifests, project identity -----------------------------------------------------

MANIFESTS = [
    "requirements.txt",
    "requirements/dev.txt",
    "pyproject.toml",
    "Pipfile",
    "setup.cfg",
    "setup.py",
    "environment.yml",
]


@given(
    st.sampled_from(MANIFESTS),
    st.one_of(
        toml_text,
        any_yaml,
        st.text(max_size=80),
        binary,
        st.lists(
            st.sampled_from(
                [
                    "mlflow==2.0",
                    "-r x.txt",
                    "numpy>=1",
                    "# c",
                    "[options]",
                    "install_requires =",
                    "  dvc",
                    "setup(install_requires=['a'])",
                    "dependencies:",
                    "  - pip:",
                    "    - torch==2",
                ]
            ),
            max_size=6,
        ).map("\n".join),
    ),
)
def test_dependency_readers_give_requirements_or_a_recorded_skip(name, content):
    with repository({name: content}) as snapshot:
        ctx = _context(snapshot, name)
        requirements = list(read_requirements(ctx))
        assert all(isinstance(r, Requirement) and r.name for r in requirements)
        _skips_are_clean(snapshot, ctx)


@given(
    st.dictionaries(
        st.sampled_from(["pyproject.toml", "setup.cfg", "setup.py", "pkg/__init__.py", "src/pkg/__init__.py"]),
        st.one_of(toml_text, st.text(max_size=60), binary),
        max_size=3,
    )
)
def test_project_identity_reader_never_fails(files):
    with repository(files) as snapshot:
        contexts: dict[str, FileContext] = {}
        info = detect_project(snapshot, contexts)
        assert all(isinstance(p, str) for p in info.packages)
        _skips_are_clean(snapshot, *contexts.values())


# --- CI definitions -----------------------------------------------------------------------------

CI_FILES = [
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    "azure-pipelines.yml",
    "Jenkinsfile",
    ".circleci/config.yml",
    ".travis.yml",
    "bitbucket-pipelines.yml",
    ".buildkite/pipeline.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "buildspec.yml",
    "tekton/pipeline.yaml",
    "ci/pipeline.yml",
]


@given(st.sampled_from(CI_FILES), st.one_of(any_yaml, st.text(max_size=80), binary))
def test_ci_readers_give_a_pipeline_or_none(name, content):
    with repository({name: content}) as snapshot:
        ctx = _context(snapshot, name)
        pipeline = read_pipeline(ctx)
        if pipeline is not None:
            assert pipeline.path == name and pipeline.system in SYSTEMS
            last = len(ctx.lines) or 1
            lines = [pipeline.line, *pipeline.triggers.values()]
            lines += [n for job in pipeline.jobs for n in (job.line, *job.keys.values(), *job.triggers.values())]
            lines += [step.line for job in pipeline.jobs for step in job.steps]
            assert all(1 <= n <= last for n in lines), (lines, last)
            assert set(pipeline.triggers) <= set(TRIGGERS)
        _skips_are_clean(snapshot, ctx)


# --- configuration ------------------------------------------------------------------------------


@given(
    st.sampled_from([".mlops-scan.toml", "pyproject.toml"]),
    st.one_of(
        toml_text,
        st.dictionaries(st.sampled_from(TOML_KEYS), toml_values, max_size=4).map(
            lambda t: _toml({"tool": {"mlops-scan": t}})
        ),
        binary,
    ),
)
def test_config_reader_gives_a_config_or_one_error(name, content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
        try:
            config = load_config(path, root=Path(folder))
        except ConfigError as error:
            assert str(error).startswith(f"{path}: ")
            _one_line(str(error))
        else:
            assert isinstance(config.scan_limits(), Limits)


# --- bytes, sizes, limits -----------------------------------------------------------------------


@given(binary)
def test_decode_gives_text_or_none(data):
    text = decode(data)
    assert text is None or isinstance(text, str)
    if b"\x00" not in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert text is not None  # only NUL bytes (or a UTF-16 BOM) make bytes binary


@given(st.text(max_size=60).filter(lambda t: "\x00" not in t))
def test_decode_gives_back_utf8_text(text):
    assert decode(text.encode("utf-8")) == text.removeprefix("\ufeff")


@given(st.text(max_size=20) | st.from_regex(r"\d{1,30}(\.\d{1,5})?\s?[kKmMgG]?i?[bB]?", fullmatch=True))
def test_sizes_parse_or_raise_value_error(text):
    try:
        assert parse_size(text) >= 0
    except ValueError as error:
        _one_line(str(error))


@given(st.integers(0, 2**40), st.sampled_from([("", 1), ("B", 1), ("KiB", 1024), ("kB", 1000), ("MiB", 1024**2)]))
def test_sizes_are_their_number_times_the_unit(number, unit):
    assert parse_size(f"{number}{unit[0]}") == number * unit[1]


@given(
    st.lists(
        st.text(max_size=25)
        | st.sampled_from(
            [
                "max-files=10",
                "parse-timeout=1e999",
                "max-file-bytes=1GiB",
                "max_depth=3",
                "parse-timeout=nan",
                "max-files=-1",
            ]
        ),
        max_size=3,
    )
)
def test_limit_options_give_limits_or_a_usage_error(options):
    try:
        limits = Limits().with_options(options)
    except UsageError as error:
        _one_line(str(error))
    else:
        given = {n.strip().replace("-", "_"): v.strip() for n, _, v in (o.partition("=") for o in options)}
        for field, value in given.items():  # each option given is what the limits now say (the last of a name wins)
            kind = parse_size if field.endswith("_bytes") else float if field.endswith("_timeout") else int
            assert getattr(limits, field) == kind(value)


# --- a whole scan of a small random repository ---------------------------------------------------

REPO_FILES = [
    ".github/workflows/ci.yml",
    "requirements.txt",
    "pyproject.toml",
    "train.py",
    "tests/test_x.py",
    "notebooks/a.ipynb",
    "k8s/deploy.yaml",
    "dvc.yaml",
    "setup.py",
    "environment.yml",
    "Jenkinsfile",
]


small_repository = st.dictionaries(
    st.sampled_from(REPO_FILES), st.one_of(any_yaml, notebook_text, toml_text, binary), max_size=5
)


@given(small_repository)
def test_any_small_repository_scans_to_a_level(files):
    with repository(files) as snapshot:
        result = collect(snapshot, RULES)
        assert result.errors == []
        assessment = assess(MODEL, result.evidence, root=str(snapshot.root), skipped=tuple(result.skipped))
        assert 0 <= assessment.level < len(MODEL.levels)
        assert set(snapshot.skipped) <= set(result.skipped) and len(set(result.skipped)) == len(result.skipped)
        for skipped in result.skipped:
            _one_line(skipped.reason)
        for item in result.evidence:  # evidence only on listed files, at a line the file has
            content = files[item.path]
            lines = (content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")).count(b"\n")
            assert item.line is None or 1 <= item.line <= lines + 1, item


@settings(max_examples=25)
@given(small_repository)
def test_a_scan_gives_the_same_answer_twice(files):
    with repository(files) as first, repository(files) as second:
        one, two = collect(first, RULES), collect(second, RULES)
        assert one.evidence == two.evidence and one.skipped == two.skipped and one.inspected == two.inspected
        assert assess(MODEL, one.evidence).level == assess(MODEL, two.evidence).level


evidence_item = st.builds(
    Evidence,
    st.sampled_from(sorted(CAPABILITIES)).map(CapabilityId),
    st.sampled_from(["r.a", "r.b", "r.c"]).map(RuleId),
    st.sampled_from(["a.py", "b.yml", "c.ipynb"]),
    st.none() | st.integers(1, 9),
    st.just(""),
    st.sampled_from(list(Strength)),
    st.sampled_from(list(Zone)),
)


@given(st.lists(evidence_item, max_size=12), st.lists(evidence_item, max_size=12))
def test_more_evidence_never_lowers_the_level(evidence, more):
    before, after = assess(MODEL, evidence), assess(MODEL, evidence + more)
    assert after.level >= before.level
    assert {c for c, s in before.capabilities.items() if s.present} <= {
        c for c, s in after.capabilities.items() if s.present
    }
    assert assess(MODEL, list(reversed(evidence + more))).level == after.level  # the order does not matter
