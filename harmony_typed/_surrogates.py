"""Lone surrogates in text fields: openai_harmony 0.0.8's ``ValueError``, reproduced.

openai_harmony renders by sending ``to_json()`` (``json.dumps``, which writes
every non-ASCII character as a ``\\uXXXX`` escape) to Rust, where serde_json
refuses an escaped surrogate that does not pair up, before anything is
rendered and wherever it is in the message or conversation (even in an
analysis message that is then dropped)::

    ValueError: invalid message JSON: unexpected end of hex escape at line 1 column 77

Two lone surrogates that do form a pair (``"\\ud83d\\ude00"``) are decoded as
the character they encode.  The renderer encodes text with a BPE call that
raises ``UnicodeEncodeError`` on any surrogate, so the happy path pays nothing;
only then (or when rendering fails) does the facade ask :func:`surrogate_error`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Final

from harmony_typed._models import Message, TextContent
from harmony_typed._tools import ToolNamespaceConfig
from harmony_typed._validation import LoneSurrogateDict, has_lone_surrogate

__all__ = ["check_encodable", "check_tool_parameters", "surrogate_error"]

_ESCAPE: Final = re.compile(r"\\(?:u([0-9a-f]{4})|.)")


def surrogate_error(what: str, data: dict[str, object]) -> ValueError | None:
    """openai_harmony's error for ``data`` (a message's or conversation's ``to_dict()``), or ``None``.

    ``what`` is ``"message"`` or ``"conversation"`` (the word in its message).
    """
    text = json.dumps(_upstream_shape(data))
    found = _first_bad_escape(text)
    if found is None:
        return None
    reason, column = found
    return ValueError(f"invalid {what} JSON: {reason} at line 1 column {column}")


def _first_bad_escape(text: str) -> tuple[str, int] | None:
    """serde_json's error and column (bytes read; the text is ASCII) for the first unpaired surrogate."""
    pos = 0
    while True:
        match = _ESCAPE.search(text, pos)
        if match is None:
            return None
        pos = match.end()
        hex_digits = match.group(1)
        if hex_digits is None:
            continue
        code = int(hex_digits, 16)
        if 0xDC00 <= code <= 0xDFFF:
            return "lone leading surrogate in hex escape", pos  # serde's name, for a trailing one too
        if not 0xD800 <= code <= 0xDBFF:
            continue
        # A leading surrogate: serde reads on, one byte at a time, for the trailing one.
        if text[pos] != "\\":
            return "unexpected end of hex escape", pos + 1
        if text[pos + 1] != "u":
            return "unexpected end of hex escape", pos + 2
        low = int(text[pos + 2 : pos + 6], 16)
        if not 0xDC00 <= low <= 0xDFFF:
            return "lone leading surrogate in hex escape", pos + 6
        pos += 6  # a pair: one character


def _upstream_shape(data: dict[str, object]) -> dict[str, object]:
    """``data`` as openai_harmony's ``to_dict()`` writes it: a ``SystemContent`` omits its ``None`` keys."""
    messages = data.get("messages")
    if isinstance(messages, list):
        return {"messages": [_upstream_shape(m) for m in messages]}
    content = data["content"]
    assert isinstance(content, list)
    items = [
        {k: v for k, v in item.items() if v is not None} if item.get("type") == "system_content" else item
        for item in content
    ]
    return dict(data, content=items)


def check_encodable(message: Message) -> None:
    """Raise ``UnicodeEncodeError`` if a text of ``message`` has an unpaired surrogate.

    For the messages the auto-drop rule skips: openai_harmony refuses them too.
    """
    # Called per dropped message on every render: ASCII (the common case) costs no call.
    for value in (message.author.name, message.channel, message.recipient, message.content_type):
        if value is not None and not value.isascii():
            _check_text(value)
    for item in message.content:
        if isinstance(item, TextContent):
            if not item.text.isascii():
                _check_text(item.text)
        else:
            _check_text(json.dumps(item.to_dict(), ensure_ascii=False))


def check_tool_parameters(tools: Mapping[str, ToolNamespaceConfig] | None) -> None:
    """Like :func:`check_encodable`, for tool parameters (only part of a schema is rendered).

    Construction marks a schema holding a lone surrogate (a :class:`LoneSurrogateDict`),
    so this costs one type check per tool.
    """
    if tools is None:
        return
    for namespace in tools.values():
        for tool in namespace.tools:
            if type(tool.parameters) is LoneSurrogateDict:
                json.dumps(tool.parameters, ensure_ascii=False).encode()  # raises UnicodeEncodeError


def _check_text(text: str) -> None:
    if has_lone_surrogate(text):
        text.encode()  # raises UnicodeEncodeError
