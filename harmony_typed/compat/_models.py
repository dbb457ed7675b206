"""openai_harmony 0.0.8's enums and content models, mutable, with its ``with_*`` that return ``self``."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any, ClassVar

import harmony_typed as strict
from harmony_typed.compat._base import CompatModel, Field

__all__ = [
    "Author",
    "ChannelConfig",
    "Content",
    "DeveloperContent",
    "HarmonyEncodingName",
    "ReasoningEffort",
    "RenderConversationConfig",
    "RenderOptions",
    "Role",
    "StreamState",
    "SystemContent",
    "TextContent",
    "ToolDescription",
    "ToolNamespaceConfig",
]


class Role(str, Enum):
    """The role of a message author; ``str(Role.USER)`` is ``'Role.USER'`` as upstream."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    DEVELOPER = "developer"
    TOOL = "tool"

    @classmethod
    def _missing_(cls, value: object) -> Role:
        raise ValueError(f"Unknown role: {value!r}")


class ReasoningEffort(str, Enum):
    """Reasoning effort of the system message."""

    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"


class StreamState(Enum):
    """State of a :class:`StreamableParser`."""

    EXPECT_START = "ExpectStart"
    HEADER = "Header"
    CONTENT = "Content"


class HarmonyEncodingName(str, Enum):
    """Encoding names for :func:`load_harmony_encoding`."""

    HARMONY_GPT_OSS = "HarmonyGptOss"

    def __str__(self) -> str:
        return str(self.value)


def _model(cls: type[CompatModel]) -> Any:
    """Coercion for a nested model field: instances pass, dicts are validated."""
    return lambda value: value if isinstance(value, cls) else cls.model_validate(value)


class Author(CompatModel):
    """Author of a message: a role (strings are coerced) and an optional name."""

    _fields: ClassVar[dict[str, Field]] = {"role": Field(required=True, coerce=Role), "name": Field()}
    role: Role
    name: str | None

    @classmethod
    def new(cls, role: Role | str, name: str) -> Author:
        return cls(role=role, name=name)


class Content(CompatModel):
    """Base of the content items (as upstream, a model with no fields)."""

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


class TextContent(Content):
    """Plain text content."""

    _fields: ClassVar[dict[str, Field]] = {"text": Field(required=True)}
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": "text", "text": self.text}


class ToolDescription(CompatModel):
    """A tool: name, description and an optional JSON Schema of its parameters."""

    _fields: ClassVar[dict[str, Field]] = {
        "name": Field(required=True),
        "description": Field(required=True),
        "parameters": Field(),
    }
    name: str
    description: str
    parameters: dict[str, Any] | None

    @classmethod
    def new(cls, name: str, description: str, parameters: dict[str, Any] | None = None) -> ToolDescription:
        return cls(name=name, description=description, parameters=parameters)


class ChannelConfig(CompatModel):
    """Valid channels and whether one is required."""

    _fields: ClassVar[dict[str, Field]] = {
        "valid_channels": Field(required=True, coerce=list),
        "channel_required": Field(required=True),
    }
    valid_channels: list[str]
    channel_required: bool

    @classmethod
    def require_channels(cls, channels: list[str]) -> ChannelConfig:
        return cls(valid_channels=channels, channel_required=True)


class ToolNamespaceConfig(CompatModel):
    """A tool namespace (``functions``, ``browser``, ``python``, ...)."""

    _fields: ClassVar[dict[str, Field]] = {
        "name": Field(required=True),
        "description": Field(),
        "tools": Field(required=True, coerce=lambda v: [_model(ToolDescription)(t) for t in v]),
    }
    name: str
    description: str | None
    tools: list[ToolDescription]

    @staticmethod
    def browser() -> ToolNamespaceConfig:
        return ToolNamespaceConfig(**strict.ToolNamespaceConfig.browser().to_dict())

    @staticmethod
    def python() -> ToolNamespaceConfig:
        return ToolNamespaceConfig(**strict.ToolNamespaceConfig.python().to_dict())


