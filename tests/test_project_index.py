"""The project index: chains of hops through the repository's own code, cited as evidence (``via``)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mlops_scan.cli.app import cli
from mlops_scan.facts.index import MAX_DEPTH, ProjectIndex
from mlops_scan.facts.routes import routes_of
from mlops_scan.snapshot.tree import open_snapshot

CHAINS = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "training_pipeline" / "reached-training"


def evidence(rule: str) -> dict[str, list[str]]:
    result = CliRunner().invoke(cli, ["scan", str(CHAINS), "--no-config", "--format", "json"])
    doc = json.loads(result.output)
    assert doc["schema_version"] == "1.4"
    found = [e for c in doc["capabilities"].values() for e in c["evidence"] if e["rule"] == rule]
    return {f"{e['path']}:{e['line']}": e.get("via", []) for e in found}


def test_a_flow_cites_every_hop_to_the_training_call() -> None:
    assert evidence("training_pipeline.orchestrator-flow") == {
        "flows/nightly.py:9": ["flows/nightly.py:11", "shop/steps.py:8", "shop/modelling.py:9"],
        "dags/retrain.py:11": ["dags/retrain.py:16", "service/api.py:11", "service/api.py:13", "shop/modelling.py:9"],
    }


def test_a_scheduled_dag_reaches_training_over_a_route_it_serves() -> None:
    assert evidence("automated_retraining.airflow-scheduled-dag") == {
        "dags/retrain.py:11": ["dags/retrain.py:16", "service/api.py:11", "service/api.py:13", "shop/modelling.py:9"]
    }


def test_the_text_report_shows_the_chain_on_one_line() -> None:
    result = CliRunner().invoke(cli, ["scan", str(CHAINS), "--no-config"])
    assert "      via dags/retrain.py:16 -> service/api.py:11,13 -> shop/modelling.py:9\n" in result.output


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def fit_goal(calls: list) -> int | None:  # type: ignore[type-arg]
    return next((c.line for c in calls if c.name.endswith(".fit")), None)


def test_only_the_called_function_is_followed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.py": "from lib.jobs import report\nreport()\n",
            "lib/jobs.py": "from sklearn.svm import SVC\ndef report():\n    return 1\ndef train():\n    SVC().fit([], [])\n",
        },
    )
    index = ProjectIndex(open_snapshot(tmp_path))
    assert index.reach("main.py", fit_goal) is None  # same module, another function: not reached
    write(tmp_path, {"main.py": "from lib.jobs import train\ntrain()\n"})
    index = ProjectIndex(open_snapshot(tmp_path))
    assert [h.location for h in index.reach("main.py", fit_goal) or []] == ["main.py:2", "lib/jobs.py:5"]


def test_depth_is_bounded_and_cycles_end(tmp_path: Path) -> None:
    files = {f"m{i}.py": f"from m{i + 1} import f as g\ndef f():\n    g()\n" for i in range(MAX_DEPTH + 2)}
    files[f"m{MAX_DEPTH + 2}.py"] = "from sklearn.svm import SVC\ndef f():\n    SVC().fit([], [])\n"
    files["a.py"] = "from b import g as h\ndef g():\n    h()\n"
    files["b.py"] = "from a import g as h\ndef g():\n    h()\n"
    write(tmp_path, files)
    index = ProjectIndex(open_snapshot(tmp_path))
    assert index.reach("m0.py", fit_goal) is None
    assert index.reach("a.py", fit_goal) is None
    assert index.reach(f"m{MAX_DEPTH + 1}.py", fit_goal) is not None


def test_src_layouts_and_relative_imports_resolve(tmp_path: Path) -> None:
    write(tmp_path, {"src/pkg/__init__.py": "", "src/pkg/a.py": "", "src/pkg/sub/b.py": ""})
    index = ProjectIndex(open_snapshot(tmp_path))
    assert index.resolve("flows/x.py", "pkg.a.run") == ("src/pkg/a.py", "run")
    assert index.resolve("src/pkg/sub/b.py", "..a.run") == ("src/pkg/a.py", "run")
    assert index.resolve("flows/x.py", "sklearn.svm.SVC") is None


def test_routes_are_read_from_route_decorators_of_a_served_module() -> None:
    app = 'from fastapi import FastAPI\napp = FastAPI()\n@app.post("/train/")\ndef t():\n    pass\n'
    assert routes_of(app) == [("/train", 3)]
    assert routes_of('@cache.get("/train")\ndef t():\n    pass\n') == []  # no web framework in the module


def test_users_of_a_class_the_module_and_a_helper(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/router.py": "class Router:\n    def go(self):\n        return self.go()\n\ndefault = Router()\n",
            "pkg/build.py": "from pkg.router import Router\n\ndef make():\n    return Router()\n",
            "app.py": "import pkg.build\n\nrouter = pkg.build.make()\n",
            "tests/test_router.py": "from pkg.router import Router\n\ndef test_it():\n    Router()\n",
            "notes.py": "Router = 'only the word'\n",
        },
    )
    index = ProjectIndex(open_snapshot(tmp_path))
    # the class's own self.go() is no use of it; the test is in the tests zone; notes.py only writes the word
    assert index.users("pkg/router.py", "Router") == [("pkg/build.py", 4, "make"), ("pkg/router.py", 5, "")]
    assert index.users("pkg/build.py", "make") == [("app.py", 3, "")]


def test_used_by_follows_users_back_to_an_entry(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/router.py": "class Router:\n    pass\n",
            "pkg/build.py": "from pkg.router import Router\n\ndef make():\n    return Router()\n",
            "serve.py": "from fastapi import FastAPI\nfrom pkg.build import make\n\napp = FastAPI()\nrouter = make()\n",
            "offline.py": "from pkg.router import Router\n\nRouter()\n",
        },
    )
    index = ProjectIndex(open_snapshot(tmp_path))

    def fastapi_app(module) -> int | None:  # type: ignore[no-untyped-def]
        return next((c.line for c in module.facts.calls if c.name == "fastapi.FastAPI"), None)

    chain = index.used_by("pkg/router.py", 1, fastapi_app)
    assert [h.location for h in chain or []] == ["pkg/build.py:4", "serve.py:5", "serve.py:4"]
    (tmp_path / "serve.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n", encoding="utf-8")
    assert ProjectIndex(open_snapshot(tmp_path)).used_by("pkg/router.py", 1, fastapi_app) is None
