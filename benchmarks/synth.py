"""Deterministic synthetic repositories for the benchmark (see docs/performance.md).

A repository of N files mixes, by count: Python modules and tests, notebooks (one in 40 is
large, with megabytes of stored outputs), YAML (configs, Kubernetes manifests, CI), text
and docs, data files, binary files, and other source. A few Python modules use ML tools
the rules look for; most do not, as in a real monorepo. The same size and seed always
produce the same bytes.
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

GENERATOR_VERSION = "1"

# Share of files by kind (sums to 1). A monorepo: code, configs, data and assets side by side.
SHARES = {
    "py": 0.34,
    "test": 0.06,
    "ipynb": 0.03,
    "yaml": 0.08,
    "doc": 0.07,
    "data": 0.14,
    "binary": 0.14,
    "other": 0.14,
}
LARGE_NOTEBOOK_EVERY = 40
"""The first notebook and one in this many after it store large outputs (base64 images, long logs)."""

_STDLIB = [
    "os",
    "sys",
    "json",
    "logging",
    "re",
    "math",
    "time",
    "typing",
    "pathlib",
    "dataclasses",
    "itertools",
    "functools",
    "collections",
    "argparse",
    "subprocess",
    "datetime",
    "random",
    "hashlib",
    "shutil",
    "csv",
]
_THIRD = ["numpy", "pandas", "requests", "yaml", "click", "pydantic", "scipy", "matplotlib", "tqdm", "attr"]
# Modules some rule looks for, with calls that real code makes on them.
_ML = [
    (
        "torch",
        ["torch.nn.Linear({a}, {b})", "torch.optim.Adam(model.parameters(), lr=0.001)", "torch.save(state, path)"],
    ),
    ("sklearn", ["sklearn.linear_model.LogisticRegression(C={a})", "sklearn.metrics.accuracy_score(y, pred)"]),
    ("tensorflow", ["tensorflow.keras.layers.Dense({a})", "tensorflow.constant([{a}, {b}])"]),
    ("mlflow", ["mlflow.log_metric('loss', {a})", "mlflow.log_param('lr', {b})", "mlflow.start_run()"]),
    ("wandb", ["wandb.init(project='p{a}')", "wandb.log({{'loss': {b}}})"]),
    ("flask", ["flask.Flask(__name__)", "flask.jsonify(result)"]),
    ("boto3", ["boto3.client('s3')", "boto3.resource('dynamodb')"]),
]
_ML_SHARE = 0.12
"""Share of modules that import one of the tools above."""
_UNITTEST_SHARE = 0.15
"""Share of test files written with unittest (the rest use pytest)."""
_WORDS = [
    "value",
    "count",
    "item",
    "record",
    "frame",
    "batch",
    "score",
    "index",
    "name",
    "config",
    "path",
    "result",
    "token",
    "model",
    "feature",
    "weight",
    "sample",
    "label",
    "metric",
    "step",
    "state",
    "buffer",
    "chunk",
    "offset",
    "window",
    "target",
    "source",
]


def generate(root: Path, n_files: int, seed: int = 7) -> dict[str, int]:
    """Write a repository of ``n_files`` files under ``root`` (which must not exist); return bytes per kind."""
    rng = random.Random(seed * 1_000_003 + n_files)
    root.mkdir(parents=True)
    written: dict[str, int] = {}
    fixed = _fixed_files(rng)
    for rel, data in fixed.items():
        _write(root / rel, data)
        written["fixed"] = written.get("fixed", 0) + len(data)
    remaining = n_files - len(fixed)
    counts = {k: int(remaining * share) for k, share in SHARES.items()}
    counts["py"] += remaining - sum(counts.values())
    folders = _folders(rng, max(4, remaining // 25))
    notebook_no = 0
    for kind, count in counts.items():
        for i in range(count):
            folder = rng.choice(folders)
            if kind == "ipynb":
                notebook_no += 1
                rel, data = (
                    f"notebooks/{folder}/analysis_{i}.ipynb",
                    _notebook(rng, notebook_no % LARGE_NOTEBOOK_EVERY == 1),
                )
            else:
                rel, data = _MAKERS[kind](rng, folder, i)
            _write(root / rel, data)
            written[kind] = written.get(kind, 0) + len(data)
    return written


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _folders(rng: random.Random, count: int) -> list[str]:
    tops = ["services", "libs", "pipelines", "tools", "research", "platform", "apps"]
    out = []
    for i in range(count):
        depth = rng.randint(1, 3)
        parts = [rng.choice(tops)] + [f"{rng.choice(_WORDS)}_{rng.randint(0, 99)}" for _ in range(depth)]
        out.append("/".join(parts) + f"{i % 7}")
    return out


def _ident(rng: random.Random) -> str:
    return f"{rng.choice(_WORDS)}_{rng.choice(_WORDS)}"


def _python(rng: random.Random, ml: tuple[str, list[str]] | None, size_hint: int) -> str:
    mods = rng.sample(_STDLIB, rng.randint(2, 6)) + rng.sample(_THIRD, rng.randint(0, 3))
    lines = ['"""' + " ".join(rng.choice(_WORDS) for _ in range(12)).capitalize() + '."""', ""]
    lines += [f"import {m}" for m in sorted(mods)]
    if ml is not None:
        lines.append(f"import {ml[0]}")
    lines.append("")
    while sum(len(x) + 1 for x in lines) < size_hint:
        name = _ident(rng)
        if rng.random() < 0.2:
            lines += [f"class {name.title().replace('_', '')}:", f'    """Holds the {rng.choice(_WORDS)}s."""', ""]
            lines += [
                f"    def __init__(self, {rng.choice(_WORDS)}: int = {rng.randint(0, 9)}) -> None:",
                f"        self.{rng.choice(_WORDS)} = {rng.randint(0, 999)}",
                "",
            ]
            indent = "    "
        else:
            indent = ""
        args = ", ".join(rng.sample(_WORDS, rng.randint(1, 4)))
        lines.append(f"{indent}def {name}({'self, ' if indent else ''}{args}):")
        lines.append(f'{indent}    """Compute the {rng.choice(_WORDS)} of a {rng.choice(_WORDS)}."""')
        for _ in range(rng.randint(3, 14)):
            a, b = rng.sample(_WORDS, 2)
            roll = rng.random()
            if ml is not None and roll < 0.08:
                call = rng.choice(ml[1]).format(a=rng.randint(1, 512), b=rng.randint(1, 512))
                lines.append(f"{indent}    {a} = {call}")
            elif roll < 0.3:
                lines.append(f"{indent}    {a} = [{b} * {rng.randint(2, 9)} for {b} in range({rng.randint(3, 99)})]")
            elif roll < 0.5:
                lines.append(f"{indent}    if {a} > {rng.randint(0, 100)}:")
                lines.append(f"{indent}        logging.getLogger(__name__).info('%s %s', {a!r}, {b})")
            elif roll < 0.7:
                lines.append(f"{indent}    {a} = {{'{b}': {rng.randint(0, 9)}, '{a}': {b}}}  # {rng.choice(_WORDS)}")
            else:
                lines.append(f"{indent}    {a} = {rng.choice(mods)}.{_ident(rng)}({b}, {rng.randint(0, 9)})")
        lines.append(f"{indent}    return {rng.choice(_WORDS)}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _size(rng: random.Random, median: int, cap: int) -> int:
    return min(cap, int(rng.lognormvariate(0, 0.8) * median))


def _py_file(rng: random.Random, folder: str, i: int) -> tuple[str, bytes]:
    ml = rng.choice(_ML) if rng.random() < _ML_SHARE else None
    return f"{folder}/{_ident(rng)}_{i}.py", _python(rng, ml, _size(rng, 3000, 60_000)).encode()


def _test_file(rng: random.Random, folder: str, i: int) -> tuple[str, bytes]:
    body = _python(rng, None, _size(rng, 2000, 20_000))
    if rng.random() < _UNITTEST_SHARE:
        body = (
            "import unittest\n\n\nclass TestThing(unittest.TestCase):\n    def test_it(self):\n        self.assertTrue(True)\n\n\n"
            + body
        )
    else:
        body = "import pytest\n\n\ndef test_value():\n    assert 1 + 1 == 2\n\n\n" + body
    return f"{folder}/tests/test_{_ident(rng)}_{i}.py", body.encode()


def _notebook(rng: random.Random, large: bool) -> bytes:
    cells = []
    for _ in range(rng.randint(4, 20)):
        if rng.random() < 0.3:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": [f"## {rng.choice(_WORDS).title()}\n"]})
            continue
        ml = rng.choice(_ML) if rng.random() < 0.3 else None
        source = _python(rng, ml, rng.randint(200, 1500)).splitlines(keepends=True)
        outputs: list[dict[str, object]] = [{"output_type": "stream", "name": "stdout", "text": [f"{rng.random()}\n"]}]
        if large:
            outputs.append(
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {
                        "image/png": base64.b64encode(rng.randbytes(rng.randint(100_000, 400_000))).decode(),
                        "text/plain": ["<Figure size 640x480 with 1 Axes>"],
                    },
                }
            )
            outputs.append(
                {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": [f"epoch {e} loss {rng.random():.6f}\n" for e in range(rng.randint(500, 5000))],
                }
            )
        cells.append(
            {
                "cell_type": "code",
                "execution_count": rng.randint(1, 99),
                "metadata": {},
                "outputs": outputs,
                "source": source,
            }
        )
    doc = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1).encode()


def _yaml_file(rng: random.Random, folder: str, i: int) -> tuple[str, bytes]:
    roll = rng.random()
    if roll < 0.35:
        name = f"{rng.choice(_WORDS)}-{i}"
        text = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\n"
            f"spec:\n  replicas: {rng.randint(1, 5)}\n  selector:\n    matchLabels:\n      app: {name}\n"
            f"  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n"
            f"        - name: {name}\n          image: registry.example.com/{name}:{rng.randint(1, 9)}.0\n"
            f"          ports:\n            - containerPort: {rng.randint(8000, 9000)}\n"
        )
        return f"{folder}/deploy/{name}.yaml", text.encode()
    if roll < 0.4:
        text = (
            f"name: check-{i}\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  test:\n"
            f"    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            f"      - run: pip install -r requirements.txt\n      - run: pytest -q {folder}\n"
        )
        return f".github/workflows/check_{i}.yml", text.encode()
    entries = "\n".join(
        f"{_ident(rng)}: {rng.choice([rng.randint(0, 999), repr(rng.random()), rng.choice(_WORDS)])}"
        for _ in range(rng.randint(5, 60))
    )
    nested = "\n".join(f"  - {rng.choice(_WORDS)}: {rng.randint(0, 99)}" for _ in range(rng.randint(0, 20)))
    return f"{folder}/conf/{_ident(rng)}_{i}.{rng.choice(['yaml', 'yml'])}", f"{entries}\nitems:\n{nested}\n".encode()


def _doc_file(rng: random.Random, folder: str, i: int) -> tuple[str, bytes]:
    words = " ".join(rng.choice(_WORDS) for _ in range(_size(rng, 400, 8000)))
    ext = rng.choice(["md", "md", "rst", "txt"])
    return f"{folder}/{_ident(rng)}_{i}.{ext}", f"# {rng.choice(_WORDS).title()}\n\n{words}\n".encode()


def _data_file(rng: random.Random, folder: str, i: int) -> tuple[str, bytes]:
    ext = rng.choice(["csv", "csv", "json", "jsonl", "parquet", "npy"])
    rows = _size(rng, 60, 3000)
    if ext == "csv":
        data = "id,value,label\n" + "".join(f"{r},{rng.random():.5f},{rng.choice(_WORDS)}\n" for r in range(rows))
        return f"data/{folder}/{_ident(rng)}_{i}.csv", data.encode()
    if ext in ("json", "jsonl"):
        items = [{"id": r, "score": rng.random(), "tag": rng.choice(_WORDS)} for r in range(rows)]
        data = json.dumps(items) if ext == "json" else "\n".join(json.dumps(x) for x in items)
        return f"data/{folder}/{_ident(rng)}_{i}.{ext}", data.encode()
    return f"data/{folder}/{_ident(rng)}_{i}.{ext}", rng.randbytes(rows * 40)


def _binary_file(rng: random.Random, folder: str, i: int) -> tuple[str, bytes]:
    ext = rng.choice(["png", "png", "jpg", "pt", "pkl", "so", "woff2", "zip"])
    return f"{folder}/assets/{_ident(rng)}_{i}.{ext}", rng.randbytes(_size(rng, 6000, 400_000))


def _other_file(rng: random.Random, folder: str, i: int) -> tuple[str, bytes]:
    ext = rng.choice(["ts", "js", "tsx", "html", "css", "go", "sh", "cfg", "toml", "json", "sql", "proto"])
    body = "\n".join(
        f"// {rng.choice(_WORDS)} {rng.choice(_WORDS)} = {rng.randint(0, 9999)};" for _ in range(_size(rng, 60, 2000))
    )
    return f"{folder}/{_ident(rng)}_{i}.{ext}", (body + "\n").encode()


_MAKERS = {
    "py": _py_file,
    "test": _test_file,
    "yaml": _yaml_file,
    "doc": _doc_file,
    "data": _data_file,
    "binary": _binary_file,
    "other": _other_file,
}


def _fixed_files(rng: random.Random) -> dict[str, bytes]:
    """Root files every project has: manifests, CI, container, docs."""
    return {
        "README.md": b"# Monorepo\n\nServices, pipelines and research notebooks.\n",
        "pyproject.toml": b'[project]\nname = "monorepo"\nversion = "0.1.0"\ndependencies = ["numpy", "pandas", "torch"]\n',
        "requirements.txt": b"numpy==1.26.4\npandas==2.2.1\ntorch==2.2.0\nmlflow==2.11.0\nscikit-learn==1.4.1\n",
        "Dockerfile": b"FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n",
        "Makefile": b"test:\n\tpytest -q\n",
        ".github/workflows/ci.yml": (
            b"name: ci\non:\n  push:\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
            b"    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n"
        ),
        "dvc.yaml": b"stages:\n  train:\n    cmd: python pipelines/train.py\n    deps: [data]\n    outs: [model.pt]\n",
    }


def notebook_with_outputs(output_bytes: int) -> bytes:
    """A small-code notebook whose stored outputs (base64 images) total about ``output_bytes``."""
    rng = random.Random(output_bytes)
    cells = []
    per_cell = 512 * 1024
    for i in range(max(1, output_bytes // per_cell)):
        image = base64.b64encode(rng.randbytes(per_cell * 3 // 4)).decode()
        cells.append(
            {
                "cell_type": "code",
                "execution_count": i + 1,
                "metadata": {},
                "source": [f"plot_{i} = make_plot({i})\n", f"plot_{i}.show()\n"],
                "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": image}}],
            }
        )
    doc = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1).encode()
