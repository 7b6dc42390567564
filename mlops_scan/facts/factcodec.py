"""PyFacts to JSON and back, every value checked against the dataclass field types on the way back.

A cache file is data from disk: nothing in it is executed (no pickle), and a value of the wrong
shape is rejected as a whole (:class:`ValueError`), so a damaged or foreign entry can only cost
a parse, never a crash or a wrong fact.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, Union

from mlops_scan.facts.python import PyFacts

_SCALARS = {str: str, int: int, bool: bool, float: float, type(None): type(None)}


def encode(facts: PyFacts) -> Any:
    """JSON-ready form of ``facts`` (dataclasses as objects, tuples and sets as lists)."""
    return _encode(facts)


def decode(data: Any) -> PyFacts:
    """The PyFacts ``data`` encodes; ValueError when any part has the wrong shape."""
    value = _decode(data, PyFacts)
    assert isinstance(value, PyFacts)
    return value


def _encode(value: Any) -> Any:
    kind: type = type(value)
    names = _field_names(kind)
    if names is not None:
        return {name: _encode(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, frozenset):
        return sorted(_encode(v) for v in value)
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if type(value) in _SCALARS:
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


@cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The fields of a dataclass (None for any other type), looked up once per type: a module's facts hold
    thousands of values."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(data: Any, hint: Any) -> Any:
    return _decoder(hint)(data)


Decoder = Callable[[Any], Any]


@cache
def _decoder(hint: Any) -> Decoder:
    """A function checking and building values of type ``hint``, worked out once per type (a cached module
    holds thousands of values: inspecting the type for each one cost more than parsing the module)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if origin in (Union, types.UnionType):
        return _union_decoder(hint, args)
    if origin in (list, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        item, build = _decoder(args[0]), {list: list, frozenset: frozenset, tuple: tuple}[origin]
        return lambda data: build([item(v) for v in _expect(data, list, origin)])
    if origin is tuple:
        items = [_decoder(a) for a in args]

        def fixed(data: Any) -> Any:
            if len(_expect(data, list, tuple)) != len(items):
                raise ValueError("tuple of the wrong length")
            return tuple(item(v) for v, item in zip(data, items))

        return fixed
    if origin is dict:
        key, value = _decoder(args[0]), _decoder(args[1])
        return lambda data: {key(k): value(v) for k, v in _expect(data, dict, dict).items()}
    if hint in _SCALARS:
        return lambda data: data if type(data) is hint else _wrong(hint)
    return lambda data: _wrong(hint)


def _dataclass_decoder(cls: type) -> Decoder:
    fields: dict[str, Decoder] = {}
    names: set[str] = set()

    def build(data: Any) -> Any:
        if not fields:  # filled on first use: a field may name the class itself
            fields.update((name, _decoder(hint)) for name, hint in _hints(cls).items())
            names.update(fields)
        if not isinstance(data, dict) or data.keys() != names:
            raise ValueError(f"{cls.__name__}: fields differ")
        return cls(**{name: decode(data[name]) for name, decode in fields.items()})

    return build


def _union_decoder(hint: Any, args: tuple[Any, ...]) -> Decoder:
    options = [_decoder(option) for option in args]

    def first_fitting(data: Any) -> Any:
        for option in options:
            try:
                return option(data)
            except ValueError:
                continue
        raise ValueError(f"no type of {hint} fits")

    return first_fitting


def _expect(data: Any, kind: type, origin: Any) -> Any:
    if not isinstance(data, kind):
        raise ValueError(f"expected {origin.__name__}")
    return data


def _wrong(hint: Any) -> Any:
    raise ValueError(f"expected {hint}")
