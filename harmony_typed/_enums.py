"""The Harmony enums (roles, reasoning effort, parser states, encoding names) and the JSON value type."""

from __future__ import annotations

from enum import Enum
from typing import TypeAlias

__all__ = ["HarmonyEncodingName", "JSONDict", "JSONValue", "ReasoningEffort", "Role", "StreamState"]

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
"""Any value JSON can represent (tool parameters are JSON Schema documents)."""

JSONDict: TypeAlias = dict[str, JSONValue]


class Role(str, Enum):
    """Author role of a message.  A ``str`` enum: ``Role.USER == "user"``."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    DEVELOPER = "developer"
    TOOL = "tool"

    @classmethod
    def _missing_(cls, value: object) -> Role:
        raise ValueError(f"Unknown role: {value!r}")

    def __str__(self) -> str:
        return self.value


_ROLE_BY_VALUE: dict[str, Role] = {role.value: role for role in Role}


def _role_of(value: str | Role) -> Role:
    """``Role(value)``, without the enum machinery for the common cases (``from_dict`` per request)."""
    if type(value) is str:
        role = _ROLE_BY_VALUE.get(value)
        if role is not None:
            return role
    elif type(value) is Role:
        return value
    return Role(value)  # a str subclass, or an unknown role: Role's own error


class ReasoningEffort(str, Enum):
    """Reasoning effort announced in the system message (rendered lower-case)."""

    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"

    def __str__(self) -> str:
        return self.value


class StreamState(Enum):
    """State of a :class:`~harmony_typed.StreamableParser` (not a ``str`` enum, as upstream)."""

    EXPECT_START = "ExpectStart"
    """Between messages: only ``<|start|>`` is accepted."""
    HEADER = "Header"
    """Collecting header tokens until ``<|message|>``."""
    CONTENT = "Content"
    """Collecting content tokens until a stop token or end of stream."""


class HarmonyEncodingName(str, Enum):
    """Names accepted by :func:`~harmony_typed.load_harmony_encoding`."""

    HARMONY_GPT_OSS = "HarmonyGptOss"

    def __str__(self) -> str:
        return str(self.value)
