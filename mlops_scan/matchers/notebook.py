"""``notebook`` kind: how much of the code lives in notebooks, and where training happens.

``nb_share`` = notebook code-cell lines / (those + ``.py`` lines), counting non-blank lines
that are not comments or magics, in the project zone only (``setup.py``/``conftest.py``
excluded). Databricks ``.py`` exports and Jupytext ``.py`` notebooks count as notebooks.

Counter-signals say the notebooks are not where the work is done, and can block a rule:
``orchestrated`` (notebooks executed by papermill, ``jupyter nbconvert --execute`` or a
Databricks job ``notebook_task``), ``package-import`` (a notebook imports the repository's
own package with autoreload on), ``entrypoint`` (a ``train*.py`` module with a ``__main__``
block, or a console-script entry in ``pyproject.toml``).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from mlops_scan.facts.context import FileContext
from mlops_scan.matchers.base import Hit, Matcher
from mlops_scan.matchers.regexes import ScreenedRegex
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import FileEntry, Snapshot
from mlops_scan.types import ProjectInfo, Zone

COUNTER_SIGNALS = ("orchestrated", "package-import", "entrypoint")
MEASURES = ("share", "training-in-both", "stored-outputs")
TRAINING = ("any", "in-notebooks", "notebooks-only")
_AUTORELOAD = ScreenedRegex(r"^\s*%(?:load_ext\s+autoreload|autoreload\b)", re.M)
_MAIN_GUARD = re.compile(r"^if\s+__name__\s*==\s*['\"]__main__['\"]\s*:", re.M)
_SCRIPTS = re.compile(r"^\[(?:project\.scripts|tool\.poetry\.scripts)\]", re.M)
_TEXT_SUFFIXES = (".yml", ".yaml", ".sh")


@dataclass(frozen=True)
class NotebookParams:
    """Params of a ``notebook`` rule."""

    measure: str = "share"
    """``share``: notebooks hold at least ``min_share`` of the code; ``training-in-both``: training calls in
    notebooks and in modules; ``stored-outputs``: notebooks committed with outputs (run by hand)."""
    min_share: float = 0.7
    """Fire when notebooks hold at least this share of the code lines."""
    training: str = "any"
    """``in-notebooks``: also require a training call in some notebook; ``notebooks-only``: training calls in
    notebooks and none in modules; ``any``: no requirement."""
    min_notebooks: int = 1
    """At least this many notebooks with code."""
    training_calls: str = ""
    """Regex of a call that trains a model, searched (multi-line mode) in notebook cells and modules for the
    ``training`` and ``training-in-both`` tests and the measurements; the packs name it once
    (``${training_call}``), and the matcher counts a match of any of its rules' regexes."""
    orchestrated_by: str = ""
    """Regex (multi-line mode) of what runs notebooks unattended (papermill, ``jupyter nbconvert --execute``, a
    Databricks ``notebook_task``), searched in modules, YAML and shell files: the ``orchestrated`` counter-signal."""
    blocked_by: list[str] = field(default_factory=list)
    """Counter-signals that stop the rule: ``orchestrated`` (papermill, Databricks jobs), ``package-import``
    (notebooks import the repository's package), ``entrypoint`` (a training entry point module)."""

    def __post_init__(self) -> None:
        """Reject well-typed but meaningless values (ValueError, or re.error for a bad regex)."""
        if self.measure not in MEASURES:
            raise ValueError(f"measure must be one of {', '.join(MEASURES)}")
        if not 0 < self.min_share <= 1:
            raise ValueError("min_share must be in (0, 1]")
        if self.training not in TRAINING:
            raise ValueError(f"training must be one of {', '.join(TRAINING)}")
        for signal in self.blocked_by:
            if signal not in COUNTER_SIGNALS:
                raise ValueError(f"unknown counter-signal {signal!r} (known: {', '.join(COUNTER_SIGNALS)})")
        if (self.training != "any" or self.measure == "training-in-both") and not self.training_calls:
            raise ValueError("this rule looks for training calls: training_calls is required")
        if "orchestrated" in self.blocked_by and not self.orchestrated_by:
            raise ValueError("blocked_by orchestrated needs orchestrated_by")
        for regex in (self.training_calls, self.orchestrated_by):
            re.compile(regex, re.M)


