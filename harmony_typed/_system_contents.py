"""System and developer content: what a conversation's first two messages say (frozen attrs models).

Split from :mod:`harmony_typed._models`, which re-exports these classes; the
JSON shapes and factories follow openai_harmony 0.0.8 (see that module's docstring).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import attrs

from harmony_typed._enums import ReasoningEffort
from harmony_typed._pydantic_schema import pydantic_schema_hook
from harmony_typed._tools import (
    ToolDescription,
    ToolNamespaceConfig,
    _namespaces,
    _namespaces_from_raw,
    _tools_to_dict,
    _with_namespace,
)
from harmony_typed._validation import (
    _check_bool,
    _check_instance,
    _check_str,
    _drop_none,
    _expect_mapping,
    _interned,
    _KeyedCache,
    _opt_str,
    _required,
    _str_tuple,
)

__all__ = [
    "DEFAULT_CHANNEL_CONFIG",
    "DEFAULT_KNOWLEDGE_CUTOFF",
    "DEFAULT_MODEL_IDENTITY",
    "ChannelConfig",
    "DeveloperContent",
    "SystemContent",
]


@attrs.frozen(kw_only=True)
class ChannelConfig:
    """Channels announced in the system message."""

    valid_channels: tuple[str, ...] = attrs.field(converter=_str_tuple)
    channel_required: bool

    def __attrs_post_init__(self) -> None:
        for channel in self.valid_channels:
            _check_str("ChannelConfig", "valid_channels[]", channel)
        _check_bool("ChannelConfig", "channel_required", self.channel_required)

    @classmethod
    def require_channels(cls, channels: Iterable[str]) -> ChannelConfig:
        return cls(valid_channels=channels, channel_required=True)

    def to_dict(self) -> dict[str, object]:
        return {"valid_channels": list(self.valid_channels), "channel_required": self.channel_required}

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> ChannelConfig:
        raw = _expect_mapping("ChannelConfig", raw)
        return cls(
            valid_channels=_required(raw, "valid_channels", "ChannelConfig"),  # type: ignore[arg-type]
            channel_required=_required(raw, "channel_required", "ChannelConfig"),  # type: ignore[arg-type]
        )

    __get_pydantic_core_schema__ = pydantic_schema_hook()


DEFAULT_MODEL_IDENTITY: Final = "You are ChatGPT, a large language model trained by OpenAI."
DEFAULT_KNOWLEDGE_CUTOFF: Final = "2024-06"
DEFAULT_CHANNEL_CONFIG: Final = ChannelConfig(valid_channels=("analysis", "commentary", "final"), channel_required=True)


_SYSTEM_CACHE: Final[_KeyedCache[SystemContent]] = _KeyedCache(256, 4_000_000)
_DEVELOPER_CACHE: Final[_KeyedCache[DeveloperContent]] = _KeyedCache(256, 8_000_000)
"""A server receives the same system and developer content (tool schemas included) on every
request: validated and converted once, the same immutable object is returned for equal input,
so the renderer's per-object cache hits too."""


