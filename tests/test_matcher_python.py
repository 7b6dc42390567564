"""The ``python`` matcher kind on its own: resolution of names through imports, aliases and assignments,
keyword arguments, bases, decorators, definitions, co-occurrence tests, own packages and notebooks."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MatcherProbe

from mlops_scan.facts.context import FileContext
from mlops_scan.facts.python import extract
from mlops_scan.matchers.python import PythonMatcher, PythonParams
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import ProjectInfo, Strength


@pytest.fixture
def make_rule(probe: MatcherProbe) -> Callable[..., Rule]:
    """Rules of the ``python`` kind, loaded from a pack by the real loader (conftest.MatcherProbe)."""
    return probe.maker("python", "experiment_tracking.probe")


def calls_of(source: str) -> list[tuple[str, int]]:
    return [(c.name, c.line) for c in extract(ast.parse(source)).calls]


def test_import_aliases_resolve_to_the_module() -> None:
    source = "import mlflow as mf\nfrom mlflow import sklearn as sk\nmf.log_metric('a', 1)\nsk.log_model(m, 'model')\n"
    assert calls_of(source) == [("mlflow.log_metric", 3), ("mlflow.sklearn.log_model", 4)]


def test_assignments_carry_the_constructor_into_method_calls() -> None:
    source = (
        "from mlflow import MlflowClient\n"
        "client = MlflowClient()\n"
        "client.set_registered_model_alias('m', 'champion', 1)\n"
        "class Registry:\n"
        "    def __init__(self):\n"
        "        self.client = MlflowClient()\n"
        "    def promote(self):\n"
        "        self.client.get_model_version_by_alias('m', 'champion')\n"
    )
    assert ("mlflow.MlflowClient().set_registered_model_alias", 3) in calls_of(source)
    assert ("mlflow.MlflowClient().get_model_version_by_alias", 8) in calls_of(source)


def test_with_targets_and_annotated_parameters_resolve() -> None:
    source = (
        "import mlflow\nfrom mlflow import MlflowClient\n"
        "with mlflow.start_run() as run:\n    run.info\n"
        "def promote(client: MlflowClient):\n    client.copy_model_version('a', 'b')\n"
    )
    assert ("mlflow.MlflowClient().copy_model_version", 6) in calls_of(source)


def test_unresolved_names_and_strings_are_not_calls() -> None:
    source = "model.fit(x)\nname = 'mlflow.log_metric'\n# mlflow.log_metric('a', 1)\n"
    assert calls_of(source) == []


def test_relative_imports_are_kept_with_their_dots_and_never_resolve() -> None:
    facts = extract(ast.parse("from .nodes import train_model\nfrom .. import utils\ntrain_model()\n"))
    assert facts.imports == [(".nodes.train_model", 1), ("..utils", 2)]
    assert facts.calls == []


def test_class_names_and_top_level_functions_are_recorded() -> None:
    facts = extract(ast.parse("class TritonPythonModel:\n    class Inner:\n        pass\ndef init():\n    pass\n"))
    assert sorted(facts.classes) == [("Inner", 2), ("TritonPythonModel", 1)]
    assert facts.functions == {"init": 4}


def test_call_patterns_with_wildcards(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule("model_registry.probe", calls=["mlflow.*MlflowClient().create_model_version"])
    files = {
        "a.py": "from mlflow.tracking import MlflowClient\nc = MlflowClient()\nc.create_model_version('m', 's', 'r')\n",
        "b.py": "import mlflow\nmlflow.MlflowClient().create_model_version('m', 's', 'r')\n",
        "c.py": "import mlflow\nmlflow.MlflowClient().search_runs(['1'])\n",
    }
    assert probe.hits(files, rule) == [("model_registry.probe", "a.py", 3), ("model_registry.probe", "b.py", 2)]


def test_kwargs_must_all_be_present(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule("model_registry.probe", calls=["mlflow.*.log_model"], kwargs=["registered_model_name"])
    files = {
        "plain.py": "import mlflow\nmlflow.sklearn.log_model(m, 'model')\n",
        "registered.py": "import mlflow\nmlflow.sklearn.log_model(m, 'model',\n    registered_model_name='churn')\n",
    }
    assert probe.hits(files, rule) == [("model_registry.probe", "registered.py", 2)]


def test_kwarg_values_match_literals_only(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(calls=["transformers.TrainingArguments"], kwarg_values={"report_to": "wandb|mlflow"})
    files = {
        "yes.py": "from transformers import TrainingArguments\nTrainingArguments('o', report_to='wandb')\n",
        "none.py": "from transformers import TrainingArguments\nTrainingArguments('o', report_to='none')\n",
        "dynamic.py": "from transformers import TrainingArguments\nTrainingArguments('o', report_to=tracker)\n",
    }
    assert probe.hits(files, rule) == [("experiment_tracking.probe", "yes.py", 2)]


def test_literal_none_and_positional_literals_are_recorded_distinctly() -> None:
    call = extract(ast.parse("import airflow\nairflow.DAG('d', None, x, schedule=None, tags=t, retries=2)\n")).calls[0]
    assert call.args == ("d", None, None)
    assert call.kwargs == {"schedule": None, "tags": None, "retries": "2"}
    assert call.nones == frozenset({"schedule", "1"})
    starred = extract(ast.parse("import m\nm.f('a', *rest, None)\n")).calls[0]
    assert (starred.args, starred.nones) == (("a",), frozenset())


def test_excluded_values_rule_out_literal_arguments_by_keyword_or_position(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    rule = make_rule(calls=["mlflow.set_tracking_uri"], excluded_values={"0": "^sqlite:", "uri": "^sqlite:"})
    files = {
        "server.py": "import mlflow\nmlflow.set_tracking_uri('http://tracking:5000')\n",
        "variable.py": "import mlflow\nmlflow.set_tracking_uri(URI)\n",
        "local.py": "import mlflow\nmlflow.set_tracking_uri('sqlite:///mlflow.db')\n",
        "local_kw.py": "import mlflow\nmlflow.set_tracking_uri(uri='sqlite:///mlflow.db')\n",
    }
    assert probe.hits(files, rule) == [
        ("experiment_tracking.probe", "server.py", 2),
        ("experiment_tracking.probe", "variable.py", 2),
    ]


def test_excluded_none_tells_a_literal_none_from_a_variable_in_calls_and_decorators(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    rule = make_rule(
        "automated_retraining.probe",
        calls=["airflow.DAG", "airflow.decorators.dag"],
        decorators=["airflow.decorators.dag"],
        excluded_values={"schedule": "^None$"},
    )
    files = {
        "none.py": "from airflow import DAG\nDAG('d', schedule=None)\n",
        "variable.py": "from airflow import DAG\nDAG('d', schedule=SCHEDULE)\n",
        "cron.py": "from airflow import DAG\nDAG('d', schedule='@daily')\n",
        "deco_none.py": "from airflow.decorators import dag\n\n\n@dag(schedule=None)\ndef d():\n    pass\n",
        "deco_bare.py": "from airflow.decorators import dag\n\n\n@dag\ndef d():\n    pass\n",
    }
    assert probe.hits(files, rule) == [
        ("automated_retraining.probe", "cron.py", 2),
        ("automated_retraining.probe", "deco_bare.py", 4),
        ("automated_retraining.probe", "variable.py", 2),
    ]


def test_bases_and_decorators_resolve_through_imports(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    bases = make_rule("model_packaging.base", bases=["mlflow.pyfunc.PythonModel"])
    decos = make_rule("training_pipeline.deco", decorators=["kfp.dsl.pipeline"])
    files = {
        "wrapper.py": "import mlflow.pyfunc\n\n\nclass Wrapper(mlflow.pyfunc.PythonModel):\n    pass\n",
        "pipe.py": "from kfp import dsl\n\n\n@dsl.pipeline(name='p')\ndef p():\n    pass\n",
        "local.py": "class PythonModel:\n    pass\n\n\nclass Wrapper(PythonModel):\n    pass\n",
    }
    assert probe.hits(files, bases, decos) == [
        ("model_packaging.base", "wrapper.py", 4),
        ("training_pipeline.deco", "pipe.py", 4),
    ]


def test_assigned_attributes(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule("experiment_tracking.assign", assigns=["wandb.config.*"])
    files = {"cfg.py": "import wandb\nwandb.init()\nwandb.config.lr = 0.1\n"}
    assert probe.hits(files, rule) == [("experiment_tracking.assign", "cfg.py", 3)]


def test_functions_alone_fire_at_the_first_definition_and_need_all(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    rule = make_rule("model_packaging.score", functions=["init", "run"], notebooks=False)
    files = {
        "score.py": "x = 1\ndef run(data):\n    pass\ndef init():\n    pass\n",
        "job.py": "def run(job):\n    pass\n",
    }
    assert probe.hits(files, rule) == [("model_packaging.score", "score.py", 2)]


def test_classes_by_name(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule("model_packaging.triton", classes=["TritonPythonModel"])
    files = {
        "model.py": "import json\n\n\nclass TritonPythonModel:\n    pass\n",
        "other.py": "class Model:\n    pass\n",
    }
    assert probe.hits(files, rule) == [("model_packaging.triton", "model.py", 4)]


def test_with_any_and_without_any(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    trains = make_rule("training_pipeline.trains", decorators=["prefect.flow"], with_any=["sklearn", "*.train*"])
    data = make_rule("training_pipeline.data", decorators=["prefect.flow"], without_any=["sklearn", "*.train*"])
    files = {
        "ml.py": "from prefect import flow\nimport sklearn.linear_model as lm\n\n@flow\ndef f():\n    lm.Ridge().fit([[0]], [0])\n",
        "own.py": "from prefect import flow\nfrom .steps import train_model\n\n@flow\ndef f():\n    train_model()\n",
        "etl.py": "from prefect import flow\n\n@flow\ndef f():\n    pass\n",
    }
    assert probe.hits(files, trains, data) == [
        ("training_pipeline.data", "etl.py", 3),
        ("training_pipeline.trains", "ml.py", 4),
        ("training_pipeline.trains", "own.py", 4),
    ]


def test_own_packages_never_count(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(calls=["wandb.init"])
    files = {"wandb/sdk.py": "import wandb\nwandb.init()\n", "user.py": "import wandb\nwandb.init()\n"}
    assert probe.hits(files, rule, packages=frozenset({"wandb"})) == []
    assert probe.hits(files, rule) == [
        ("experiment_tracking.probe", "user.py", 2),
        ("experiment_tracking.probe", "wandb/sdk.py", 2),
    ]


def test_paths_limit_the_rule(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(calls=["joblib.dump"], paths=["*.ipynb"])
    files = {"save.py": "import joblib\njoblib.dump(m, 'm')\n"}
    assert probe.hits(files, rule) == []


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "execution_count": None,
                    "outputs": [],
                    "source": [line + "\n" for line in c.splitlines()],
                }
                for c in cells
            ],
        },
        indent=1,
    )


def test_notebook_cells_map_to_file_lines_and_take_the_notebook_strength(
    tmp_path: Path, make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    rule = make_rule("deployment_automation.probe", calls=["mlflow.register_model"], notebook_strength="medium")
    text = notebook("%pip install mlflow\nimport mlflow", "x = 1\nmlflow.register_model('runs:/1/m', 'm')")
    (tmp_path / "nb.ipynb").write_text(text, encoding="utf-8")
    snapshot = open_snapshot(tmp_path)
    hits = list(PythonMatcher([rule], ProjectInfo()).scan(FileContext(snapshot, snapshot.entry("nb.ipynb"))))
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "register_model" in l)
    assert [(h.path, h.line, h.strength) for h in hits] == [("nb.ipynb", line, Strength.MEDIUM)]


def test_notebook_with_a_broken_cell_keeps_the_cells_that_parse(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    rule = make_rule(calls=["wandb.init"])
    text = notebook("def broken(:\n    pass", "import wandb\nwandb.init()")
    files = {"nb.ipynb": text}
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "wandb.init" in l)
    assert probe.hits(files, rule) == [("experiment_tracking.probe", "nb.ipynb", line)]


def test_cells_read_one_by_one_skip_those_that_give_no_facts(tmp_path: Path, make_rule: Callable[..., Rule]) -> None:
    init = make_rule(calls=["wandb.init"])
    triton = make_rule("model_packaging.triton", classes=["TritonPythonModel"])
    cells = [
        "def broken(:\n    pass",
        "x = 1\nprint(x)",
        "import wandb\nwandb.init()",
        "class TritonPythonModel:\n    pass",
    ]
    text = notebook(*cells)
    lines = [
        next(i for i, t in enumerate(text.splitlines(), 1) if name in t) for name in ("wandb.init", "class Triton")
    ]
    # The whole notebook, then the two cells with an import or a class: the others can give no fact.
    assert _scan_one(tmp_path, "nb.ipynb", text, init, triton) == (lines, ["notebook"] + ["python"] * 3)


def test_notebooks_false_skips_notebooks(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule("model_packaging.score", functions=["init", "run"], notebooks=False)
    assert probe.hits({"nb.ipynb": notebook("def init():\n    pass\ndef run(x):\n    pass")}, rule) == []


def _scan_one(tmp_path: Path, name: str, text: str, *rules: Rule) -> tuple[list[int | None], list[str]]:
    """The lines of the hits of ``rules`` in one file, and the parsers that ran on it."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    snapshot = open_snapshot(tmp_path)
    ctx = FileContext(snapshot, snapshot.entry(name))
    hits = list(PythonMatcher(list(rules), ProjectInfo()).scan(ctx))
    return [h.line for h in hits], ctx.parsed


