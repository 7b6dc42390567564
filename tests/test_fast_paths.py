"""Fast paths that must give exactly what the plain form gives: the import lines a python rule's prefilter reads,
the code lines of a notebook cell, the facts of the Python walk; and screens that never reject what their regex
matches."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from mlops_scan.facts import notebooks, python, yamlnodes
from mlops_scan.matchers import importlines, linelocal, regexes

IMPORT_PIECES = ["import", "from", "import os", "from a.b import c", " ", "\t", "\n", '"', "x", ".", ",", "#", ";"]
IMPORT_PIECES += ["\\", "\r", "\r\n", "as y", "é"]
LINE_PIECES = ["x = 1", "#", "%time", "!ls", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"]
LINE_PIECES += ["é", "\x1d", "\x1e"]


@given(st.lists(st.sampled_from(IMPORT_PIECES), max_size=30).map("".join))
def test_import_lines_are_the_regex_matches(text: str) -> None:
    assert importlines.import_lines(text) == importlines._IMPORT_LINE.findall(text)


def test_import_lines_of_a_module_and_of_prose() -> None:
    text = 'import os, sys as system\nfrom mlflow import log_metric\nx = 1  # import nothing\nfrom the start\n  "import torch\\n",'
    assert importlines.import_lines(text) == [("", "os, sys as system"), ("mlflow", ""), ("the", ""), ("", "torch")]


@given(st.lists(st.sampled_from(LINE_PIECES), max_size=30).map("".join))
def test_code_lines_agree_with_splitlines(source: str) -> None:
    expected = sum(
        1
        for line in source.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and not notebooks._MAGIC.match(line)
    )
    assert notebooks.code_lines(source) == expected


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _plain_facts(tree: ast.Module, monkeypatch: pytest.MonkeyPatch) -> python.PyFacts:
    """The facts of the walk as ast.NodeVisitor makes it: every field of every node entered; each call's
    arguments read one list at a time."""

    class Plain(python._Visitor):
        visit = ast.NodeVisitor.visit
        generic_visit = ast.NodeVisitor.generic_visit
        visit_Attribute = ast.NodeVisitor.generic_visit
        visit_keyword = ast.NodeVisitor.generic_visit

        def visit_Call(self, node: ast.Call) -> None:
            self.generic_visit(node)
            name = self.resolve(node.func)
            if not name:
                return
            named = [(kw.arg, kw.value) for kw in node.keywords if kw.arg]
            starred = next((i for i, a in enumerate(node.args) if isinstance(a, ast.Starred)), len(node.args))
            positional = [(str(i), a) for i, a in enumerate(node.args[:starred])]
            kwargs = {key: python._literal(value) for key, value in named}
            args = tuple(python._literal(value) for _, value in positional)
            nones = frozenset(key for key, value in named + positional if _is_none(value))
            built = [(key, python._template(value)) for key, value in named + positional]
            templates = {key: text for key, text in built if text is not None}
            self.facts.calls.append(python.Call(name, node.lineno, kwargs, args, nones, templates))

    with monkeypatch.context() as patched:
        patched.setattr(python, "_Visitor", Plain)
        return python.extract(tree)


def test_facts_walk_gives_what_the_plain_walk_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parent.parent
    sources = sorted([*root.glob("mlops_scan/**/*.py"), *root.glob("fixtures/**/*.py")])
    assert len(sources) > 150
    for path in sources:
        try:
            tree = ast.parse(path.read_bytes())
        except SyntaxError:
            continue
        facts, plain = python.extract(tree), _plain_facts(tree, monkeypatch)
        assert facts == plain, path
        assert [(list(c.kwargs), list(c.templates)) for c in facts.calls] == [
            (list(c.kwargs), list(c.templates)) for c in plain.calls
        ], path


def _pack_regexes() -> list[str]:
    """Every regex of the built-in packs that is screened before it is searched (multi-line)."""
    from mlops_scan.assessment.maturity import load_model
    from mlops_scan.evidence.ruleset import load_all_rules

    found = []
    for rule in load_all_rules(load_model().capabilities):
        params = rule.params
        found += [params.pattern] if rule.kind == "file" and params.pattern else []
        for listed in (getattr(params, "commands", None), getattr(params, "not_commands", None)):
            found += ["|".join(f"(?:{c})" for c in listed)] if rule.kind == "workflow" and listed else []
        found += [
            getattr(params, name, "") for name in ("training_calls", "orchestrated_by") if rule.kind == "notebook"
        ]
    return sorted({f for f in found if f})


PACK_REGEXES = _pack_regexes()


@given(st.data())
def test_a_screen_never_rejects_a_text_its_regex_matches(data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(PACK_REGEXES))
    text = data.draw(st.from_regex(re.compile(source, re.M)))  # a text holding a match
    assert regexes.ScreenedRegex(source, re.M).may_match(text), (source, text)


LINE_LOCAL_PATTERNS = [
    r'^[ \t]*"[ \t]*assert[ \t]',
    r"a.b",
    r"[^\n]+x$",
    r"\bfoo\b[^\S\n]*=",
    r"(?<=b)ab(?![ \t])",
    r"(ab)\1|cd\Ae",
    r"(x)?yz(?(1)q|r)",
    r"^#+ *(?:todo|fix)",
]
"""Multi-line regexes whose matches stay within a line: :meth:`ScreenedRegex.finditer` searches only the lines
holding one of their strings."""


@pytest.mark.parametrize(
    ("pattern", "local"),
    [
        *((p, True) for p in LINE_LOCAL_PATTERNS),
        (r'^\s*"\s*assert\s', False),  # \s matches a line break
        (r"(?s)a.b", False),
        (r"a(?s:.)b", False),
        (r"a[^x]", False),
        (r"a[\s\S]", False),
        (r"a\Z", False),
        (r"(?-m:a$)", False),  # single-line $ also matches before the last line break
        (r"a(?!\s)", False),  # at a line's end the line break follows, not the end of the text
        (r"a\nb", False),
    ],
)
def test_line_local_regexes(pattern: str, local: bool) -> None:
    assert linelocal.line_local(pattern) is local


TEXT_PIECES = ["\n", " ", "\t", "x", "#", "=", "\r", "ab", "foo", "assert", '"', "\u2028", "é", "todo", "q", "yz"]


@given(st.data())
def test_line_by_line_search_finds_what_the_whole_text_search_finds(data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(LINE_LOCAL_PATTERNS + PACK_REGEXES))
    compiled = re.compile(source, re.M)
    pieces = st.sampled_from(TEXT_PIECES) | st.from_regex(compiled)
    text = "".join(data.draw(st.lists(pieces, max_size=12)))
    screened = regexes.ScreenedRegex(source, re.M)
    assert [m.span() for m in screened.finditer(text)] == [m.span() for m in compiled.finditer(text)], (source, text)


def test_a_line_local_regex_is_searched_only_on_the_lines_holding_its_strings() -> None:
    searched: list[tuple[int, int]] = []
    screened = regexes.ScreenedRegex(r"^[ \t]*(?:pip|conda)[ \t]+install\b", re.M)

    class Recording:
        def finditer(self, text: str, begin: int, end: int) -> object:
            searched.append((begin, end))
            return re.compile(screened.source, re.M).finditer(text, begin, end)

    screened._compiled = Recording()  # type: ignore[assignment]
    text = "pip install a\nno\n  conda install b\ninstall\n" + "x" * 100
    assert [m.group() for m in screened.finditer(text)] == ["pip install", "  conda install"]
    assert searched == [(0, 13), (17, 34), (35, 42)]  # the lines holding "install"; not "no", not the last


@pytest.mark.parametrize(
    ("lines", "searches"),
    [(1, [(0, 13), (14,)]), (2, [(0, 13), (17, 34), (35,)]), (3, [(0, 13), (17, 34), (35, 42), (43,)])],
)
def test_past_so_many_lines_holding_its_strings_the_rest_is_searched_whole(
    lines: int, searches: list[tuple[int, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(regexes, "MAX_ANCHOR_LINES", lines)
    searched: list[tuple[int, ...]] = []
    source = r"^[ \t]*(?:pip|conda)[ \t]+install\b"
    screened = regexes.ScreenedRegex(source, re.M)

    class Recording:
        def finditer(self, text: str, *bounds: int) -> object:
            searched.append(bounds)
            return re.compile(source, re.M).finditer(text, *bounds)

    screened._compiled = Recording()  # type: ignore[assignment]
    text = "pip install a\nno\n  conda install b\ninstall\npip install c"
    assert [m.span() for m in screened.finditer(text)] == [m.span() for m in re.finditer(source, text, re.M)]
    assert searched == searches  # line by line, then from the next line on


@pytest.mark.parametrize(
    ("pattern", "sets"),
    [
        (
            r"\w+\.(serve|deploy)\((?:[^()]|\([^()]*\))*?\b(cron|interval)",
            [(".deploy(", ".serve("), ("cron", "interval")],
        ),
        (r"\.(get|route)\(\s*['\"]/(health|ready)", [("/health", "/ready"), (".get(", ".route(")]),
        (r"(?i:abc)def", [("def",)]),
        (r"a+bc", [("bc",)]),
        (r"[a-z]+", None),
    ],
)
def test_requirements_are_every_set_of_strings_a_match_holds(pattern: str, sets: list[tuple[str, ...]] | None) -> None:
    assert regexes.requirements_of(pattern) == (tuple(sets) if sets is not None else None)


def test_shared_keys_group_the_strings_holding_a_common_substring() -> None:
    literals = ["@opentelemetry/sdk-", "opentelemetry.sdk", '"go.opentelemetry.io/otel/sdk/', "prom-client"]
    groups = regexes.shared_keys(literals)
    assert groups == (
        ("pentelemetry", ("@opentelemetry/sdk-", "opentelemetry.sdk", '"go.opentelemetry.io/otel/sdk/')),
        ("prom-client", ()),
    )
    screened = regexes.ScreenedRegex("|".join(re.escape(lit) for lit in literals))
    assert screened.may_match("import opentelemetry.sdk")
    assert not screened.may_match("opentelemetry-api only")


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["a", "b", "<<", "x * y", "*.py", ""]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", "c"]), children),
    max_leaves=20,
)


@given(YAML_VALUES, st.integers(min_value=1, max_value=40))
def test_measuring_an_alias_free_tree_without_telling_nodes_apart_gives_the_same(value: object, budget: int) -> None:
    text = yaml.safe_dump(value)
    assume("*" not in text or "&" not in text)  # safe_dump writes an alias only for a value it repeats
    for root in yaml.compose_all(text, Loader=yaml.SafeLoader):
        assert yamlnodes._measure(root, budget, True, aliased=False) == yamlnodes._measure(root, budget, True)


def test_a_duplicate_key_is_found_without_telling_nodes_apart() -> None:
    root = yaml.compose("steps: 1\nrun: 2\nsteps: 3\n", Loader=yaml.SafeLoader)
    size, distinct, duplicate = yamlnodes._measure(root, 100, True, aliased=False)
    assert (size, distinct, yamlnodes.line_of(duplicate)) == (7, 7, 3)  # type: ignore[arg-type]
