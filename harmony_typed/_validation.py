"""Validation helpers shared by the models: type checks naming the owner and field, JSON copies."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Final, Generic, TypeVar

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


def _plain_json(value: object, depth: int) -> bool:
    """Whether ``value`` is made of exact ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` only,
    with ``str`` keys, finite floats and at most :data:`MAX_JSON_DEPTH` levels (a cycle exceeds them).

    Such a value is what ``json.loads`` returns, and its ``json.dumps`` text determines it
    exactly (no subclass, tuple or non-string key that the text would hide); anything
    else takes the slow path, which reports the exact error.
    """
    kind = type(value)
    if kind is dict:
        if depth >= MAX_JSON_DEPTH:
            return False
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                return False
            item_kind = type(item)
            if item_kind is str or item_kind is int or item_kind is bool or item is None:
                continue
            if not _plain_json(item, depth + 1):
                return False
        return True
    if kind is list:
        if depth >= MAX_JSON_DEPTH:
            return False
        for item in value:  # type: ignore[attr-defined]
            item_kind = type(item)
            if item_kind is str or item_kind is int or item_kind is bool or item is None:
                continue
            if not _plain_json(item, depth + 1):
                return False
        return True
    if kind is float:
        return math.isfinite(value)  # type: ignore[arg-type]
    return kind is str or kind is int or kind is bool or value is None


def _json_key(value: object) -> str | None:
    """The JSON text of a plain JSON value (see :func:`_plain_json`), a content key; ``None`` otherwise.

    The text is a snapshot: the caller may mutate ``value`` afterwards without
    affecting anything keyed or built from it.
    """
    if not _plain_json(value, 0):
        return None
    try:
        return json.dumps(value)
    except (ValueError, RecursionError):  # an int beyond str()'s digit limit, a deep stack
        return None


_V = TypeVar("_V")


class _ContentCache(Generic[_V]):
    """Immutable values built from plain JSON, keyed by its JSON text; bounded (cleared when full).

    Only what was built from the key's content is stored, never a caller's
    object, so mutating the caller's dicts later cannot change a cached value.
    Races between threads are benign (both build the same value; one is kept).
    """

    def __init__(self, max_entries: int, max_chars: int) -> None:
        self._entries: dict[str, _V] = {}
        self._chars = 0
        self._max_entries = max_entries
        self._max_chars = max_chars

    def get(self, key: str) -> _V | None:
        return self._entries.get(key)

    def put(self, key: str, value: _V) -> None:
        size = len(key)
        if size > self._max_chars // 8:
            return  # one huge value must not evict everything else
        if len(self._entries) >= self._max_entries or self._chars + size > self._max_chars:
            self._entries.clear()
            self._chars = 0
        self._entries[key] = value
        self._chars += size

    def clear(self) -> None:
        self._entries.clear()
        self._chars = 0


_PARAMETERS: Final[_ContentCache[JSONValue]] = _ContentCache(1024, 16_000_000)
"""Validated private copies of tool parameters, by JSON text (equal schemas share one copy)."""


def _json_private(value: object, where: str) -> JSONValue:
    """A validated private copy of the JSON value ``value`` (see :func:`_json_copy`), shared by equal values.

    A plain JSON value is validated by one walk without building paths, and its
    copy is looked up by its JSON text (``json.loads`` of it on a miss); anything
    else (tuples, subclasses, bad values) goes through :func:`_json_copy`, with
    its exact errors.  The copy is read-only by contract, as the models are immutable.
    """
    key = _json_key(value)
    if key is None:
        return _json_copy(value, where)
    copy = _PARAMETERS.get(key)
    if copy is None:
        copy = json.loads(key)
        _PARAMETERS.put(key, copy)
    return copy


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
    if value is not None and not isinstance(value, str):
        _check_str(owner, key, value, optional=True)  # raises
    return value  # type: ignore[return-value]  # narrowed above
