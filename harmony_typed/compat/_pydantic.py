"""pydantic core schemas for the compat models, built only when pydantic asks for one.

Validation accepts an instance (strict and lax), and in lax mode a dict in
either of openai_harmony's shapes: the pydantic field shape (``{"author": ...}``)
or the ``to_dict()`` JSON shape (``{"role": ...}``).  Strict mode accepting only
instances keeps smart unions such as vLLM's ``list[Message | dict]`` choosing
as with openai_harmony (a dict stays a dict).  Serialisation writes
``to_dict()`` where the model has one (openai_harmony's JSON), else ``model_dump()``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["model_core_schema"]


def model_core_schema(cls: type[Any]) -> Any:
    """A pydantic-core schema for the compat model ``cls``."""
    from pydantic_core import core_schema

    def validate(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            from_dict = getattr(cls, "from_dict", None)
            if from_dict is not None and "author" not in value and "role" in value:
                return from_dict(value)
            return cls.model_validate(value)
        raise ValueError(f"Input should be a valid dictionary or instance of {cls.__name__}")

    def serialize(value: Any) -> Any:
        to_dict = getattr(value, "to_dict", None)
        if to_dict is not None:
            try:
                return to_dict()
            except NotImplementedError:
                pass
        return value.model_dump()

    return core_schema.lax_or_strict_schema(
        lax_schema=core_schema.no_info_plain_validator_function(validate),
        strict_schema=core_schema.is_instance_schema(cls),
        serialization=core_schema.plain_serializer_function_ser_schema(serialize),
    )
