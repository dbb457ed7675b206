"""openai_harmony 0.0.8's public API over harmony_typed's compiled core.

A drop-in door for code written against ``openai_harmony``: mutable models,
``with_*`` builders that mutate and return ``self``, string roles, upstream's
``str()``/``repr()`` and exceptions, ``parser.messages`` as a new list of new
objects per access, and pydantic field support without depending on pydantic.

>>> import harmony_typed.compat as openai_harmony
>>> enc = openai_harmony.load_harmony_encoding("HarmonyGptOss")
>>> msg = openai_harmony.Message.from_role_and_content("user", "Hi")
>>> enc.render_conversation_for_completion(openai_harmony.Conversation.from_messages([msg]), "assistant")
[200006, 1428, 200008, 12194, 200007, 200006, 173781]

``install()`` makes ``import openai_harmony`` resolve to this module (see docs/compat.md).
"""

from __future__ import annotations

from harmony_typed import HarmonyError
from harmony_typed.compat._encoding import HarmonyEncoding, StreamableParser, load_harmony_encoding
from harmony_typed.compat._install import install, install_from_env
from harmony_typed.compat._messages import Conversation, Message
from harmony_typed.compat._models import (
    Author,
    ChannelConfig,
    Content,
    DeveloperContent,
    HarmonyEncodingName,
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


def raise_disallowed_special_token(token: str) -> None:
    """Raise upstream's error for special-token text found by ``encode``."""
    raise HarmonyError(
        "Encountered text corresponding to disallowed special token "
        f"{token!r}.\n"
        "If you want this text to be encoded as a special token, "
        f"pass it to `allowed_special`, e.g. `allowed_special={{'{token}', ...}}`.\n"
        "If you want this text to be encoded as normal text, disable the check for this token "
        f"by passing `disallowed_special=(enc.special_tokens_set - {{'{token}'}})`.\n"
        "To disable this check for all special tokens, pass `disallowed_special=()`.\n"
    )


# openai_harmony 0.0.8's __all__, unchanged; its other public names are importable too.
__all__ = [
    "Role",
    "Author",
    "Content",
    "TextContent",
    "DeveloperContent",
    "ToolDescription",
    "SystemContent",
    "Message",
    "Conversation",
    "HarmonyEncoding",
    "HarmonyEncodingName",
    "load_harmony_encoding",
    "StreamableParser",
    "StreamState",
    "HarmonyError",
]

_EXTRA_PUBLIC = (
    ChannelConfig,
    ReasoningEffort,
    RenderConversationConfig,
    RenderOptions,
    ToolNamespaceConfig,
    install,
    install_from_env,
    raise_disallowed_special_token,
)
