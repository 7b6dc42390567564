"""The ``yaml`` matcher kind on its own: document tests, conditions, templates, streams and lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MatcherProbe

from mlops_scan.facts import yamlnodes
from mlops_scan.facts.context import FileContext
from mlops_scan.facts.crds import crd_groups
from mlops_scan.matchers.yaml import YamlMatcher, YamlParams
from mlops_scan.rules.loader import Rule
from mlops_scan.snapshot.tree import open_snapshot
from mlops_scan.types import ProjectInfo


@pytest.fixture
def make_rule(probe: MatcherProbe) -> Callable[..., Rule]:
    """Rules of the ``yaml`` kind, loaded from a pack by the real loader (conftest.MatcherProbe)."""
    return probe.maker("yaml", "ab_testing.probe")


SELDON_MODEL = """\
apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  name: iris
"""


def test_kind_counts_only_with_its_api_version(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(api_version=["mlops.seldon.io/*"], kind=["Model"])
    other = SELDON_MODEL.replace("mlops.seldon.io/v1alpha1", "example.com/v1")
    no_api = SELDON_MODEL.replace("apiVersion: mlops.seldon.io/v1alpha1\n", "")
    hits = probe.hits({"seldon.yaml": SELDON_MODEL, "other.yaml": other, "bare.yaml": "# no api\n" + no_api}, rule)
    assert hits == [("ab_testing.probe", "seldon.yaml", 2)]


def test_api_version_glob_and_kind_list(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(
        api_version=["serving.kserve.io/*", "serving.kubeflow.org/*"], kind=["InferenceService", "ServingRuntime"]
    )
    legacy = "apiVersion: serving.kubeflow.org/v1alpha2\nkind: InferenceService\n"
    runtime = "apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\n"
    graph = "apiVersion: serving.kserve.io/v1alpha1\nkind: InferenceGraph\n"
    hits = probe.hits({"a.yaml": legacy, "b.yaml": runtime, "c.yaml": graph}, rule)
    assert hits == [("ab_testing.probe", "a.yaml", 2), ("ab_testing.probe", "b.yaml", 2)]


def test_schema_glob_reports_the_schema_line(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(schema=["*managedOnlineEndpoint.schema.json"])
    endpoint = "name: churn\n$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\n"
    compute = "$schema: https://azuremlschemas.azureedge.net/latest/amlCompute.schema.json\n"
    assert probe.hits({"endpoint.yml": endpoint, "compute.yml": compute}, rule) == [
        ("ab_testing.probe", "endpoint.yml", 2)
    ]


def test_keys_must_all_be_top_level(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(keys=["dataset", "checks"])
    files = {
        "contract.yml": "dataset: orders\nchecks:\n  - row_count:\n",
        "half.yml": "dataset: orders\ncolumns: []\n",
        "nested.yml": "spec:\n  dataset: orders\n  checks: []\n",
    }
    assert probe.hits(files, rule) == [("ab_testing.probe", "contract.yml", 1)]


ISTIO = """\
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
spec:
  http:
    - route:
        - destination: {host: blue}
          weight: 100
    - route:
        - destination: {host: green}
          weight: 100
