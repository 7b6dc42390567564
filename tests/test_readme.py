"""README's sample report is the real output of the command it shows."""

from __future__ import annotations

import re
from pathlib import Path

from scanning import run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_readme_sample_report_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = re.search(r"```text\n(mlops-scan: (fixtures/\S+)\n.*?)```", readme, re.S)
    assert sample, "README shows a sample text report"
    done = run_cli("--no-color", sample.group(2), cwd=ROOT)
    assert done.stdout == sample.group(1), "README's sample report is stale: paste the output of the command again"
