"""--format github (workflow command annotations) and --format gitlab (a Code Quality report)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from gitrepos import commit, git, write
from scanning import run_cli
from schemas import valid_gitlab
from test_formats import canonical, ev

from mlops_scan.assessment.ladder import assess
from mlops_scan.assessment.maturity import load_model
from mlops_scan.reporters import formats, github, gitlab, sarif
from mlops_scan.reporters.options import RenderOptions
from mlops_scan.types import Strength, Zone

FILES = RenderOptions(files=("pyproject.toml", "src/churn/train.py"))
COMMAND = re.compile(r"::(warning|notice) (?:(\w+=[^,:]*)(?:,(\w+=[^,:]*))*)?::(.*)")


def test_github_annotations() -> None:
    assert github.render(canonical(), FILES).splitlines() == [
        "::notice title=mlops-scan%3A MLOps maturity level 2::Automated training (Microsoft MLOps maturity model)",
        "::notice file=requirements.txt,line=4,title=mlops-scan%3A operational metrics (evidence too weak to count)"
        "::operational metrics is not counted: medium evidence from only 1 rule (2 needed). Expose service metrics"
        " (Prometheus client or OpenTelemetry) from the serving code.",
        "::notice file=pyproject.toml,title=mlops-scan%3A model registry (asserted%2C not detected)::model registry is"
        " asserted in configuration, not detected: models are registered by the platform repository's release job",
        "::notice file=docs/CODEOWNERS example|x.md,title=mlops-scan%3A collaboration (evidence too weak to count)"
        "::collaboration is not counted: only weak evidence. Add CODEOWNERS, a pull-request template and pre-commit"
        " hooks (with nbstripout for notebooks).",
        "::warning file=pyproject.toml,title=mlops-scan%3A deployment automation (missing for level 3)::Level 3"
        " (Automated model deployment) requires deployment automation: no evidence. Deploy models declaratively from"
        " CI (KServe InferenceService, Azure ML / SageMaker / Vertex endpoints).",
        "::warning file=examples/canary [v2].yaml,line=7,title=mlops-scan%3A A/B testing (missing for level 3)::Level 3"
        " (Automated model deployment) requires A/B testing: only weak evidence. Split traffic between model versions"
        " (KServe canaryTrafficPercent, Istio weights, endpoint traffic maps).",
    ]


def test_github_escapes_as_the_actions_toolkit_does() -> None:
    assert github.escape_data("50% done\r\n::error::x") == "50%25 done%0D%0A::error::x"
    assert github.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    odd = ev("ab_testing", "kserve-canary", "deploy/a,b:50%/canary.yaml", 3, Strength.WEAK, Zone.PROJECT)
    reason = "kept in\nanother repository"
    a = assess(load_model(), [odd], root="demo", assumed={"model_registry": reason, "ci": "x", "automated_tests": "y"})
    report = formats.render("github", a, FILES)  # through the report escaping every format gets
    lines = report.splitlines()
    assert all(COMMAND.fullmatch(line) for line in lines), lines
    assert (
        "::notice file=pyproject.toml,title=mlops-scan%3A model registry (asserted%2C not detected)::model registry"
        " is asserted in configuration, not detected: kept in%0Aanother repository"
    ) in lines
    canary = next(line for line in lines if "canary" in line)
    assert canary.startswith("::notice file=deploy/a%2Cb%3A50%25/canary.yaml,line=3,title=mlops-scan%3A A/B testing")


def test_gitlab_code_quality_report() -> None:
    issues = valid_gitlab(gitlab.render(canonical(), FILES))
    assert issues[0] == {
        "description": "operational metrics is not counted: medium evidence from only 1 rule (2 needed). Expose"
        " service metrics (Prometheus client or OpenTelemetry) from the serving code.",
        "check_name": "ops_metrics.prometheus-client-dep",
        "fingerprint": hashlib.sha256(b"mlops-scan:ops_metrics:insufficient").hexdigest()[:32],
        "severity": "minor",
        "location": {"path": "requirements.txt", "lines": {"begin": 4}},
    }
    assert [
        (i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues
    ] == [
        ("ops_metrics.prometheus-client-dep", "minor", "requirements.txt", 4),
        ("model_registry", "info", "pyproject.toml", 1),
        ("collaboration.codeowners", "minor", "docs/CODEOWNERS example|x.md", 1),
        ("deployment_automation", "major", "pyproject.toml", 1),
        ("ab_testing.kserve-canary", "major", "examples/canary [v2].yaml", 7),
    ]
    results = json.loads(sarif.render(canonical(), FILES))["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [i["check_name"] for i in issues]  # the same findings as SARIF


def test_an_empty_repository_has_no_issue_to_place() -> None:
    empty = assess(load_model(), [], root="demo")
    assert gitlab.render(empty, RenderOptions()) == "[]\n"
    lines = github.render(empty, RenderOptions()).splitlines()
    assert lines[0] == "::notice title=mlops-scan%3A MLOps maturity level 0::No MLOps (Microsoft MLOps maturity model)"
    assert lines[1].startswith("::warning title=mlops-scan%3A continuous integration (missing for level 1)::Level 1")


def test_paths_are_given_from_the_top_of_the_work_tree(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "services/churn/requirements.txt", "prometheus-client==0.20\n")
    commit(tmp_path, "first", 1)
    done = run_cli("services/churn", "-f", "github", "-q", "--no-config", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "::notice file=services/churn/requirements.txt,line=1,title=mlops-scan%3A operational metrics" in done.stdout
    done = run_cli("services/churn", "-f", "gitlab", "-q", "--no-config", cwd=tmp_path)  # validated by run_cli
    paths = {issue["location"]["path"] for issue in json.loads(done.stdout)}
    assert paths == {"services/churn/requirements.txt"}


def test_hostile_names_cannot_forge_a_command_or_hide_characters() -> None:
    names = ["::error file=ci.yml::pwned/canary.yaml", "deploy/canary\u202e\u2028x.yaml"]
    evidence = [ev("ab_testing", "kserve-canary", name, 2, Strength.WEAK, Zone.PROJECT) for name in names]
    a = assess(load_model(), evidence, root="demo")
    lines = formats.render("github", a, FILES).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::notice", "::warning", "::warning", "::notice"]
    assert "file=%3A%3Aerror file=ci.yml%3A%3Apwned/canary.yaml,line=2," in lines[-1]  # the best evidence first
    issues = valid_gitlab(formats.render("gitlab", a, FILES))
    assert {i["location"]["path"] for i in issues if i["check_name"] == "ab_testing.kserve-canary"} == {names[0]}
    report = formats.render("gitlab", a, FILES) + "\n".join(lines)
    assert "\u202e" not in report and "\u2028" not in report
