"""The ``notebook`` matcher kind on its own: line counting, notebook line mapping, the share, where training
happens, text notebooks (Databricks, Jupytext) and the counter-signals that block a rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import MatcherProbe

from mlops_scan import strictyaml
from mlops_scan.facts.notebooks import NotebookError, as_python, code_lines, is_text_notebook, read_cells
from mlops_scan.matchers.notebook import NotebookParams
from mlops_scan.rules.loader import Rule
from mlops_scan.rules.sources import builtin_pack_dir

PATTERNS = strictyaml.load_file(builtin_pack_dir() / "notebook_centric.yaml")["patterns"]
"""The built-in pack's training-call and orchestrator regexes (the data the notebook rules use)."""


@pytest.fixture
def make_rule(probe: MatcherProbe) -> Callable[..., Rule]:
    """Rules of the ``notebook`` kind, loaded from a pack by the real loader (conftest.MatcherProbe)."""
    return probe.maker(
        "notebook", "notebook_centric.probe", training_calls="${training_call}", orchestrated_by="${orchestrated}"
    )


def notebook(*cells: str, outputs: bool = False) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]}]
            + [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "execution_count": 1 if outputs else None,
                    "outputs": [{"output_type": "stream", "name": "stdout", "text": ["x\n"]}] if outputs else [],
                    "source": [line + "\n" for line in c.splitlines()],
                }
                for c in cells
            ],
        },
        indent=1,
    )


def run(
    probe: MatcherProbe, files: dict[str, str], *rules: Rule, packages: frozenset[str] = frozenset()
) -> tuple[list[tuple[str, str, int | None]], dict[str, Any]]:
    """The notebook kind's hits and measurement over ``files`` (measured even with no rule)."""
    hits, measured = probe.run(files, *rules, packages=packages, kind="notebook")
    return hits, measured["notebook"]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_code_lines_skip_blanks_comments_and_magics() -> None:
    assert code_lines("%matplotlib inline\n!pip install x\n\n# note\nimport os\n  x = 1  # trailing\n") == 2


def test_cells_know_the_file_line_they_start_on() -> None:
    text = notebook("import pandas as pd", "df = pd.read_csv('a.csv')\ndf.head()")
    cells = read_cells(text)
    assert [c.first_line for c in cells] == [line_of(text, "import pandas"), line_of(text, "read_csv")]
    source, line_map = as_python(cells)
    assert source.splitlines()[3] == "df.head()"  # each cell ends with a blank separator line
    assert line_map[3] == line_of(text, "df.head()")


def test_magics_become_comments_in_the_joined_source() -> None:
    source, _ = as_python(read_cells(notebook("%pip install x\nimport x")))
    assert source.splitlines()[:2] == ["#%pip install x", "import x"]


def test_text_notebooks() -> None:
    assert is_text_notebook("# Databricks notebook source\nx = 1\n")
    assert is_text_notebook("# ---\n# jupyter:\n#   jupytext:\n#     formats: ipynb,py:percent\n# ---\nx = 1\n")
    assert is_text_notebook("import os\n\n# %%\nx = 1\n")
    assert not is_text_notebook("import os\n\n# %% IMPORTS\nx = 1\n", in_package=True), "a package module's sections"
    assert is_text_notebook("# ---\n# jupyter:\n#   jupytext:\n# ---\n# %%\nx = 1\n", in_package=True)
    assert not is_text_notebook('"""A module."""\n# a comment about jupytext: nothing\nx = 1\n')


