"""The Harmony data model: frozen, slotted, typed attrs classes.

Names, factories and ``to_dict``/``from_dict`` JSON shapes follow
openai_harmony 0.0.8 so that migrating is an import change.  Two deliberate
differences (see ``docs/migration.md``):

* models are immutable: ``with_*`` and ``adding_content`` return a *new*
  object instead of mutating ``self``; sequences are stored as tuples;
* wrong types or values are rejected at construction (``TypeError`` /
  ``ValueError`` naming the field), e.g. a ``str`` where a :class:`Role` is
  expected, or NaN inside tool parameters (openai_harmony fails later, at
  render time).

This module is not compiled: attrs-generated methods stay interpreted under
mypyc anyway, and ``attrs.field(...)`` specifiers crash compiled modules.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import Enum
from typing import Final, TypeAlias

import attrs

__all__ = [
    "JSONValue",
    "Role",
    "ReasoningEffort",
    "StreamState",
    "HarmonyEncodingName",
    "Author",
    "TextContent",
    "ToolDescription",
    "ChannelConfig",
    "ToolNamespaceConfig",
    "SystemContent",
    "DeveloperContent",
    "Content",
    "Message",
    "Conversation",
    "RenderConversationConfig",
    "RenderOptions",
]

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
    hint = ""
    if cls is Role and isinstance(value, str):
        hint = f" (use Role({value!r}))"
    elif cls is ReasoningEffort and isinstance(value, str):
        hint = f" (use ReasoningEffort({value!r}))"
    raise TypeError(f"{owner}.{field} must be {expected}, got {_type_name(value)}: {value!r}{hint}")


def _json_copy(value: object, where: str) -> JSONValue:
    """Validate a JSON value and return a private deep copy (tuples become lists)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is {value!r}: JSON has no NaN or infinity")
        return value
    if isinstance(value, Mapping):
        out: JSONDict = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} has a non-string key {key!r}: JSON object keys are strings")
            out[key] = _json_copy(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [_json_copy(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"{where} is a {_type_name(value)}, which is not a JSON value: {value!r}")


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError(f"expected a sequence of str, got a str: {value!r}")
    return tuple(value)


def _drop_none(pairs: Iterable[tuple[str, object]]) -> dict[str, object]:
    return {k: v for k, v in pairs if v is not None}


def _expect_mapping(owner: str, raw: object) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise TypeError(f"{owner}.from_dict expects a dict, got {_type_name(raw)}: {raw!r}")
    return raw


def _opt_str(raw: Mapping[str, object], key: str, owner: str, default: str | None = None) -> str | None:
    value = raw.get(key, default)
    _check_str(owner, key, value, optional=True)
    return value  # type: ignore[return-value]  # narrowed by _check_str


# -- content -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Author:
    """Who wrote a message: a role and, for tools, the tool name."""

    role: Role
    name: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_instance("Author", "role", self.role, Role)
        _check_str("Author", "name", self.name, optional=True)

    @classmethod
    def new(cls, role: Role, name: str | None = None) -> Author:
        """``Author.new(Role.TOOL, "functions.get_weather")``."""
        return cls(role=role, name=name)


@attrs.frozen(kw_only=True)
class TextContent:
    """Plain text content."""

    text: str

    def __attrs_post_init__(self) -> None:
        _check_str("TextContent", "text", self.text)

    def to_dict(self) -> dict[str, object]:
        return {"type": "text", "text": self.text}


@attrs.frozen(kw_only=True)
class ToolDescription:
    """A tool: name, description and an optional JSON Schema for its parameters.

    ``parameters`` is validated and deep-copied on construction; treat it as read-only.
    """

    name: str
    description: str
    parameters: JSONDict | None = None

    def __attrs_post_init__(self) -> None:
        _check_str("ToolDescription", "name", self.name)
        _check_str("ToolDescription", "description", self.description)
        if self.parameters is not None:
            if not isinstance(self.parameters, Mapping):
                raise TypeError(
                    f"ToolDescription.parameters must be a dict (a JSON Schema) or None, "
                    f"got {_type_name(self.parameters)}: {self.parameters!r}"
                )
            object.__setattr__(self, "parameters", _json_copy(self.parameters, "ToolDescription.parameters"))

    @classmethod
    def new(cls, name: str, description: str, parameters: Mapping[str, JSONValue] | None = None) -> ToolDescription:
        return cls(name=name, description=description, parameters=dict(parameters) if parameters is not None else None)

    def to_dict(self) -> dict[str, object]:
        return _drop_none((("name", self.name), ("description", self.description), ("parameters", self.parameters)))

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> ToolDescription:
        raw = _expect_mapping("ToolDescription", raw)
        params = raw.get("parameters")
        return cls(
            name=raw["name"],  # type: ignore[arg-type]  # validated in __attrs_post_init__
            description=raw["description"],  # type: ignore[arg-type]
            parameters=params,  # type: ignore[arg-type]
        )


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
            valid_channels=raw["valid_channels"],  # type: ignore[arg-type]
            channel_required=raw["channel_required"],  # type: ignore[arg-type]
        )


def _tool_tuple(value: Iterable[ToolDescription]) -> tuple[ToolDescription, ...]:
    return tuple(value)


_BROWSER_DESCRIPTION: Final = (
    "Tool for browsing.\n"
    "The `cursor` appears in brackets before each browsing display: `[{cursor}]`.\n"
    "Cite information from the tool using the following format:\n"
    "`\u3010{cursor}\u2020L{line_start}(-L{line_end})?\u3011`, for example: "
    "`\u30106\u2020L9-L11\u3011` or `\u30108\u2020L3\u3011`.\n"
    "Do not quote more than 10 words directly from the tool output.\n"
    "sources=web (default: web)"
)
_PYTHON_DESCRIPTION: Final = (
    "Use this tool to execute Python code in your chain of thought. The code will not be shown to the "
    "user. This tool should be used for internal reasoning, but not for code that is intended to be "
    "visible to the user (e.g. when creating plots, tables, or files).\n\n"
    "When you send a message containing Python code to python, it will be executed in a stateful "
    "Jupyter notebook environment. python will respond with the output of the execution or time out "
    "after 120.0 seconds. The drive at '/mnt/data' can be used to save and persist user files. "
    "Internet access for this session is UNKNOWN. Depends on the cluster."
)


@attrs.frozen(kw_only=True)
class ToolNamespaceConfig:
    """A namespace of tools (``functions``, ``browser``, ``python``, ...)."""

    name: str
    description: str | None = None
    tools: tuple[ToolDescription, ...] = attrs.field(converter=_tool_tuple)

    def __attrs_post_init__(self) -> None:
        _check_str("ToolNamespaceConfig", "name", self.name)
        _check_str("ToolNamespaceConfig", "description", self.description, optional=True)
        for tool in self.tools:
            _check_instance("ToolNamespaceConfig", "tools[]", tool, ToolDescription)

    @staticmethod
    def browser() -> ToolNamespaceConfig:
        """The built-in ``browser`` namespace (search / open / find)."""
        return ToolNamespaceConfig(
            name="browser",
            description=_BROWSER_DESCRIPTION,
            tools=(
                ToolDescription(
                    name="search",
                    description="Searches for information related to `query` and displays `topn` results.",
                    parameters={
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "topn": {"type": "number", "default": 10},
                            "source": {"type": "string"},
                        },
                        "required": ["query"],
                    },
                ),
                ToolDescription(
                    name="open",
                    description=(
                        "Opens the link `id` from the page indicated by `cursor` starting at line number "
                        "`loc`, showing `num_lines` lines.\n"
                        "Valid link ids are displayed with the formatting: `\u3010{id}\u2020.*\u3011`.\n"
                        "If `cursor` is not provided, the most recent page is implied.\n"
                        "If `id` is a string, it is treated as a fully qualified URL associated with `source`.\n"
                        "If `loc` is not provided, the viewport will be positioned at the beginning of the "
                        "document or centered on the most relevant passage, if available.\n"
                        "Use this function without `id` to scroll to a new location of an opened page."
                    ),
                    parameters={
                        "type": "object",
                        "properties": {
                            "id": {"type": ["number", "string"], "default": -1},
                            "cursor": {"type": "number", "default": -1},
                            "loc": {"type": "number", "default": -1},
                            "num_lines": {"type": "number", "default": -1},
                            "view_source": {"type": "boolean", "default": False},
                            "source": {"type": "string"},
                        },
                    },
                ),
                ToolDescription(
                    name="find",
                    description="Finds exact matches of `pattern` in the current page, or the page given by `cursor`.",
                    parameters={
                        "type": "object",
                        "properties": {
                            "pattern": {"type": "string"},
                            "cursor": {"type": "number", "default": -1},
                        },
                        "required": ["pattern"],
                    },
                ),
            ),
        )

    @staticmethod
    def python() -> ToolNamespaceConfig:
        """The built-in ``python`` namespace (no typed tools, description only)."""
        return ToolNamespaceConfig(name="python", description=_PYTHON_DESCRIPTION, tools=())

    def to_dict(self) -> dict[str, object]:
        return _drop_none(
            (("name", self.name), ("description", self.description), ("tools", [t.to_dict() for t in self.tools]))
        )

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> ToolNamespaceConfig:
        raw = _expect_mapping("ToolNamespaceConfig", raw)
        tools = raw["tools"]
        if not isinstance(tools, (list, tuple)):
            raise TypeError(f"ToolNamespaceConfig.tools must be a list, got {_type_name(tools)}: {tools!r}")
        return cls(
            name=raw["name"],  # type: ignore[arg-type]
            description=_opt_str(raw, "description", "ToolNamespaceConfig"),
            tools=[t if isinstance(t, ToolDescription) else ToolDescription.from_dict(t) for t in tools],
        )


