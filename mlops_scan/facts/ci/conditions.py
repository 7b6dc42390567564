"""Conditions that are literally false: a job or step that can never run is no evidence of anything.

Only literals are judged, never expressions that depend on the run (``github.event_name == 'x'``
may well be true): GitHub Actions ``if:`` (with or without ``${{ }}``) holding a falsy literal,
GitLab jobs whose every rule says ``when: never`` (or, invalid and so never run, ``when: never``
on the job itself), Azure Pipelines ``condition:`` holding false or 0 and steps with ``enabled: false``.
"""

from __future__ import annotations

import re

from yaml.nodes import Node

from mlops_scan.facts import yamlnodes as Y

_WRAPPED = re.compile(r"^\s*\$\{\{(.*)\}\}\s*$", re.S)
"""A whole value that is one ``${{ expression }}`` (GitHub, and Azure template expressions)."""
_ZERO = re.compile(r"^[-+]?(?:0+(?:\.0*)?|\.0+)(?:e[-+]?\d+)?$|^0x0+$", re.I)
"""A number literal whose value is 0 (JSON forms and hexadecimal)."""
_GITHUB_FALSY = ("false", "null", "''")
"""GitHub's falsy literals besides the number 0 (docs: evaluate expressions, literals)."""
_AZURE_OFF = ("false", "n", "no", "off")
"""Azure Pipelines' boolean strings meaning false (YAML schema: boolean)."""


def _literal(text: str | None) -> str | None:
    """The expression of a condition, unwrapped from ``${{ }}`` and stripped; None when there is none."""
    if text is None:
        return None
    wrapped = _WRAPPED.match(text)
    expression = (wrapped.group(1) if wrapped else text).strip()
    return expression or None


def github_never_runs(body: Node | None) -> bool:
    """A GitHub Actions job or step whose ``if:`` is a falsy literal (``false``, ``${{ false }}``, ``0``, ``null``).

    Keywords are compared without regard to case: ``False`` is either false or an invalid
    workflow, and neither runs.
    """
    expression = _literal(Y.scalar(Y.get(body, "if")))
    return expression is not None and (expression.lower() in _GITHUB_FALSY or bool(_ZERO.match(expression)))


def gitlab_never_runs(body: Node | None) -> bool:
    """A GitLab CI job (or ``workflow:``) that is never added to a pipeline: every rule has ``when: never``."""
    if Y.scalar(Y.get(body, "when")) == "never":  # not allowed on a job: the pipeline is invalid, nothing runs
        return True
    rules = Y.seq(Y.get(body, "rules"))
    return bool(rules) and all(Y.scalar(Y.get(rule, "when")) == "never" for rule in rules)


def azure_never_runs(body: Node | None) -> bool:
    """An Azure Pipelines stage, job or step whose ``condition:`` is ``false`` or ``0``, or a step ``enabled: false``.

    Azure's boolean literals are case-insensitive (``False`` and ``FALSE`` too).
    """
    expression = _literal(Y.scalar(Y.get(body, "condition")))
    if expression is not None and (expression.lower() == "false" or _ZERO.match(expression)):
        return True
    enabled = Y.scalar(Y.get(body, "enabled"))
    return enabled is not None and enabled.strip().lower() in _AZURE_OFF
