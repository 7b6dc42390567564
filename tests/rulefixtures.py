"""Read the expectations of rule fixtures (semgrep-style annotations and expected.yaml).

A rule fixture is a folder under ``fixtures/rules/<capability>/<case>/`` scanned as a
repository of its own. Expectations come from:

* annotations in text files, on the line before the hit:
  ``# mlops-scan: expect <rule-id>`` (must fire on the next line),
  ``# mlops-scan: ok <rule-id>`` (must not fire on the next line),
  ``todo-expect`` / ``todo-ok`` for known gaps (recorded, not checked);
  any comment leader works (``#``, ``//``, ``<!--``);
* ``expected.yaml`` in the case folder, for files that cannot hold comments (notebooks,
  JSON, binary) and for rules without a line::

      fires:
        - {rule: notebook_centric.code-in-notebooks, path: analysis.ipynb, line: null}
      silent: [notebook_centric.training-in-notebooks]

Every hit the scan produces must be expected, and every expectation must hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
ANNOTATION = re.compile(r"mlops-scan:\s*(expect|ok|todo-expect|todo-ok)\s+([\w./-]+)")


@dataclass
class Expectations:
    """What one fixture case says must and must not happen."""

    fires: set[tuple[str, str, int | None]] = field(default_factory=set)
    silent_at: set[tuple[str, str, int]] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)
    todo: set[tuple[str, str, int]] = field(default_factory=set)


def cases() -> list[Path]:
    """Every fixture case folder."""
    return sorted(p for p in RULE_FIXTURES.glob("*/*") if p.is_dir())


def expectations(case: Path) -> Expectations:
    """Collect annotations from every text file of the case, plus its expected.yaml."""
    exp = Expectations()
    for path in sorted(case.rglob("*")):
        if not path.is_file() or path.name == "expected.yaml":
            continue
        rel = path.relative_to(case).as_posix()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(lines, 1):
            for verb, rule in ANNOTATION.findall(line):
                target = number + 1
                if verb == "expect":
                    exp.fires.add((rule, rel, target))
                elif verb == "ok":
                    exp.silent_at.add((rule, rel, target))
                else:
                    exp.todo.add((rule, rel, target))
    expected_file = case / "expected.yaml"
    if expected_file.exists():
        data = yaml.safe_load(expected_file.read_text(encoding="utf-8")) or {}
        for item in data.get("fires") or []:
            exp.fires.add((item["rule"], item["path"], item.get("line")))
        exp.silent.update(data.get("silent") or [])
    return exp
