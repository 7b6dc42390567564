"""One function's body, as the ``route_split`` kind reads it: which names a random draw or a hash decides, where it
picks one of two model objects, and where a second model only shadows the one that answers.

Model objects are told apart by what they are (``self.canary = self.baseline`` makes both names one model), and a
split that gives one side nothing (``random.random() < 0``, ``weights=[1, 0]``) is no split.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mlops_scan.facts.index import dotted_name
from mlops_scan.facts.python import statements

Helper = Callable[[ast.Call], "Summary | None"]
"""What a call of one of the repository's own functions does (None for any other call)."""


@dataclass(frozen=True)
class Summary:
    """What one function does, for the functions that call it."""

    split: int | None = None
    """The line where it splits requests between models (picks one and runs it, or shadows one with another)."""
    picks: int | None = None
    """The line where it picks one of two or more model objects by a draw and returns it."""
    draws: int | None = None
    """The line of a draw or hash its return value comes from (an arm, a bucket)."""
    trail: tuple[str, ...] = ()
    """``path:line`` of the calls inside it that led there, then of what it does."""


@dataclass(frozen=True)
class Vocabulary:
    """The names a rule gives: what draws, what runs a model, what only records a value."""

    is_chooser: Callable[[str], object]
    predict: frozenset[str]
    runner_methods: frozenset[str]
    sinks: frozenset[str]


