"""A module the command line loads on first use (``inspect``): not loaded by the start-up, loaded whole by the first
name read from it, through every way of importing it."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import mlops_scan.cli  # the command line's process: defers inspect before dataclasses is imported
import dataclasses

placeholder = sys.modules["inspect"]
loaded = [name for name in ("dis", "tokenize", "linecache") if name in sys.modules]

@dataclasses.dataclass
class Undocumented:  # dataclasses writes its docstring with inspect.signature: the first use
    size: int

import inspect
from inspect import signature

print(type(placeholder).__name__, loaded, Undocumented.__doc__, type(sys.modules["inspect"]).__name__)
print(signature(Undocumented), inspect.signature is signature, placeholder.signature is signature)
"""


def test_inspect_is_loaded_on_first_use() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == [
        "_Placeholder [] Undocumented(size: int) module",
        "(size: int) -> None True True",
    ]


def test_a_module_already_imported_is_left_as_it_is() -> None:
    import inspect

    from mlops_scan.cli import onfirstuse

    onfirstuse.defer()
    assert sys.modules["inspect"] is inspect
