"""Properties of rendering and parsing (issue 8), over harmony_typed.strategies.

* ``parse(render(x)) == x`` for round-trippable messages and completions;
* streaming == batch, on valid and malformed input (same messages, or the same error);
* ``decode(encode(s)) == s``;
* rendering is deterministic (also across equal-but-distinct objects, which the
  renderer's caches see differently);
* injection safety: the only special ids in a render are the structural ones,
  at their structural positions, and the text in between is the fields' text;
* a conversation renders as the concatenation of its messages when no analysis
  message is dropped (SPEC §5), with the conversation-wide function-tools flag.

Example counts are CI-sized; ``HYPOTHESIS_PROFILE=ci`` (set by nox) derandomizes.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from harmony_typed import (
    Conversation,
    DeveloperContent,
    EncodeError,
    HarmonyEncoding,
    HarmonyError,
    Message,
    ParseError,
    RenderConversationConfig,
    RenderOptions,
    Role,
    StreamableParser,
    StreamState,
    SystemContent,
    TextContent,
    ToolDescription,
)
from harmony_typed import strategies as hst

START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL = 200006, 200007, 200008, 200005, 200003, 200002, 200012
FIRST_SPECIAL = 199998
NO_DROP = RenderConversationConfig(auto_drop_analysis=False)

Outcome = tuple[object, ...]
"""``("ok", messages)`` or ``("error", class, message, token_index, token)``."""


def _error(exc: HarmonyError) -> Outcome:
    if isinstance(exc, ParseError):
        return ("error", type(exc), str(exc), exc.token_index, exc.token)
    return ("error", type(exc), str(exc), None, None)


def batch(enc: HarmonyEncoding, tokens: Sequence[int], role: Role | None, strict: bool) -> Outcome:
    try:
        return ("ok", enc.parse_messages_from_completion_tokens(tokens, role, strict=strict))
    except HarmonyError as exc:
        return _error(exc)


def stream(enc: HarmonyEncoding, tokens: Sequence[int], role: Role | None, strict: bool) -> Outcome:
    """Token by token, checking the streaming invariants after every step."""
    parser = StreamableParser(enc, role, strict=strict)
    deltas: list[str] = []
    n_messages = 0
    try:
        for token in tokens:
            parser.process(token)
            assert parser.tokens[-1] == token
            if parser.state is StreamState.CONTENT:
                delta = parser.last_content_delta
                if delta is not None:
                    deltas.append(delta)
                # current_content is always the concatenation of the emitted deltas (SPEC §6.4).
                assert parser.current_content == "".join(deltas)
            else:
                deltas.clear()
                assert parser.current_content == ""
                assert parser.last_content_delta is None
            count = len(parser.messages)
            assert count in (n_messages, n_messages + 1)
            n_messages = count
        parser.process_eos()
    except HarmonyError as exc:
        return _error(exc)
    assert len(parser.tokens) == len(tokens)
    return ("ok", parser.messages)


# -- round trips ---------------------------------------------------------------------


@settings(max_examples=300)
@given(hst.round_trip_messages(list(Role)), st.booleans())
def test_render_then_parse_is_identity(enc: HarmonyEncoding, message: Message, strict: bool) -> None:
    assert enc.parse_messages_from_completion_tokens(enc.render(message), strict=strict) == [message]


@settings(max_examples=200)
@given(hst.completions(roles=list(Role)), st.booleans())
def test_completions_parse_to_their_messages(enc: HarmonyEncoding, completion: hst.Completion, strict: bool) -> None:
    expected = list(completion.messages)
    assert batch(enc, completion.tokens, completion.role, strict) == ("ok", expected)
    assert stream(enc, completion.tokens, completion.role, strict) == ("ok", expected)


@settings(max_examples=100)
@given(st.lists(hst.round_trip_messages(list(Role)), max_size=5))
def test_rendered_conversation_parses_back(enc: HarmonyEncoding, msgs: list[Message]) -> None:
    tokens = enc.render_conversation(Conversation.from_messages(msgs), NO_DROP)
    assert enc.parse_messages_from_completion_tokens(tokens) == msgs


# -- streaming == batch ------------------------------------------------------------------


@settings(max_examples=300)
@given(hst.malformed_completion_tokens(), st.sampled_from([None, *Role]), st.booleans())
def test_stream_equals_batch_on_malformed_input(
    enc: HarmonyEncoding, tokens: list[int], role: Role | None, strict: bool
) -> None:
    assert stream(enc, tokens, role, strict) == batch(enc, tokens, role, strict)


@settings(max_examples=200)
@given(st.lists(hst.token_ids(), max_size=30), st.sampled_from([None, Role.ASSISTANT]), st.booleans())
def test_stream_equals_batch_on_random_ids(
    enc: HarmonyEncoding, tokens: list[int], role: Role | None, strict: bool
) -> None:
    assert stream(enc, tokens, role, strict) == batch(enc, tokens, role, strict)


# -- encode / decode -------------------------------------------------------------------


@settings(max_examples=300)
@given(hst.texts())
def test_decode_inverts_encode(enc: HarmonyEncoding, text: str) -> None:
    ordinary = enc.encode_ordinary(text)
    assert enc.decode_utf8(ordinary) == text
    assert enc.decode(ordinary) == text
    assert enc.decode_bytes(ordinary) == text.encode()
    assert enc.encode(text, disallowed_special=()) == ordinary
    with_specials = enc.encode(text, allowed_special="all")
    assert enc.decode_utf8(with_specials) == text
    has_special = any(special in text for special in enc.special_tokens_set)
    assert any(enc.is_special_token(t) for t in with_specials) == has_special
    try:
        assert enc.encode(text) == ordinary
        assert not has_special
    except EncodeError:
        assert has_special


# -- rendering ----------------------------------------------------------------------


def _copy(message: Message) -> Message:
    """An equal message made of distinct objects (the renderer caches by identity and by value)."""
    return Message.from_dict(message.to_dict())


@settings(max_examples=200)
@given(hst.messages())
def test_render_is_deterministic(enc: HarmonyEncoding, message: Message) -> None:
    first = enc.render(message)
    assert enc.render(message) == first
    assert enc.render(_copy(message)) == first
    first.append(0)  # callers may mutate what they get back
    assert enc.render(message) == first[:-1]


@settings(max_examples=100)
@given(hst.conversations())
def test_conversation_render_is_deterministic(enc: HarmonyEncoding, convo: Conversation) -> None:
    first = enc.render_conversation(convo)
    assert enc.render_conversation(convo) == first
    assert enc.render_conversation(Conversation.from_dict(convo.to_dict())) == first


def _structural(message: Message) -> list[int]:
    """The special ids a render of ``message`` must contain, in order (SPEC §2.2)."""
    ids = [START]
    if message.channel is not None:
        ids.append(CHANNEL)
    if message.content_type is not None and message.content_type.startswith("<|constrain|>"):
        ids.append(CONSTRAIN)
    ids.append(MESSAGE)
    ids.append(CALL if message.author.role is Role.ASSISTANT and message.recipient is not None else END)
    return ids


def _header_text(message: Message) -> str:
    """The decoded text between ``<|start|>`` and ``<|message|>`` (SPEC §2.2)."""
    author = message.author
    text = (author.name or "") if author.role is Role.TOOL else author.role.value
    if author.role is not Role.TOOL and author.name is not None:
        text += ":" + author.name
    if message.recipient is not None and message.recipient != "all":
        text += " to=" + message.recipient
    if message.channel is not None:
        text += "<|channel|>" + message.channel
    if message.content_type is not None:
        text += " " + message.content_type
    return text


@settings(max_examples=300)
@given(hst.messages())
def test_special_token_text_never_renders_as_a_special_token(enc: HarmonyEncoding, message: Message) -> None:
    tokens = enc.render(message)
    specials = [t for t in tokens if t >= FIRST_SPECIAL]
    assert specials == _structural(message)
    assert tokens[0] == START
    assert tokens[-1] == specials[-1]
    body_start = tokens.index(MESSAGE)
    assert enc.decode_utf8(tokens[1:body_start]) == _header_text(message)
    if all(isinstance(item, TextContent) for item in message.content):
        body = "".join(item.text for item in message.content if isinstance(item, TextContent))
        assert enc.decode_utf8(tokens[body_start + 1 : -1]) == body


def _has_function_tools(convo: Conversation) -> bool:
    """SPEC §3.2, computed independently of the renderer."""
    for message in convo:
        for item in message.content:
            if isinstance(item, DeveloperContent) and item.tools is not None:
                ns = item.tools.get("functions")
                if ns is not None and ns.tools:
                    return True
    return False


def _drops_analysis(convo: Conversation) -> bool:
    """SPEC §5.2: the default config drops something only if the last assistant message is final."""
    assistant = [m for m in convo if m.author.role is Role.ASSISTANT]
    return bool(assistant) and assistant[-1].channel == "final"


@settings(max_examples=150)
@given(hst.conversations(), st.sampled_from(list(Role)))
def test_conversation_is_the_concatenation_of_its_messages(
    enc: HarmonyEncoding, convo: Conversation, next_role: Role
) -> None:
    options = RenderOptions(conversation_has_function_tools=_has_function_tools(convo))
    concatenated = [t for message in convo for t in enc.render(message, options)]
    assert enc.render_conversation(convo, NO_DROP) == concatenated
    if not _drops_analysis(convo):
        assert enc.render_conversation(convo) == concatenated
    completion = [*concatenated, START, *enc.encode_ordinary(next_role.value)]
    assert enc.render_conversation_for_completion(convo, next_role, NO_DROP) == completion
    training = list(concatenated)
    if len(convo) and convo.messages[-1].author.role is Role.ASSISTANT and convo.messages[-1].channel == "final":
        training[-1] = RETURN
    assert enc.render_conversation_for_training(convo, NO_DROP) == training


@settings(max_examples=100)
@given(hst.messages())
def test_render_equals_render_conversation_of_one_message(enc: HarmonyEncoding, message: Message) -> None:
    # SPEC §5.5 (upstream test_render_and_render_conversation_roundtrip).
    assert enc.render(message) == enc.render_conversation(Conversation.from_messages([message]))


def test_function_tools_flag_depends_on_the_whole_conversation(enc: HarmonyEncoding) -> None:
    """The concatenation property above with the flag set by a *later* developer message."""
    system = Message.from_role_and_content(Role.SYSTEM, SystemContent.new())
    developer = Message.from_role_and_content(
        Role.DEVELOPER,
        DeveloperContent.new().with_function_tools([ToolDescription.new("f", "does f")]),
    )
    convo = Conversation.from_messages([system, developer])
    flagged = enc.render(system, RenderOptions(conversation_has_function_tools=True))
    assert flagged != enc.render(system)
    assert enc.render_conversation(convo) == flagged + enc.render(developer)
