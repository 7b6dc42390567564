"""Cheap prefilters: literal strings required by a regex, and candidate rules by file name and extension."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlops_scan.matchers.globs import GlobIndex, compile_globs, glob_to_regex
from mlops_scan.matchers.regexes import requirements_of


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"^\s*(async\s+)?def test_?\w*\(", ("def test",)),
        (r"\b(Counter|Histogram|Gauge|Summary)\(", ("Counter(", "Gauge(", "Histogram(", "Summary(")),
        (r"^\[(pytest|tool:pytest|tool\.pytest(\.ini_options)?)\]", ("pytest",)),  # the others hold it
        (r"\.(get|route)\(\s", (".get(", ".route(")),  # the text around a group joined to its alternatives
        (r"\[(Fact|Test|TestMethod)\]", ("[Fact", "[Test")),  # "]" not joined: [Fact], [Test], [TestMethod] are more
        (r'"title":\s*"[^"]*(?i:prediction|drift)', ('"title":',)),
        (r"a+bc", ("bc",)),
        (r"(ab)+", ("ab",)),
        (r"x?y", ("y",)),
    ],
)
def test_literals_every_match_contains(pattern: str, literals: tuple[str, ...]) -> None:
    found = requirements_of(pattern)
    assert found is not None and found[0] == literals  # the most selective set first


@pytest.mark.parametrize("pattern", [r"(?i)abc", r"(?i:abc)|def", r"\S", r"[a-z]+", r"(a|\d)x?", "(unclosed"])
def test_no_literals_when_a_match_may_hold_none(pattern: str) -> None:
    assert requirements_of(pattern) is None


def test_glob_set_agrees_with_the_glob_regex() -> None:
    globs = ["*.py", "Dockerfile", "Dockerfile.*", "src/*/**.py", "**/dashboards/*.json", "*.{yml,yaml}", "a**b"]
    paths = [
        "x.py",
        "a/b/x.py",
        "Dockerfile",
        "d/Dockerfile.gpu",
        "src/p/q/r.py",
        "g/dashboards/d.json",
        "k8s/a.yaml",
        "a.yml",
        "a/x/b",
        "ab",
        "README.md",
        "src/x.py",
    ]
    for glob in globs:
        regex = re.compile(glob_to_regex(glob))
        assert [compile_globs([glob]).search(p) for p in paths] == [bool(regex.search(p)) for p in paths], glob


def test_glob_index_candidates_by_name_and_extension() -> None:
    index = GlobIndex([["*.py"], ["Dockerfile", "*.Dockerfile"], ["Dockerfile.*"], ["ci/*.yml", "MLproject"]])
    assert index.candidates("src/train.py") == [0]
    assert index.candidates("Dockerfile") == [1]
    assert index.candidates("serve.Dockerfile") == [1]
    assert index.candidates("d/Dockerfile.gpu") == [2]
    assert index.candidates("a/MLproject") == [3]
    assert index.candidates("ci/build.yml") == [3]
    assert index.candidates("README.md") == []
    assert GlobIndex([["*.py"], ["src/*/**"]]).candidates("README.md") == [1]  # a glob of folders: every path


def _examples(glob: str) -> list[str]:
    """Paths a glob matches (wildcards filled in) and near misses of them."""
    filled = re.sub(r"\{([^,}]*)[^}]*\}", r"\1", glob).replace("**/", "a/b/").replace("**", "c/d").replace("*", "x")
    filled = filled.replace("?", "y")
    return [filled, f"src/{filled}", f"{filled}z", f"z{filled}", filled.upper(), filled.rsplit("/", 1)[-1]]


@pytest.mark.parametrize("tests_before_regex", [512, 0], ids=["part-by-part", "compiled"])
def test_glob_set_agrees_with_the_glob_regex_on_every_pack_glob(
    tests_before_regex: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules
    from mlops_scan.matchers import globs as glob_module

    monkeypatch.setattr(glob_module, "STARRED_TESTS", tests_before_regex)

    rules = load_all_rules(load_model().capabilities)
    globs = sorted({g for r in rules for f in ("paths", "not_paths") for g in getattr(r.params, f, None) or []})
    paths = sorted({p for g in globs for p in _examples(g)})
    assert len(globs) > 200
    for glob in globs:
        regex = re.compile(glob_to_regex(glob))
        found = [compile_globs([glob]).search(p) for p in paths]
        assert found == [bool(regex.search(p)) for p in paths], glob
        assert any(found), glob
    together = compile_globs(globs)
    assert [together.search(p) for p in paths] == [any(re.search(glob_to_regex(g), p) for g in globs) for p in paths]


def test_regex_screens_are_remembered_across_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlops_scan.matchers import regexes

    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(regexes, "_screens", None)
    monkeypatch.setattr(regexes, "_learned", {})
    pattern = r"\b(MLFLOW_TRACKING_URI|MLFLOW_TRACKING_TOKEN|WANDB_API_KEY)\b"
    screen = ((("OW_TRACKING_", ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_URI")), ("WANDB_API_KEY", ())),)
    assert regexes.remembered_screen(pattern) == (screen, True)
    regexes.save_literals()
    assert len(list(tmp_path.glob("regex-screens-*.pickle"))) == 1
    monkeypatch.setattr(regexes, "_screens", None)
    monkeypatch.setattr(regexes, "requirements_of", lambda pattern: pytest.fail("worked out again"))
    monkeypatch.setattr(regexes, "shared_keys", lambda literals: pytest.fail("grouped again"))
    monkeypatch.setattr(regexes, "line_local", lambda pattern: pytest.fail("parsed again"))
    assert regexes.remembered_screen(pattern) == (screen, True)


def test_a_full_screen_memo_keeps_only_the_patterns_of_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlops_scan.matchers import regexes
    from mlops_scan.startcache import load_memo

    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(regexes, "_screens", None)
    monkeypatch.setattr(regexes, "_learned", {})
    monkeypatch.setattr(regexes, "_used", set())
    for pattern in ("import mlflow", "import wandb", "import dvc"):
        regexes.remembered_screen(pattern)
    regexes.save_literals()
    monkeypatch.setattr(regexes, "_screens", None)
    monkeypatch.setattr(regexes, "_used", set())
    monkeypatch.setattr(regexes, "MAX_SCREENS", 3)
    regexes.remembered_screen("import mlflow")  # remembered
    regexes.remembered_screen("import kedro")  # learned: 4 screens, past the bound
    regexes.save_literals()
    assert set(load_memo(regexes._MEMO_KIND)) == {"import mlflow", "import kedro"}


def test_glob_index_never_misses_a_list_and_decides_only_matches() -> None:
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules

    lists = [r.params.paths for r in load_all_rules(load_model().capabilities) if r.kind == "file"]
    index = GlobIndex(lists)
    sets = [compile_globs(globs) for globs in lists]
    paths = sorted({p for globs in lists for g in globs for p in _examples(g)} | {".py", "a/Dockerfile", "x.tar.gz"})
    decided_somewhere = 0
    for path in paths:
        matching = {i for i, globs in enumerate(sets) if globs.search(path)}
        assert matching <= set(index.candidates(path)), path
        assert index.decided(path) <= matching, path
        decided_somewhere += bool(index.decided(path))
    assert decided_somewhere > len(paths) // 4


def test_a_screen_tests_no_literal_holding_another(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlops_scan.matchers import regexes

    monkeypatch.setenv("MLOPS_SCAN_CACHE_DIR", "")
    assert regexes.screen_requirements(r"^\[(pytest|tool:pytest|tool\.pytest(\.ini_options)?)\]") == (("pytest",),)
    assert regexes.screen_requirements(r"@otel/sdk-node|@otel/sdk-|prom-client") == (("@otel/sdk-", "prom-client"),)
    screened = regexes.ScreenedRegex(r"@otel/sdk-node\b")
    assert screened.search("x @otel/sdk-node y") is not None
    assert screened.search("@otel/sdk-nod") is None


@pytest.mark.parametrize(
    ("pattern", "text", "near_miss"),
    [
        (r'sdk/(metric|trace)"|golang/prometheus(/promhttp)?"', 'x "golang/prometheus"', '"sdk/metrics"'),
        (r"\.(get|route)\(", "app.get(", "get = route"),
        (r"v(1|2)?\.(ab|cd)", "v.cd", "ab cd"),
        (r"\b(Counter|Gauge)\(\s*'x", "Gauge(  'x", "Counter = Gauge"),
        (r"(ab|cd)?e-(xy|zz)", "abe-zz", "e- xy"),
    ],
)
def test_a_joined_screen_accepts_every_match(pattern: str, text: str, near_miss: str) -> None:
    """Text joined to a group's alternatives (an optional group's too: with and without it) never rejects a match,
    and rejects a text holding the parts but not joined."""
    from mlops_scan.matchers.regexes import ScreenedRegex

    assert re.search(pattern, text, re.M)
    assert ScreenedRegex(pattern, re.M).may_match(text)
    assert not ScreenedRegex(pattern, re.M).may_match(near_miss)


def test_a_path_glob_regex_runs_only_on_names_its_globs_can_end_in(monkeypatch: pytest.MonkeyPatch) -> None:
    globs = ["**/dashboards/*.json", "deploy/**/Dockerfile", "charts/**", "src/*/**/{a,b}.txt"]
    together = compile_globs(globs)
    paths = ["g/dashboards/d.json", "deploy/x/Dockerfile", "charts/a/b.go", "src/p/q/a.txt", "g/dashboards/d.go"]
    assert [together.search(p) for p in paths] == [True, True, True, True, False]
    assert together._path_keys == {".json", "=Dockerfile", ".txt"}  # charts/** ends in no fixed name or extension

    class Refuses:
        def search(self, path: str) -> None:
            raise AssertionError(f"keyed regex searched in {path}")

    monkeypatch.setattr(together, "_keyed_regex", Refuses())
    assert together.search("charts/a/b.go")  # found by the regex of the globs without a key
    assert not together.search("g/dashboards/d.go")  # neither .json nor Dockerfile: the keyed regex never runs