class Body:
    """One function's statements in source order, with the module's names, aliases and constants."""

    def __init__(self, fn: ast.AST, module: Module, words: Vocabulary, helper: Helper) -> None:
        self.nodes = sorted(
            (n for n in ast.walk(fn) if isinstance(n, (ast.stmt, ast.expr))), key=lambda n: (n.lineno, n.col_offset)
        )
        self.parents = {id(child): node for node in ast.walk(fn) for child in ast.iter_child_nodes(node)}
        self.after = {
            id(stmt): block[i + 1 :]
            for n in ast.walk(fn)
            for block in (getattr(n, "body", None), getattr(n, "orelse", None))
            if isinstance(block, list)
            for i, stmt in enumerate(block)
        }
        """Each statement -> the statements after it in its block."""
        self.module = module
        self.words = words
        self.helper = helper
        self.derived: set[str] = set()
        """Variables whose value comes from a draw or a hash."""
        self.picked: dict[str, int] = {}
        """Variables holding one of several objects picked by a draw, and the line of the pick."""
        self.via: dict[int, Summary] = {}
        """Calls of the repository's own functions a finding may go through: line -> what the function does."""

    def _drawn(self, node: ast.AST) -> bool:
        """The expression draws at random, hashes, or uses a variable or a helper that did."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.derived:
                return True
            if isinstance(sub, ast.Call):
                name = self.module.qualified(sub.func)
                if name is not None and self.words.is_chooser(name):
                    return True
                if self._through(sub, "draws"):
                    return True
        return False

    def _through(self, call: ast.Call, what: str) -> bool:
        """A call of the repository's own function that draws, picks or splits (the call's line is kept)."""
        summary = self.helper(call)
        if summary is None or getattr(summary, what) is None:
            return False
        self.via.setdefault(call.lineno, summary)
        return True

    def _picks(self, value: ast.expr) -> bool:
        """``a if <draw> else b``, ``random.choice([a, b])`` over two or more distinct model objects (not literals),
        each with a share above zero; or a helper's pick."""
        while isinstance(value, ast.Subscript):
            value = value.value
        if isinstance(value, ast.IfExp):
            options = [value.body, value.orelse]
            drawn = self._drawn(value.test) and not self.module.one_sided(value.test)
        elif isinstance(value, ast.Call) and value.args and isinstance(value.args[0], (ast.List, ast.Tuple)):
            options = list(value.args[0].elts)
            name = self.module.qualified(value.func)
            drawn = name is not None and bool(self.words.is_chooser(name)) and not self.module.zero_weight(value)
        else:
            return isinstance(value, ast.Call) and self._through(value, "picks")
        objects = {self.module.canonical(o) for o in options if not isinstance(o, ast.Constant)}
        return drawn and len(objects) >= 2 and len(objects) == len(options)

    def _otherwise(self, node: ast.If) -> list[ast.stmt]:
        """What runs when the test fails: the ``else``, or the statements after an ``if`` whose body returns."""
        if node.orelse or not isinstance(node.body[-1], ast.Return):
            return node.orelse
        return self.after.get(id(node), [])

    def model_call(self, node: ast.AST) -> ast.expr | None:
        """The model a call runs: ``m.predict(x)``, a BentoML runner's ``m.predict.run(x)`` / ``async_run``."""
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return None
        if node.func.attr in self.words.predict:
            return node.func.value
        inner = node.func.value
        if node.func.attr in self.words.runner_methods and isinstance(inner, ast.Attribute):
            return inner.value if inner.attr in self.words.predict else None
        return None

    def _models(self, nodes: Iterable[ast.AST]) -> set[str]:
        return {
            self.module.canonical(m) for top in nodes for n in ast.walk(top) if (m := self.model_call(n)) is not None
        }

    def _returned(self, nodes: Iterable[ast.AST]) -> set[str]:
        """The distinct non-literal values the statements return."""
        values = [n.value for top in nodes for n in ast.walk(top) if isinstance(n, ast.Return) and n.value is not None]
        return {self.module.canonical(v) for v in values if not isinstance(v, ast.Constant)}

    def summary(self) -> Summary:
        """What the function does: its split (or shadow) line, the line of a pick it returns, a draw it returns."""
        split = self.split_line()
        picks = draws = None
        for node in self.nodes:
            if isinstance(node, ast.Return) and node.value is not None:
                value = node.value
                if (isinstance(value, ast.Name) and value.id in self.picked) or self._picks(value):
                    picks = picks or node.lineno
                if self._drawn(value):
                    draws = draws or node.lineno
            elif isinstance(node, ast.If) and self._drawn(node.test) and not self.module.one_sided(node.test):
                body, orelse = self._returned(node.body), self._returned(self._otherwise(node))
                if body and orelse and body != orelse:
                    picks = picks or node.lineno
        return Summary(split, picks, draws)

    def split_line(self) -> int | None:
        """The line where the function runs one of two models picked by a draw or a hash, or shadows the model that
        answers with a second one whose output it only records; None when it does neither."""
        for node in self.nodes:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                target = node.targets[0].id
                if self._picks(node.value):
                    self.picked[target] = node.lineno
                elif self._drawn(node.value):
                    self.derived.add(target)
            elif isinstance(node, ast.If) and self._drawn(node.test) and not self.module.one_sided(node.test):
                body, orelse = self._models(node.body), self._models(self._otherwise(node))
                if body and orelse and body != orelse:
                    return node.lineno
            elif isinstance(node, ast.Call):
                receiver = self.model_call(node)
                if isinstance(receiver, ast.Name) and receiver.id in self.picked:
                    return self.picked[receiver.id]
                if isinstance(receiver, ast.Subscript) and self._drawn(receiver.slice):
                    return node.lineno
                if isinstance(receiver, ast.Call) and self._through(receiver, "picks"):
                    return node.lineno
                if receiver is None and self._through(node, "split"):
                    return node.lineno
        return self.shadow_line()

    def shadow_line(self) -> int | None:
        """The line of a second model's call whose output is only recorded (logged, queued, sent) while another
        model's output is returned."""
        returned: set[str] = set()
        recorded: dict[str, int] = {}
        for node in self.nodes:
            model = self.model_call(node)
            if model is None or not isinstance(node, ast.expr):
                continue
            uses = self._uses(node)
            if "returned" in uses:
                returned.add(self.module.canonical(model))
            elif "recorded" in uses:
                recorded.setdefault(self.module.canonical(model), node.lineno)
        return next((line for model, line in recorded.items() if model not in returned and returned - {model}), None)

    def _uses(self, node: ast.expr, depth: int = 0) -> set[str]:
        """Where a value ends: ``returned`` (in a return, or a variable returned), ``recorded`` (an argument of a
        sink call, or a variable passed to one); variables followed three deep, eight of their uses each."""
        names: set[str] = set()
        child: ast.AST = node
        parent = self.parents.get(id(node))
        while parent is not None:
            if isinstance(parent, ast.Return):
                return {"returned"}
            if (
                isinstance(parent, ast.Call)
                and child is not parent.func
                and _last_name(parent.func) in self.words.sinks
            ):
                return {"recorded"}
            if isinstance(parent, (ast.Assign, ast.AnnAssign)):
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                break
            child, parent = parent, self.parents.get(id(parent))
        later = [
            n
            for n in self.nodes
            if isinstance(n, ast.Name) and n.id in names and isinstance(n.ctx, ast.Load) and n.lineno >= node.lineno
        ]
        return {use for n in later[:8] for use in self._uses(n, depth + 1)} if depth < 3 else set()