def _namespaces(value: Mapping[str, ToolNamespaceConfig] | None) -> dict[str, ToolNamespaceConfig] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"tools must be a dict of str to ToolNamespaceConfig or None, got {_type_name(value)}")
    out: dict[str, ToolNamespaceConfig] = {}
    for key, ns in value.items():
        _check_str("tools", "key", key)
        _check_instance("tools", repr(key), ns, ToolNamespaceConfig)
        out[key] = ns
    return out


def _namespaces_from_raw(raw: object) -> dict[str, ToolNamespaceConfig] | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise TypeError(f"tools must be a dict, got {_type_name(raw)}: {raw!r}")
    return {
        key: ns if isinstance(ns, ToolNamespaceConfig) else ToolNamespaceConfig.from_dict(ns) for key, ns in raw.items()
    }


def _with_namespace(
    tools: Mapping[str, ToolNamespaceConfig] | None, ns: ToolNamespaceConfig
) -> dict[str, ToolNamespaceConfig]:
    _check_instance("with_tools", "ns_config", ns, ToolNamespaceConfig)
    out = dict(tools) if tools is not None else {}
    out[ns.name] = ns
    return out


def _tools_to_dict(tools: Mapping[str, ToolNamespaceConfig] | None) -> dict[str, object] | None:
    return None if tools is None else {key: ns.to_dict() for key, ns in tools.items()}


