"""What a process that ends at once keeps until it ends: nothing unless it says so, one set per name."""

from __future__ import annotations

import gc
import weakref

import pytest
from scanning import FIXTURES

from mlops_scan import lifetime
from mlops_scan.assessment.maturity import load_model
from mlops_scan.evidence.collect import collect
from mlops_scan.evidence.ruleset import load_all_rules
from mlops_scan.snapshot.tree import open_snapshot


class Thing:
    """A weakly referable object."""


@pytest.fixture
def ending_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifetime, "_kept", None)
    lifetime.ends_at_once()


def test_nothing_is_kept_by_a_process_that_ends_as_usual(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifetime, "_kept", None)
    thing = Thing()
    gone = weakref.ref(thing)
    lifetime.keep("probe", thing)
    del thing
    gc.collect()
    assert gone() is None


@pytest.mark.usefixtures("ending_at_once")
def test_a_name_keeps_its_latest_objects_until_the_end() -> None:
    first, second, other = Thing(), Thing(), Thing()
    refs = [weakref.ref(first), weakref.ref(second), weakref.ref(other)]
    lifetime.keep("probe", first)
    lifetime.keep("other", other)
    lifetime.keep("probe", second)
    del first, second, other
    gc.collect()
    assert [ref() is None for ref in refs] == [True, False, False]


@pytest.mark.usefixtures("ending_at_once")
def test_the_file_pass_leaves_what_it_built_to_the_end() -> None:
    snapshot = open_snapshot(FIXTURES / "level2-mlflow-dvc")
    collect(snapshot, load_all_rules(load_model().capabilities))
    assert lifetime._kept is not None
    done, matchers, contexts = lifetime._kept["file pass"]
    assert done.snapshot is snapshot and matchers and isinstance(contexts, dict)
