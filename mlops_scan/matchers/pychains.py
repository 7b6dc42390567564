"""Python matches decided once every file is read: by what the matched code reaches, or by what uses it."""

from __future__ import annotations

from collections.abc import Callable

from mlops_scan.facts.index import Entry, Goal, Hop, Module, ProjectIndex
from mlops_scan.facts.python import Call
from mlops_scan.matchers.base import Hit
from mlops_scan.matchers.names import NamePatterns
from mlops_scan.rules.loader import Rule


def first_call(names: NamePatterns, calls: list[Call]) -> int | None:
    """The line of the first call ``names`` matches, or None."""
    return next((c.line for c in calls if names.match(c.name)), None)


def goal_of(names: NamePatterns, foreign: Callable[[str], bool]) -> Goal:
    """What ends a chain: a call ``names`` matches, of a third party (``foreign``: not the repository's own)."""

    def goal(calls: list[Call]) -> int | None:
        return first_call(names, [c for c in calls if foreign(c.name)])

    return goal


def reached_hit(index: ProjectIndex, rule: Rule[object], path: str, lines: list[int], goal: Goal) -> Hit | None:
    """The first match (a flow, a route) whose function reaches ``goal`` through the repository's own code."""
    for line in lines:
        chain = index.reach(path, goal, line)
        if chain is not None:
            return _hit(index, rule, path, line, chain)
    return None


def used_hit(index: ProjectIndex, rule: Rule[object], path: str, lines: list[int], entry: Entry) -> Hit | None:
    """The first match (a class, a function) that a module where ``entry`` holds uses, directly or through the
    repository's own code."""
    for line in lines:
        chain = index.used_by(path, line, entry)
        if chain is not None:
            return _hit(index, rule, path, line, chain)
    return None


def entry_of(names: NamePatterns | None, defining: list[str]) -> Entry:
    """A module is an entry when one of its calls, decorators or base classes matches ``names``, or when it defines
    every function of ``defining`` (the line of the first such)."""

    def entry(module: Module) -> int | None:
        facts = module.facts
        if names is not None:
            used = [(c.name, c.line) for c in facts.calls] + facts.decorators + facts.bases
            line = next((line for name, line in used if names.match(name)), None)
            if line is not None:
                return line
        if defining and all(name in facts.functions for name in defining):
            return min(facts.functions[name] for name in defining)
        return None

    return entry


def _hit(index: ProjectIndex, rule: Rule[object], path: str, line: int, chain: list[Hop]) -> Hit:
    return Hit(rule, path, line, index.line_text(path, line), via=tuple(h.location for h in chain))