DEFAULT_MODEL_IDENTITY: Final = "You are ChatGPT, a large language model trained by OpenAI."
DEFAULT_KNOWLEDGE_CUTOFF: Final = "2024-06"
DEFAULT_CHANNEL_CONFIG: Final = ChannelConfig(valid_channels=("analysis", "commentary", "final"), channel_required=True)


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
        """Inverse of :meth:`to_dict`; missing keys take the defaults, unknown keys are ignored."""
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
        raw = _expect_mapping("DeveloperContent", raw)
        return cls(
            instructions=_opt_str(raw, "instructions", "DeveloperContent"),
            tools=_namespaces_from_raw(raw.get("tools")),
        )


Content: TypeAlias = TextContent | SystemContent | DeveloperContent
"""Any message content item.  At runtime a union usable with ``isinstance``."""

_CONTENT_TYPES: Final = (TextContent, SystemContent, DeveloperContent)


def _content_tuple(value: Iterable[Content]) -> tuple[Content, ...]:
    if isinstance(value, (str, TextContent, SystemContent, DeveloperContent)):
        raise TypeError(
            f"Message.content must be a sequence of content items, got a single {_type_name(value)}; "
            f"use Message.from_role_and_content(role, content) or wrap it in a list"
        )
    return tuple(value)


