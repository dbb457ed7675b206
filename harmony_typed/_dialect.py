"""Dialects: which reference implementation's Harmony rendering and parsing to reproduce.

``openai-harmony`` 0.0.8 is the default.  The fork ``oss-harmony`` 0.0.11
(pinned by vLLM; it installs as ``openai_harmony`` too) differs in three
places, each exposed here as a plain flag that the renderer and the header
parser fix at construction (a ``bool`` attribute is cheap in compiled code;
an enum comparison per message is not):

* :func:`commentary_channel_first`: a ``commentary`` message renders its
  channel before its recipient (``<|channel|>commentary to=functions.f``);
* :func:`constrain_content_type`: a content type that does not start with
  ``<|constrain|>`` gets the special token in front (`` <|constrain|>json``);
* :func:`strip_extra_channels`: the header parser drops every ``<|channel|>X``
  marker after the first;
* :func:`f64_exponent_plus`: a float in a tool schema with a positive exponent
  is written ``1e+16``, not ``1e16`` (its serde_json 1.0.149 formats floats
  with zmij, 0.0.8's 1.0.140 with ryu).
"""

from __future__ import annotations

import enum

__all__ = [
    "DEFAULT_DIALECT",
    "Dialect",
    "commentary_channel_first",
    "constrain_content_type",
    "f64_exponent_plus",
    "strip_extra_channels",
]


class Dialect(str, enum.Enum):
    """The reference implementation whose token ids and errors an encoding reproduces."""

    OPENAI_HARMONY_0_0_8 = "openai-harmony-0.0.8"
    """``openai-harmony==0.0.8`` (the default)."""
    OSS_HARMONY_0_0_11 = "oss-harmony-0.0.11"
    """The fork ``oss-harmony==0.0.11`` (vLLM's pin)."""

    def __str__(self) -> str:
        return self.value

    @classmethod
    def coerce(cls, value: object) -> Dialect:
        """``value`` as a :class:`Dialect` (a member or its string value); ``ValueError`` naming the valid ones."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            for member in cls:
                if member.value == value:
                    return member
        valid = ", ".join(repr(member.value) for member in cls)
        raise ValueError(f"Invalid dialect: {value!r} (valid: {valid})")


DEFAULT_DIALECT = Dialect.OPENAI_HARMONY_0_0_8


def commentary_channel_first(dialect: Dialect) -> bool:
    """True if a ``commentary`` message's header is ``<|channel|>commentary to=R`` (not ``to=R<|channel|>...``)."""
    return dialect is Dialect.OSS_HARMONY_0_0_11


def constrain_content_type(dialect: Dialect) -> bool:
    """True if a content type without a leading ``<|constrain|>`` is rendered with one."""
    return dialect is Dialect.OSS_HARMONY_0_0_11


def strip_extra_channels(dialect: Dialect) -> bool:
    """True if the header parser drops the ``<|channel|>X`` markers after the first one."""
    return dialect is Dialect.OSS_HARMONY_0_0_11


def f64_exponent_plus(dialect: Dialect) -> bool:
    """True if floats in tool schemas are written with ``e+`` before a positive exponent."""
    return dialect is Dialect.OSS_HARMONY_0_0_11
