"""Python facts from worker processes: the same scan result whatever the number of processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.collect import collect
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.facts import workers as parallel
from mlops_scan.facts.python import Call
from mlops_scan.snapshot.tree import open_snapshot


def test_workers_return_facts_or_none_for_what_they_cannot_parse() -> None:
    pool = parallel.FactsPool(1, timeout=10)
    try:
        first, broken = pool.submit(["import mlflow as mf\nmf.log_metric('loss', 1)\n", "def broken(:\n"]).get()
    finally:
        pool.close()
    assert first.imports == [("mlflow", 1)]
    assert first.calls == [Call("mlflow.log_metric", 2, {}, ("loss", "1"))]
    assert broken is None


def test_no_pool_for_one_process_or_few_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLOPS_SCAN_JOBS", raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert parallel.jobs() == parallel.DEFAULT_JOBS == 2  # on by default, for large repositories only
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0})
    assert parallel.jobs() == 1  # one usable core: no worker
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "1")
    assert parallel.jobs() == 1
    assert parallel.open_pool(10_000, timeout=10) is None
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    assert parallel.open_pool(parallel.MIN_MODULES - 1, timeout=10) is None


SMALL_MIN = 50


def _repo(root: Path) -> Path:
    for i in range(SMALL_MIN + 20):
        body = "import os\n\n\ndef helper():\n    return os.getcwd()\n"
        if i % 10 == 0:
            body = f"import mlflow\n\n\ndef train():\n    mlflow.log_metric('loss', {i})\n"
        (root / "pkg" / f"mod_{i:03}.py").parent.mkdir(parents=True, exist_ok=True)
        (root / "pkg" / f"mod_{i:03}.py").write_text(body)
    (root / "pkg" / "broken.py").write_text("import mlflow\ndef broken(:\n")
    (root / "pkg" / "serve.py").write_text(  # its syntax tree is read again after its facts (route handlers)
        "import mlflow\nfrom fastapi import FastAPI\n\napp = FastAPI()\n"
        "model = mlflow.pyfunc.load_model('models:/churn/Production')\n\n\n"
        "@app.post('/predict')\ndef predict(row: dict):\n    return model.predict(row)\n"
    )
    return root


def _scan(root: Path):  # type: ignore[no-untyped-def]
    snapshot = open_snapshot(root)
    result = collect(snapshot, load_all_rules(load_model().capabilities))
    return result, sorted(result.skipped)


def test_same_result_with_and_without_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    monkeypatch.setattr(parallel, "MIN_MODULES", SMALL_MIN)
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "1")
    alone, alone_skipped = _scan(root)
    monkeypatch.setenv("MLOPS_SCAN_JOBS", "2")
    submitted: list[int] = []
    submit = parallel.FactsPool.submit
    monkeypatch.setattr(
        parallel.FactsPool, "submit", lambda self, sources: submitted.append(len(sources)) or submit(self, sources)
    )
    shared, shared_skipped = _scan(root)
    assert sum(submitted) == 9  # the modules some rule can match went to the worker
    assert alone.evidence == shared.evidence
    assert alone.inspected == shared.inspected
    assert alone.measurements == shared.measurements
    assert alone_skipped == shared_skipped
    assert [s.reason for s in shared_skipped if s.path == "pkg/broken.py"] == ["Python syntax error: not analysed"]
    assert alone.inspected["parsed"]["python"] == 9
    assert any(e.rule == "experiment_tracking.mlflow-log-call" for e in shared.evidence)
