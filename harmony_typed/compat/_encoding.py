"""openai_harmony 0.0.8's ``HarmonyEncoding``, ``StreamableParser`` and ``load_harmony_encoding``.

Thin wrappers over the strict (compiled) encoding: compat objects are
converted to strict ones (see :mod:`harmony_typed.compat._convert`), never
through JSON as upstream does.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence, Set
from typing import Any, Literal

import harmony_typed as strict
from harmony_typed.compat._convert import (
    Template,
    compat_messages,
    from_template,
    strict_conversation,
    strict_message,
    strict_role,
    template,
)
from harmony_typed.compat._messages import Conversation, Message
from harmony_typed.compat._models import (
    HarmonyEncodingName,
    RenderConversationConfig,
    RenderOptions,
    Role,
    StreamState,
)

__all__ = ["HarmonyEncoding", "StreamableParser", "load_harmony_encoding"]

_STATES = {state.value: state for state in StreamState}
_ROLES = {role.value: role for role in Role}


def _drop(config: RenderConversationConfig | None) -> strict.RenderConversationConfig | None:
    return (
        None if config is None else strict.RenderConversationConfig(auto_drop_analysis=bool(config.auto_drop_analysis))
    )


def _as_runtime_error(exc: strict.HarmonyError) -> RuntimeError:
    # upstream's render, render_conversation and render_conversation_for_training raise a bare RuntimeError.
    return RuntimeError(str(exc))


class HarmonyEncoding:
    """High-level encoding; same methods and arguments as openai_harmony's."""

    def __init__(self, inner: strict.HarmonyEncoding) -> None:
        self._inner = inner

    @property
    def name(self) -> str:
        return self._inner.name

    @functools.cached_property
    def special_tokens_set(self) -> set[str]:
        return set(self._inner.special_tokens_set)

    def render_conversation_for_completion(
        self, conversation: Conversation, next_turn_role: Role | str, config: RenderConversationConfig | None = None
    ) -> list[int]:
        return self._inner.render_conversation_for_completion(
            strict_conversation(conversation), strict_role(next_turn_role), _drop(config)
        )

    def render_conversation(
        self, conversation: Conversation, config: RenderConversationConfig | None = None
    ) -> list[int]:
        try:
            return self._inner.render_conversation(strict_conversation(conversation), _drop(config))
        except strict.RenderError as exc:
            raise _as_runtime_error(exc) from None

    def render_conversation_for_training(
        self, conversation: Conversation, config: RenderConversationConfig | None = None
    ) -> list[int]:
        try:
            return self._inner.render_conversation_for_training(strict_conversation(conversation), _drop(config))
        except strict.RenderError as exc:
            raise _as_runtime_error(exc) from None

    def render(self, message: Message, render_options: RenderOptions | None = None) -> list[int]:
        options = (
            None
            if render_options is None
            else strict.RenderOptions(
                conversation_has_function_tools=bool(render_options.conversation_has_function_tools)
            )
        )
        try:
            return self._inner.render(strict_message(message), options)
        except strict.RenderError as exc:
            raise _as_runtime_error(exc) from None

    def parse_messages_from_completion_tokens(
        self, tokens: Sequence[int], role: Role | str | None = None, *, strict: bool = True
    ) -> list[Message]:
        hint = None if role is None else strict_role(role)
        return compat_messages(self._inner.parse_messages_from_completion_tokens(list(tokens), hint, strict=strict))

    def decode_utf8(self, tokens: Sequence[int]) -> str:
        return self._inner.decode_utf8(list(tokens))

    def encode(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | Set[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[int]:
        return self._inner.encode(text, allowed_special=allowed_special, disallowed_special=disallowed_special)

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        return self._inner.decode(list(tokens), errors)

    def is_special_token(self, token: int) -> bool:
        return self._inner.is_special_token(token)

    def stop_tokens(self) -> list[int]:
        return self._inner.stop_tokens()

    def stop_tokens_for_assistant_actions(self) -> list[int]:
        return self._inner.stop_tokens_for_assistant_actions()


class StreamableParser:
    """Incremental parser; ``messages`` is a new list of new mutable messages on every access."""

    def __init__(self, encoding: HarmonyEncoding, role: Role | str | None, *, strict: bool = True) -> None:
        hint = None if role is None else strict_role(role)
        self._inner = _StrictParser(encoding._inner, hint, strict=strict)
        self._done: list[Template] = []  # parsed messages never change: each is converted once

    def process(self, token: int) -> StreamableParser:
        self._inner.process(token)
        return self

    def process_eos(self) -> StreamableParser:
        self._inner.process_eos()
        return self

    @property
    def current_content(self) -> str:
        return self._inner.current_content

    @property
    def current_role(self) -> Role | str | None:
        raw = self._inner.current_role
        return None if raw is None else _ROLES[raw.value]

    @property
    def current_content_type(self) -> str | None:
        return self._inner.current_content_type

    @property
    def last_content_delta(self) -> str | None:
        return self._inner.last_content_delta

    @property
    def messages(self) -> list[Message]:
        view = self._inner.messages
        done = self._done
        for index in range(len(done), len(view)):
            done.append(template(view[index]))
        return [from_template(t) for t in done]

    @property
    def tokens(self) -> list[int]:
        return self._inner.tokens

    @property
    def state_data(self) -> dict[str, Any]:
        return self._inner.state_data

    @property
    def state(self) -> StreamState:
        return _STATES[self._inner.state.value]

    @property
    def current_recipient(self) -> str | None:
        return self._inner.current_recipient

    @property
    def current_channel(self) -> str | None:
        return self._inner.current_channel


_StrictParser = strict.StreamableParser


def load_harmony_encoding(
    name: str | HarmonyEncodingName, *, dialect: strict.Dialect | str = strict.Dialect.OPENAI_HARMONY_0_0_8
) -> HarmonyEncoding:
    """Load an encoding by name (a string or :class:`HarmonyEncodingName`).

    ``dialect`` is harmony_typed's extension (keyword-only, so upstream's calls are
    unchanged): ``"openai-harmony-0.0.8"`` (the default) or ``"oss-harmony-0.0.11"``
    (vLLM's fork), as in :func:`harmony_typed.load_harmony_encoding`.
    """
    return HarmonyEncoding(strict.load_harmony_encoding(str(name), dialect=dialect))