"""


def test_min_count_across_the_document_and_within_each_node(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    anywhere = make_rule(
        "ab_testing.anywhere",
        api_version=["networking.istio.io/*"],
        kind=["VirtualService"],
        where=[{"path": "spec.http[*].route[*].weight", "min_count": 2}],
    )
    per_route = make_rule(
        "ab_testing.per-route",
        api_version=["networking.istio.io/*"],
        kind=["VirtualService"],
        each="spec.http[*]",
        where=[{"path": "route[*].weight", "min_count": 2}],
    )
    # Two single-destination routes: two weights in the document, but never two in one route.
    assert probe.hits({"vs.yaml": ISTIO}, anywhere, per_route) == [("ab_testing.anywhere", "vs.yaml", 7)]


def test_each_keeps_conditions_inside_one_node(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(
        each="Resources.*",
        where=[{"path": "Type", "equals": ["AWS::Events::Rule"]}],
        any_where=[{"path": "Properties.ScheduleExpression"}],
    )
    split = (
        "Resources:\n"
        "  Rule:\n    Type: AWS::Events::Rule\n    Properties: {EventPattern: {source: [aws.s3]}}\n"
        "  Other:\n    Type: AWS::Scheduler::Schedule\n    Properties: {ScheduleExpression: rate(1 day)}\n"
    )
    whole = "Resources:\n  Nightly:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: cron(0 1 * * ? *)\n"
    assert probe.hits({"split.yml": split, "whole.yml": whole}, rule) == [("ab_testing.probe", "whole.yml", 5)]


def test_none_where_rejects_and_any_where_line_wins(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(
        each="Resources.*",
        where=[{"path": "Type", "equals": ["AWS::Events::Rule"]}],
        any_where=[{"path": "Properties.ScheduleExpression"}],
        none_where=[{"path": "Properties.State", "equals": ["DISABLED"]}],
    )
    enabled = "Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      State: ENABLED\n      ScheduleExpression: rate(7 days)\n"
    disabled = enabled.replace("ENABLED", "DISABLED")
    assert probe.hits({"on.yml": enabled, "off.yml": disabled}, rule) == [("ab_testing.probe", "on.yml", 6)]


def test_where_line_without_any_where_and_kind_line_without_conditions(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    with_where = make_rule(
        "ab_testing.where",
        api_version=["serving.kserve.io/*"],
        kind=["InferenceService"],
        where=[{"path": "spec.predictor.canaryTrafficPercent"}],
    )
    bare = make_rule("ab_testing.bare", api_version=["serving.kserve.io/*"], kind=["InferenceService"])
    isvc = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nspec:\n  predictor:\n    canaryTrafficPercent: 10\n"
    assert probe.hits({"isvc.yaml": isvc}, with_where, bare) == [
        ("ab_testing.bare", "isvc.yaml", 2),
        ("ab_testing.where", "isvc.yaml", 5),
    ]


def test_min_keys_min_items_and_key_lines(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    keys = make_rule("ab_testing.keys", keys=["name"], where=[{"path": "traffic", "min_keys": 2}])
    items = make_rule("ab_testing.items", where=[{"path": "spec.candidates", "min_items": 2}], keys=["spec"])
    files = {
        "split.yml": "name: e\ntraffic:\n  blue: 90\n  green: 10\n",
        "single.yml": "name: e\ntraffic:\n  blue: 100\n",
        "exp.yml": "spec:\n  default: a\n  candidates:\n    - {name: a, weight: 50}\n    - {name: b, weight: 50}\n",
        "solo.yml": "spec:\n  candidates:\n    - {name: a, weight: 100}\n",
    }
    # Collections are shown at their key's line, not at their first item.
    assert probe.hits(files, keys, items) == [
        ("ab_testing.items", "exp.yml", 3),
        ("ab_testing.keys", "split.yml", 2),
    ]


def test_equals_normalises_booleans_and_matches_searches_scalars(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    flag = make_rule("ab_testing.flag", keys=["spec"], where=[{"path": "spec.shadow", "equals": [True]}])
    image = make_rule("ab_testing.image", keys=["spec"], where=[{"path": "spec.image", "matches": "(?i)tritonserver"}])
    files = {
        "a.yaml": "spec:\n  shadow: true\n  image: nvcr.io/nvidia/TritonServer:24.05\n",
        "b.yaml": "spec:\n  shadow: 'no'\n  image: nginx\n",
    }
    assert probe.hits(files, flag, image) == [("ab_testing.flag", "a.yaml", 2), ("ab_testing.image", "a.yaml", 3)]


def test_contains_reports_the_matching_scalar(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(
        keys=["resources"], each="resources.jobs.*", where=[{"path": "tasks", "contains": "(?<![a-z])train"}]
    )
    bundle = (
        "resources:\n  jobs:\n    refresh:\n      tasks:\n        - python_file: refresh_constraints.py\n"
        "    weekly:\n      tasks:\n        - task_key: prep\n        - python_file: ../scripts/train_model.py\n"
    )
    assert probe.hits({"bundle.yml": bundle}, rule) == [("ab_testing.probe", "bundle.yml", 9)]


HELM_TEMPLATE = """\
{{- if .Values.canary.enabled }}
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: {{ include "scorer.fullname" . }}
spec:
  http:
    - route:
        - destination:
            host: {{ .Values.svc }}-blue.{{ .Release.Namespace }}.svc.cluster.local
          weight: {{ .Values.weight.blue }}
        - destination:
            host: {{ .Values.svc }}-green.{{ .Release.Namespace }}.svc.cluster.local
          weight: {{ .Values.weight.green }}
{{- end }}
"""


def test_helm_templates_are_detemplated_with_lines_intact(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(
        api_version=["networking.istio.io/*"],
        kind=["VirtualService"],
        each="spec.http[*]",
        where=[{"path": "route[*].weight", "min_count": 2}],
    )
    with pytest.raises(yaml.YAMLError):
        list(yaml.safe_load_all(HELM_TEMPLATE))
    assert probe.hits({"charts/canary/templates/vs.yaml": HELM_TEMPLATE}, rule) == [
        ("ab_testing.probe", "charts/canary/templates/vs.yaml", 11),
    ]


def test_detemplate_blanks_directive_lines_and_replaces_expressions() -> None:
    text = (
        "{{- if .Values.on }}\nname: {{ .Values.name }}-svc\n{# a comment #}\n{% for x in xs %}\nkind: Job\n{{- end }}"
    )
    assert yamlnodes.detemplate(text) == "\nname: TEMPLATED-svc\n\n\nkind: Job\n"


def test_every_document_of_a_stream_is_tested_and_a_malformed_one_hides_no_other(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    rule = make_rule(api_version=["ray.io/*"], kind=["RayService"])
    stream = "apiVersion: v1\nkind: Namespace\n---\napiVersion: ray.io/v1\nkind: RayService\n---\nkey: [unclosed\n"
    hits = probe.hits(
        {
            "stream.yaml": stream,
            "after-bad.yaml": "a: [\n---\napiVersion: ray.io/v1\nkind: RayService\n",
            "bad.yaml": "apiVersion: ray.io/v1\nkind: RayService\nspec: [\n",
        },
        rule,
    )
    assert hits == [("ab_testing.probe", "after-bad.yaml", 4), ("ab_testing.probe", "stream.yaml", 5)]


def test_json_documents_and_path_globs(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(
        paths=["*template*.json"], each="Resources.*", where=[{"path": "Type", "equals": ["AWS::SageMaker::Endpoint"]}]
    )
    template = '{\n  "Resources": {\n    "Endpoint": {\n      "Type": "AWS::SageMaker::Endpoint"\n    }\n  }\n}\n'
    files = {"stack.template.json": template, "package.json": template}
    assert probe.hits(files, rule) == [("ab_testing.probe", "stack.template.json", 4)]


def test_files_without_a_literal_are_never_parsed(tmp_path: Path, make_rule: Callable[..., Rule]) -> None:
    rule = make_rule(api_version=["flagger.app/*"], kind=["Canary"])
    (tmp_path / "values.yaml").write_text("replicas: 2\n", encoding="utf-8")
    snapshot = open_snapshot(tmp_path)
    ctx = FileContext(snapshot, snapshot.files[0])
    assert list(YamlMatcher([rule], ProjectInfo()).scan(ctx)) == []
    assert ctx.parsed == []


def test_explicit_literals_replace_the_derived_ones(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(
        literals=["AWS::SageMaker::"],
        each="Resources.*",
        any_where=[{"path": "Properties.DataCaptureConfig.EnableCapture", "equals": ["true", "True"]}],
    )
    with_type = "Resources:\n  C:\n    Type: AWS::SageMaker::EndpointConfig\n    Properties:\n      DataCaptureConfig: {EnableCapture: true}\n"
    without = (
        "Resources:\n  C:\n    Type: Custom::Config\n    Properties:\n      DataCaptureConfig: {EnableCapture: true}\n"
    )
    assert probe.hits({"a.yml": with_type, "b.yml": without}, rule) == [("ab_testing.probe", "a.yml", 5)]


def test_select_paths() -> None:
    doc = yamlnodes.compose_documents("a:\n  - {b: 1}\n  - {b: 2}\nc:\n  x: 3\n  y: 4\n", 1000)[0][0]
    values = lambda path: [yamlnodes.scalar(n) for n in yamlnodes.select(doc, path)]  # noqa: E731
    assert values("a[*].b") == ["1", "2"]
    assert values("a[1].b") == ["2"]
    assert values("a[5].b") == []
    assert values("c.*") == ["3", "4"]
    assert yamlnodes.select(doc, ".") == [doc] == yamlnodes.select(doc, "")
    assert [yamlnodes.keyed_line(k, v) for k, v in yamlnodes.select_keyed(doc, "a")] == [1]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "give at least one of api_version, kind, schema, keys, where, any_where"),
        (
            {"keys": ["a"], "where": [{"path": "a", "typo": 1}]},
            "unknown condition key 'typo' (allowed: contains, equals, matches, min_count, min_items, min_keys, path)",
        ),
        ({"keys": ["a"], "where": [{"equals": "x"}]}, "each condition needs a 'path' string ('.' for the node itself)"),
        ({"keys": ["a"], "none_where": [{"path": "a", "min_count": "2"}]}, "'min_count' must be an integer"),
        ({"keys": ["a"], "any_where": [{"path": "a", "contains": 3}]}, "'contains' must be a regex string"),
        (
            {"keys": ["a"], "where": [{"path": "a", "equals": [{"x": 1}]}]},
            "'equals' must be a string or a list of strings",
        ),
        ({"keys": ["a"], "where": ["a"]}, "each condition must be a mapping with a 'path'"),
    ],
)
def test_meaningless_params_are_rejected(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as err:
        YamlParams(**params)
    assert str(err.value) == message


def test_merge_keys_are_looked_up_through_anchors(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(each="resources.jobs.*", where=[{"path": "schedule.quartz_cron_expression"}])
    bundle = (
        "weekly: &weekly\n  schedule:\n    quartz_cron_expression: 0 0 6 ? * MON\n"
        "resources:\n  jobs:\n    train:\n      <<: *weekly\n      name: train\n"
    )
    # The schedule comes from the anchor: it is shown where it is written.
    assert probe.hits({"bundle.yml": bundle}, rule) == [("ab_testing.probe", "bundle.yml", 3)]
    doc = yamlnodes.compose_documents(bundle, 1000)[0][0]
    job = yamlnodes.select(doc, "resources.jobs.train")[0]
    assert yamlnodes.scalar(yamlnodes.get(job, "name")) == "train"
    assert yamlnodes.get(job, "missing") is None


def test_root_fields_read_from_column_zero_lines_or_unknown() -> None:
    assert yamlnodes.root_fields("---\napiVersion: 'v1'  # core\nkind: Pod\nspec:\n  kind: Nested\n") == {
        "apiVersion": "v1",
        "kind": "Pod",
        "spec": yamlnodes.UNKNOWN,
    }
    assert yamlnodes.root_fields("kind: {{ .Values.kind }}\nimage: &img x\n") == {
        "kind": yamlnodes.UNKNOWN,
        "image": yamlnodes.UNKNOWN,
    }
    assert yamlnodes.root_fields("- name: a\n- name: b\n") == {}
    for unknown in (
        '{"kind": "Pod"}\n',
        "  kind: Pod\n  apiVersion: v1\n",
        "<<: *base\nkind: Pod\n",
        "--- kind: Pod\n",
    ):
        assert yamlnodes.root_fields(unknown) is None, unknown


def test_streams_split_at_document_markers_keeping_first_lines() -> None:
    assert yamlnodes.split_documents("a: 1\n---\nb: |\n  x\n--- # c\nc: 3\n") == [
        (0, "a: 1\n"),
        (1, "---\nb: |\n  x\n"),
        (4, "--- # c\nc: 3\n"),
    ]
    assert yamlnodes.split_documents("%YAML 1.2\n---\na: 1\n") is None
    assert yamlnodes.split_documents("a: 1\n...\n---\nb: 2\n") is None


def test_documents_no_rule_can_match_are_never_composed(tmp_path: Path, make_rule: Callable[..., Rule]) -> None:
    rule = make_rule(api_version=["serving.kserve.io/*"], kind=["InferenceService"])
    crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: example.com\n  x: [\n"
    stream = crd + "---\napiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\n"
    (tmp_path / "all.yaml").write_text(stream, encoding="utf-8")
    snapshot = open_snapshot(tmp_path)
    ctx = FileContext(snapshot, snapshot.files[0])
    matcher = YamlMatcher([rule], ProjectInfo())
    # The first document is malformed, but no rule can match it: never composed, nothing recorded.
    assert [(h.path, h.line) for h in [*matcher.scan(ctx), *matcher.finish(snapshot)]] == [("all.yaml", 8)]
    assert snapshot.skipped == [] and ctx.skipped == []


OWN_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: predictors.serving.example.org
spec:
  names:
    kind: Predictor
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            group:
              type: string
  group: serving.example.org
  scope: Namespaced
"""


