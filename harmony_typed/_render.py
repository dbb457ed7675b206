"""Rendering messages and conversations to token ids (SPEC §2, §3, §5), compiled with mypyc.

Rules of this module:

* Output is built by appending to **one** ``list[int]``: special tokens are the
  ``Final`` ints of :mod:`harmony_typed._specials`; every text *piece* is
  tokenised on its own with ``encode_ordinary`` (never ``encode`` with
  specials), because openai-harmony tokenises piece by piece and BPE would
  otherwise merge across piece boundaries (R30).
* Constant and repeated pieces are cached: the role words at construction;
  names, recipients, channels and content types in small bounded dicts keyed
  by the raw field (so a hit costs one dict lookup and no string building);
  the whole token list of a ``SystemContent`` / ``DeveloperContent`` item per
  object (by identity, and by value when the item is hashable).  Cached lists
  are only ever ``extend``-ed into the output, never handed out, so callers may
  mutate what they get back.
* Validation happens where openai-harmony does it: while a message is
  rendered (header first, then content items in order), so messages dropped
  by the auto-drop rule are never validated (golden case E03).
* Hot code is plain loops over tuples, ``is`` checks against ``Final`` enum
  members and ``isinstance`` checks; no generators, closures, lambdas or
  ``**kwargs`` (they are slow or unsupported under mypyc).

Errors are :class:`~harmony_typed.RenderError` with openai-harmony's exact
message; arguments of the wrong type are a ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, final

from harmony_typed._errors import RenderError
from harmony_typed._models import (
    Conversation,
    DeveloperContent,
    Message,
    Role,
    SystemContent,
    TextContent,
)
from harmony_typed._rust import F64_EXPONENT_PLUS
from harmony_typed._specials import CALL, CHANNEL, CONSTRAIN, CONSTRAIN_MARKER, END, MESSAGE, RETURN, START
from harmony_typed._surrogates import check_encodable, check_tool_parameters
from harmony_typed._system_text import developer_text, system_text
from harmony_typed._validation import enum_hint

__all__ = ["Renderer"]

# mypyc reads an imported name from the module's globals dict on every use; a
# Final alias is a C static instead (classes for isinstance, enum members for `is`).
_Message: Final = Message
_Conversation: Final = Conversation
_TextContent: Final = TextContent
_SystemContent: Final = SystemContent
_DeveloperContent: Final = DeveloperContent
_USER: Final = Role.USER
_ASSISTANT: Final = Role.ASSISTANT
_SYSTEM: Final = Role.SYSTEM
_DEVELOPER: Final = Role.DEVELOPER
_TOOL: Final = Role.TOOL

# Small role indices (positions in the tables below).
_I_USER: Final = 0
_I_ASSISTANT: Final = 1
_I_SYSTEM: Final = 2
_I_DEVELOPER: Final = 3
_I_TOOL: Final = 4

_ROLE_WORDS: Final = (_USER.value, _ASSISTANT.value, _SYSTEM.value, _DEVELOPER.value, _TOOL.value)
"""Header text of each role, by index."""
_ROLE_DISPLAY: Final = ("User", "Assistant", "System", "Developer", "Tool")
"""Rust variant names, as openai-harmony prints them in error messages."""

_CONSTRAIN_PREFIX_LEN: Final = len(CONSTRAIN_MARKER)

_MAX_PIECES: Final = 4096
"""Entries per header-piece cache before it is cleared."""
_MAX_PIECE_LEN: Final = 256
"""Longer header fields are tokenised every time instead of being cached."""
_MAX_CONTENTS: Final = 1024
"""Entries per content cache (by identity, and separately by value) before it is cleared."""
_MIN_TEXT_LEN: Final = 32
"""Shorter texts are tokenised every time (hashing and storing would cost about as much)."""
_MAX_TEXT_CHARS: Final = 8_000_000
"""Total characters of cached texts before the text cache is cleared."""
_MAX_TEXTS: Final = 8192
"""Entries of the text cache before it is cleared."""
_MAX_MESSAGES: Final = 8192
"""Entries per message cache (by identity) before it is cleared."""
_MAX_MESSAGE_TOKENS: Final = 4_000_000
"""Total tokens held by the message caches before they are cleared (a message over 1/8 of it is not kept)."""


def _role_index(role: object) -> int:
    """Index of ``role`` in the role tables, or -1 if it is not a :class:`Role`."""
    if role is _USER:
        return _I_USER
    if role is _ASSISTANT:
        return _I_ASSISTANT
    if role is _SYSTEM:
        return _I_SYSTEM
    if role is _DEVELOPER:
        return _I_DEVELOPER
    if role is _TOOL:
        return _I_TOOL
    return -1


def _require(value: object, cls: type, what: str) -> None:
    """``TypeError`` unless ``isinstance(value, cls)`` (a helper so mypy sees no unreachable branch)."""
    if not isinstance(value, cls):
        raise TypeError(
            f"{what} must be a {cls.__name__}, got {type(value).__name__}: {value!r}{enum_hint(cls, value)}"
        )


def _require_bool(value: object, what: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{what} must be a bool, got {type(value).__name__}: {value!r}")


def _ascii_text_message(message: Message) -> bool:
    """True for text-only ASCII messages without name, recipient or content type: no surrogate possible.

    The common dropped analysis message, checked here without a call into :mod:`harmony_typed._surrogates`.
    """
    if message.author.name is not None or message.recipient is not None or message.content_type is not None:
        return False
    for item in message.content:  # noqa: SIM110  # a loop, not a generator: compiled (module rules)
        if not isinstance(item, TextContent) or not item.text.isascii():
            return False
    return True


def _has_function_tools(message: Message) -> bool:
    """SPEC §3.2: a ``DeveloperContent`` of ``message`` (whatever its role) has a
    non-empty tool list under the map **key** ``"functions"``."""
    for item in message.content:
        if isinstance(item, _DeveloperContent):
            tools = item.tools
            if tools is not None:
                ns = tools.get("functions")
                if ns is not None and len(ns.tools) > 0:
                    return True
    return False


@final
class _ContentCache:
    """Token lists of immutable content items, bounded.

    ``by_id`` maps ``id(item)`` to ``(item, tokens)``; keeping ``item`` in the
    entry keeps it alive, so its id cannot be reused while the entry exists
    (the identity check is belt and braces).  ``by_value`` maps hashable items
    (those without a ``tools`` map, which holds dicts) to tokens, so an equal
    item built anew, e.g. from JSON on every request, also hits.
    """

    def __init__(self) -> None:
        self.by_id: dict[int, tuple[object, list[int]]] = {}
        self.by_value: dict[object, list[int]] = {}

    def get(self, item: object, hashable: bool) -> list[int] | None:
        entry = self.by_id.get(id(item))
        if entry is not None and entry[0] is item:
            return entry[1]
        if hashable:
            tokens = self.by_value.get(item)
            if tokens is not None:
                self._put_id(item, tokens)
                return tokens
        return None

    def put(self, item: object, hashable: bool, tokens: list[int]) -> None:
        self._put_id(item, tokens)
        if hashable:
            if len(self.by_value) >= _MAX_CONTENTS:
                self.by_value.clear()
            self.by_value[item] = tokens

    def _put_id(self, item: object, tokens: list[int]) -> None:
        if len(self.by_id) >= _MAX_CONTENTS:
            self.by_id.clear()
        self.by_id[id(item)] = (item, tokens)

    def clear(self) -> None:
        self.by_id.clear()
        self.by_value.clear()


@final
class Renderer:
    """Renders Harmony messages and conversations with a given ``encode_ordinary``.

    One instance belongs to one :class:`~harmony_typed.HarmonyEncoding`; its
    caches only ever grow to a fixed bound and are safe to share between
    threads (a race can at worst tokenise a piece twice).
    """

    def __init__(
        self,
        encode_ordinary: Callable[[str], list[int]],
        commentary_channel_first: bool = False,
        constrain_content_type: bool = False,
        f64_exponent_plus: bool = False,
    ) -> None:
        # Dialect flags (harmony_typed._dialect), fixed at construction: both False is openai-harmony 0.0.8.
        self._commentary_channel_first = commentary_channel_first
        self._constrain_content_type = constrain_content_type
        self._f64_exponent_plus = f64_exponent_plus
        self._encode = encode_ordinary
        role_words: list[list[int]] = []
        for word in _ROLE_WORDS:
            role_words.append(encode_ordinary(word))
        self._role_words = role_words
        self._space = encode_ordinary(" ")
        # Header-piece caches, keyed by the raw field value.
        self._plain: dict[str, list[int]] = {}  # channel, tool name: encode(value)
        self._names: dict[str, list[int]] = {}  # encode(":" + name)
        self._recipients: dict[str, list[int]] = {}  # encode(" to=" + recipient)
        self._content_types: dict[str, list[int]] = {}  # " " [+ <|constrain|>] + rest
        self._system: _ContentCache = _ContentCache()
        self._system_fn: _ContentCache = _ContentCache()  # rendered with the function-tools line
        self._developer: _ContentCache = _ContentCache()
        # Token ids by text (message text, system/developer text): keyed by the
        # immutable string itself, so a request repeating earlier messages, built
        # anew from JSON, costs a hash instead of BPE; never stale by construction.
        self._texts: dict[str, list[int]] = {}
        self._text_chars = 0
        # Whole messages by identity (``Message.from_dict`` returns the same object for
        # equal JSON, so a request repeating the conversation so far hits for every
        # earlier message); the flag only matters for system content, so two maps.
        self._messages: dict[int, tuple[Message, list[int]]] = {}
        self._messages_fn: dict[int, tuple[Message, list[int]]] = {}
        self._message_tokens = 0

    def clear_caches(self) -> None:
        """Forget every cached piece and content item."""
        self._plain.clear()
        self._names.clear()
        self._recipients.clear()
        self._content_types.clear()
        self._system.clear()
        self._system_fn.clear()
        self._developer.clear()
        self._texts.clear()
        self._text_chars = 0
        self._messages.clear()
        self._messages_fn.clear()
        self._message_tokens = 0

    # -- public entry points ------------------------------------------------------

    def render(self, message: Message, has_function_tools: bool) -> list[int]:
        """Tokens of one message (SPEC §2); ``has_function_tools`` only affects ``SystemContent``."""
        _require(message, _Message, "message")
        _require_bool(has_function_tools, "has_function_tools")
        out: list[int] = []
        self._render_message(message, has_function_tools, out)
        return out

    def render_conversation(self, conversation: Conversation, auto_drop_analysis: bool) -> list[int]:
        """Tokens of every message of ``conversation``, with the auto-drop rule of SPEC §5.2."""
        _require(conversation, _Conversation, "conversation")
        _require_bool(auto_drop_analysis, "auto_drop_analysis")
        out: list[int] = []
        self._render_messages(conversation.messages, auto_drop_analysis, out)
        return out

    def render_conversation_for_completion(
        self, conversation: Conversation, next_turn_role: Role, auto_drop_analysis: bool
    ) -> list[int]:
        """``render_conversation`` followed by ``<|start|>`` and the role word (SPEC §5.3)."""
        _require(conversation, _Conversation, "conversation")
        index = _role_index(next_turn_role)
        if index < 0:
            _require(next_turn_role, Role, "next_turn_role")
            raise TypeError(f"next_turn_role is not a member of Role: {next_turn_role!r}")
        _require_bool(auto_drop_analysis, "auto_drop_analysis")
        out: list[int] = []
        self._render_messages(conversation.messages, auto_drop_analysis, out)
        out.append(START)
        out.extend(self._role_words[index])
        return out

    def render_conversation_for_training(
        self, conversation: Conversation, auto_drop_analysis: bool, bounds: list[int] | None = None
    ) -> list[int]:
        """``render_conversation``, ending with ``<|return|>`` if the last message is an assistant final (§5.4).

        When ``bounds`` is given, :meth:`_record_bounds` appends four ints to it per rendered message.
        """
        _require(conversation, _Conversation, "conversation")
        _require_bool(auto_drop_analysis, "auto_drop_analysis")
        messages = conversation.messages
        out: list[int] = []
        self._render_messages(messages, auto_drop_analysis, out, bounds)
        n = len(messages)
        if n > 0:
            last = messages[n - 1]
            channel = last.channel
            if last.author.role is _ASSISTANT and channel is not None and channel == "final":
                # That message is never dropped, so ``out`` ends with its stop token
                # (<|end|>, or <|call|> when it has a recipient: C14).
                out[len(out) - 1] = RETURN
        return out

    # -- conversation ------------------------------------------------------------

    def _render_messages(
        self, messages: tuple[Message, ...], auto_drop_analysis: bool, out: list[int], bounds: list[int] | None = None
    ) -> None:
        """SPEC §5.2: one pass for the flags, one pass to render (recording ``bounds`` when given)."""
        n = len(messages)
        first_final = -1
        last_assistant_final = False
        # Over the whole conversation, before any dropping and whatever the order (X02, X10).
        has_fn = False
        for i in range(n):
            message = messages[i]
            channel = message.channel
            is_final = channel is not None and channel == "final"
            if is_final and first_final < 0:
                first_final = i  # a "final" on any role counts (C8)
            if message.author.role is _ASSISTANT:
                last_assistant_final = is_final
            if not has_fn:
                has_fn = _has_function_tools(message)
        # If the last assistant message is final, first_final >= 0 too.
        if auto_drop_analysis and last_assistant_final:
            for i in range(n):
                message = messages[i]
                if i < first_final:
                    channel = message.channel
                    if channel is not None and channel == "analysis":
                        if not _ascii_text_message(message):
                            check_encodable(message)  # a lone surrogate fails in openai_harmony's JSON, dropped or not
                        continue  # any role (C9); not validated either (E03)
                self._render_message(message, has_fn, out)
                if bounds is not None:
                    self._record_bounds(bounds, i, message, out)
        else:
            for i in range(n):
                message = messages[i]
                self._render_message(message, has_fn, out)
                if bounds is not None:
                    self._record_bounds(bounds, i, message, out)

    def _record_bounds(self, bounds: list[int], index: int, message: Message, out: list[int]) -> None:
        """Append ``index, start, role_end, end`` of the message just rendered at the end of ``out``.

        ``out[start]`` is its ``<|start|>``, ``out[start:role_end]`` is what
        ``render_conversation_for_completion`` would end with for its role
        (``<|start|>`` and the role word; for a tool, its name), and ``end`` is one
        past its stop token.  Rendered messages are contiguous, so ``start`` is the
        previous record's ``end`` (or 0).
        """
        n = len(bounds)
        start = bounds[n - 1] if n > 0 else 0
        role_index = _role_index(message.author.role)
        if role_index == _I_TOOL:
            name = message.author.name
            role_end = start + 1 + (len(self._plain_piece(name)) if name else 0)
        else:
            role_end = start + 1 + len(self._role_words[role_index])
        bounds.append(index)
        bounds.append(start)
        bounds.append(role_end)
        bounds.append(len(out))

    # -- one message -------------------------------------------------------------

    def _render_message(self, message: Message, has_function_tools: bool, out: list[int]) -> None:
        """SPEC §2.2, appended to ``out``; remembered per ``Message`` object (immutable, kept alive by
        the entry so its id cannot be reused while cached; subclasses are never cached)."""
        if type(message) is not _Message:
            self._encode_message(message, has_function_tools, out)
            return
        cache = self._messages_fn if has_function_tools else self._messages
        entry = cache.get(id(message))
        if entry is not None and entry[0] is message:
            out.extend(entry[1])
            return
        start = len(out)
        self._encode_message(message, has_function_tools, out)  # raises before anything is cached
        n = len(out) - start
        if n > _MAX_MESSAGE_TOKENS // 8:
            return
        if len(cache) >= _MAX_MESSAGES or self._message_tokens + n > _MAX_MESSAGE_TOKENS:
            self._messages.clear()
            self._messages_fn.clear()
            self._message_tokens = 0
        cache[id(message)] = (message, out[start:])
        self._message_tokens += n

    def _encode_message(self, message: Message, has_function_tools: bool, out: list[int]) -> None:
        author = message.author
        index = _role_index(author.role)
        out.append(START)
        name = author.name
        if index == _I_TOOL:
            # Only the tool's name is written, never the word "tool".
            if name is None:
                raise RenderError("Tools should have a name!")
            if name:
                out.extend(self._plain_piece(name))
        else:
            out.extend(self._role_words[index])
            if name is not None:
                out.extend(self._name_piece(name))
        recipient = message.recipient
        channel = message.channel
        if self._commentary_channel_first and channel is not None and channel == "commentary":
            # oss-harmony 0.0.11: <|channel|>commentary to=R (any role, tool messages too).
            out.append(CHANNEL)
            out.extend(self._plain_piece(channel))
            if recipient is not None and recipient != "all":
                out.extend(self._recipient_piece(recipient))
        else:
            if recipient is not None and recipient != "all":
                out.extend(self._recipient_piece(recipient))
            if channel is not None:
                out.append(CHANNEL)
                if channel:
                    out.extend(self._plain_piece(channel))
        content_type = message.content_type
        if content_type is not None:
            out.extend(self._content_type_piece(content_type))
        out.append(MESSAGE)
        for item in message.content:
            if isinstance(item, _TextContent):
                text = item.text
                if text:
                    out.extend(self._text_tokens(text))
            elif isinstance(item, _SystemContent):
                if index != _I_SYSTEM:
                    raise RenderError(
                        "SystemContent may only appear in system messages, found in " + _ROLE_DISPLAY[index]
                    )
                out.extend(self._system_tokens(item, has_function_tools))
            elif isinstance(item, _DeveloperContent):
                if index != _I_DEVELOPER:
                    raise RenderError(
                        "DeveloperContent may only appear in developer messages, found in " + _ROLE_DISPLAY[index]
                    )
                out.extend(self._developer_tokens(item))
            else:  # pragma: no cover - Message validates its items
                raise TypeError(f"unsupported content item {type(item).__name__}: {item!r}")
        # <|call|> for any assistant message with a recipient, "all" and "" included (R06, R07).
        out.append(CALL if index == _I_ASSISTANT and recipient is not None else END)

    # -- cached pieces -----------------------------------------------------------

    def _plain_piece(self, text: str) -> list[int]:
        tokens = self._plain.get(text)
        if tokens is None:
            tokens = self._encode(text)
            self._store(self._plain, text, tokens)
        return tokens

    def _name_piece(self, name: str) -> list[int]:
        tokens = self._names.get(name)
        if tokens is None:
            tokens = self._encode(":" + name)
            self._store(self._names, name, tokens)
        return tokens

    def _recipient_piece(self, recipient: str) -> list[int]:
        tokens = self._recipients.get(recipient)
        if tokens is None:
            tokens = self._encode(" to=" + recipient)
            self._store(self._recipients, recipient, tokens)
        return tokens

    def _content_type_piece(self, content_type: str) -> list[int]:
        tokens = self._content_types.get(content_type)
        if tokens is None:
            if content_type.startswith(CONSTRAIN_MARKER):
                # Only a *leading* <|constrain|> becomes the special token (R08-R12).
                tokens = list(self._space)
                tokens.append(CONSTRAIN)
                rest = content_type[_CONSTRAIN_PREFIX_LEN:]
                if rest:
                    tokens.extend(self._encode(rest))
            elif self._constrain_content_type:
                # oss-harmony 0.0.11 adds the missing marker: " <|constrain|>" + content_type.
                tokens = list(self._space)
                tokens.append(CONSTRAIN)
                if content_type:
                    tokens.extend(self._encode(content_type))
            else:
                tokens = self._encode(" " + content_type)
            self._store(self._content_types, content_type, tokens)
        return tokens

    def _text_tokens(self, text: str) -> list[int]:
        """``encode(text)``, remembered for texts of at least ``_MIN_TEXT_LEN`` characters (bounded)."""
        n = len(text)
        if n < _MIN_TEXT_LEN or type(text) is not str:  # a str subclass may redefine equality
            return self._encode(text)
        tokens = self._texts.get(text)
        if tokens is None:
            tokens = self._encode(text)
            if n <= _MAX_TEXT_CHARS:
                if self._text_chars + n > _MAX_TEXT_CHARS or len(self._texts) >= _MAX_TEXTS:
                    self._texts.clear()
                    self._text_chars = 0
                self._texts[text] = tokens
                self._text_chars += n
        return tokens

    def _store(self, cache: dict[str, list[int]], key: str, tokens: list[int]) -> None:
        if len(key) > _MAX_PIECE_LEN:
            return
        if len(cache) >= _MAX_PIECES:
            cache.clear()
        cache[key] = tokens

    def _text_of(self, content: SystemContent | DeveloperContent, has_function_tools: bool) -> str:
        """The text of a system or developer item, numbers in the dialect's float format (rare: cached)."""
        check_tool_parameters(content.tools)  # unrendered schema parts count for openai_harmony's lone-surrogate check
        reset = F64_EXPONENT_PLUS.set(True) if self._f64_exponent_plus else None
        try:
            if isinstance(content, _SystemContent):
                return system_text(content, has_function_tools)
            return developer_text(content)
        finally:
            if reset is not None:
                F64_EXPONENT_PLUS.reset(reset)

    def _system_tokens(self, content: SystemContent, has_function_tools: bool) -> list[int]:
        cache = self._system_fn if has_function_tools else self._system
        # Without a tools map every field is hashable (str, enum, ChannelConfig of a tuple).
        hashable = content.tools is None
        tokens = cache.get(content, hashable)
        if tokens is None:
            text = self._text_of(content, has_function_tools)
            tokens = self._text_tokens(text) if text else []
            cache.put(content, hashable, tokens)
        return tokens

    def _developer_tokens(self, content: DeveloperContent) -> list[int]:
        cache = self._developer
        hashable = content.tools is None
        tokens = cache.get(content, hashable)
        if tokens is None:
            text = self._text_of(content, False)
            tokens = self._text_tokens(text) if text else []
            cache.put(content, hashable, tokens)
        return tokens
