"""The layout DEVELOPERS.md asks for, held by a test: small modules, short functions, imports that point down
the stages (docs/architecture.md) and no import circles. One parse of each module; each failure lists every
offender."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mlops_scan"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
STAGES = ("cli", "fleet", "reporters", "assessment", "evidence", "matchers", "facts", "rules", "snapshot")
"""Top to bottom: a module may import its own stage and the ones after it in this tuple."""
LONG_FOR_NOW: dict[str, int] = {}
"""Functions over the limit while their rewrite is under way (none now): they may not grow; an entry goes when its
function is short again."""
BASE = (
    "mlops_scan",
    "mlops_scan.types",
    "mlops_scan.errors",
    "mlops_scan.safefiles",
    "mlops_scan.strictyaml",
    "mlops_scan.tomlparse",
    "mlops_scan.startcache",
    "mlops_scan.lifetime",
    "mlops_scan.data",
)
"""Below every stage: values, errors, bounded reads of settings and data files, the strict data loader, the TOML
parser, the start-up cache, what a process ending at once keeps until its end, and the shipped data."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, tuple[Path, ast.Module]]:
    return {module_name(p): (p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))}


def rank(module: str) -> int:
    """0 for the base; higher is further up. ``mlops_scan.__main__`` sits above the command line."""
    if module == "mlops_scan.__main__":
        return len(STAGES) + 1
    if module in BASE or module.startswith("mlops_scan.data."):
        return 0
    stage = module.split(".")[1]
    return len(STAGES) - STAGES.index(stage)


def targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The modules of mlops_scan an import statement names (``from pkg import mod`` names ``pkg.mod``)."""
    known = modules()
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")[: -node.level] if module in known else module.split(".")
            base = ".".join([*package, *([base] if base else [])])
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    yield from (n for n in names if n.split(".")[0] == "mlops_scan" and n in known)


def imports(module: str, top_level_only: bool) -> Iterator[tuple[int, str]]:
    """(line, imported module) of every import; with ``top_level_only``, those run when the module is
    imported (``if TYPE_CHECKING:`` blocks included), not those inside functions."""
    todo: list[ast.AST] = [modules()[module][1]]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from ((node.lineno, t) for t in targets(module, node))
        for child in ast.iter_child_nodes(node):
            if not (top_level_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
                todo.append(child)


def test_every_module_has_a_stage() -> None:
    strays = [m for m in modules() if m not in BASE and m != "mlops_scan.__main__" and m.split(".")[1] not in STAGES]
    assert strays == []


def test_every_module_is_on_the_module_map() -> None:
    """docs/architecture.md names every module (by file name, in backquotes), so the map stays the map."""
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    unnamed = [
        m
        for m, (p, _) in modules().items()
        if p.name != "__init__.py" and f"`{p.name}`" not in text and f"/{p.name}`" not in text
    ]
    assert not unnamed, "modules missing from the module map in docs/architecture.md:\n" + "\n".join(unnamed)


def test_no_module_is_over_400_lines() -> None:
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, (p, _) in modules().items()}
    over = [f"{m}: {n} lines" for m, n in sizes.items() if n > MAX_MODULE_LINES]
    assert not over, "modules over 400 lines:\n" + "\n".join(over)


def test_no_function_is_over_60_lines() -> None:
    long = []
    for module, (_, tree) in modules().items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > LONG_FOR_NOW.get(f"{module}.{node.name}", MAX_FUNCTION_LINES):
                    long.append(f"{module}:{node.lineno} {node.name}: {lines} lines")
    assert not long, "functions over 60 lines:\n" + "\n".join(long)


def test_imports_point_down_the_stages() -> None:
    upward = [
        f"{module}:{line} imports {target}"
        for module in modules()
        for line, target in imports(module, top_level_only=False)
        if rank(target) > rank(module)
    ]
    assert not upward, "imports pointing up the stages:\n" + "\n".join(upward)


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (or a module importing itself), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan; the package is small enough for recursion
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_cycles() -> None:
    graph = {m: {t for _, t in imports(m, top_level_only=True) if t != m} for m in modules()}
    # a package's __init__ importing its own modules is how Python packages work, not a circle
    for package in graph:
        graph[package] = {t for t in graph[package] if not (t.startswith(package + ".") and package != t)}
    cycles = [" <-> ".join(group) for group in import_cycles(graph)]
    assert not cycles, "import circles (module-level imports):\n" + "\n".join(cycles)


@pytest.mark.parametrize(
    ("graph", "cycles"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}}, [["a", "b", "c"], ["d"]]),
    ],
)
def test_cycle_finder(graph: dict[str, set[str]], cycles: list[list[str]]) -> None:
    assert import_cycles(graph) == cycles


def test_the_layout_checks_see_offenders() -> None:
    """The checks look where they should: a stage's rank, an upward import, a long function."""
    assert rank("mlops_scan.cli.app") > rank("mlops_scan.fleet.scan") > rank("mlops_scan.reporters.json")
    assert rank("mlops_scan.snapshot.tree") > rank("mlops_scan.types") == 0
    tree = ast.parse("from mlops_scan.evidence import collect\nimport mlops_scan.snapshot.tree\n")
    found = [t for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)) for t in targets("x", node)]
    assert found == ["mlops_scan.evidence.collect", "mlops_scan.snapshot.tree"]