def _as_content(content: str | Content) -> Content:
    return TextContent(text=content) if isinstance(content, str) else content


def content_from_dict(raw: object) -> Content:
    """Build a content item from its ``to_dict()`` shape (dispatch on ``"type"``)."""
    if isinstance(raw, _CONTENT_TYPES):
        return raw
    if not isinstance(raw, Mapping):
        raise TypeError(f"content item must be a dict, got {_type_name(raw)}: {raw!r}")
    kind = raw.get("type")
    if kind == "text":
        return TextContent(text=raw["text"])
    if kind == "system_content":
        return SystemContent.from_dict(raw)
    if kind == "developer_content":
        return DeveloperContent.from_dict(raw)
    raise ValueError(f"Unknown content variant: {dict(raw)}")


@attrs.frozen(kw_only=True)
class Message:
    """One Harmony message: author, content items and optional header fields."""

    author: Author
    content: tuple[Content, ...] = attrs.field(default=(), converter=_content_tuple)
    channel: str | None = None
    recipient: str | None = None
    content_type: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_instance("Message", "author", self.author, Author)
        for item in self.content:
            if not isinstance(item, _CONTENT_TYPES):
                raise TypeError(
                    f"Message.content items must be TextContent, SystemContent or DeveloperContent, "
                    f"got {_type_name(item)}: {item!r}"
                )
        _check_str("Message", "channel", self.channel, optional=True)
        _check_str("Message", "recipient", self.recipient, optional=True)
        _check_str("Message", "content_type", self.content_type, optional=True)

    @classmethod
    def from_author_and_content(cls, author: Author, content: str | Content) -> Message:
        return cls(author=author, content=(_as_content(content),))

    @classmethod
    def from_role_and_content(cls, role: Role, content: str | Content) -> Message:
        """``Message.from_role_and_content(Role.USER, "Hi")``."""
        return cls(author=Author(role=role), content=(_as_content(content),))

    @classmethod
    def from_role_and_contents(cls, role: Role, contents: Iterable[Content]) -> Message:
        return cls(author=Author(role=role), content=contents)

    def adding_content(self, content: str | Content) -> Message:
        """A copy with one more content item."""
        return attrs.evolve(self, content=(*self.content, _as_content(content)))

    def with_channel(self, channel: str | None) -> Message:
        return attrs.evolve(self, channel=channel)

    def with_recipient(self, recipient: str | None) -> Message:
        return attrs.evolve(self, recipient=recipient)

    def with_content_type(self, content_type: str | None) -> Message:
        return attrs.evolve(self, content_type=content_type)

    def with_author(self, author: Author) -> Message:
        return attrs.evolve(self, author=author)

    def to_dict(self) -> dict[str, object]:
        """openai_harmony's shape: ``role``, ``name`` (always), ``content``, then set header fields."""
        out: dict[str, object] = {
            "role": self.author.role.value,
            "name": self.author.name,
            "content": [item.to_dict() for item in self.content],
        }
        if self.channel is not None:
            out["channel"] = self.channel
        if self.recipient is not None:
            out["recipient"] = self.recipient
        if self.content_type is not None:
            out["content_type"] = self.content_type
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Message:
        """Accepts ``to_dict()`` output; ``content`` may also be a plain string."""
        data = _expect_mapping("Message", data)
        role = data["role"]
        if not isinstance(role, (str, Role)):
            raise TypeError(f"Message role must be a str, got {_type_name(role)}: {role!r}")
        raw_content = data["content"]
        if isinstance(raw_content, str):
            contents: list[Content] = [TextContent(text=raw_content)]
        elif isinstance(raw_content, (list, tuple)):
            contents = [content_from_dict(item) for item in raw_content]
        else:
            raise TypeError(
                f"Message content must be a string or a list of content dicts, "
                f"got {_type_name(raw_content)}: {raw_content!r}"
            )
        return cls(
            author=Author(role=Role(role), name=_opt_str(data, "name", "Message")),
            content=contents,
            channel=_opt_str(data, "channel", "Message"),
            recipient=_opt_str(data, "recipient", "Message"),
            content_type=_opt_str(data, "content_type", "Message"),
        )

    @classmethod
    def from_json(cls, payload: str | bytes) -> Message:
        return cls.from_dict(json.loads(payload))


