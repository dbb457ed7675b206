"""Validation helpers shared by the models: type checks naming the owner and field, JSON copies."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Final

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
    raise TypeError(f"{owner}.{field} must be {expected}, got {_type_name(value)}: {value!r}{enum_hint(cls, value)}")


def enum_hint(cls: type, value: object) -> str:
    """`` (use Role('user'))`` when a string was given where the enum ``cls`` is expected, else ``""``."""
    if (cls is Role or cls is ReasoningEffort) and isinstance(value, str):
        return f" (use {cls.__name__}({value!r}))"
    return ""


MAX_JSON_DEPTH: Final = 400
"""Deepest nesting accepted in JSON values (tool parameters), counting every object and array.

Far deeper than any real schema (openai_harmony already refuses a message nested
deeper than 128 at render time), and shallow enough that validating and rendering
stay well inside Python's recursion limit on both builds."""


def _json_copy(value: object, where: str) -> JSONValue:
    """Validate a JSON value and return a private deep copy (tuples become lists).

    A value that contains itself is a ``ValueError("Circular reference detected")``
    (openai_harmony's message, from ``json.dumps``); nesting deeper than
    :data:`MAX_JSON_DEPTH` is a ``ValueError`` naming the depth, never a ``RecursionError``.
    """
    return _json_copy_at(value, where, 0, set())


def _json_copy_at(value: object, where: str, depth: int, path: set[int]) -> JSONValue:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is {value!r}: JSON has no NaN or infinity")
        return value
    if not isinstance(value, (Mapping, list, tuple)):
        raise TypeError(f"{where} is a {_type_name(value)}, which is not a JSON value: {value!r}")
    if depth >= MAX_JSON_DEPTH:
        root = where.split("[", 1)[0]  # the field, not a path 128 levels long
        raise ValueError(f"{root} is nested more than {MAX_JSON_DEPTH} levels deep")
    key_id = id(value)
    if key_id in path:
        raise ValueError("Circular reference detected")
    path.add(key_id)
    try:
        if isinstance(value, Mapping):
            out: JSONDict = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise TypeError(f"{where} has a non-string key {key!r}: JSON object keys are strings")
                out[key] = _json_copy_at(item, f"{where}[{key!r}]", depth + 1, path)
            return out
        return [_json_copy_at(item, f"{where}[{i}]", depth + 1, path) for i, item in enumerate(value)]
    finally:
        path.discard(key_id)


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError(f"expected a sequence of str, got a str: {value!r}")
    return tuple(value)


def _drop_none(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    return {k: v for k, v in pairs if v is not None}


class MissingFieldError(KeyError):
    """A ``from_dict`` input lacks a required key.

    A ``KeyError`` whose ``args[0]`` is the key, as openai_harmony raises (so
    ``except KeyError`` and code reading ``args`` keep working), and whose
    message names the model too: ``Message.from_dict: missing required field 'content'``.
    """

    def __init__(self, key: str, owner: str) -> None:
        super().__init__(key)
        self.key = key
        self.owner = owner

    def __str__(self) -> str:
        return f"{self.owner}.from_dict: missing required field {self.key!r}"


def _required(raw: Mapping[str, object], key: str, owner: str) -> object:
    """``raw[key]``, or :class:`MissingFieldError` naming ``owner`` and ``key``."""
    try:
        return raw[key]
    except KeyError:
        raise MissingFieldError(key, owner) from None


def _expect_mapping(owner: str, raw: object) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise TypeError(f"{owner}.from_dict expects a dict, got {_type_name(raw)}: {raw!r}")
    return raw


def _opt_str(raw: Mapping[str, object], key: str, owner: str, default: str | None = None) -> str | None:
    value = raw.get(key, default)
    _check_str(owner, key, value, optional=True)
    return value  # type: ignore[return-value]  # narrowed by _check_str