def test_an_api_group_the_repository_defines_is_its_own_product(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    rule = make_rule(
        api_version=["serving.example.org/*", "serving.kserve.io/*"], kind=["Predictor", "InferenceService"]
    )
    own = "apiVersion: serving.example.org/v1\nkind: Predictor\nmetadata:\n  name: sample\n"
    used = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\n"
    files = {
        "config/crd/predictors.yaml": OWN_CRD,
        "config/samples/predictor.yaml": own,
        "deploy/isvc.yaml": used,
        "api/v1/predictor_types.go": "package v1\n\ntype Predictor struct{}\n",
    }
    assert probe.hits(files, rule) == [("ab_testing.probe", "deploy/isvc.yaml", 2)]


def test_a_crd_without_operator_types_is_a_tool_installed_with_the_platform(
    make_rule: Callable[..., Rule], probe: MatcherProbe
) -> None:
    rule = make_rule(api_version=["serving.example.org/*"], kind=["Predictor"])
    own = "apiVersion: serving.example.org/v1\nkind: Predictor\nmetadata:\n  name: sample\n"
    files = {
        "setup/operator/predictors-crd.yaml": OWN_CRD,
        "deploy/predictor.yaml": own,
        "deploy/install.go": "package x\n",
    }
    assert probe.hits(files, rule) == [("ab_testing.probe", "deploy/predictor.yaml", 2)]


def test_a_crd_outside_the_project_zone_owns_nothing(make_rule: Callable[..., Rule], probe: MatcherProbe) -> None:
    rule = make_rule(api_version=["serving.example.org/*"], kind=["Predictor"])
    own = "apiVersion: serving.example.org/v1\nkind: Predictor\nmetadata:\n  name: sample\n"
    files = {"vendor/operator/crd.yaml": OWN_CRD, "deploy/predictor.yaml": own}
    assert probe.hits(files, rule) == [("ab_testing.probe", "deploy/predictor.yaml", 2)]


def test_crd_groups_come_from_spec_group_only() -> None:
    assert crd_groups(OWN_CRD) == {"serving.example.org"}
    templated = OWN_CRD.replace("  group: serving.example.org", "  group: {{ .Values.group }}")
    assert crd_groups(templated) == set()
    assert crd_groups("apiVersion: v1\nkind: ConfigMap\nspec:\n  group: not.a.crd\n") == set()
    stream = "apiVersion: v1\nkind: Namespace\n---\n" + OWN_CRD.replace("serving.example.org", "batch.example.org")
    assert crd_groups(stream) == {"batch.example.org"}
