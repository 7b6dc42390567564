"""CI readers normalise each system's files to pipelines; hops follow a step one hop into what it calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_scan.facts.ci.hops import Referenced, expand
from mlops_scan.facts.ci.model import Pipeline
from mlops_scan.facts.ci.readers import read_pipeline
from mlops_scan.facts.ci.systems import detect_system
from mlops_scan.facts.context import FileContext
from mlops_scan.snapshot.tree import Snapshot, open_snapshot


def repo(tmp_path: Path, files: dict[str, str]) -> Snapshot:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return open_snapshot(tmp_path)


def pipeline(snapshot: Snapshot, path: str) -> Pipeline | None:
    entry = snapshot.entry(path)
    assert entry is not None
    return read_pipeline(FileContext(snapshot, entry))


@pytest.mark.parametrize(
    ("path", "system"),
    [
        (".github/workflows/ci.yml", "github-actions"),
        (".gitlab-ci.yml", "gitlab-ci"),
        (".gitlab/ci/test.yml", "gitlab-ci"),
        ("Jenkinsfile", "jenkins"),
        ("ci/release.jenkinsfile", "jenkins"),
        (".circleci/config.yml", "circleci"),
        (".travis.yml", "travis"),
        ("bitbucket-pipelines.yml", "bitbucket"),
        (".buildkite/pipeline.yml", "buildkite"),
        (".drone.yml", "drone"),
        (".pre-commit-config.yaml", "pre-commit"),
        ("pipelines/build.yaml", "yaml?"),
        ("vendor/x/.travis.yml", "yaml?"),
        ("cloudbuild.json", "yaml?"),
        ("README.md", None),
        ("package.json", None),
    ],
)
def test_detect_system_by_name(path: str, system: str | None) -> None:
    assert detect_system(path) == system


def test_github_triggers_jobs_and_steps(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "on:\n  push:\n    branches: [main]\n    tags: ['v*']\n  pull_request:\n  workflow_dispatch:\n"
                "jobs:\n  test:\n    runs-on: ubuntu-latest\n    environment: staging\n    steps:\n"
                "      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n"
                "      - run: pytest -q\n"
                "  publish:\n    if: startsWith(github.ref, 'refs/tags/')\n    uses: acme/shared/.github/workflows/pypi.yml@v1\n"
            )
        },
    )
    p = pipeline(snap, ".github/workflows/ci.yml")
    assert p is not None and p.system == "github-actions"
    assert p.triggers == {"push": 2, "tag": 4, "pull_request": 5, "manual": 6}
    test, publish = p.jobs
    assert test.keys["environment"] == 10
    assert [(s.command, s.line, s.uses) for s in test.steps] == [
        ("", 12, "actions/setup-python@v5"),  # an action's settings are not commands
        ("pytest -q", 15, ""),
    ]
    assert publish.triggers == {"tag": 17}
    assert [(s.line, s.uses) for s in publish.steps] == [(18, "acme/shared/.github/workflows/pypi.yml@v1")]


def test_script_inputs_of_known_actions_are_run_steps(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            ".github/workflows/cd.yml": (
                "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: Appleboy/SSH-Action@v1.2.0\n        with:\n          host: web\n"
                "          script: |\n            cd /srv/app\n            helm upgrade --install scorer ./chart\n"
                "      - uses: nick-fields/retry@v3\n        with: {max_attempts: 3, command: pytest -q}\n"
                "      - uses: ./.github/actions/release\n        with:\n          target: prod\n"
                "      - uses: actions/github-script@v7\n        with:\n          script: core.info('kubectl apply')\n"
            ),
            "azure-pipelines.yml": (
                "trigger: [main]\nsteps:\n  - task: AzureCLI@2\n    inputs:\n      azureSubscription: sub\n"
                "      inlineScript: az ml online-deployment create -f deploy.yml\n"
                "  - task: SSH@0\n    inputs:\n      runOptions: inline\n      inline: docker compose up -d\n"
                "  - task: PublishTestResults@2\n    inputs:\n      testResultsFiles: '**/junit.xml'\n"
            ),
        },
    )
    github = pipeline(snap, ".github/workflows/cd.yml")
    assert github is not None
    assert [(s.command, s.line, s.uses) for s in github.jobs[0].steps] == [
        ("cd /srv/app\nhelm upgrade --install scorer ./chart\n", 9, "Appleboy/SSH-Action@v1.2.0"),
        ("pytest -q", 13, "nick-fields/retry@v3"),
        ("target=prod", 14, "./.github/actions/release"),
        ("", 17, "actions/github-script@v7"),
    ]
    azure = pipeline(snap, "azure-pipelines.yml")
    assert azure is not None
    assert [(s.command, s.line, s.uses) for s in azure.jobs[0].steps] == [
        ("az ml online-deployment create -f deploy.yml", 6, "AzureCLI@2"),
        ("docker compose up -d", 10, "SSH@0"),
        ("testResultsFiles=**/junit.xml", 11, "PublishTestResults@2"),
    ]


def test_workflow_outside_github_workflows_is_an_inert_template(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            "mlops/github-actions/deploy.yml": (
                "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make deploy\n"
            )
        },
    )
    p = pipeline(snap, "mlops/github-actions/deploy.yml")
    assert p is not None and (p.system, p.line, p.triggers) == ("github-actions-template", 1, {"push": 2})


def test_gitlab_defaults_workflow_rules_includes_and_deploy_jobs(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            ".gitlab-ci.yml": (
                "include:\n  - local: ci/tests.yml\n  - remote: https://example.com/x.yml\n"
                "lint:\n  script: ruff check .\n"
                "deploy:\n  environment: production\n  script: ./deploy.sh\n"
                "release:\n  rules:\n    - if: $CI_COMMIT_TAG\n  script: echo release\n"
            ),
            ".gitlab/nightly.yml": 'workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "schedule"\nreport:\n  script: make report\n',
        },
    )
    p = pipeline(snap, ".gitlab-ci.yml")
    assert p is not None and p.triggers == {"push": 2, "pull_request": 2} and p.line == 2
    include, lint, deploy, release = p.jobs
    assert [(s.command, s.line) for s in include.steps] == [("template: ci/tests.yml", 2)]
    assert (lint.triggers, deploy.triggers, release.triggers) == ({}, {"push": 7}, {"tag": 11})
    nightly = pipeline(snap, ".gitlab/nightly.yml")
    assert nightly is not None and nightly.triggers == {"schedule": 3}


def test_gitlab_hidden_jobs_only_count_through_extends(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            ".gitlab-ci.yml": (
                ".python:\n  image: python:3.12\n  script:\n    - pytest\n"
                ".disabled-deploy:\n  script:\n    - helm upgrade api ./chart\n"
                "unit:\n  extends: .python\n  stage: test\n"
            )
        },
    )
    p = pipeline(snap, ".gitlab-ci.yml")
    assert p is not None and [(j.name, [(s.command, s.line) for s in j.steps]) for j in p.jobs] == [
        ("unit", [("pytest", 4)])
    ]
    assert p.jobs[0].keys == {"image": 2, "script": 3, "extends": 9, "stage": 10}


def test_azure_pipelines_any_name_triggers_and_templates(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            ".pipelines/pr.yml": "trigger: none\npr:\n  branches:\n    include: [main]\nsteps:\n  - template: quality.yml\n",
            ".pipelines/manual.yml": "trigger: none\npr: none\nsteps:\n  - script: python -m build\n",
            "azure-pipelines.yml": "extends:\n  template: templates/ci.yml\n",
        },
    )
    pr = pipeline(snap, ".pipelines/pr.yml")
    assert pr is not None and pr.system == "azure-pipelines" and pr.triggers == {"pull_request": 2}
    assert [(s.command, s.line) for job in pr.jobs for s in job.steps] == [("template: quality.yml", 6)]
    manual = pipeline(snap, ".pipelines/manual.yml")
    assert manual is not None and manual.triggers == {}
    extended = pipeline(snap, "azure-pipelines.yml")  # no trigger: runs on every push
    assert extended is not None and extended.triggers == {"push": 1}
    assert [(s.command, s.line) for job in extended.jobs for s in job.steps] == [("template: templates/ci.yml", 1)]


def test_azure_jobs_under_a_branch_condition_run_on_pushes_only(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            "azure-pipelines.yml": (
                "trigger: [main]\npr: [main]\nstages:\n  - stage: Test\n    jobs:\n      - job: t\n        steps:\n          - script: pytest\n"
                "  - stage: Deploy\n    condition: and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))\n"
                "    jobs:\n      - deployment: web\n        environment: prod\n        strategy:\n          runOnce:\n            deploy:\n"
                "              steps:\n                - script: helm upgrade web ./chart\n"
            )
        },
    )
    p = pipeline(snap, "azure-pipelines.yml")
    assert p is not None and p.triggers == {"push": 1, "pull_request": 2}
    assert [(j.name, j.triggers, [s.command for s in j.steps]) for j in p.jobs] == [
        ("t", {}, ["pytest"]),
        ("web", {"push": 10}, []),
        ("web", {"push": 10}, ["helm upgrade web ./chart"]),
    ]


def test_cloud_build_counts_as_triggered_only_under_its_conventional_name(tmp_path: Path) -> None:
    build = "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, .]\n  - name: python:3.11\n    entrypoint: pytest\n"
    snap = repo(tmp_path, {"cloudbuild.yaml": build, "cicd/model-deployment.yaml": build})
    standard = pipeline(snap, "cloudbuild.yaml")
    by_hand = pipeline(snap, "cicd/model-deployment.yaml")
    assert standard is not None and standard.triggers == {"push": 2, "pull_request": 2}
    assert by_hand is not None and by_hand.system == "cloud-build" and by_hand.triggers == {}
    assert [s.command for s in by_hand.jobs[0].steps] == ["build .", "pytest"]


def test_codebuild_jenkins_travis_and_drone(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            "seed/buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - pytest\n",
            "Jenkinsfile": "// build\npipeline {\n  triggers { cron('H 2 * * *') }\n  stages { stage('t') { steps { sh 'make test' } } }\n}\n",
            ".travis.yml": "script:\n  - tox\ndeploy:\n  provider: pypi\n",
            ".drone.yml": (
                "kind: pipeline\nsteps:\n  - name: t\n    commands: [pytest]\ntrigger:\n  event: [tag, cron]\n"
                "---\nkind: pipeline\nname: pr\nsteps:\n  - name: lint\n    commands: [ruff check .]\n"
            ),
        },
    )
    codebuild = pipeline(snap, "seed/buildspec.yml")
    assert codebuild is not None and (codebuild.system, codebuild.triggers, codebuild.line) == (
        "codebuild",
        {"push": 2},
        2,
    )
    jenkins = pipeline(snap, "Jenkinsfile")
    assert jenkins is not None and jenkins.triggers == {"push": 2, "pull_request": 2, "schedule": 3}
    assert [(s.command, s.line) for s in jenkins.jobs[0].steps] == [("make test", 4)]
    travis = pipeline(snap, ".travis.yml")
    assert travis is not None and [(j.name, j.triggers) for j in travis.jobs] == [
        ("build", {}),
        ("deploy", {"release": 3}),
    ]
    drone = pipeline(snap, ".drone.yml")
    assert drone is not None and [(j.name, j.triggers) for j in drone.jobs] == [
        ("drone", {"tag": 6, "schedule": 6}),
        ("pr", {"push": 8, "pull_request": 8}),
    ]


def test_pre_commit_hooks_are_steps(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            ".pre-commit-config.yaml": (
                "repos:\n  - repo: https://github.com/kynan/nbstripout\n    rev: 0.7.1\n    hooks:\n      - id: nbstripout\n"
                "  - repo: local\n    hooks:\n      - id: nb\n        entry: scripts/nb.sh\n        language: system\n"
            )
        },
    )
    p = pipeline(snap, ".pre-commit-config.yaml")
    assert p is not None and p.system == "pre-commit" and p.triggers == {}
    assert [(s.command, s.uses, s.line) for job in p.jobs for s in job.steps] == [
        ("", "nbstripout", 5),
        ("scripts/nb.sh", "nb", 8),
    ]


def test_tekton_pipelines_as_code_events(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            ".tekton/pr.yaml": (
                "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  annotations:\n"
                "    pipelinesascode.tekton.dev/on-event: '[pull_request, push]'\n"
                "spec:\n  pipelineSpec:\n    tasks:\n      - taskSpec:\n          steps:\n            - image: python\n              script: pytest\n"
            )
        },
    )
    p = pipeline(snap, ".tekton/pr.yaml")
    assert p is not None and p.system == "tekton" and p.triggers == {"push": 5, "pull_request": 5}
    assert [s.command for s in p.jobs[0].steps] == ["pytest"]


def test_hops_follow_scripts_make_tasks_tox_and_local_actions(tmp_path: Path) -> None:
    snap = repo(
        tmp_path,
        {
            "scripts/test.sh": "#!/bin/sh\npython -m pytest\n",
            "Makefile": "test:\n\tpytest -x\nlint:\n\truff check .\n",
            "mise.toml": '[tasks.check]\nrun = "pytest -q"\n',
            "tox.ini": "[testenv]\ncommands = pytest {posargs}\n[testenv:lint]\ncommands = flake8 src\n",
            ".github/actions/setup/action.yml": "runs:\n  using: composite\n  steps:\n    - run: pip install -e .\n      shell: bash\n",
            "pyproject.toml": (
                '[tool.pdm.scripts]\nunit = {cmd = "pytest tests/unit"}\n'
                '[tool.hatch.envs.default.scripts]\ncov = ["coverage run -m pytest", "coverage report"]\n'
                '[tool.taskipy.tasks]\nlint = "ruff check ."\n'
            ),
            "Taskfile.yml": "version: '3'\ntasks:\n  test:\n    cmds:\n      - go test ./...\n  build:\n    cmds:\n      - go build\n",
        },
    )
    referrer = FileContext(snap, snap.files[0])
    files = Referenced(referrer, {})
    assert "python -m pytest" in expand("./scripts/test.sh", files, ".github/workflows")
    assert "pytest -x" in expand("make test", files, "") and "ruff" not in expand("make test", files, "")
    assert "pytest -q" in expand("mise run check", files, "")
    assert "flake8 src" in expand("tox -e lint", files, "") and "pytest" not in expand("tox -e lint", files, "")
    assert "pytest {posargs}" in expand("tox -e ${{ matrix.env }}", files, "")
    assert "pytest" not in expand("pip install tox && tox -e lint", files, "")
    assert "pip install -e ." in expand("./.github/actions/setup", files, "")
    assert "pytest tests/unit" in expand("pdm run unit", files, "")
    assert "coverage run -m pytest" in expand("hatch run cov", files, "")
    assert "ruff check ." in expand("poetry run task lint", files, "")
    assert "go test" in expand("task test", files, "") and "go build" not in expand("task test", files, "")

    assert referrer.skipped == []  # every referenced file parsed within the limits
