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


def test_a_shadow_model_only_logged_while_another_answers(probe: MatcherProbe) -> None:
    shadow = probe.rule(
        "route_split", "ab_testing.probe", frameworks=["fastapi"], choosers=["random.random"], sinks=["info"]
    )
    body = "    out = a.predict(x)\n    log.info('shadow %s', b.predict(x))\n    return out\n"
    files = {
        "shadow.py": "import random\n" + ROUTE + body,
        "same.py": "import random\nb = a\n" + ROUTE + body,  # one model under two names
        "both.py": "import random\n" + ROUTE + "    return a.predict(x) + b.predict(x)\n",  # an ensemble
    }
    assert probe.hits(files, shadow) == [("ab_testing.probe", "shadow.py", 8)]


def test_a_split_that_gives_one_side_nothing_is_none(probe: MatcherProbe) -> None:
    files = {
        "zero.py": "import random\n" + ROUTE + "    if random.random() < 0:\n        return b.predict(x)\n"
        "    return a.predict(x)\n",
        "all.py": ROUTE + "    m = b if hash(user_id) % 100 >= 100 else a\n    return m.predict(x)\n",
        "weights.py": "import random\nW = [0.0, 1.0]\n" + ROUTE + "    m = random.choices([a, b], weights=W)[0]\n"
        "    return m.predict(x)\n",
        "tenth.py": "import random\n" + ROUTE + "    if random.random() < 0.1:\n        return b.predict(x)\n"
        "    return a.predict(x)\n",
    }
    assert probe.hits(files, rule(probe)) == [("ab_testing.probe", "tenth.py", 7)]


def test_helpers_are_followed_into_the_repository_modules_with_every_hop_cited() -> None:
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from mlops_scan.cli.app import cli

    case = Path(__file__).resolve().parent.parent / "fixtures" / "rules" / "ab_testing" / "split-through-helpers"
    result = CliRunner().invoke(cli, ["scan", str(case), "--no-config", "--format", "json"])
    evidence = json.loads(result.output)["capabilities"]["ab_testing"]["evidence"]
    assert {f"{e['path']}:{e['line']}": e.get("via", []) for e in evidence} == {
        "api/app.py:18": ["routing/assign.py:13"],
        "api/bucketed.py:20": ["api/bucketed.py:18", "api/bucketed.py:12", "routing/buckets.py:6"],
        "api/shadow.py:21": [],
        "service/classy.py:17": [],
        "service/runners.py:15": [],
    }


def test_a_helper_imported_relatively_picks_the_model(probe: MatcherProbe) -> None:
    files = {
        "svc/api.py": "from .pick import choose\n" + ROUTE + "    return choose(user_id).predict(x)\n",
        "svc/pick.py": "import random\n\ndef choose(user_id):\n    return a if random.random() < 0.3 else b\n",
        "svc/flat.py": "from .nowhere import choose\n" + ROUTE + "    return choose(user_id).predict(x)\n",
    }
    assert probe.hits(files, rule(probe)) == [("ab_testing.probe", "svc/api.py", 7)]


def test_a_model_whose_output_is_logged_and_returned_is_no_shadow(probe: MatcherProbe) -> None:
    shadow = probe.rule(
        "route_split", "ab_testing.probe", frameworks=["fastapi"], choosers=["random.random"], sinks=["info"]
    )
    body = "    pa = a.predict(x)\n    log.info('a %s', pa)\n    return {'a': pa, 'b': b.predict(x)}\n"
    assert probe.hits({"both.py": "import random\n" + ROUTE + body}, shadow) == []
