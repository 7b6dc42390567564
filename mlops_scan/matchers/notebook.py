"""``notebook`` kind: how much of the code lives in notebooks, and where training happens.

``nb_share`` = notebook code-cell lines / (those + ``.py`` lines), counting non-blank lines
that are not comments or magics, in the project zone only (``setup.py``/``conftest.py``
excluded). Databricks ``.py`` notebook exports count as notebooks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mlops_scan.filecontext import FileContext
from mlops_scan.findings import Zone
from mlops_scan.matchers.base import Hit, Matcher
from mlops_scan.notebooks import code_lines
from mlops_scan.snapshot import FileEntry, Snapshot

TRAINING_CALL = re.compile(
    r"\.(?:fit|fit_generator|fit_transform_and_train|train_on_batch)\s*\(|\b(?:trainer|xgb|lgb|lightgbm|xgboost)\.train\s*\(|\.backward\s*\("
)
_DATABRICKS = "# Databricks notebook source"


@dataclass(frozen=True)
class NotebookParams:
    """Params of a ``notebook`` rule."""

    min_share: float = 0.7
    """Fire when notebooks hold at least this share of the code lines."""
    training: str = "any"
    """``notebooks-only``: also require training calls in notebooks and none in modules; ``any``: no requirement."""
    min_notebooks: int = 1
    """At least this many notebooks with code."""


class NotebookMatcher(Matcher):
    """Counts code lines in notebooks and modules during the single pass, and judges at the end."""

    kind = "notebook"
    Params = NotebookParams

    @classmethod
    def check_params(cls, params: NotebookParams) -> None:
        if not 0 < params.min_share <= 1:
            raise ValueError("min_share must be in (0, 1]")
        if params.training not in ("any", "notebooks-only"):
            raise ValueError("training must be 'any' or 'notebooks-only'")

    def __init__(self, rules, project):  # type: ignore[no-untyped-def]
        super().__init__(rules, project)
        self.nb_lines = 0
        self.py_lines = 0
        self.notebooks: dict[str, int] = {}
        self.nb_training: list[tuple[str, int]] = []
        self.py_training: list[tuple[str, int]] = []
        self.with_outputs = 0

    def wants(self, entry: FileEntry) -> bool:
        return entry.zone is Zone.PROJECT and entry.suffix in (".py", ".ipynb") and entry.name not in ("setup.py", "conftest.py")

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        if ctx.is_notebook:
            cells = ctx.cells or []
            lines = sum(code_lines(c.source) for c in cells)
            if lines:
                self.notebooks[ctx.path] = lines
                self.nb_lines += lines
                self.with_outputs += any(c.has_output for c in cells)
                for cell in cells:
                    match = TRAINING_CALL.search(cell.source)
                    if match:
                        self.nb_training.append((ctx.path, cell.first_line + cell.source.count("\n", 0, match.start())))
                        break
        elif ctx.text:
            text = ctx.text
            lines = code_lines(text)
            if text.startswith(_DATABRICKS):
                self.notebooks[ctx.path] = lines
                self.nb_lines += lines
                target = self.nb_training
            else:
                self.py_lines += lines
                target = self.py_training
            match = TRAINING_CALL.search(text)
            if match:
                target.append((ctx.path, text.count("\n", 0, match.start()) + 1))
        return ()

    @property
    def share(self) -> float:
        """Share of code lines that live in notebooks."""
        total = self.nb_lines + self.py_lines
        return self.nb_lines / total if total else 0.0

    def finish(self, snapshot: Snapshot) -> Iterable[Hit]:
        if not self.notebooks:
            return
        summary = (f"{self.share:.0%} of code lines in {len(self.notebooks)} notebook(s): "
                   f"{self.nb_lines} notebook vs {self.py_lines} .py lines")
        for rule in self.rules:
            p: NotebookParams = rule.params
            if self.share < p.min_share or len(self.notebooks) < p.min_notebooks:
                continue
            if p.training == "notebooks-only":
                if not self.nb_training or self.py_training:
                    continue
                path, line = self.nb_training[0]
                yield Hit(rule, path, line, summary + "; training calls only in notebooks")
            else:
                biggest = max(self.notebooks, key=lambda k: self.notebooks[k])
                yield Hit(rule, biggest, None, summary)

    def measurements(self) -> dict[str, object]:
        return {
            "notebook": {
                "notebooks": len(self.notebooks),
                "notebook_code_lines": self.nb_lines,
                "python_code_lines": self.py_lines,
                "share": round(self.share, 3),
                "notebooks_with_outputs": self.with_outputs,
                "training_in_notebooks": len(self.nb_training),
                "training_in_modules": len(self.py_training),
            }
        }
