"""Validation helpers shared by the models: type checks naming the owner and field, JSON copies."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from harmony_typed._enums import JSONDict, JSONValue, ReasoningEffort, Role

# -- validation helpers --------------------------------------------------------


def _type_name(value: object) -> str:
    return type(value).__name__


def _check_str(owner: str, field: str, value: object, optional: bool = False) -> None:
    if isinstance(value, str) or (optional and value is None):
        return
    expected = "a str or None" if optional else "a str"
    raise TypeError(f"{owner}.{field} must be {expected}, got {_type_name(value)}: {value!r}")


def _check_bool(owner: str, field: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{owner}.{field} must be a bool, got {_type_name(value)}: {value!r}")


def _check_instance(owner: str, field: str, value: object, cls: type, optional: bool = False) -> None:
    if isinstance(value, cls) or (optional and value is None):
        return
    expected = f"a {cls.__name__} or None" if optional else f"a {cls.__name__}"
    hint = ""
    if cls is Role and isinstance(value, str):
        hint = f" (use Role({value!r}))"
    elif cls is ReasoningEffort and isinstance(value, str):
        hint = f" (use ReasoningEffort({value!r}))"
    raise TypeError(f"{owner}.{field} must be {expected}, got {_type_name(value)}: {value!r}{hint}")


def _json_copy(value: object, where: str) -> JSONValue:
    """Validate a JSON value and return a private deep copy (tuples become lists)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is {value!r}: JSON has no NaN or infinity")
        return value
    if isinstance(value, Mapping):
        out: JSONDict = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a non-string key {key!r}: JSON object keys are strings")
            out[key] = _json_copy(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_json_copy(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"{where} is a {_type_name(value)}, which is not a JSON value: {value!r}")


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError(f"expected a sequence of str, got a str: {value!r}")
    return tuple(value)


def _drop_none(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    return {k: v for k, v in pairs if v is not None}


def _expect_mapping(owner: str, raw: object) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise TypeError(f"{owner}.from_dict expects a dict, got {_type_name(raw)}: {raw!r}")
    return raw


def _opt_str(raw: Mapping[str, object], key: str, owner: str, default: str | None = None) -> str | None:
    value = raw.get(key, default)
    _check_str(owner, key, value, optional=True)
    return value  # type: ignore[return-value]  # narrowed by _check_str
