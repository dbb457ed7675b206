"""Conversions between compat (mutable) and strict (frozen) models.

compat -> strict runs on every render; a text-only message caches its strict
twin with a key of every field it was built from, so re-rendering an unchanged
message costs one tuple comparison while any mutation (``msg.recipient = ...``,
``msg.content[0].text = ...``, ``msg.content.append(...)``) is seen.
strict -> compat builds new objects without running validation (the strict
values are already valid).
"""

from __future__ import annotations

from typing import Any, Final

import harmony_typed as strict
from harmony_typed.compat._messages import Conversation, Message
from harmony_typed.compat._models import Author, ReasoningEffort, Role, TextContent

__all__ = [
    "Template",
    "compat_messages",
    "from_template",
    "strict_conversation",
    "strict_message",
    "strict_role",
    "template",
]

_STRICT_ROLES: Final = {role.value: role for role in strict.Role}
_COMPAT_ROLES: Final = {role.value: role for role in Role}
_CACHE: Final = "_ht_strict"  # instance attribute holding (key, strict message)


def strict_role(role: Any) -> strict.Role:
    """A strict role from a compat/strict role or its string (``"user"``)."""
    try:
        return _STRICT_ROLES[role]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown role: {role!r}") from None


def _strict_content(item: Any) -> strict.Content:
    if type(item) is TextContent:
        return strict.TextContent(text=item.text)
    raw = item.to_dict()
    if raw.get("reasoning_effort") is not None:
        raw["reasoning_effort"] = ReasoningEffort(raw["reasoning_effort"]).value
    for key in ("model_identity", "reasoning_effort", "knowledge_cutoff", "channel_config"):
        if key in item._fields and getattr(item, key) is None:
            raw[key] = None  # upstream drops None, which from_dict would read as "default"
    return strict.Message.from_dict({"role": "user", "content": [raw]}).content[0]


def _key(msg: Message) -> tuple[Any, ...] | None:
    content = msg.content
    texts = []
    for item in content:
        if type(item) is not TextContent:
            return None
        texts.append(item.text)
    author = msg.author
    return (author.role, author.name, msg.channel, msg.recipient, msg.content_type, *texts)


def strict_message(msg: Message) -> strict.Message:
    """The strict twin of ``msg`` (cached while ``msg`` and its parts are unchanged)."""
    key = _key(msg)
    if key is not None:
        cached = msg.__dict__.get(_CACHE)
        if cached is not None and cached[0] == key:
            return cached[1]  # type: ignore[no-any-return]
    author = msg.author
    out = strict.Message(
        author=strict.Author(role=strict_role(author.role), name=author.name),
        content=[_strict_content(c) for c in msg.content],
        channel=_plain(msg.channel),
        recipient=_plain(msg.recipient),
        content_type=_plain(msg.content_type),
    )
    if key is not None:
        msg.__dict__[_CACHE] = (key, out)
    return out


def _plain(value: Any) -> Any:
    # An assigned enum member (msg.recipient = Role.ASSISTANT) renders as its value, as upstream's JSON.
    return str.__str__(value) if isinstance(value, str) and type(value) is not str else value


def strict_conversation(conversation: Conversation) -> strict.Conversation:
    """The strict conversation for rendering."""
    return strict.Conversation.from_messages([strict_message(m) for m in conversation.messages])


Template = tuple[Any, Any, tuple[str, ...], Any, Any, Any, tuple[Any, ...], strict.Message]
"""What a parsed message becomes: role, name, texts, channel, recipient, content_type, cache key, strict twin."""

_new = object.__new__


def template(msg: strict.Message) -> Template:
    """Convert a strict parsed message once; :func:`from_template` then builds fresh objects cheaply."""
    author = msg.author
    role = _COMPAT_ROLES[author.role.value]
    texts = tuple(c.text for c in msg.content if isinstance(c, strict.TextContent))  # parsed: text only
    key = (role, author.name, msg.channel, msg.recipient, msg.content_type, *texts)
    return (role, author.name, texts, msg.channel, msg.recipient, msg.content_type, key, msg)


def from_template(t: Template) -> Message:
    """A new compat message (new author, list and contents), its strict twin pre-cached."""
    author = _new(Author)
    author.__dict__ = {"role": t[0], "name": t[1]}
    content = []
    for text in t[2]:
        item = _new(TextContent)
        item.__dict__ = {"text": text}
        content.append(item)
    out: Message = _new(Message)
    out.__dict__ = {
        "author": author,
        "content": content,
        "channel": t[3],
        "recipient": t[4],
        "content_type": t[5],
        _CACHE: (t[6], t[7]),
    }
    return out


def compat_messages(messages: Any) -> list[Message]:
    """New compat messages for a sequence of strict parsed messages."""
    return [from_template(template(m)) for m in messages]
