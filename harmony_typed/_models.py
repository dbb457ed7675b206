"""The Harmony data model: frozen, slotted, typed attrs classes (messages and their contents).

Enums are in :mod:`harmony_typed._enums`, tool models in :mod:`harmony_typed._tools`,
system and developer content in :mod:`harmony_typed._system_contents`;
they are re-exported here so ``harmony_typed._models`` names the whole model layer.

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Final, TypeAlias

import attrs

from harmony_typed._enums import HarmonyEncodingName, JSONValue, ReasoningEffort, Role, StreamState, _role_of
from harmony_typed._pydantic_schema import author_from_dict, author_to_dict, pydantic_schema_hook, text_from_dict
from harmony_typed._system_contents import (
    ChannelConfig,
    DeveloperContent,
    SystemContent,
)
from harmony_typed._tools import (
    ToolDescription,
    ToolNamespaceConfig,
)
from harmony_typed._validation import (
    _check_bool,
    _check_instance,
    _check_str,
    _expect_mapping,
    _interned,
    _json_loads,
    _KeyedCache,
    _opt_str,
    _required,
    _type_name,
)

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

    __get_pydantic_core_schema__ = pydantic_schema_hook(author_from_dict, author_to_dict)


@attrs.frozen(kw_only=True)
class TextContent:
    """Plain text content."""

    text: str

    def __attrs_post_init__(self) -> None:
        _check_str("TextContent", "text", self.text)

    def to_dict(self) -> dict[str, object]:
        return {"type": "text", "text": self.text}

    __get_pydantic_core_schema__ = pydantic_schema_hook(text_from_dict, kind="text")


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
    if type(raw) is not dict:  # a JSON dict skips the isinstance checks (an ABC check is slow)
        if isinstance(raw, _CONTENT_TYPES):
            return raw
        if not isinstance(raw, Mapping):
            raise TypeError(f"content item must be a dict, got {_type_name(raw)}: {raw!r}")
    kind = raw.get("type")
    if kind == "text":
        return _text_content(_required(raw, "text", "TextContent"))
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
        """Accepts ``to_dict()`` output; ``content`` may also be a plain string.

        JSON input equal to an earlier one returns the same (immutable) message: a
        server receives the whole conversation so far on every request.
        """
        if cls is Message:  # subclasses are never cached
            return _interned(data, _MESSAGE_CACHE, _message_from_dict)
        return cls._build_from_dict(data)

    @classmethod
    def _build_from_dict(cls, data: Mapping[str, object]) -> Message:
        """Validates exactly what the constructor would, then (for ``Message`` itself)
        builds the object without going through attrs' ``__init__`` again."""
        if type(data) is not dict:
            data = _expect_mapping("Message", data)
        role = _required(data, "role", "Message")
        if not isinstance(role, (str, Role)):
            raise TypeError(f"Message role must be a str, got {_type_name(role)}: {role!r}")
        raw_content = _required(data, "content", "Message")
        contents: tuple[Content, ...]
        if isinstance(raw_content, str):
            contents = (_text_content(raw_content),)
        elif isinstance(raw_content, (list, tuple)):
            contents = tuple([content_from_dict(item) for item in raw_content])
        else:
            raise TypeError(
                f"Message content must be a string or a list of content dicts, "
                f"got {_type_name(raw_content)}: {raw_content!r}"
            )
        author = _author(_role_of(role), _opt_str(data, "name", "Message"))
        channel = _opt_str(data, "channel", "Message")
        recipient = _opt_str(data, "recipient", "Message")
        content_type = _opt_str(data, "content_type", "Message")
        if cls is Message:
            return _trusted_message(author, contents, channel, recipient, content_type)
        return cls(author=author, content=contents, channel=channel, recipient=recipient, content_type=content_type)

    @classmethod
    def from_json(cls, payload: str | bytes) -> Message:
        return cls.from_dict(_json_loads(payload, "Message"))  # type: ignore[arg-type]  # from_dict checks

    __get_pydantic_core_schema__ = pydantic_schema_hook()


