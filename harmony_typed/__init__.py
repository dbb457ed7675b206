"""harmony_typed: OpenAI's Harmony chat format (gpt-oss), typed, compiled and fast.

Renders conversations to token ids and parses sampled tokens back into
messages (batch and streaming), token-for-token compatible with
``openai-harmony`` 0.0.8.

>>> from harmony_typed import Conversation, Message, Role, load_harmony_encoding
>>> enc = load_harmony_encoding("HarmonyGptOss")
>>> convo = Conversation.from_messages([Message.from_role_and_content(Role.USER, "Hi")])
>>> enc.render_conversation_for_completion(convo, Role.ASSISTANT)
[200006, 1428, 200008, 12194, 200007, 200006, 173781]
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Final

from harmony_typed import _build_info
from harmony_typed._dialect import Dialect
from harmony_typed._encoding import HarmonyEncoding, load_harmony_encoding
from harmony_typed._errors import (
    DecodeError,
    EncodeError,
    HarmonyError,
    ParseError,
    RenderError,
    VocabularyError,
)
from harmony_typed._messages_view import MessagesView
from harmony_typed._models import (
    Author,
    ChannelConfig,
    Content,
    Conversation,
    DeveloperContent,
    HarmonyEncodingName,
    JSONValue,
    Message,
    ReasoningEffort,
    RenderConversationConfig,
    RenderOptions,
    Role,
    StreamState,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
)
from harmony_typed._parse_batch import RecoveredParse
from harmony_typed._parser import StreamableParser
from harmony_typed._training import TrainingExample
from harmony_typed._transitions import (
    TRANSITIONS,
    Action,
    ParserInput,
    ParserMode,
    Recovery,
    RecoveryKind,
    Transition,
)

__version__: Final = "0.1.0"
"""The one version source (pyproject.toml reads it)."""

COMPILED: Final = all(
    Path(importlib.import_module(f"harmony_typed.{name}").__file__ or "").suffix in (".so", ".pyd")
    for name in _build_info.COMPILED_MODULES
)
"""True when the mypyc-compiled extension modules are in use (False for the pure-Python build)."""
_build_info.warn_if_fallback(COMPILED)

__all__ = [
    "COMPILED",
    "Action",
    "Author",
    "ChannelConfig",
    "Content",
    "Conversation",
    "DecodeError",
    "DeveloperContent",
    "Dialect",
    "EncodeError",
    "HarmonyEncoding",
    "HarmonyEncodingName",
    "HarmonyError",
    "JSONValue",
    "Message",
    "MessagesView",
    "ParseError",
    "ParserInput",
    "ParserMode",
    "ReasoningEffort",
    "RecoveredParse",
    "Recovery",
    "RecoveryKind",
    "RenderConversationConfig",
    "RenderError",
    "RenderOptions",
    "Role",
    "StreamState",
    "StreamableParser",
    "TRANSITIONS",
    "SystemContent",
    "TextContent",
    "ToolDescription",
    "ToolNamespaceConfig",
    "TrainingExample",
    "Transition",
    "VocabularyError",
    "__version__",
    "load_harmony_encoding",
]
