"""Streaming: the T/X traces of tests/golden/stream.json, stream == batch, round trips, snapshots.

Every input is parsed whole and token by token with identical results (h11's
test_io style).  Runs without openai_harmony.
"""

from __future__ import annotations

import contextlib
import copy
import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_support import snapshot, token_soups

from harmony_typed import (
    Author,
    HarmonyEncoding,
    HarmonyError,
    Message,
    ParseError,
    Role,
    StreamableParser,
    StreamState,
    TextContent,
)
from harmony_typed._header import WHITE_SPACE
from harmony_typed._messages_view import MessagesView

GOLDEN: Final = Path(__file__).parent / "golden"
TRACES: Final[list[dict[str, Any]]] = json.loads((GOLDEN / "stream.json").read_text())["traces"]
PARSE_CASES: Final[list[dict[str, Any]]] = json.loads((GOLDEN / "parse.json").read_text())["cases"]

START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL = 200006, 200007, 200008, 200005, 200003, 200002, 200012
STOPS: Final = (END, RETURN, CALL)


def _role(name: str | None) -> Role | None:
    return None if name is None else Role(name)


def _error(exc: Exception) -> dict[str, str]:
    kind = "HarmonyError" if isinstance(exc, HarmonyError) else type(exc).__name__
    return {"type": kind, "message": str(exc)}


# -- golden traces -------------------------------------------------------------------------


def test_traces_include_the_spec_ones() -> None:
    ids = [trace["id"] for trace in TRACES]
    assert ids[:7] == ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]


@pytest.mark.parametrize("trace", TRACES, ids=[trace["id"] for trace in TRACES])
def test_trace(enc: HarmonyEncoding, trace: dict[str, Any]) -> None:
    parser = StreamableParser(enc, _role(trace["role"]), strict=trace["strict"])
    assert snapshot(parser) == trace["init"]
    for number, step in enumerate(trace["steps"], 1):
        error: dict[str, str] | None = None
        try:
            if step["token"] is None:
                parser.process_eos()
            else:
                parser.process(step["token"])
        except (HarmonyError, OverflowError) as exc:
            error = _error(exc)
        assert error == step["error"], f"step {number} ({step['token']})"
        assert snapshot(parser) == step["after"], f"step {number} ({step['token']})"
    assert [m.to_dict() for m in parser.messages] == trace["messages"]


# -- stream == batch ------------------------------------------------------------------------


def batch_outcome(
    enc: HarmonyEncoding, tokens: Sequence[int], role: Role | None, strict: bool
) -> tuple[list[Message], dict[str, str] | None, int | None]:
    """(messages, error, error token_index) of the batch parser."""
    try:
        return enc.parse_messages_from_completion_tokens(tokens, role, strict=strict), None, None
    except ParseError as exc:
        return [], _error(exc), exc.token_index
    except OverflowError as exc:
        return [], _error(exc), None


def stream_outcome(
    enc: HarmonyEncoding, tokens: Sequence[int], role: Role | None, strict: bool
) -> tuple[list[Message], dict[str, str] | None, int | None]:
    """The same, token by token: the batch call fails where the stream first fails.

    (Out-of-range ids are the exception: the batch call converts every id before
    parsing, so such an id anywhere wins; the inputs here have them alone.)
    """
    parser = StreamableParser(enc, role, strict=strict)
    try:
        for token in tokens:
            parser.process(token)
        parser.process_eos()
    except ParseError as exc:
        return [], _error(exc), exc.token_index
    except OverflowError as exc:
        return [], _error(exc), None
    return list(parser.messages), None, None


