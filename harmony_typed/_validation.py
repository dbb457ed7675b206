"""Validation helpers shared by the models: type checks naming the owner and field, JSON copies."""

from __future__ import annotations

import itertools
import json
import marshal
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Generic, TypeVar

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
    A dict holding a lone surrogate (in a key or a string) comes back as a
    :class:`LoneSurrogateDict`, so rendering can refuse it as openai_harmony does
    without walking it again (see :mod:`harmony_typed._surrogates`).
    """
    lone: list[str] = []
    out = _json_copy_at(value, where, 0, set(), lone)
    return LoneSurrogateDict(out) if lone and isinstance(out, dict) else out


class LoneSurrogateDict(dict[str, JSONValue]):
    """A plain dict (same equality, repr and JSON) marked as holding an unpaired surrogate."""

    __slots__ = ()


def has_lone_surrogate(text: str) -> bool:
    """True if ``text`` has a surrogate that is not half of a pair (one character to openai_harmony)."""
    if text.isascii():
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        try:
            text.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            return True
    return False


def _json_copy_at(value: object, where: str, depth: int, path: set[int], lone: list[str]) -> JSONValue:
    if isinstance(value, str):
        if has_lone_surrogate(value):
            lone.append(where)
        return value
    if value is None or isinstance(value, (bool, int)):
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
                if has_lone_surrogate(key):
                    lone.append(where)
                out[key] = _json_copy_at(item, f"{where}[{key!r}]", depth + 1, path, lone)
            return out
        return [_json_copy_at(item, f"{where}[{i}]", depth + 1, path, lone) for i, item in enumerate(value)]
    finally:
        path.discard(key_id)


_JSON_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"?')
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")


def _json_loads(payload: str | bytes, owner: str) -> object:
    """``json.loads``, where nesting too deep for the decoder is a ``ValueError`` naming the depth.

    The C decoder recurses once per level and raises ``RecursionError`` near
    Python's recursion limit; the depth is measured only then (off the fast path).
    """
    try:
        return json.loads(payload)
    except RecursionError:
        depth = _json_depth(payload)
        if depth <= MAX_JSON_DEPTH:
            raise  # the caller's own stack is nearly exhausted: not the payload's fault
        raise ValueError(
            f"{owner}.from_json: the JSON is nested {depth} levels deep, more than the {MAX_JSON_DEPTH} accepted"
        ) from None


def _json_depth(payload: str | bytes) -> int:
    """The deepest nesting of objects and arrays in ``payload`` (brackets inside strings ignored)."""
    text = payload.decode("utf-8", "replace") if isinstance(payload, (bytes, bytearray)) else payload
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(itertools.accumulate((1 if c in "[{" else -1 for c in brackets), initial=0))


_KEY_MARSHAL_VERSION: Final = 2
"""marshal format 2 has no back-references, so equal content always gives equal bytes."""


def _content_key(value: object) -> bytes | None:
    """An exact content key of ``value``: its ``marshal`` bytes, or ``None`` if it has none.

    marshal writes only exact built-in types (a ``str``/``int``/``dict`` subclass, a
    non-dict mapping or a model object makes it fail: ``None``), keeps every type
    distinct (``1``, ``1.0``, ``True``; ``"1"`` and ``1`` as keys; lists and tuples),
    and fails on cycles and absurd depth; equal bytes load back to equal values of
    the same types.  So a value built and validated from one input is the value any
    input with the same key would give.  The key is a snapshot: mutating ``value``
    afterwards changes nothing keyed by it.  (Bytes-like objects marshal as bytes,
    but they are invalid everywhere a key is used, so nothing built from them is
    ever cached.)
    """
    try:
        return marshal.dumps(value, _KEY_MARSHAL_VERSION)  # type: ignore[arg-type]  # any object: ValueError if not
    except Exception:  # ValueError (unmarshallable, too deep), or whatever a __buffer__ (3.12+) raises
        return None


_V = TypeVar("_V")


class _KeyedCache(Generic[_V]):
    """Immutable values built from an input, keyed by its :func:`_content_key`; bounded (cleared when full).

    Only what was built from the key's content is stored, never a caller's
    object, so mutating the caller's dicts later cannot change a cached value.
    Races between threads are benign (both build the same value; one is kept).
    """

    def __init__(self, max_entries: int, max_chars: int) -> None:
        self._entries: dict[bytes, _V] = {}
        self._chars = 0
        self._max_entries = max_entries
        self._max_chars = max_chars
        """Total bytes of the keys."""

    def get(self, key: bytes) -> _V | None:
        return self._entries.get(key)

    def put(self, key: bytes, value: _V) -> None:
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


def _interned(raw: object, cache: _KeyedCache[_V], build: Callable[[Any], _V]) -> _V:
    """``build(raw)``, or the value built earlier from an input with the same :func:`_content_key`.

    Errors are never cached; input without a key is built afresh every time.
    """
    key = _content_key(raw)
    if key is None:
        return build(raw)
    hit = cache.get(key)
    if hit is None:
        hit = build(raw)
        cache.put(key, hit)
    return hit


_PARAMETERS: Final[_KeyedCache[JSONValue]] = _KeyedCache(1024, 8_000_000)
"""Validated private copies of tool parameters, by content key (equal schemas share one copy)."""


def _json_private(value: object, where: str) -> JSONValue:
    """:func:`_json_copy` of ``value``, validated and copied once per distinct content.

    Equal inputs (same :func:`_content_key`) share one copy, read-only by
    contract as the models are immutable; errors are never cached, so bad input
    raises :func:`_json_copy`'s exact error every time.
    """
    key = _content_key(value)
    if key is None:
        return _json_copy(value, where)
    copy = _PARAMETERS.get(key)
    if copy is None:
        copy = _json_copy(value, where)
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