def _namespaces(value: dict[str, Any]) -> dict[str, ToolNamespaceConfig]:
    coerce = _model(ToolNamespaceConfig)
    return {key: coerce(ns) for key, ns in value.items()}


class _WithTools(Content):
    tools: dict[str, ToolNamespaceConfig] | None

    def with_tools(self, ns_config: ToolNamespaceConfig) -> Any:
        if self.tools is None:
            self.tools = {}
        self.tools[ns_config.name] = ns_config
        return self

    def _typed_dict(self, kind: str) -> dict[str, Any]:
        out = self.model_dump(exclude_none=True)
        out["type"] = kind
        return out


class SystemContent(_WithTools):
    """The system message content; the ``with_*`` builders mutate and return ``self``."""

    _fields: ClassVar[dict[str, Field]] = {
        "model_identity": Field("You are ChatGPT, a large language model trained by OpenAI."),
        "reasoning_effort": Field(ReasoningEffort.MEDIUM, coerce=ReasoningEffort),
        "conversation_start_date": Field(),
        "knowledge_cutoff": Field("2024-06"),
        "channel_config": Field(
            factory=lambda: ChannelConfig.require_channels(["analysis", "commentary", "final"]),
            coerce=_model(ChannelConfig),
        ),
        "tools": Field(coerce=_namespaces),
    }
    model_identity: str | None
    reasoning_effort: ReasoningEffort | None
    conversation_start_date: str | None
    knowledge_cutoff: str | None
    channel_config: ChannelConfig | None

    @classmethod
    def new(cls) -> SystemContent:
        return cls()

    def with_model_identity(self, model_identity: str) -> SystemContent:
        self.model_identity = model_identity
        return self

    def with_reasoning_effort(self, reasoning_effort: ReasoningEffort) -> SystemContent:
        self.reasoning_effort = reasoning_effort
        return self

    def with_conversation_start_date(self, conversation_start_date: str) -> SystemContent:
        self.conversation_start_date = conversation_start_date
        return self

    def with_knowledge_cutoff(self, knowledge_cutoff: str) -> SystemContent:
        self.knowledge_cutoff = knowledge_cutoff
        return self

    def with_channel_config(self, channel_config: ChannelConfig) -> SystemContent:
        self.channel_config = channel_config
        return self

    def with_required_channels(self, channels: list[str]) -> SystemContent:
        self.channel_config = ChannelConfig.require_channels(channels)
        return self

    def with_browser_tool(self) -> SystemContent:
        return self.with_tools(ToolNamespaceConfig.browser())  # type: ignore[no-any-return]

    def with_python_tool(self) -> SystemContent:
        return self.with_tools(ToolNamespaceConfig.python())  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        return self._typed_dict("system_content")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SystemContent:
        return cls(**raw)


class DeveloperContent(_WithTools):
    """The developer message content: instructions and function tools."""

    _fields: ClassVar[dict[str, Field]] = {"instructions": Field(), "tools": Field(coerce=_namespaces)}
    instructions: str | None

    @classmethod
    def new(cls) -> DeveloperContent:
        return cls()

    def with_instructions(self, instructions: str) -> DeveloperContent:
        self.instructions = instructions
        return self

    def with_function_tools(self, tools: Sequence[ToolDescription]) -> DeveloperContent:
        return self.with_tools(  # type: ignore[no-any-return]
            ToolNamespaceConfig(name="functions", description=None, tools=list(tools))
        )

    def to_dict(self) -> dict[str, Any]:
        return self._typed_dict("developer_content")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> DeveloperContent:
        return cls(**raw)


class RenderConversationConfig(CompatModel):
    """Rendering options of a conversation."""

    _fields: ClassVar[dict[str, Field]] = {"auto_drop_analysis": Field(True)}
    auto_drop_analysis: bool


class RenderOptions(CompatModel):
    """Rendering options of a single message."""

    _fields: ClassVar[dict[str, Field]] = {"conversation_has_function_tools": Field(False)}
    conversation_has_function_tools: bool
