"""``workflow`` kind: CI pipelines by system, trigger, and the commands or actions their steps run.

The CI readers (PyYAML and every system's reader), the hops into called files and the project index are imported
when a file is scanned or a ``reaches`` rule decided: a rescan that replays every file needs none of them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from mlops_scan.facts.ci.systems import (
    BUILD_CONFIG_SYSTEMS,
    DECLARATION_HINTS,
    OPT_IN_SYSTEMS,
    SYSTEMS,
    detect_system,
    may_declare,
)
from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import Hit, Matcher, state_pairs
from mlops_scan.matchers.buildconfigs import OWN, BuildConfigs, Found, trigger_sets
from mlops_scan.matchers.names import NamePatterns, TextGlob, name_patterns
from mlops_scan.matchers.regexes import ScreenedRegex
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import ProjectInfo

if TYPE_CHECKING:
    from mlops_scan.facts.ci.model import Job, Pipeline
    from mlops_scan.facts.index import Goal
    from mlops_scan.facts.python import Call


@dataclass(frozen=True)
class WorkflowParams:
    """Params of a ``workflow`` rule; all given tests must hold in one job."""

    systems: list[str] = field(default_factory=list)
    """CI systems (empty: any CI system). See ``mlops_scan.facts.ci.systems.SYSTEMS``; ``github-actions-template``
    (workflows parked outside ``.github/workflows/``) and ``pre-commit`` (git hooks) match only when named."""
    triggers: list[str] = field(default_factory=list)
    """The pipeline (or the job) runs on any of these triggers (empty: any, including none)."""
    not_triggers: list[str] = field(default_factory=list)
    """The job must not run on any of these (its own triggers when it has some, else the pipeline's): ``release``
    rules use ``[pull_request]`` so a CI workflow that also runs on tags is not a release."""
    commands: list[str] = field(default_factory=list)
    """Regexes searched (multi-line mode) in a step's command, followed one hop into the local scripts and tasks it
    calls; any match fires."""
    not_commands: list[str] = field(default_factory=list)
    """Regexes; the job is left out when a step's command or action, followed like ``commands``, matches any
    (a job that starts a throwaway kind or minikube cluster tests, it does not deploy)."""
    uses: list[str] = field(default_factory=list)
    """Globs on a step's action or task (``pypa/gh-action-pypi-publish@*``, ``PublishTestResults@*``)."""
    job_keys: list[str] = field(default_factory=list)
    """The job has any of these keys (``environment``)."""
    reaches: list[str] = field(default_factory=list)
    """Qualified calls (as a ``python`` rule's ``reaches``) that the repository's own Python a step runs must make,
    in the module or through the repository's own code (at most six hops): ``python script.py``, ``python -m
    pkg.mod`` (a package's ``__main__.py``), or a console script the repository declares, in the step or in the
    scripts and tasks it calls. Decided once every file is read; given alone with the system and trigger tests (not
    with ``commands``, ``uses`` or ``job_keys``). The evidence lists every hop (``via``)."""

    def __post_init__(self) -> None:
        """Reject well-typed but meaningless values (ValueError, or re.error for a bad regex)."""
        from mlops_scan.facts.ci.model import TRIGGERS

        for system in self.systems:
            if system not in SYSTEMS:
                raise ValueError(f"unknown CI system {system!r} (known: {', '.join(SYSTEMS)})")
        for trigger in self.triggers + self.not_triggers:
            if trigger not in TRIGGERS:
                raise ValueError(f"unknown trigger {trigger!r} (known: {', '.join(TRIGGERS)})")
        for command in self.commands + self.not_commands:
            re.compile(command)
        if self.reaches and (self.commands or self.uses or self.job_keys):
            raise ValueError("reaches is a test of its own: give it without commands, uses or job_keys")


MAX_REMEMBERED = 64 * 1024
"""Commands up to this length have their search results remembered: generated CI files repeat the same steps."""


class _Compiled:
    def __init__(self, rule: Rule[WorkflowParams]) -> None:
        p = rule.params
        self.rule = rule
        self.commands = _alternation(p.commands)
        self.not_commands = _alternation(p.not_commands)
        self.uses = [TextGlob(u) for u in p.uses]
        self.reaches = name_patterns(p.reaches, prefix=True)
        self._found: dict[str, bool] = {}
        """Command -> whether ``commands`` occurs in it, for the commands seen before."""
        self._not_found: dict[str, bool] = {}
        """The same for ``not_commands``."""

    def _occurs(self, regex: ScreenedRegex, command: str) -> bool:
        """Whether ``regex`` (this rule's ``commands`` or ``not_commands``) occurs in ``command``."""
        if len(command) > MAX_REMEMBERED:
            return regex.search(command) is not None
        seen = self._not_found if regex is self.not_commands else self._found
        found = seen.get(command)
        if found is None:
            found = seen[command] = regex.search(command) is not None
        return found

    def _jobs(self, pipeline: Pipeline, jobs: Jobs, expanded: dict[int, str]) -> Iterator[tuple[Job, dict[str, int]]]:
        """The jobs (``jobs``: the pipeline's, with their triggers) that pass the rule's system and trigger tests (and
        ``not_commands``), with their triggers."""
        p = self.rule.params
        if pipeline.system not in p.systems if p.systems else pipeline.system in OPT_IN_SYSTEMS:
            return
        for job, triggers in jobs:
            if p.triggers and not any(t in triggers for t in p.triggers):
                continue
            if any(t in (job.triggers or pipeline.triggers) for t in p.not_triggers):
                continue
            if self.not_commands and any(
                self._occurs(self.not_commands, expanded.get(id(s), s.command or s.uses)) for s in job.steps
            ):
                continue
            yield job, triggers

    def match(self, pipeline: Pipeline, jobs: Jobs, expanded: dict[int, str], lines: list[str]) -> int | None:
        p = self.rule.params
        for job, triggers in self._jobs(pipeline, jobs, expanded):
            line = self._job_line(job, expanded, lines)
            if line is None:
                continue
            if line == 0:
                return min(triggers[t] for t in p.triggers if t in triggers) if p.triggers else pipeline.line
            return line
        return None

    def reach_candidates(self, pipeline: Pipeline, expanded: dict[int, str]) -> list[tuple[int, str]]:
        """For a ``reaches`` rule: the steps of the passing jobs, in order, with what they run (expanded), whose
        entry points into the repository's Python are followed once the pass has ended."""
        return [
            (step.line, expanded.get(id(step), step.command)[:MAX_KEPT_COMMAND])
            for job, _ in self._jobs(pipeline, job_triggers(pipeline), expanded)
            for step in job.steps
            if expanded.get(id(step), step.command)
        ]

    def _job_line(self, job: Job, expanded: dict[int, str], lines: list[str]) -> int | None:
        """0 when the rule has no step tests, the step/key line when one matches, else None."""
        p = self.rule.params
        if not (self.commands or self.uses or p.job_keys):
            return 0
        for key in p.job_keys:
            if key in job.keys:
                return job.keys[key]
        for step in job.steps:
            if self.uses and step.uses and any(u.match(step.uses) for u in self.uses):
                return step.line
            if self.commands and self._occurs(self.commands, expanded.get(id(step), step.command)):
                return _line_in_block(step.line, step.command, self.commands.compiled, lines)
        return None


Jobs = list[tuple["Job", dict[str, int]]]


def job_triggers(pipeline: Pipeline) -> Jobs:
    """The pipeline's jobs (one without steps when it has none), each with its triggers and the pipeline's."""
    from mlops_scan.facts.ci.model import Job

    return [(job, {**pipeline.triggers, **job.triggers}) for job in pipeline.jobs or [Job("", pipeline.line)]]


MAX_KEPT_COMMAND = 16 * 1024
"""What a step runs (expanded) is kept up to this length for ``reaches``: entry points are named near the start."""


def _alternation(regexes: list[str]) -> ScreenedRegex | None:
    """One regex for a list of alternatives, searched only in commands holding one of their literals."""
    return ScreenedRegex("|".join(f"(?:{c})" for c in regexes), re.M) if regexes else None


def _line_in_block(line: int, command: str, regex: re.Pattern[str], lines: list[str]) -> int:
    """The file line of the match inside a multi-line ``run: |`` block, when the file shows it there; else ``line``."""
    match = regex.search(command)
    if match is None or "\n" not in command:
        return line
    candidate = line + 1 + command.count("\n", 0, match.start())
    text = match.group(0).strip()
    if text and 0 < candidate <= len(lines) and text in lines[candidate - 1]:
        return candidate
    return line


class WorkflowMatcher(Matcher[WorkflowParams]):
    """Reads each CI definition once into a :class:`Pipeline` and serves every workflow rule."""

    kind = "workflow"
    Params = WorkflowParams
    reusable = True
    scan_modules = (
        "mlops_scan.facts.ci.readers",
        "mlops_scan.facts.ci.hops",
        "mlops_scan.facts.ci.model",
        "mlops_scan.facts.ci.conditions",
        "mlops_scan.facts.ci.scriptinputs",
        "mlops_scan.facts.ci.steps",
        "mlops_scan.facts.yamlnodes",
    )

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        super().__init__(rules, project)
        self._rules = [_Compiled(r) for r in self.rules]
        self._by_id: dict[str, Rule[object]] = {c.rule.id: c.rule for c in self._rules}
        self._needs_commands = any(c.commands or c.not_commands or c.reaches for c in self._rules)
        self._referenced: dict[str, FileContext] = {}
        """The files steps refer to, opened once for all CI files."""
        self._held: list[tuple[str, str, list[tuple[int, str, str]]]] = []
        """``reaches`` rules' candidates, decided once the pass has ended: (rule id, CI file, [(line, snippet,
        command)])."""
        self._held_before = 0
        """How many were held before the last file scanned (its kept state is the rest)."""
        self._configs = BuildConfigs()
        """Build configs whose triggers infrastructure code may declare, and the declarations."""

    def wants(self, entry: FileEntry) -> bool:
        return detect_system(entry.path) is not None or may_declare(entry.path)

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        self._held_before = len(self._held)
        self._configs.start()
        text = ctx.text
        if not text:
            return
        if may_declare(ctx.path) and any(hint in text for hint in DECLARATION_HINTS):
            from mlops_scan.facts.ci.iacrefs import declared_configs

            declared = declared_configs(ctx.path, text, lambda path: ctx.snapshot.entry(path) is not None)
            self._configs.refs += [(ctx.path, ref) for ref in declared]
        system = detect_system(ctx.path)
        if system is None or (system == "yaml?" and not _maybe_ci(text)):
            return
        from mlops_scan.facts.ci.readers import read_pipeline

        called = self._referenced.get(ctx.path)
        if called is not None:  # a CI file before it called it: composed then
            ctx.adopt_yaml(called)
        pipeline = read_pipeline(ctx)
        config = _build_config(ctx, pipeline)
        expanded = self._expand(ctx, [p for p in (pipeline, config) if p is not None])
        for compiled in self._rules:
            if compiled.reaches:
                steps = compiled.reach_candidates(pipeline, expanded) if pipeline is not None else []
                if steps:
                    held = [(line, ctx.line_text(line), command) for line, command in steps]
                    self._held.append((compiled.rule.id, ctx.path, held))
        if config is not None:  # decided once the declarations are known
            outcomes = {OWN: self._found(ctx, pipeline, expanded)} if pipeline is not None else {}
            for triggers in trigger_sets(config.system):
                variant = replace(config, triggers=dict.fromkeys(triggers, config.line))
                outcomes[",".join(triggers)] = self._found(ctx, variant, expanded)
            self._configs.held.append((ctx.path, config.system, outcomes))
        elif pipeline is not None:
            for rule_id, line, snippet in self._found(ctx, pipeline, expanded):
                yield Hit(self._by_id[rule_id], ctx.path, line, snippet)

    def _expand(self, ctx: FileContext, pipelines: list[Pipeline]) -> dict[int, str]:
        """Each step's command followed into the local files it calls (by the step's id)."""
        expanded: dict[int, str] = {}
        if not self._needs_commands:
            return expanded
        from mlops_scan.facts.ci.hops import Referenced, expand

        ci_dir = ctx.path.rsplit("/", 1)[0] if "/" in ctx.path else ""
        files = Referenced(ctx, self._referenced)
        for step in (step for pipeline in pipelines for job in pipeline.jobs for step in job.steps):
            if id(step) not in expanded:
                local = step.uses if step.uses.startswith("./") else ""  # a local action called with inputs
                expanded[id(step)] = expand("\n".join(filter(None, (step.command, local))) or step.uses, files, ci_dir)
        return expanded

    def _found(self, ctx: FileContext, pipeline: Pipeline, expanded: dict[int, str]) -> Found:
        """(rule id, line, snippet) of each rule (but ``reaches`` ones) the pipeline matches."""
        out: Found = []
        jobs = job_triggers(pipeline)  # once for all the rules
        for compiled in self._rules:
            line = None if compiled.reaches else compiled.match(pipeline, jobs, expanded, ctx.lines)
            if line is not None:
                out.append((compiled.rule.id, line, ctx.line_text(line) or f"{pipeline.system} pipeline"))
        return out

    def file_state(self, path: str) -> object:
        """The ``reaches`` candidates of the file, and the build configs it declares or is; None when none."""
        state: dict[str, object] = {"held": [[rule, steps] for rule, _, steps in self._held[self._held_before :]]}
        state |= self._configs.file_state()
        return state if any(state.values()) else None

    def restore_state(self, path: str, state: object) -> Callable[[], None]:
        if state is None:
            return super().restore_state(path, state)
        known = {c.rule.id for c in self._rules if c.reaches}
        pairs = state_pairs(state, "held", lambda rule, steps: rule in known and _steps(steps))
        held = [(rule, path, [(line, snippet, command) for line, snippet, command in steps]) for rule, steps in pairs]
        add_configs = self._configs.restore(path, state, set(self._by_id))

        def add() -> None:
            self._held.extend(held)
            add_configs()

        return add

    def finish(self, snapshot: Snapshot) -> Iterable[Hit]:
        """The build configs' hits under their declared triggers; the ``reaches`` candidates whose step runs the
        repository's Python that reaches a call the rule names: the first such step of each rule and CI file, with
        the hops (the project index is built only now)."""
        configs = self._configs.hits(self._by_id)
        return configs + self._reached(snapshot) if self._held else configs

    def _reached(self, snapshot: Snapshot) -> list[Hit]:
        from mlops_scan.facts.entrypoints import console_scripts, entry_points, reach_from
        from mlops_scan.facts.index import ProjectIndex

        index, scripts = ProjectIndex(snapshot), console_scripts(snapshot)
        rules: dict[str, _Compiled] = {c.rule.id: c for c in self._rules}
        hits = []
        for rule_id, path, steps in self._held:
            compiled = rules[rule_id]
            assert compiled.reaches is not None
            goal = self._goal(compiled.reaches)
            for line, snippet, command in steps:
                points = entry_points(index, command, scripts, path)
                chain = reach_from(index, points, goal) if points else None
                if chain:
                    hits.append(Hit(compiled.rule, path, line, snippet, via=tuple(hop.location for hop in chain)))
                    break
        return hits

    def _goal(self, regex: NamePatterns) -> Goal:
        """A call the regex names, of a third party (the repository's own packages are never the goal)."""
        own = self.project.packages

        def goal(calls: list[Call]) -> int | None:
            foreign = (c for c in calls if c.name.split(".")[0].split("(")[0] not in own)
            return next((c.line for c in foreign if regex.match(c.name)), None)

        return goal


def _build_config(ctx: FileContext, pipeline: Pipeline | None) -> Pipeline | None:
    """The file as a build config whose triggers infrastructure code may declare (a Cloud Build config or a CodeBuild
    buildspec of any name), or None."""
    if pipeline is not None and pipeline.system not in BUILD_CONFIG_SYSTEMS:
        return None
    from mlops_scan.facts.ci.readers import build_config_shape, read_build_config

    shape = build_config_shape(ctx)
    if shape is None:
        return None
    return pipeline if pipeline is not None and pipeline.system == shape else read_build_config(ctx, shape)


def _steps(data: object) -> bool:
    """A kept list of ``[line, snippet, command]``."""
    return isinstance(data, list) and all(
        isinstance(s, list) and len(s) == 3 and type(s[0]) is int and isinstance(s[1], str) and isinstance(s[2], str)
        for s in data
    )


_CI_HINT = re.compile(r"^(trigger|pr|schedules|stages|jobs|steps|phases):|^\s*\"steps\"\s*:", re.M)


def _maybe_ci(text: str) -> bool:
    """Cheap test before parsing a YAML file of no fixed CI name."""
    return "tekton.dev/" in text or bool(_CI_HINT.search(text))