@pytest.mark.parametrize("case", PARSE_CASES, ids=[case["id"] for case in PARSE_CASES])
def test_catalogue_stream_equals_batch(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    args = (enc, case["tokens"], _role(case["role"]), case["strict"])
    assert stream_outcome(*args) == batch_outcome(*args)


@pytest.mark.parametrize("trace", TRACES, ids=[trace["id"] for trace in TRACES])
def test_trace_tokens_stream_equals_batch(enc: HarmonyEncoding, trace: dict[str, Any]) -> None:
    tokens = [step["token"] for step in trace["steps"] if step["token"] is not None]
    args = (enc, tokens, _role(trace["role"]), trace["strict"])
    assert stream_outcome(*args) == batch_outcome(*args)


_ROLES_OR_NONE: Final = st.one_of(st.none(), st.sampled_from(list(Role)))


@given(data=st.data(), role=_ROLES_OR_NONE, strict=st.booleans())
def test_stream_equals_batch_on_token_soups(
    enc: HarmonyEncoding, data: st.DataObject, role: Role | None, strict: bool
) -> None:
    tokens = data.draw(token_soups(enc))
    assert stream_outcome(enc, tokens, role, strict) == batch_outcome(enc, tokens, role, strict)


@given(data=st.data(), role=_ROLES_OR_NONE, strict=st.booleans())
def test_current_content_is_the_joined_deltas(
    enc: HarmonyEncoding, data: st.DataObject, role: Role | None, strict: bool
) -> None:
    """SPEC §6.4: current_content is the concatenation of the deltas of the current message."""
    parser = StreamableParser(enc, role, strict=strict)
    deltas: list[str] = []
    for token in data.draw(token_soups(enc)):
        was_content = parser.state is StreamState.CONTENT
        with contextlib.suppress(ParseError):
            parser.process(token)
        if parser.state is not StreamState.CONTENT:
            deltas = []
            assert parser.current_content == "" and parser.last_content_delta is None
            continue
        if not was_content:
            deltas = []
            assert parser.last_content_delta is None  # right after <|message|>
        elif parser.last_content_delta is not None:
            deltas.append(parser.last_content_delta)
        assert parser.current_content == "".join(deltas)
        tokens = parser.state_data["content_tokens"]
        assert isinstance(tokens, list)
        assert enc.decode_utf8(tokens) == parser.current_content


# -- round trips ---------------------------------------------------------------------------

_ASCII_WHITESPACE: Final = " \t\n\x0c\r"
_ROLE_WORDS: Final = frozenset(role.value for role in Role)


def round_trips(message: Message) -> bool:
    """Whether ``parse(render(message)) == [message]`` (see docs/parsing.md, "Round trips").

    The rendered header is ``first [" to=" R] ["<|channel|>" C] [" " T]`` with
    ``first`` the role word or the tool name; it must come back word for word.
    """
    if len(message.content) != 1 or not isinstance(message.content[0], TextContent):
        return False  # parsing yields exactly one text item
    role, name = message.author.role, message.author.name
    recipient, channel, content_type = message.recipient, message.channel, message.content_type
    if role is Role.TOOL:
        if not name or (name in _ROLE_WORDS and name != "tool"):
            return False  # no name renders nothing; a role word is read as that role
        first = name
    elif name is not None:
        return False  # "assistant:bob" is not a role
    else:
        first = role.value
    if recipient == "all":
        return False  # not rendered, so it comes back as None
    words = [first] + ([] if recipient is None else ["to=" + recipient])
    if content_type is not None:
        if recipient is None or not content_type or content_type.startswith("to="):
            return False  # a lone last word is the recipient, "to=..." too; "" renders nothing
        words.append(content_type)
    if role is Role.TOOL and len(words) == 1 and not first.startswith("to="):
        return False  # a lone unknown word is "Unknown role"
    if channel is not None and (not channel or any(ch == "<" or ch in WHITE_SPACE for ch in channel)):
        return False  # the channel value ends at whitespace or "<"
    for i, word in enumerate(words):
        if any(ch in _ASCII_WHITESPACE for ch in word):
            return False  # words are split on ASCII whitespace
        is_type = content_type is not None and i == len(words) - 1
        constrain = word[len("<|constrain|>") :] if is_type and word.startswith("<|constrain|>") else word
        if "<|constrain|>" in constrain:
            return False  # every <|constrain|> starts a new word
        if "<|channel|>" in word and not (is_type and channel is not None):
            return False  # the first <|channel|> text is taken as the marker
    # The header is trimmed.
    return not (words[0][0] in WHITE_SPACE or words[-1][-1] in WHITE_SPACE)


def _parse_rendered(enc: HarmonyEncoding, message: Message, hint: bool) -> list[Message] | None:
    tokens = enc.render(message)
    role: Role | None = None
    if hint:
        prefix = [START, *enc.encode_ordinary(message.author.role.value)]
        assert tokens[: len(prefix)] == prefix
        tokens, role = tokens[len(prefix) :], message.author.role
    try:
        return enc.parse_messages_from_completion_tokens(tokens, role)
    except ParseError:
        return None


_BENIGN_WORDS: Final = st.one_of(
    st.sampled_from(["functions.get_weather", "browser.search", "python", "assistant", "json", "x", "é", ""]),
    st.text(
        st.characters(codec="utf-8", exclude_characters=" \t\n\x0c\r<\x0b\x85\xa0\u3000"),
        max_size=12,
    ),
)
_CONTENT_TYPES: Final = st.one_of(
    st.sampled_from(["<|constrain|>json", "json", "code", "<|constrain|>"]), _BENIGN_WORDS.filter(bool)
)
_TEXTS: Final = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", "<|end|>", "a<|start|>b<|message|>", " \xf0 ", "💖👨\u200d👩", "\n\n"]
)