def test_a_module_is_parsed_only_when_every_name_of_a_pattern_is_written(
    tmp_path: Path, make_rule: Callable[..., Rule]
) -> None:
    rule = make_rule(calls=["azure.ai.ml.MLClient*.jobs.create_or_update", "sagemaker.*().fit"])
    # The names of a resolved call are written apart (an import, a name, attributes): each is looked for on its own.
    spread = "from azure.ai.ml import MLClient\nc = MLClient(cred)\nc.jobs.create_or_update(job)\n"
    assert _scan_one(tmp_path, "spread.py", spread, rule) == ([3], ["python"])
    wildcard = "from sagemaker.estimator import Estimator as E\nE(image).fit(data)\n"
    assert _scan_one(tmp_path, "wildcard.py", wildcard, rule) == ([2], ["python"])
    no_jobs = "from azure.ai.ml import MLClient\nc = MLClient(cred)\nc.models.create_or_update(model)\n"
    assert _scan_one(tmp_path, "no_jobs.py", no_jobs, rule) == ([], [])


def test_what_one_file_holds_is_never_carried_to_the_next(tmp_path: Path, make_rule: Callable[..., Rule]) -> None:
    matcher = PythonMatcher([make_rule(calls=["azure.ai.ml.MLClient*.jobs.create_or_update"])], ProjectInfo())
    (tmp_path / "a.py").write_text("from azure.ai.ml import MLClient\nMLClient(c).jobs.create_or_update(j)\n")
    (tmp_path / "b.py").write_text("from azure.ai.ml import MLClient\nMLClient(c).create_or_update(j)\n")
    snapshot = open_snapshot(tmp_path)
    found = []
    for name in ("a.py", "b.py"):
        ctx = FileContext(snapshot, snapshot.entry(name))
        found.append(([h.line for h in matcher.scan(ctx)], ctx.parsed))
    assert found == [([2], ["python"]), ([], [])]