@attrs.frozen(kw_only=True)
class SystemContent:
    """The system message: identity, dates, reasoning effort, channels and built-in tools."""

    model_identity: str | None = DEFAULT_MODEL_IDENTITY
    reasoning_effort: ReasoningEffort | None = ReasoningEffort.MEDIUM
    conversation_start_date: str | None = None
    knowledge_cutoff: str | None = DEFAULT_KNOWLEDGE_CUTOFF
    channel_config: ChannelConfig | None = DEFAULT_CHANNEL_CONFIG
    tools: dict[str, ToolNamespaceConfig] | None = attrs.field(default=None, converter=_namespaces)

    def __attrs_post_init__(self) -> None:
        _check_str("SystemContent", "model_identity", self.model_identity, optional=True)
        _check_instance("SystemContent", "reasoning_effort", self.reasoning_effort, ReasoningEffort, optional=True)
        _check_str("SystemContent", "conversation_start_date", self.conversation_start_date, optional=True)
        _check_str("SystemContent", "knowledge_cutoff", self.knowledge_cutoff, optional=True)
        _check_instance("SystemContent", "channel_config", self.channel_config, ChannelConfig, optional=True)

    @classmethod
    def new(cls) -> SystemContent:
        """The default system content (medium effort, three required channels)."""
        return cls()

    def with_model_identity(self, model_identity: str) -> SystemContent:
        return attrs.evolve(self, model_identity=model_identity)

    def with_reasoning_effort(self, reasoning_effort: ReasoningEffort) -> SystemContent:
        return attrs.evolve(self, reasoning_effort=reasoning_effort)

    def with_conversation_start_date(self, conversation_start_date: str) -> SystemContent:
        return attrs.evolve(self, conversation_start_date=conversation_start_date)

    def with_knowledge_cutoff(self, knowledge_cutoff: str) -> SystemContent:
        return attrs.evolve(self, knowledge_cutoff=knowledge_cutoff)

    def with_channel_config(self, channel_config: ChannelConfig) -> SystemContent:
        return attrs.evolve(self, channel_config=channel_config)

    def with_required_channels(self, channels: Iterable[str]) -> SystemContent:
        return attrs.evolve(self, channel_config=ChannelConfig.require_channels(channels))

    def with_tools(self, ns_config: ToolNamespaceConfig) -> SystemContent:
        """Add (or replace) a namespace, stored under ``ns_config.name``."""
        return attrs.evolve(self, tools=_with_namespace(self.tools, ns_config))

    def with_browser_tool(self) -> SystemContent:
        return self.with_tools(ToolNamespaceConfig.browser())

    def with_python_tool(self) -> SystemContent:
        return self.with_tools(ToolNamespaceConfig.python())

    def to_dict(self) -> dict[str, object]:
        """openai_harmony's shape, except that a field set to ``None`` whose default is not
        ``None`` is written as ``null``: openai_harmony omits it, and its ``from_dict`` then
        silently restores the default (``SystemContent(model_identity=None)`` would come back
        with ChatGPT's identity).  Fields whose default is ``None`` are omitted as upstream.
        """
        out: dict[str, object] = {
            "model_identity": self.model_identity,
            "reasoning_effort": None if self.reasoning_effort is None else self.reasoning_effort.value,
        }
        if self.conversation_start_date is not None:
            out["conversation_start_date"] = self.conversation_start_date
        out["knowledge_cutoff"] = self.knowledge_cutoff
        out["channel_config"] = None if self.channel_config is None else self.channel_config.to_dict()
        if self.tools is not None:
            out["tools"] = _tools_to_dict(self.tools)
        out["type"] = "system_content"
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> SystemContent:
        """Inverse of :meth:`to_dict`; missing keys take the defaults, unknown keys are ignored.

        JSON input equal to an earlier one returns the same (immutable) object.
        """
        if cls is SystemContent:  # subclasses are never cached
            return _interned(raw, _SYSTEM_CACHE, cls._build_from_dict)
        return cls._build_from_dict(raw)

    @classmethod
    def _build_from_dict(cls, raw: Mapping[str, object]) -> SystemContent:
        raw = _expect_mapping("SystemContent", raw)
        effort = raw.get("reasoning_effort", ReasoningEffort.MEDIUM)
        channels = raw.get("channel_config", DEFAULT_CHANNEL_CONFIG)
        return cls(
            model_identity=_opt_str(raw, "model_identity", "SystemContent", DEFAULT_MODEL_IDENTITY),
            reasoning_effort=None if effort is None else ReasoningEffort(effort),
            conversation_start_date=_opt_str(raw, "conversation_start_date", "SystemContent"),
            knowledge_cutoff=_opt_str(raw, "knowledge_cutoff", "SystemContent", DEFAULT_KNOWLEDGE_CUTOFF),
            channel_config=(
                channels
                if channels is None or isinstance(channels, ChannelConfig)
                else ChannelConfig.from_dict(channels)  # type: ignore[arg-type]
            ),
            tools=_namespaces_from_raw(raw.get("tools")),
        )

    __get_pydantic_core_schema__ = pydantic_schema_hook(kind="system_content")


@attrs.frozen(kw_only=True)
class DeveloperContent:
    """The developer message: instructions and function tools."""

    instructions: str | None = None
    tools: dict[str, ToolNamespaceConfig] | None = attrs.field(default=None, converter=_namespaces)

    def __attrs_post_init__(self) -> None:
        _check_str("DeveloperContent", "instructions", self.instructions, optional=True)

    @classmethod
    def new(cls) -> DeveloperContent:
        return cls()

    def with_instructions(self, instructions: str) -> DeveloperContent:
        return attrs.evolve(self, instructions=instructions)

    def with_tools(self, ns_config: ToolNamespaceConfig) -> DeveloperContent:
        """Add (or replace) a namespace, stored under ``ns_config.name``."""
        return attrs.evolve(self, tools=_with_namespace(self.tools, ns_config))

    def with_function_tools(self, tools: Iterable[ToolDescription]) -> DeveloperContent:
        """Store ``tools`` as the ``functions`` namespace (replacing any previous one)."""
        return self.with_tools(ToolNamespaceConfig(name="functions", description=None, tools=tools))

    def to_dict(self) -> dict[str, object]:
        out = _drop_none((("instructions", self.instructions), ("tools", _tools_to_dict(self.tools))))
        out["type"] = "developer_content"
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> DeveloperContent:
        """Inverse of :meth:`to_dict`; JSON input equal to an earlier one returns the same (immutable) object."""
        if cls is DeveloperContent:  # subclasses are never cached
            return _interned(raw, _DEVELOPER_CACHE, cls._build_from_dict)
        return cls._build_from_dict(raw)

    @classmethod
    def _build_from_dict(cls, raw: Mapping[str, object]) -> DeveloperContent:
        raw = _expect_mapping("DeveloperContent", raw)
        return cls(
            instructions=_opt_str(raw, "instructions", "DeveloperContent"),
            tools=_namespaces_from_raw(raw.get("tools")),
        )

    __get_pydantic_core_schema__ = pydantic_schema_hook(kind="developer_content")