_MESSAGE_CACHE: Final[_KeyedCache[Message]] = _KeyedCache(8192, 8_000_000)
_message_from_dict: Final = Message._build_from_dict
_new: Final = object.__new__
_SET_ROLE: Final = Author.__dict__["role"].__set__
_SET_NAME: Final = Author.__dict__["name"].__set__
_SET_TEXT: Final = TextContent.__dict__["text"].__set__
_SET_AUTHOR: Final = Message.__dict__["author"].__set__
_SET_CONTENT: Final = Message.__dict__["content"].__set__
_SET_CHANNEL: Final = Message.__dict__["channel"].__set__
_SET_RECIPIENT: Final = Message.__dict__["recipient"].__set__
_SET_CONTENT_TYPE: Final = Message.__dict__["content_type"].__set__

_NAMELESS_AUTHORS: Final = {role: Author(role=role) for role in Role}
"""One shared ``Author`` per role without a name (immutable, so sharing is invisible)."""


def _author(role: Role, name: str | None) -> Author:
    """``Author(role=role, name=name)`` for an already checked ``Role`` and ``str | None``."""
    if name is None:
        return _NAMELESS_AUTHORS[role]
    author = _new(Author)
    _SET_ROLE(author, role)
    _SET_NAME(author, name)
    return author


def _text_content(text: object) -> TextContent:
    """``TextContent(text=text)``: the same check, without attrs' ``__init__``."""
    if not isinstance(text, str):
        _check_str("TextContent", "text", text)  # raises
    content = _new(TextContent)
    _SET_TEXT(content, text)
    return content


def _trusted_message(
    author: Author,
    content: tuple[Content, ...],
    channel: str | None,
    recipient: str | None,
    content_type: str | None,
) -> Message:
    message = _new(Message)
    _SET_AUTHOR(message, author)
    _SET_CONTENT(message, content)
    _SET_CHANNEL(message, channel)
    _SET_RECIPIENT(message, recipient)
    _SET_CONTENT_TYPE(message, content_type)
    return message


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
    return _trusted_message(author, (content,), channel, recipient, content_type)


def _message_tuple(value: Iterable[Message]) -> tuple[Message, ...]:
    """The converter of ``Conversation.messages``: a tuple, every item checked (the only field, so the
    check can live here rather than in ``__attrs_post_init__``)."""
    if isinstance(value, Message):
        raise TypeError("Conversation.messages must be a sequence of Message, got a single Message")
    messages = tuple(value)
    for i, message in enumerate(messages):
        if not isinstance(message, Message):
            raise TypeError(f"Conversation.messages[{i}] must be a Message, got {_type_name(message)}: {message!r}")
    return messages


@attrs.frozen(kw_only=True)
class Conversation:
    """An ordered sequence of messages."""

    messages: tuple[Message, ...] = attrs.field(default=(), converter=_message_tuple)

    @classmethod
    def from_messages(cls, messages: Iterable[Message]) -> Conversation:
        if cls is Conversation:
            conversation = _new(Conversation)
            _SET_MESSAGES(conversation, _message_tuple(messages))
            return conversation
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
        messages = _required(data, "messages", "Conversation")
        if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)):
            raise TypeError(f"Conversation messages must be a list, got {_type_name(messages)}: {messages!r}")
        return cls.from_messages([m if isinstance(m, Message) else Message.from_dict(m) for m in messages])

    @classmethod
    def from_json(cls, payload: str | bytes) -> Conversation:
        return cls.from_dict(_json_loads(payload, "Conversation"))  # type: ignore[arg-type]  # from_dict checks

    __get_pydantic_core_schema__ = pydantic_schema_hook()


_SET_MESSAGES: Final = Conversation.__dict__["messages"].__set__


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