def test_with_any_must_be_written_where_it_must_hold(tmp_path: Path, make_rule: Callable[..., Rule]) -> None:
    rule = make_rule(calls=["kfp.Client().create_run_from_pipeline_func"], with_any=["evidently"])
    run = "import kfp\nkfp.Client().create_run_from_pipeline_func(p)\n"
    assert _scan_one(tmp_path, "run.py", run, rule) == ([], [])
    assert _scan_one(tmp_path, "run.ipynb", notebook(run), rule) == ([], ["notebook"])
    drift = "import evidently\n" + run
    line = next(i for i, text in enumerate(notebook(drift).splitlines(), 1) if "create_run" in text)
    assert _scan_one(tmp_path, "drift.ipynb", notebook(drift), rule) == ([line], ["notebook", "python"])
    # With ``reaches``, a module's with_any may hold in a module it reaches: the module is parsed.
    reaching = make_rule(calls=["kfp.Client().create_run_from_pipeline_func"], with_any=["evidently"], reaches=["x.y"])
    assert _scan_one(tmp_path, "reach.py", run, reaching) == ([], ["python"])


def test_a_notebook_is_not_parsed_for_rules_that_skip_notebooks(tmp_path: Path, make_rule: Callable[..., Rule]) -> None:
    rule = make_rule(calls=["wandb.init"], notebooks=False)
    text = notebook("import wandb\nwandb.init()")
    assert _scan_one(tmp_path, "nb.ipynb", text, rule) == ([], ["notebook"])
    assert _scan_one(tmp_path, "nb.py", "import wandb\nwandb.init()\n", rule) == ([2], ["python"])


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "give at least one of"),
        ({"calls": ["*.fit"]}, "must start with a literal module name"),
        ({"calls": ["a.b"], "notebook_strength": "huge"}, "notebook_strength"),
    ],
)
def test_meaningless_params_are_rejected(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PythonParams(**params)
