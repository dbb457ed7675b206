"""The error hierarchy.

Every failure caused by input data is a :class:`HarmonyError`.  It subclasses
:class:`RuntimeError` because openai_harmony raises ``HarmonyError`` (a
``RuntimeError``) from some entry points and a bare ``RuntimeError`` from
others; code written against either keeps working.  Messages are the
openai_harmony texts wherever the reference defines one.

This module is deliberately *not* compiled with mypyc: exception classes that
subclass a builtin exception must be non-native classes.
"""

from __future__ import annotations


class HarmonyError(RuntimeError):
    """Base class of every error raised for bad data (render, parse, decode, vocabulary)."""


class VocabularyError(HarmonyError):
    """The ``o200k_base.tiktoken`` vocabulary is missing, truncated or tampered with."""


class RenderError(HarmonyError):
    """A message or conversation cannot be rendered (e.g. a tool message without a name)."""


class DecodeError(HarmonyError):
    """Token ids cannot be decoded (unknown id, or invalid UTF-8 in strict decoding)."""


class EncodeError(HarmonyError):
    """Text contains a special token that ``encode`` was not allowed to produce."""


class ParseError(HarmonyError):
    """Completion tokens do not form valid Harmony messages.

    ``str(error)`` is openai_harmony's message for the same input.
    ``token_index`` is the position of the offending token in everything fed
    to the parser so far (``None`` when the error is raised at end of stream)
    and ``token`` the offending id (``None`` at end of stream).
    """

    token_index: int | None
    token: int | None

    def __init__(self, message: str, token_index: int | None = None, token: int | None = None) -> None:
        super().__init__(message)
        self.token_index = token_index
        self.token = token

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.args[0], self.token_index, self.token))
