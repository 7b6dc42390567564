"""PyFacts to JSON and back, every value checked against the dataclass field types on the way back.

A cache file is data from disk: nothing in it is executed (no pickle), and a value of the wrong
shape is rejected as a whole (:class:`ValueError`), so a damaged or foreign entry can only cost
a parse, never a crash or a wrong fact.
"""

from __future__ import annotations

import dataclasses
import types
import typing
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
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
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
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(data: Any, hint: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = _hints(hint)
        if not isinstance(data, dict) or set(data) != set(fields):
            raise ValueError(f"{hint.__name__}: fields differ")
        return hint(**{name: _decode(data[name], fields[name]) for name in fields})
    if origin in (Union, types.UnionType):
        for option in args:
            try:
                return _decode(data, option)
            except ValueError:
                continue
        raise ValueError(f"no type of {hint} fits")
    if origin in (list, tuple, frozenset, dict) and not isinstance(data, dict if origin is dict else list):
        raise ValueError(f"expected {origin.__name__}")
    if origin is list:
        return [_decode(v, args[0]) for v in data]
    if origin is frozenset:
        return frozenset(_decode(v, args[0]) for v in data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(v, args[0]) for v in data)
        if len(args) != len(data):
            raise ValueError("tuple of the wrong length")
        return tuple(_decode(v, a) for v, a in zip(data, args))
    if origin is dict:
        return {_decode(k, args[0]): _decode(v, args[1]) for k, v in data.items()}
    if hint in _SCALARS and type(data) is hint:
        return data
    raise ValueError(f"expected {hint}")
