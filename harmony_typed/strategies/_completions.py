"""Completion strategies: messages that parse back to themselves, and their token ids."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from harmony_typed import _specials
from harmony_typed._encoding import HarmonyEncoding, load_harmony_encoding
from harmony_typed._models import (
    Author,
    Message,
    Role,
    TextContent,
)
from harmony_typed.strategies._models import COMMON_CHANNELS, ROLE_WORDS, texts, words

# -- completions -------------------------------------------------------------------


def round_trip_messages(roles: Sequence[Role] = (Role.ASSISTANT,)) -> SearchStrategy[Message]:
    """Messages ``m`` with ``parse(render(m)) == [m]`` (role hint ``None``, strict or not).

    This is the subset of messages whose header survives the parser
    (SPEC §6.3): no author name except a tool's (a non-empty word that is not
    another role's name), a recipient other than ``"all"`` that is one word, a
    non-empty one-word channel without ``<``, a one-word content type only
    together with a recipient, and exactly one text item (any text: content is
    never re-interpreted).  Tool messages always have a recipient.  Header
    words contain no whitespace (Unicode ``White_Space``, Python's
    ``str.isspace``), control characters or ``<``, except a content type that
    starts with ``<|constrain|>``.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import round_trip_messages
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(round_trip_messages())
    ... def test_round_trip(message):
    ...     tokens = enc.render(message)
    ...     assert enc.parse_messages_from_completion_tokens(tokens) == [message]
    >>> test_round_trip()
    """
    role_strategy = st.sampled_from(list(roles))
    tool_names = st.one_of(st.just("functions.get_weather"), words()).filter(
        lambda w: w == "tool" or w not in ROLE_WORDS
    )
    recipients = st.one_of(st.sampled_from(["functions.get_weather", "browser.search", "python", ""]), words()).filter(
        lambda r: r != "all"
    )
    channels = st.one_of(st.none(), st.sampled_from(COMMON_CHANNELS), words())
    content_types = st.one_of(
        st.sampled_from(["<|constrain|>json", "json", "code", "<|constrain|>"]),
        words().map(lambda w: "<|constrain|>" + w),
        words(),
    ).filter(lambda c: not c.startswith("to="))
    bodies = texts()

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        role = draw(role_strategy)
        name = draw(tool_names) if role is Role.TOOL else None
        recipient: str | None = draw(recipients)
        if role is not Role.TOOL and draw(st.booleans()):
            recipient = None
        content_type = draw(content_types) if recipient is not None and draw(st.booleans()) else None
        return Message(
            author=Author(role=role, name=name),
            content=(TextContent(text=draw(bodies)),),
            channel=draw(channels),
            recipient=recipient,
            content_type=content_type,
        )

    return build()


@attrs.frozen
class Completion:
    """Token ids a model could sample, with the messages they parse to.

    ``parse_messages_from_completion_tokens(tokens, role)`` returns
    ``list(messages)``, strict or not, and so does streaming them through a
    ``StreamableParser(encoding, role)``.
    """

    tokens: tuple[int, ...]
    """The completion's token ids."""
    role: Role | None
    """The role hint to parse with: ``None`` when ``tokens`` start with ``<|start|>``, else the
    first message's role (the prompt ended with ``<|start|>{role}``)."""
    messages: tuple[Message, ...]
    """What the tokens parse to."""


def completions(
    encoding: HarmonyEncoding | None = None,
    *,
    roles: Sequence[Role] = (Role.ASSISTANT,),
    max_messages: int = 4,
    role_hint: bool | None = None,
) -> SearchStrategy[Completion]:
    """Valid completions: rendered :func:`round_trip_messages`, as a model would sample them.

    One to ``max_messages`` messages rendered back to back.  Sometimes the first
    message's ``<|start|>{role}`` is left out and given as the role hint instead
    (what sampling after ``render_conversation_for_completion`` produces;
    ``role_hint=True`` always does that unless the first message is a tool's,
    ``False`` never), the last stop token is replaced by ``<|return|>`` or left
    out (end of stream completes a message).  ``roles`` are the roles of the
    messages (default: assistant only), ``encoding`` defaults to ``HarmonyGptOss``.

    >>> from hypothesis import given, settings
    >>> from harmony_typed import load_harmony_encoding
    >>> from harmony_typed.strategies import completions
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(completions())
    ... def test_parse_completions(completion):
    ...     parsed = enc.parse_messages_from_completion_tokens(completion.tokens, completion.role)
    ...     assert parsed == list(completion.messages)
    >>> test_parse_completions()
    """
    enc = load_harmony_encoding("HarmonyGptOss") if encoding is None else encoding
    role_prefix = {role: [_specials.START, *enc.encode_ordinary(role.value)] for role in Role}

    message_lists = st.lists(round_trip_messages(roles), min_size=1, max_size=max_messages)

    @st.composite
    def build(draw: st.DrawFn) -> Completion:
        msgs = draw(message_lists)
        tokens: list[int] = []
        for message in msgs:
            tokens.extend(enc.render(message))
        hint: Role | None = None
        first = msgs[0].author.role
        if first is not Role.TOOL and (role_hint if role_hint is not None else draw(st.booleans())):
            prefix = role_prefix[first]
            assert tokens[: len(prefix)] == prefix
            del tokens[: len(prefix)]
            hint = first
        ending = draw(st.sampled_from(["keep", "return", "eos"]))
        if ending == "return":
            tokens[-1] = _specials.RETURN
        elif ending == "eos":
            tokens.pop()
        return Completion(tokens=tuple(tokens), role=hint, messages=tuple(msgs))

    return build()


def completion_tokens(encoding: HarmonyEncoding | None = None) -> SearchStrategy[list[int]]:
    """The token ids of :func:`completions` without role hint (they start with ``<|start|>``).

    >>> from hypothesis import given, settings
    >>> from harmony_typed import StreamableParser, load_harmony_encoding
    >>> from harmony_typed.strategies import completion_tokens
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> @settings(deadline=None)
    ... @given(completion_tokens())
    ... def test_stream_equals_batch(tokens):
    ...     parser = StreamableParser(enc, None)
    ...     for token in tokens:
    ...         parser.process(token)
    ...     parser.process_eos()
    ...     assert parser.messages == enc.parse_messages_from_completion_tokens(tokens)
    >>> test_stream_equals_batch()
    """
    return completions(encoding, role_hint=False).map(lambda c: list(c.tokens))
