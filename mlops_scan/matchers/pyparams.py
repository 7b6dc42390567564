"""Params of the ``python`` kind (matchers/python.py), each with its meaning (docs/writing-rules.md is made from it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PythonParams:
    """Params of a ``python`` rule. The first five lists are alternatives: any match fires."""

    imports: list[str] = field(default_factory=list)
    """Imported module names (``evidently`` also matches ``evidently.presets``); ``*`` is a wildcard."""
    calls: list[str] = field(default_factory=list)
    """Qualified callees, resolved through imports (``mlflow.*.log_model``, ``mlflow*.MlflowClient().create_model_version``)."""
    bases: list[str] = field(default_factory=list)
    """Qualified base classes of a class definition."""
    decorators: list[str] = field(default_factory=list)
    """Qualified decorators (with or without call arguments)."""
    assigns: list[str] = field(default_factory=list)
    """Qualified attributes assigned to (``azure.ai.ml.entities.ManagedOnlineEndpoint().traffic``)."""
    kwargs: list[str] = field(default_factory=list)
    """Keyword arguments a matching call must all have."""
    min_args: int = 0
    """Arguments (positional or keyword) a matching call must pass at least (``1``: ``default_rng(42)``, not
    ``default_rng()``)."""
    kwarg_values: dict[str, str] = field(default_factory=dict)
    """Keyword arguments whose literal value must match a regex (``report_to: wandb``)."""
    excluded_values: dict[str, str] = field(default_factory=dict)
    """Arguments whose literal value, matching the regex, rules a call (or a decorator called so) out: a keyword
    name or a position (``"0"``); a literal ``None`` reads as ``None`` (``schedule: '^None$'``), a string built from
    parts as its template (``"file://" + path`` reads as ``file://{}``)."""
    functions: list[str] = field(default_factory=list)
    """Top-level functions the module must all define (alone, or in addition to the above)."""
    classes: list[str] = field(default_factory=list)
    """Names of classes the module defines (``TritonPythonModel``); an alternative like the first five lists."""
    with_any: list[str] = field(default_factory=list)
    """Also required: a call or import elsewhere in the same file matching one of these."""
    without_any: list[str] = field(default_factory=list)
    """Also required: no call or import in the same file matches any of these."""
    reaches: list[str] = field(default_factory=list)
    """A call matching one of these, in the file or in a function the matched function reaches through the
    repository's own code (its calls and callbacks of the repository's functions, classes and methods, HTTP
    requests to routes the repository serves; at most six hops); with ``with_any``, only where ``with_any`` does
    not hold in the file. The evidence lists every hop (``via``)."""
    used_by: list[str] = field(default_factory=list)
    """Also required: the matched class or function is used by a module that calls, is decorated with or derives
    from one of these (``mlflow.pyfunc.log_model``, ``fastapi.FastAPI``: it serves what it uses), directly or
    through at most three modules of the repository's own code (a helper that builds it, a module importing that
    helper); the matched module itself counts when it uses it outside its definition. Modules under tests, docs or
    examples never count; in a notebook the rule never fires. The evidence lists every hop (``via``)."""
    used_by_defining: list[str] = field(default_factory=list)
    """With ``used_by``: a module defining all these top-level functions uses what it uses as well (an Azure ML
    scoring script's ``init`` and ``run``)."""
    static_data: list[str] = field(default_factory=list)
    """Qualified calls that measure data (``evidently.report.Report().run``, ``nannyml.*().calculate``): the match is
    ruled out when the module (or notebook) makes such calls and, in each, the arguments ``static_data_arguments``
    names come only from static datasets (a call ``static_sources`` names: a train/test split, a toy or synthetic
    dataset; a data file the repository holds or whose name says train, test, sample...), or one of them is made
    from another (``current = reference.sample(...)``). Values read from anywhere else (a table, a prediction log, a
    path known only when it runs) keep the match. Traced through the module's assignments, tuple unpacking, its own
    functions' returns and those of the repository's modules it imports (two modules away at most)."""
    static_data_arguments: list[str] = field(default_factory=lambda: ["0", "1", "reference_data", "current_data"])
    """With ``static_data``: the measured arguments of those calls, keyword names or positions (``"0"``)."""
    static_sources: list[str] = field(default_factory=list)
    """With ``static_data``: qualified calls whose result is a static dataset (``sklearn.datasets.*``)."""
    paths: list[str] = field(default_factory=list)
    """Only files matching these path globs."""
    package_only: bool = False
    """Only modules of an importable package: their folder has an ``__init__.py`` and a name Python can import
    (not ``my-scripts``), and no folder on the path is a dot-folder."""
    notebooks: bool = True
    """Also match notebook code cells."""
    notebook_strength: str | None = None
    """Strength when the match is in a notebook (e.g. ``medium``: a one-off by hand)."""

    def __post_init__(self) -> None:
        """Reject well-typed but meaningless values (ValueError, or re.error for a bad regex)."""
        if not any(
            (
                self.imports,
                self.calls,
                self.bases,
                self.decorators,
                self.assigns,
                self.functions,
                self.classes,
            )
        ):
            raise ValueError("give at least one of imports, calls, bases, decorators, assigns, functions, classes")
        for regex in [*self.kwarg_values.values(), *self.excluded_values.values()]:
            re.compile(regex)
        if self.notebook_strength not in (None, "strong", "medium", "weak"):
            raise ValueError("notebook_strength must be strong, medium or weak")
        names = self.imports + self.calls + self.bases + self.decorators + self.assigns
        for root in {n.split(".")[0].split("(")[0] for n in names}:
            if not re.fullmatch(r"[A-Za-z_]\w*", root):
                raise ValueError(f"a name pattern must start with a literal module name, not {root!r}")