class Module:
    """What a body needs of its module: import names, aliases between model names, module-level constants."""

    def __init__(self, tree: ast.Module, names: dict[str, str]) -> None:
        self.names = names
        self.aliases: dict[str, str] = {}
        """``self.canary_model = self.baseline_model``: the canary names the baseline's object."""
        self.constants: dict[str, ast.expr] = {}
        for node in statements(tree):  # in the order of ast.walk
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = dotted_name(node.targets[0]), node.value
                if target is not None and dotted_name(value) is not None:
                    self.aliases.setdefault(target, dotted_name(value) or "")
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.constants[node.targets[0].id] = node.value

    def qualified(self, func: ast.expr) -> str | None:
        dotted = dotted_name(func)
        if dotted is None:
            return None
        root, _, rest = dotted.partition(".")
        qualified = self.names.get(root, root)
        return f"{qualified}.{rest}" if rest else qualified

    def canonical(self, expr: ast.expr) -> str:
        """The name of the object an expression holds, through aliases (at most a few steps)."""
        name = dotted_name(expr) or ast.unparse(expr)
        for _ in range(4):
            if name not in self.aliases:
                break
            name = self.aliases[name]
        return name

    def _number(self, expr: ast.expr) -> float | None:
        if isinstance(expr, ast.Name) and isinstance(self.constants.get(expr.id), ast.Constant):
            expr = self.constants[expr.id]
        value = expr.value if isinstance(expr, ast.Constant) else None
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def one_sided(self, test: ast.expr) -> bool:
        """A comparison of a draw that always or never holds: with zero or less, a unit draw (``random.random()``)
        with one or more, a bucket (``h % 100``) with its modulus or more."""
        if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
            return False
        left, right = test.left, test.comparators[0]
        bound, drawn = (self._number(right), left) if self._number(right) is not None else (self._number(left), right)
        if bound is None:
            return False
        if bound <= 0:
            return True
        if isinstance(drawn, ast.BinOp) and isinstance(drawn.op, ast.Mod):
            modulus = self._number(drawn.right)
            return modulus is not None and bound >= modulus
        name = self.qualified(drawn.func) if isinstance(drawn, ast.Call) else None
        return bound >= 1 and name in ("random.random", "numpy.random.random", "numpy.random.rand")

    def zero_weight(self, call: ast.Call) -> bool:
        """``random.choices([a, b], weights=[1, 0])``, ``numpy.random.choice([a, b], p=[1.0, 0.0])``: a share of
        zero (the weights written in the call or in a module constant)."""
        for keyword in call.keywords:
            if keyword.arg in ("weights", "cum_weights", "p"):
                value = keyword.value
                if isinstance(value, ast.Name):
                    value = self.constants.get(value.id, value)
                if isinstance(value, (ast.List, ast.Tuple)):
                    numbers = [self._number(e) for e in value.elts]
                    if keyword.arg == "cum_weights":
                        numbers = [b - a for a, b in zip([0.0, *numbers], numbers) if a is not None and b is not None]
                    if any(n is not None and n <= 0 for n in numbers):
                        return True
        return False


def _last_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