_new: Final = object.__new__
_SET_TEXT: Final = TextContent.__dict__["text"].__set__
_SET_AUTHOR: Final = Message.__dict__["author"].__set__
_SET_CONTENT: Final = Message.__dict__["content"].__set__
_SET_CHANNEL: Final = Message.__dict__["channel"].__set__
_SET_RECIPIENT: Final = Message.__dict__["recipient"].__set__
_SET_CONTENT_TYPE: Final = Message.__dict__["content_type"].__set__


def trusted_text_message(
    author: Author, text: str, channel: str | None, recipient: str | None, content_type: str | None
) -> Message:
    """Build a one-text message *without* validation, for the parser (h11's trusted path).

    The parser only ever produces ``str``/``None`` fields and a validated
    ``Author``; skipping attrs' ``__init__`` and the checks halves the cost of
    each parsed message.  Never call this with unchecked input.
    """
    content = _new(TextContent)
    _SET_TEXT(content, text)
    message = _new(Message)
    _SET_AUTHOR(message, author)
    _SET_CONTENT(message, (content,))
    _SET_CHANNEL(message, channel)
    _SET_RECIPIENT(message, recipient)
    _SET_CONTENT_TYPE(message, content_type)
    return message


def _message_tuple(value: Iterable[Message]) -> tuple[Message, ...]:
    if isinstance(value, Message):
        raise TypeError("Conversation.messages must be a sequence of Message, got a single Message")
    return tuple(value)


@attrs.frozen(kw_only=True)
class Conversation:
    """An ordered sequence of messages."""

    messages: tuple[Message, ...] = attrs.field(default=(), converter=_message_tuple)

    def __attrs_post_init__(self) -> None:
        for i, message in enumerate(self.messages):
            if not isinstance(message, Message):
                raise TypeError(f"Conversation.messages[{i}] must be a Message, got {_type_name(message)}: {message!r}")

    @classmethod
    def from_messages(cls, messages: Iterable[Message]) -> Conversation:
        return cls(messages=messages)

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    def to_dict(self) -> dict[str, object]:
        return {"messages": [m.to_dict() for m in self.messages]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Conversation:
        data = _expect_mapping("Conversation", data)
        messages = data["messages"]
        if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)):
            raise TypeError(f"Conversation messages must be a list, got {_type_name(messages)}: {messages!r}")
        return cls(messages=[m if isinstance(m, Message) else Message.from_dict(m) for m in messages])

    @classmethod
    def from_json(cls, payload: str | bytes) -> Conversation:
        return cls.from_dict(json.loads(payload))


@attrs.frozen(kw_only=True)
class RenderConversationConfig:
    """Options of the conversation renderers."""

    auto_drop_analysis: bool = True
    """Drop analysis messages before the first final answer once the last assistant message is final."""

    def __attrs_post_init__(self) -> None:
        _check_bool("RenderConversationConfig", "auto_drop_analysis", self.auto_drop_analysis)


@attrs.frozen(kw_only=True)
class RenderOptions:
    """Options of :meth:`HarmonyEncoding.render` (single message)."""

    conversation_has_function_tools: bool = False
    """Adds the "Calls to these tools must go to the commentary channel" line to system content."""

    def __attrs_post_init__(self) -> None:
        _check_bool("RenderOptions", "conversation_has_function_tools", self.conversation_has_function_tools)
