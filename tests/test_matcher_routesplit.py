"""The ``route_split`` matcher kind on its own: which draws and hashes count, name resolution through imports,
and what is not a split (one model, a draw picking no model, a function no route decorates)."""

from __future__ import annotations

import pytest
from conftest import MatcherProbe

from mlops_scan.matchers.routesplit import RouteSplitParams

ROUTE = "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/p')\ndef p(x, user_id):\n"


def rule(probe: MatcherProbe) -> object:
    choosers = ["random.random", "random.choices", "numpy.random.*", "hashlib.*", "hash"]
    return probe.rule("route_split", "ab_testing.probe", frameworks=["fastapi", "flask"], choosers=choosers)


def test_aliased_draws_and_builtin_hash_pick_a_model(probe: MatcherProbe) -> None:
    files = {
        "np_alias.py": "import numpy as np\n"
        + ROUTE
        + "    m = a if np.random.rand() < 0.1 else b\n    return m.predict(x)\n",
        "from_import.py": "from random import random as draw\n"
        + ROUTE
        + "    if draw() > 0.9:\n        return a.predict(x)\n    return b.predict(x)\n",
        "hashed.py": ROUTE + "    arm = hash(user_id) % 2\n    return models[arm].predict_proba(x)\n",
    }
    hits = probe.hits(files, rule(probe))
    assert hits == [
        ("ab_testing.probe", "from_import.py", 7),
        ("ab_testing.probe", "hashed.py", 7),
        ("ab_testing.probe", "np_alias.py", 7),
    ]


def test_an_if_that_falls_through_is_not_a_split(probe: MatcherProbe) -> None:
    # the challenger's answer is only logged: the champion answers every request
    source = (
        "import random\n"
        + ROUTE
        + "    if random.random() < 0.1:\n        log(b.predict(x))\n    return a.predict(x)\n"
    )
    assert probe.hits({"shadow.py": source}, rule(probe)) == []


def test_no_framework_import_no_handler(probe: MatcherProbe) -> None:
    source = "import random\nimport app\n\n@app.get('/p')\ndef p(x):\n    return random.choices([a, b])[0].predict(x)\n"
    assert probe.hits({"plain.py": source}, rule(probe)) == []


def test_empty_lists_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^frameworks and choosers must each list at least one name$"):
        RouteSplitParams(frameworks=["fastapi"], choosers=[])