@st.composite
def round_trip_messages(draw: st.DrawFn, roles: Sequence[Role]) -> Message:
    """Messages in the round-trippable set (filtered by :func:`round_trips`)."""
    role = draw(st.sampled_from(roles))
    name = draw(_BENIGN_WORDS.filter(lambda w: w == "tool" or w not in _ROLE_WORDS)) if role is Role.TOOL else None
    recipient = draw(st.one_of(st.none(), _BENIGN_WORDS.filter(lambda w: w != "all")))
    if role is Role.TOOL and recipient is None:
        recipient = "assistant"
    content_type = draw(st.one_of(st.none(), _CONTENT_TYPES)) if recipient is not None else None
    message = Message(
        author=Author(role=role, name=name),
        content=(TextContent(text=draw(_TEXTS)),),
        channel=draw(st.one_of(st.none(), st.sampled_from(["analysis", "commentary", "final"]), _BENIGN_WORDS)),
        recipient=recipient,
        content_type=content_type,
    )
    return draw(st.just(message).filter(round_trips))


@given(message=round_trip_messages([Role.ASSISTANT]), hint=st.booleans())
def test_assistant_messages_round_trip(enc: HarmonyEncoding, message: Message, hint: bool) -> None:
    assert _parse_rendered(enc, message, hint) == [message]


@given(message=round_trip_messages(list(Role)))
def test_messages_of_every_role_round_trip(enc: HarmonyEncoding, message: Message) -> None:
    assert _parse_rendered(enc, message, hint=False) == [message]


_HOSTILE_PIECES: Final = (
    "a", "é", "to=", "tool", "assistant", "all", "<", "|", "<|constrain|>", "<|channel|>", "<|end|>",
    " ", "\t", "\n", "\x0b", "\x0c", "\x1c", "\xa0", "\u3000", ":", "json",
)  # fmt: skip
_HOSTILE: Final = st.lists(st.sampled_from(_HOSTILE_PIECES), max_size=4).map("".join)


@given(
    role=st.sampled_from(list(Role)),
    name=st.one_of(st.none(), _HOSTILE),
    recipient=st.one_of(st.none(), _HOSTILE),
    channel=st.one_of(st.none(), _HOSTILE),
    content_type=st.one_of(st.none(), _HOSTILE),
    texts=st.lists(st.sampled_from(["", "x", "<|end|>"]), max_size=2),
    hint=st.booleans(),
)
def test_round_trip_predicate_is_exact(
    enc: HarmonyEncoding,
    role: Role,
    name: str | None,
    recipient: str | None,
    channel: str | None,
    content_type: str | None,
    texts: list[str],
    hint: bool,
) -> None:
    """round_trips() (documented in docs/parsing.md) is exactly the set that round-trips."""
    if role is Role.TOOL and name is None:
        return  # the renderer rejects it
    message = Message(
        author=Author(role=role, name=name),
        content=tuple(TextContent(text=t) for t in texts),
        channel=channel,
        recipient=recipient,
        content_type=content_type,
    )
    use_hint = hint and role is not Role.TOOL  # a tool header starts with its name, not the role
    assert (_parse_rendered(enc, message, use_hint) == [message]) == round_trips(message)


@pytest.mark.parametrize(
    "message",
    [
        Message.from_author_and_content(Author(role=Role.ASSISTANT, name="bob"), "x"),
        Message.from_role_and_content(Role.ASSISTANT, "x").with_channel(""),
        Message.from_role_and_content(Role.ASSISTANT, "x").with_channel("a b"),
        Message.from_role_and_content(Role.ASSISTANT, "x").with_recipient("all"),
        Message.from_role_and_content(Role.ASSISTANT, "x").with_recipient("f").with_content_type("a b"),
        Message.from_role_and_content(Role.ASSISTANT, "x").with_content_type("json"),
        Message.from_role_and_content(Role.ASSISTANT, "x").with_recipient("f").with_content_type(""),
        Message.from_role_and_content(Role.ASSISTANT, "x").with_recipient("f\u3000"),
        Message.from_role_and_contents(Role.ASSISTANT, [TextContent(text="a"), TextContent(text="b")]),
        Message.from_role_and_contents(Role.ASSISTANT, []),
        Message.from_author_and_content(Author(role=Role.TOOL, name="functions.f"), "x"),
    ],
)
def test_documented_non_round_trips(enc: HarmonyEncoding, message: Message) -> None:
    assert not round_trips(message)
    assert _parse_rendered(enc, message, hint=False) != [message]


