"""pydantic core schemas for the strict models, built only when pydantic asks for one.

harmony_typed does not depend on pydantic: each public model's
``__get_pydantic_core_schema__`` calls :func:`core_schema`, which imports
``pydantic_core`` then (a service that uses pydantic has it).  The schema:

* validates an instance as is, or (lax mode, the default) its ``to_dict()``
  JSON through the model's ``from_dict``; a bad dict is a pydantic
  ``ValidationError`` carrying ``from_dict``'s message.  Strict mode accepts only
  instances (so not JSON input), which makes a smart union such as
  ``list[Message | dict]`` keep a dict a dict, in Python and JSON input alike,
  as with openai_harmony's pydantic models (the compat layer does the same);
* serialises with ``to_dict()`` in both modes, so ``model_dump()`` and
  ``model_dump_json()`` write openai_harmony's JSON, which validates back;
* has a permissive JSON schema (``{"type": "object"}``), so
  ``model_json_schema()`` works.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from harmony_typed._enums import Role
from harmony_typed._validation import _expect_mapping, _opt_str, _required, _type_name

__all__ = ["author_from_dict", "author_to_dict", "core_schema", "pydantic_schema_hook", "text_from_dict"]

_FromDict = Callable[[type[Any], Mapping[str, object]], Any]


def pydantic_schema_hook(
    from_dict: _FromDict | None = None, to_dict: Callable[[Any], object] | None = None, *, kind: str | None = None
) -> Any:
    """A model's ``__get_pydantic_core_schema__`` classmethod (one line in each model).

    ``from_dict(cls, raw)`` and ``to_dict(value)`` default to the model's own
    ``from_dict`` and ``to_dict``; ``kind`` is as in :func:`core_schema`.
    """

    def hook(cls: type[Any], source: object, handler: object) -> Any:
        read = cls.from_dict if from_dict is None else functools.partial(from_dict, cls)
        return core_schema(cls, read, cls.to_dict if to_dict is None else to_dict, kind)

    return classmethod(hook)


def core_schema(
    cls: type[Any],
    from_dict: Callable[[Mapping[str, object]], Any],
    to_dict: Callable[[Any], object],
    kind: str | None = None,
) -> Any:
    """The pydantic-core schema of the model ``cls``.

    ``kind`` is the ``"type"`` tag of a content item's dict: a dict tagged with
    another one is refused (not read as this model with defaults), so a union of
    content types picks the item's own type.
    """
    from pydantic_core import core_schema as cs

    def validate(value: object) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(
                f"Input should be a {cls.__name__} or its to_dict() JSON (a dict), got {_type_name(value)}"
            )
        if kind is not None and value.get("type", kind) != kind:
            raise ValueError(f"{cls.__name__} dicts have type {kind!r}, got {value.get('type')!r}")
        try:
            return from_dict(value)
        except (TypeError, KeyError) as exc:  # pydantic reports only ValueError/AssertionError as validation errors
            raise ValueError(str(exc)) from exc

    # The JSON schema describes the dict form (any object: from_dict validates it).
    lax = cs.no_info_plain_validator_function(validate, json_schema_input_schema=cs.dict_schema())
    return cs.lax_or_strict_schema(
        lax_schema=lax,
        strict_schema=cs.is_instance_schema(cls),
        serialization=cs.plain_serializer_function_ser_schema(to_dict, return_schema=cs.any_schema()),
    )


# Author and TextContent have no from_dict of their own (their dicts live inside Message's).


def author_from_dict(cls: type[Any], raw: Mapping[str, object]) -> Any:
    """An ``Author`` from ``{"role": ..., "name": ...}`` (the keys of a message dict)."""
    raw = _expect_mapping("Author", raw)
    role = _required(raw, "role", "Author")
    if not isinstance(role, str):
        raise TypeError(f"Author role must be a str, got {_type_name(role)}: {role!r}")
    return cls(role=Role(role), name=_opt_str(raw, "name", "Author"))


def author_to_dict(author: Any) -> dict[str, object]:
    return {"role": author.role.value, "name": author.name}


def text_from_dict(cls: type[Any], raw: Mapping[str, object]) -> Any:
    return cls(text=_required(_expect_mapping("TextContent", raw), "text", "TextContent"))