@dataclass
class _Found:
    """What one file adds to the counts: notebook code lines (a text notebook?), module code lines, the line of a
    training call, of the first cell with stored outputs, and of each counter-signal."""

    notebook: int | None = None
    text_notebook: bool = False
    py_lines: int = 0
    training: int | None = None
    outputs: int | None = None
    signals: dict[str, int] = field(default_factory=dict)

    def signal(
        self, name: str, pattern: re.Pattern[str] | ScreenedRegex | None, text: str, line: int | None = None
    ) -> None:
        match = pattern.search(text) if pattern is not None else None
        if match:
            self.signals[name] = line if line is not None else text.count("\n", 0, match.start()) + 1

    def valid(self) -> bool:
        """Every field of the JSON-ready form has its type (a kept state is data from disk)."""
        numbers = [self.notebook, self.training, self.outputs]
        return (
            all(n is None or type(n) is int for n in numbers)
            and type(self.text_notebook) is bool
            and type(self.py_lines) is int
            and isinstance(self.signals, dict)
            and all(name in COUNTER_SIGNALS and type(n) is int for name, n in self.signals.items())
        )


class NotebookMatcher(Matcher[NotebookParams]):
    """Counts code lines in notebooks and modules during the single pass, and judges at the end."""

    kind = "notebook"
    Params = NotebookParams
    reusable = True
    scan_modules = ("mlops_scan.facts.notebooks",)

    def __init__(self, rules: Sequence[Rule[object]], project: ProjectInfo) -> None:
        super().__init__(rules, project)
        self.nb_lines = 0
        self.py_lines = 0
        self.notebooks: dict[str, int] = {}
        self.text_notebooks = 0
        self.nb_training: list[tuple[str, int]] = []
        self.py_training: list[tuple[str, int]] = []
        self.with_outputs: list[tuple[str, int]] = []
        self.counter: dict[str, tuple[str, int]] = {}
        """Counter-signal -> first place it was seen."""
        self._last = _Found()
        self._training = _any_of(rule.params.training_calls for rule in self.rules)
        self._orchestrated = _any_of(rule.params.orchestrated_by for rule in self.rules)

    def wants(self, entry: FileEntry) -> bool:
        if entry.zone is not Zone.PROJECT:
            return False
        if entry.suffix in (".py", ".ipynb"):
            return entry.name not in ("setup.py", "conftest.py")
        return entry.suffix in _TEXT_SUFFIXES or entry.path == "pyproject.toml"

    def scan(self, ctx: FileContext) -> Iterable[Hit]:
        found = self._last = _Found()
        if ctx.is_notebook:
            self._scan_notebook(ctx, found)
        elif ctx.text:
            if ctx.entry.suffix == ".py":
                self._scan_module(ctx, ctx.text, found)
            elif ctx.path == "pyproject.toml":
                found.signal("entrypoint", _SCRIPTS, ctx.text)
            else:
                found.signal("orchestrated", self._orchestrated, ctx.text)
        self._add(ctx.path, found)
        return ()

    def _scan_notebook(self, ctx: FileContext, found: _Found) -> None:
        from mlops_scan.facts.notebooks import code_lines  # the notebook reader: a rescan may replay every file

        cells = ctx.cells or []
        lines = sum(code_lines(c.source) for c in cells)
        if not lines:
            return
        found.notebook = lines
        ran = next((c for c in cells if c.has_output), None)
        found.outputs = ran.first_line if ran is not None else None
        for cell in cells:
            match = self._training.search(cell.source) if self._training else None
            if match:
                found.training = cell.first_line + cell.source.count("\n", 0, match.start())
                break
        source = "\n".join(c.source for c in cells)
        own_import = _own_import(self.project.packages)
        if own_import is not None and _AUTORELOAD.search(source):
            found.signal("package-import", own_import, source, line=cells[0].first_line)

    def _scan_module(self, ctx: FileContext, text: str, found: _Found) -> None:
        from mlops_scan.facts.notebooks import code_lines, is_text_notebook

        lines = code_lines(text)
        folder = ctx.path.rsplit("/", 1)[0] if "/" in ctx.path else ""
        if is_text_notebook(text, in_package=ctx.snapshot.entry(f"{folder}/__init__.py") is not None):
            found.notebook, found.text_notebook = lines, True
        else:
            found.py_lines = lines
            found.signal("orchestrated", self._orchestrated, text)
            if ctx.entry.name.startswith("train"):
                found.signal("entrypoint", _MAIN_GUARD, text)
        match = self._training.search(text) if self._training else None
        if match:
            found.training = text.count("\n", 0, match.start()) + 1

    def _add(self, path: str, found: _Found) -> None:
        """Count what one file holds (the first place of each counter-signal is kept)."""
        if found.notebook is not None:
            self.notebooks[path] = found.notebook
            self.nb_lines += found.notebook
            self.text_notebooks += found.text_notebook
        self.py_lines += found.py_lines
        if found.outputs is not None:
            self.with_outputs.append((path, found.outputs))
        if found.training is not None:
            (self.nb_training if found.notebook is not None else self.py_training).append((path, found.training))
        for name, line in found.signals.items():
            self.counter.setdefault(name, (path, line))

    def file_state(self, path: str) -> object:
        """What the last file scanned holds (:class:`_Found` as a dict); None when nothing."""
        return dataclasses.asdict(self._last) if self._last != _Found() else None

    def restore_state(self, path: str, state: object) -> Callable[[], None]:
        if state is None:
            return super().restore_state(path, state)
        try:
            found = _Found(**state)  # type: ignore[arg-type]
        except TypeError:
            raise ValueError("not a notebook matcher state") from None
        if not found.valid():
            raise ValueError("not a notebook matcher state")
        return functools.partial(self._add, path, found)

    @property
    def share(self) -> float:
        """Share of code lines that live in notebooks."""
        total = self.nb_lines + self.py_lines
        return self.nb_lines / total if total else 0.0

    def finish(self, snapshot: Snapshot) -> Iterable[Hit]:
        if not self.notebooks:
            return
        summary = (
            f"{self.share:.0%} of code lines in {len(self.notebooks)} notebook(s): "
            f"{self.nb_lines} notebook vs {self.py_lines} .py lines"
        )
        for rule in self.rules:
            p = rule.params
            if len(self.notebooks) < p.min_notebooks or any(s in self.counter for s in p.blocked_by):
                continue
            if p.measure == "training-in-both":
                if self.nb_training and self.py_training:
                    path, line = self.nb_training[0]
                    yield Hit(
                        rule,
                        path,
                        line,
                        f"training in {len(self.nb_training)} notebook(s) and "
                        f"{len(self.py_training)} module(s), e.g. {self.py_training[0][0]}",
                    )
            elif p.measure == "stored-outputs":
                if self.with_outputs:
                    path, line = self.with_outputs[0]
                    yield Hit(
                        rule,
                        path,
                        line,
                        f"{len(self.with_outputs)} of {len(self.notebooks)} notebook(s) committed with outputs",
                    )
            elif self.share >= p.min_share:
                if p.training == "notebooks-only":
                    if not self.nb_training or self.py_training:
                        continue
                    path, line = self.nb_training[0]
                    yield Hit(rule, path, line, summary + "; training calls only in notebooks")
                elif p.training == "any" or self.nb_training:
                    biggest = max(self.notebooks, key=lambda k: self.notebooks[k])
                    yield Hit(rule, biggest, None, summary)

    def measurements(self) -> dict[str, object]:
        return {
            "notebook": {
                "notebooks": len(self.notebooks),
                "text_notebooks": self.text_notebooks,
                "notebook_code_lines": self.nb_lines,
                "python_code_lines": self.py_lines,
                "share": round(self.share, 3),
                "notebooks_with_outputs": len(self.with_outputs),
                "training_in_notebooks": len(self.nb_training),
                "training_in_modules": len(self.py_training),
                "counter_signals": {name: f"{path}:{line}" for name, (path, line) in sorted(self.counter.items())},
            }
        }


@functools.lru_cache(maxsize=8)
def _own_import(packages: frozenset[str]) -> re.Pattern[str] | None:
    """An import of one of the repository's own packages (None when it has none)."""
    own = "|".join(map(re.escape, sorted(packages)))
    return re.compile(rf"^\s*(?:from|import)\s+(?:{own})\b", re.M) if own else None


def _any_of(regexes: Iterable[str]) -> ScreenedRegex | None:
    """One regex for the distinct non-empty regexes of the rules (multi-line mode), or None when there are none."""
    distinct = sorted({r for r in regexes if r})
    return ScreenedRegex("|".join(f"(?:{r})" for r in distinct), re.M) if distinct else None