# -- the messages snapshot -------------------------------------------------------------------


def _two_messages(enc: HarmonyEncoding) -> tuple[StreamableParser, Message, Message]:
    parser = StreamableParser(enc, None)
    for token in enc.encode("<|start|>user<|message|>a<|end|><|start|>user<|message|>b<|end|>", allowed_special="all"):
        parser.process(token)
    return parser, Message.from_role_and_content(Role.USER, "a"), Message.from_role_and_content(Role.USER, "b")


def test_messages_is_a_read_only_sequence(enc: HarmonyEncoding) -> None:
    parser, a, b = _two_messages(enc)
    view = parser.messages
    assert isinstance(view, Sequence) and isinstance(view, MessagesView)
    assert len(view) == 2 and view and not StreamableParser(enc, None).messages
    assert view[0] == a and view[1] == b and view[-1] == b and view[-2] == a
    with pytest.raises(IndexError):
        view[2]
    with pytest.raises(IndexError):
        view[-3]
    assert view[:1] == [a] and view[::-1] == [b, a] and isinstance(view[1:], list)
    assert list(view) == [a, b] and list(reversed(view)) == [b, a]
    assert a in view and view.index(b) == 1 and view.count(a) == 1
    assert not hasattr(view, "append")


def test_messages_equality_and_repr(enc: HarmonyEncoding) -> None:
    parser, a, b = _two_messages(enc)
    view = parser.messages
    assert view == [a, b] and [a, b] == view and view == (a, b) and view == parser.messages
    assert view != [a] and view != [b, a] and view != "ab" and view != 2 and view != {0: a, 1: b}
    assert (view != [a, b]) is False
    assert repr(view) == repr([a, b])
    with pytest.raises(TypeError):
        hash(view)


def test_messages_snapshot_never_changes(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None)
    views = []
    for token in enc.encode(
        "<|start|>user<|message|>a<|end|><|start|>user<|message|>b<|end|><|start|>user<|message|>c",
        allowed_special="all",
    ):
        parser.process(token)
        views.append(parser.messages)
        assert parser.messages is views[-1]  # O(1): the same snapshot until a message completes
    parser.process_eos()
    texts = [[m.content[0].text for m in view if isinstance(m.content[0], TextContent)] for view in views]
    assert texts[0] == [] and texts[5] == ["a"] and texts[-1] == ["a", "b"]
    assert [m.content for m in parser.messages] == [(TextContent(text=t),) for t in "abc"]
    parser.reset()
    assert texts[-1] == ["a", "b"] and len(views[-1]) == 2 and len(parser.messages) == 0


def test_messages_snapshot_copies_and_pickles(enc: HarmonyEncoding) -> None:
    parser, a, b = _two_messages(enc)
    view = parser.messages
    for clone in (copy.copy(view), copy.deepcopy(view), pickle.loads(pickle.dumps(view))):
        assert clone == view == [a, b]


def test_messages_are_frozen_and_shared(enc: HarmonyEncoding) -> None:
    parser, _, _ = _two_messages(enc)
    assert parser.messages[0] is parser.messages[0]
    with pytest.raises(AttributeError):
        parser.messages[0].channel = "x"  # type: ignore[misc]


def test_tokens_is_a_copy(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None).process(START)
    tokens = parser.tokens
    tokens.append(1)
    assert parser.tokens == [START]


def test_state_data_content_tokens_are_reencoded(enc: HarmonyEncoding) -> None:
    """SPEC §6.4: [9552, 9559, 31446, 244] is stored as [220, 3251, 9559, 31446, 244]."""
    parser = StreamableParser(enc, None)
    for token in [START, 173781, MESSAGE, 9552, 9559, 31446, 244]:
        parser.process(token)
    assert parser.state_data["content_tokens"] == [220, 3251, 9559, 31446, 244]
    assert parser.current_content == " \ufffd interesting💖"
    parser.process(12194)
    assert parser.state_data["content_tokens"] == [220, 3251, 9559, 31446, 244, 12194]  # cached, then extended


def test_unknown_id_freezes_message_then_pending_bytes_flush(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None)
    for token in [START, 173781, MESSAGE, 9552, 300000, 64]:
        parser.process(token)
    assert (parser.current_content, parser.last_content_delta) == (" ", None)
    parser.process(END)
    assert parser.messages[0].content == (TextContent(text=" \ufffd\ufffd"),)
