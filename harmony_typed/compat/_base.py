"""The mutable model base of the compat layer: pydantic-like behaviour without pydantic.

openai_harmony 0.0.8's models are pydantic ``BaseModel`` subclasses.  What its
clients observe of that is reproduced here: keyword construction with coercion
(``Author(role="user")`` stores ``Role.USER``), unvalidated attribute assignment,
field-wise ``==``, pydantic's ``repr``, ``model_dump``/``model_validate``/
``model_copy``, and use as a pydantic field type (``__get_pydantic_core_schema__``,
only touched when pydantic itself asks).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

__all__ = ["CompatModel", "Field"]

_Model = TypeVar("_Model", bound="CompatModel")


class Field:
    """A field spec: a default value, or a factory for mutable defaults, and a coercion."""

    __slots__ = ("coerce", "default", "factory", "required")

    def __init__(
        self,
        default: Any = None,
        *,
        factory: Callable[[], Any] | None = None,
        coerce: Callable[[Any], Any] | None = None,
        required: bool = False,
    ) -> None:
        self.default = default
        self.factory = factory
        self.coerce = coerce
        self.required = required


class CompatModel:
    """Base of every compat model; subclasses declare ``_fields`` (name -> :class:`Field`)."""

    _fields: ClassVar[dict[str, Field]] = {}

    def __init__(self, **data: Any) -> None:
        cls_name = type(self).__name__
        values = self.__dict__
        for name, spec in self._fields.items():
            if name in data:
                value = data.pop(name)
                values[name] = value if spec.coerce is None or value is None else spec.coerce(value)
            elif spec.required:
                raise ValueError(f"1 validation error for {cls_name}\n{name}\n  Field required")
            else:
                values[name] = spec.factory() if spec.factory is not None else spec.default
        # pydantic's default config ignores unknown keywords.

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic models

    def __repr_args(self) -> str:
        return ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__repr_args()})"

    def __str__(self) -> str:
        return " ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)

    # -- pydantic-style helpers --------------------------------------------------

    def model_dump(self, *, exclude_none: bool = False, mode: str = "python") -> dict[str, Any]:
        """Fields as a dict, nested models dumped too (pydantic's ``model_dump`` shape)."""
        out: dict[str, Any] = {}
        for name in self._fields:
            value = _dump(getattr(self, name), exclude_none, mode)
            if value is None and exclude_none:
                continue
            out[name] = value
        return out

    @classmethod
    def model_validate(cls: type[_Model], obj: Any) -> _Model:
        """An instance from an instance (returned as is) or a dict of fields."""
        if isinstance(obj, cls):
            return obj
        if not isinstance(obj, dict):
            expected = f"a valid dictionary or instance of {cls.__name__}"
            raise ValueError(f"1 validation error for {cls.__name__}\n  Input should be {expected}")
        return cls(**obj)

    def model_copy(self: _Model, *, update: dict[str, Any] | None = None, deep: bool = False) -> _Model:
        """A copy (shallow unless ``deep``), with ``update`` applied unvalidated."""
        out = copy.deepcopy(self) if deep else copy.copy(self)
        if update:
            out.__dict__.update(update)
        return out

    def __copy__(self: _Model) -> _Model:
        out = object.__new__(type(self))
        out.__dict__.update((n, self.__dict__[n]) for n in self._fields)
        return out

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from harmony_typed.compat._pydantic import model_core_schema

        return model_core_schema(cls)


def _dump(value: Any, exclude_none: bool, mode: str) -> Any:
    if isinstance(value, CompatModel):
        return value.model_dump(exclude_none=exclude_none, mode=mode)
    if isinstance(value, list):
        return [_dump(v, exclude_none, mode) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v, exclude_none, mode) for k, v in value.items()}
    if mode == "json" and hasattr(value, "value") and isinstance(value, str):
        return str.__str__(value)
    return value
