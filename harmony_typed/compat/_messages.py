"""openai_harmony 0.0.8's ``Message`` and ``Conversation``: mutable, string roles accepted."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from harmony_typed.compat._base import CompatModel, Field
from harmony_typed.compat._models import Author, Content, DeveloperContent, Role, SystemContent, TextContent

__all__ = ["Conversation", "Message", "content_from_raw"]


def content_from_raw(raw: Any) -> Content:
    """A content item from an item or its dict (``type`` dispatch as upstream's ``from_dict``)."""
    if isinstance(raw, Content):
        return raw
    kind = raw.get("type")
    if kind == "text":
        return TextContent(**raw)
    if kind == "system_content":
        return SystemContent(**raw)
    if kind == "developer_content":
        return DeveloperContent(**raw)
    if kind is None and "text" in raw:
        return TextContent(**raw)
    raise ValueError(f"Unknown content variant: {raw}")


def _author(value: Any) -> Author:
    return value if isinstance(value, Author) else Author.model_validate(value)


def _as_content(content: str | Content) -> Content:
    return TextContent(text=content) if isinstance(content, str) else content


def _opt_str(value: Any) -> Any:
    # pydantic's lax str validation stores a str enum member (Role.ASSISTANT) as its value.
    return str.__str__(value) if isinstance(value, str) and type(value) is not str else value


class Message(CompatModel):
    """A message; fields are assignable and the builders mutate and return ``self``."""

    _fields: ClassVar[dict[str, Field]] = {
        "author": Field(required=True, coerce=_author),
        "content": Field(factory=list, coerce=lambda v: [content_from_raw(c) for c in v]),
        "channel": Field(coerce=_opt_str),
        "recipient": Field(coerce=_opt_str),
        "content_type": Field(coerce=_opt_str),
    }
    author: Author
    content: list[Content]
    channel: str | None
    recipient: str | None
    content_type: str | None

    @classmethod
    def from_author_and_content(cls, author: Author, content: str | Content) -> Message:
        return cls(author=author, content=[_as_content(content)])

    @classmethod
    def from_role_and_content(cls, role: Role | str, content: str | Content) -> Message:
        return cls.from_author_and_content(Author(role=role), content)

    @classmethod
    def from_role_and_contents(cls, role: Role | str, contents: Sequence[Content]) -> Message:
        return cls(author=Author(role=role), content=list(contents))

    def adding_content(self, content: str | Content) -> Message:
        self.content.append(_as_content(content))
        return self

    def with_channel(self, channel: str) -> Message:
        self.channel = channel
        return self

    def with_recipient(self, recipient: str) -> Message:
        self.recipient = recipient
        return self

    def with_content_type(self, content_type: str) -> Message:
        self.content_type = content_type
        return self

    def to_dict(self) -> dict[str, Any]:
        """openai_harmony's JSON shape: ``role``/``name`` inlined, content items typed."""
        author = self.author
        out: dict[str, Any] = {"role": author.role, "name": author.name, "content": [c.to_dict() for c in self.content]}
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
    def from_dict(cls, data: dict[str, Any]) -> Message:
        raw_content = data["content"]
        if isinstance(raw_content, str):  # the Rust side writes a lone text as a plain string
            raw_content = [{"type": "text", "text": raw_content}]
        msg = cls(
            author=Author(role=Role(data["role"]), name=data.get("name")),
            content=[content_from_raw(raw) for raw in raw_content],
        )
        msg.channel = data.get("channel")
        msg.recipient = data.get("recipient")
        msg.content_type = data.get("content_type")
        return msg


class Conversation(CompatModel):
    """A list of messages (assignable, appendable)."""

    _fields: ClassVar[dict[str, Field]] = {
        "messages": Field(
            factory=list, coerce=lambda v: [m if isinstance(m, Message) else Message.model_validate(m) for m in v]
        )
    }
    messages: list[Message]

    @classmethod
    def from_messages(cls, messages: Sequence[Message]) -> Conversation:
        return cls(messages=list(messages))

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages)

    def to_dict(self) -> dict[str, Any]:
        return {"messages": [m.to_dict() for m in self.messages]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, payload: str) -> Conversation:
        return cls(messages=[Message.from_dict(m) for m in json.loads(payload)["messages"]])