def test_share_counts_notebook_and_module_lines_in_the_project_only(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    files = {
        "analysis.ipynb": notebook("import pandas as pd\n# comment\ndf = pd.read_csv('a.csv')", "df.describe()"),
        "src/util.py": "def f():\n    return 1\n",
        "setup.py": "from setuptools import setup\nsetup()\n",
        "tests/test_util.py": "def test_f():\n    assert True\n",
        "examples/demo.ipynb": notebook("a = 1\nb = 2\nc = 3"),
    }
    rule = make_rule(min_share=0.6)
    hits, m = run(probe, files, rule)
    assert (m["notebooks"], m["notebook_code_lines"], m["python_code_lines"], m["share"]) == (1, 3, 2, 0.6)
    assert hits == [("notebook_centric.probe", "analysis.ipynb", None)]
    assert run(probe, files, make_rule(min_share=0.61))[0] == []


def test_the_biggest_notebook_stands_for_the_share(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    files = {"small.ipynb": notebook("a = 1"), "big.ipynb": notebook("a = 1\nb = 2\nc = 3")}
    assert run(probe, files, make_rule())[0] == [("notebook_centric.probe", "big.ipynb", None)]


def test_in_notebooks_needs_a_training_call_in_some_notebook(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    explore = {"eda.ipynb": notebook("import pandas as pd\ndf = pd.read_csv('a.csv')\ndf.describe()")}
    assert run(probe, explore, make_rule(training="in-notebooks"))[0] == []
    assert run(probe, explore, make_rule(training="any"))[0] == [("notebook_centric.probe", "eda.ipynb", None)]
    trains = {**explore, "fit.ipynb": notebook("model.fit(X, y)"), "pkg/train.py": "def f(m):\n    m.fit(1, 2)\n"}
    assert run(probe, trains, make_rule(min_share=0.6, training="in-notebooks"))[0] == [
        ("notebook_centric.probe", "eda.ipynb", None)
    ]


def test_training_only_in_notebooks_points_at_the_call(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    text = notebook("from sklearn.linear_model import Ridge", "m = Ridge()\nm.fit(X, y)")
    rule = make_rule(min_share=0.5, training="notebooks-only")
    hits, m = run(probe, {"train.ipynb": text, "helpers.py": "def load():\n    return 1\n"}, rule)
    assert hits == [("notebook_centric.probe", "train.ipynb", line_of(text, "m.fit(X, y)"))]
    assert (m["training_in_notebooks"], m["training_in_modules"]) == (1, 0)


def test_training_in_a_module_stops_training_only_and_fires_training_in_both(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    text = notebook("model.fit(X, y)\nprint(1)\nprint(2)")
    files = {"explore.ipynb": text, "pkg/train.py": "def train(m, x, y):\n    return m.fit(x, y)\n"}
    only = make_rule("notebook_centric.only", min_share=0.5, training="notebooks-only")
    both = make_rule("notebook_centric.both", measure="training-in-both")
    hits, m = run(probe, files, only, both)
    assert hits == [("notebook_centric.both", "explore.ipynb", line_of(text, "model.fit"))]
    assert m["training_in_modules"] == 1


def test_databricks_and_jupytext_files_count_as_notebooks(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    files = {
        "notebooks/Train.py": "# Databricks notebook source\n# MAGIC %md # Train\n\n# COMMAND ----------\n\nmodel.fit(X, y)\n",
        "analysis.py": "# %%\nimport pandas as pd\n\n# %%\ndf = pd.read_csv('a.csv')\n",
        "lib.py": "x = 1\n",
    }
    hits, m = run(probe, files, make_rule(min_share=0.7, training="notebooks-only"))
    assert (m["notebooks"], m["text_notebooks"], m["notebook_code_lines"], m["python_code_lines"]) == (2, 2, 3, 1)
    assert hits == [("notebook_centric.probe", "notebooks/Train.py", 6)]


def test_stored_outputs_point_at_the_first_cell_that_ran(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    ran = notebook("a = 1", outputs=True)
    files = {"ran.ipynb": ran, "clean.ipynb": notebook("b = 2")}
    hits, m = run(probe, files, make_rule(measure="stored-outputs"))
    assert hits == [("notebook_centric.probe", "ran.ipynb", line_of(ran, "a = 1"))]
    assert m["notebooks_with_outputs"] == 1


@pytest.mark.parametrize(
    "extra, signal",
    [
        ({"run.py": "import papermill as pm\npm.execute_notebook('train.ipynb', 'out.ipynb')\n"}, "orchestrated"),
        (
            {
                "jobs.yml": "resources:\n  jobs:\n    t:\n      tasks:\n        - notebook_task:\n            notebook_path: train\n"
            },
            "orchestrated",
        ),
        ({"ci.sh": "jupyter nbconvert --to notebook --execute train.ipynb\n"}, "orchestrated"),
        ({"train_model.py": "def main():\n    pass\n\n\nif __name__ == '__main__':\n    main()\n"}, "entrypoint"),
        (
            {"pyproject.toml": "[project]\nname = 'churn'\n\n[project.scripts]\nchurn = 'churn.cli:main'\n"},
            "entrypoint",
        ),
    ],
)
def test_counter_signals_block_the_rules_that_name_them(
    extra: dict[str, str], signal: str, make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    files = {
        "train.ipynb": notebook("model.fit(X, y)\nprint(1)\nprint(2)\nprint(3)\nprint(4)\nprint(5)\nprint(6)"),
        **extra,
    }
    blocked = make_rule("notebook_centric.blocked", min_share=0.5, blocked_by=[signal])
    other = [s for s in ("orchestrated", "entrypoint") if s != signal]
    free = make_rule("notebook_centric.free", min_share=0.5, blocked_by=other)
    hits, m = run(probe, files, blocked, free)
    assert [h[0] for h in hits] == ["notebook_centric.free"]
    assert signal in m["counter_signals"]


def test_own_package_import_with_autoreload_is_a_counter_signal(probe: MatcherProbe) -> None:
    text = notebook("%load_ext autoreload\n%autoreload 2\nfrom churn.features import build", "build()")
    _, with_pkg = run(probe, {"nb.ipynb": text}, packages=frozenset({"churn"}))
    assert with_pkg["counter_signals"] == {"package-import": "nb.ipynb:" + str(line_of(text, "%load_ext"))}
    _, other_pkg = run(probe, {"nb.ipynb": text}, packages=frozenset({"billing"}))
    assert other_pkg["counter_signals"] == {}


def test_no_notebooks_no_hits(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    hits, m = run(probe, {"a.py": "x = 1\n"}, make_rule(min_share=0.01))
    assert hits == [] and m["share"] == 0.0


@pytest.mark.parametrize(
    "params, message",
    [
        ({"measure": "vibes"}, "measure must be one of"),
        ({"min_share": 0}, "min_share"),
        ({"training": "sometimes"}, "training must be one of any, in-notebooks, notebooks-only"),
        ({"blocked_by": ["weather"]}, "unknown counter-signal"),
    ],
)
def test_meaningless_params_are_rejected(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NotebookParams(**params)


def test_training_calls_are_data_of_the_rule(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    """What counts as training is the pack's regex, not code: a team's own trainer call counts once a rule says so."""
    text = notebook("from acme import Trainer", "Trainer().run_training(data)")
    files = {"train.ipynb": text, "helpers.py": "def load():\n    return 1\n"}
    assert run(probe, files, make_rule(min_share=0.5, training="notebooks-only"))[0] == []
    team = make_rule(min_share=0.5, training="notebooks-only", training_calls=r"\.run_training\s*\(")
    assert run(probe, files, team)[0] == [("notebook_centric.probe", "train.ipynb", line_of(text, "run_training"))]
    with pytest.raises(ValueError, match="training_calls is required"):
        NotebookParams(training="notebooks-only")


# Notebooks older than nbformat 4 are upgraded by nbformat (without schema validation)

V3 = """{
 "metadata": {"name": "churn"},
 "nbformat": 3,
 "nbformat_minor": 0,
 "worksheets": [
  {
   "cells": [
    {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Churn"]},
    {
     "cell_type": "code",
     "collapsed": false,
     "input": [
      "import mlflow\\n",
      "mlflow.log_metric('auc', 0.9)"
     ],
     "language": "python",
     "metadata": {},
     "outputs": [],
     "prompt_number": 3
    },
    {"cell_type": "code", "input": ["x = 1"], "language": "python", "metadata": {}, "outputs": []}
   ],
   "metadata": {}
  }
 ]
}
"""
V2 = """{
 "metadata": {"name": "churn"},
 "nbformat": 2,
 "worksheets": [
  {"cells": [
   {"cell_type": "markdown", "source": "Churn"},
   {"cell_type": "code", "language": "python", "outputs": [],
    "input": ["import mlflow", "mlflow.log_metric('auc', 0.9)"]}
  ]}
 ]
}
"""
V1 = """{
 "nbformat": 1,
 "cells": [
  {"cell_type": "text", "text": "Churn"},
  {"cell_type": "code", "prompt_number": 1,
   "code": "import mlflow\\nmlflow.log_metric('auc', 0.9)\\n"}
 ]
}
"""


@pytest.mark.parametrize(
    ("text", "sources", "has_output"),
    [
        (V3, ["import mlflow\nmlflow.log_metric('auc', 0.9)", "x = 1"], [True, False]),  # prompt_number: it ran
        (V2, ["import mlflow\nmlflow.log_metric('auc', 0.9)"], [False]),
        (V1, ["import mlflow\nmlflow.log_metric('auc', 0.9)\n"], [True]),
    ],
    ids=["nbformat-3", "nbformat-2", "nbformat-1"],
)
def test_old_notebooks_are_upgraded(text: str, sources: list[str], has_output: list[bool]) -> None:
    cells = read_cells(text)
    assert [c.source for c in cells] == sources
    assert [c.has_output for c in cells] == has_output
    assert cells[0].first_line == line_of(text, "import mlflow")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"nbformat": 3, "worksheets": [{"cells": [7]}]}',
            "malformed notebook: nbformat 3 notebook not readable (ValidationError)",
        ),
        ('{"nbformat": 1}', "malformed notebook: nbformat 1 notebook not readable (AttributeError)"),
    ],
)
def test_a_malformed_old_notebook_is_one_reason(text: str, message: str) -> None:
    with pytest.raises(NotebookError) as caught:
        read_cells(text)
    assert str(caught.value) == message
