"""Checks of the parser's arguments, with openai_harmony's exception types and messages."""

from __future__ import annotations

from typing import Final

from harmony_typed._models import Role
from harmony_typed._tokenizer import Tokenizer
from harmony_typed._validation import enum_hint

__all__ = ["check_flag", "check_role", "not_an_int", "out_of_range", "tokenizer_of"]

_I64_MIN: Final = -(2**63)
_I64_MAX: Final = 2**63 - 1


def out_of_range(token: int) -> OverflowError:
    # openai_harmony converts through a C long first, then to u32: two messages.
    if token < _I64_MIN or token > _I64_MAX:
        return OverflowError("Python int too large to convert to C long")
    return OverflowError("out of range integral type conversion attempted")


def not_an_int(argument: str, value: object) -> TypeError:
    return TypeError(f"argument {argument!r}: {type(value).__name__!r} object cannot be interpreted as an integer")


def tokenizer_of(encoding: object) -> Tokenizer:
    # Anything exposing the tokenizer layer (HarmonyEncoding does); the parser imports no facade.
    tokenizer = getattr(encoding, "tokenizer", None)
    if not isinstance(tokenizer, Tokenizer):
        raise TypeError(f"encoding must be a HarmonyEncoding, got {type(encoding).__name__}: {encoding!r}")
    return tokenizer


def check_role(role: object) -> None:
    if role is not None and not isinstance(role, Role):
        raise TypeError(f"role must be a Role or None, got {type(role).__name__}: {role!r}{enum_hint(Role, role)}")


def check_flag(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}: {value!r}")
