"""recover=True: every rule of docs/parsing.md's *Recovery*, the properties, and pickling/copying parsers.

The rules' exact outputs are also doctests in docs/parsing.md; here each is
checked through both the stream and the batch entry points, and hypothesis
checks the promises over generated and mutated completions.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Sequence
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmony_typed import (
    HarmonyEncoding,
    Message,
    ParseError,
    Recovery,
    RecoveryKind,
    Role,
    StreamableParser,
    StreamState,
    TextContent,
)
from harmony_typed.strategies import completions, malformed_completion_tokens

START, END, MESSAGE, RETURN, CALL = 200006, 200007, 200008, 200002, 200012
N_VOCAB: Final = 201089
K = RecoveryKind


def _body(message: Message) -> str:
    (content,) = message.content
    assert isinstance(content, TextContent)
    return content.text


def _stream(enc: HarmonyEncoding, tokens: Sequence[int], role: Role | None) -> StreamableParser:
    parser = StreamableParser(enc, role, recover=True)
    for token in tokens:
        parser.process(token)
    return parser.process_eos()


def _recover(
    enc: HarmonyEncoding, text: str, role: Role | None = Role.ASSISTANT
) -> tuple[list[dict[str, object]], list[RecoveryKind]]:
    tokens = enc.encode(text, allowed_special="all")
    messages, recoveries = enc.parse_messages_with_recoveries(tokens, role)
    parser = _stream(enc, tokens, role)
    assert list(parser.messages) == messages
    assert parser.recoveries == recoveries
    assert enc.parse_messages_from_completion_tokens(tokens, role, recover=True) == messages
    return [m.to_dict() for m in messages], [r.kind for r in recoveries]


def _text(role: str, text: str, **fields: str) -> dict[str, object]:
    return {"role": role, "name": None, "content": [{"type": "text", "text": text}], **fields}


RULES: Final = [
    # a header without <|start|> after a stop token: the previous message's role
    (
        "<|channel|>analysis<|message|>Let me think.<|end|><|channel|>final<|message|>Hi<|return|>",
        Role.ASSISTANT,
        [_text("assistant", "Let me think.", channel="analysis"), _text("assistant", "Hi", channel="final")],
        [K.MISSING_START],
    ),
    (
        "<|start|>user<|message|>Hi<|end|><|message|>again<|end|>",
        None,
        [_text("user", "Hi"), _text("user", "again")],
        [K.MISSING_START],
    ),
    # <|channel|>final <|constrain|>json: content type, no recipient (upstream PR #144)
    (
        '<|channel|>final <|constrain|>json<|message|>{"a": 1}<|return|>',
        Role.ASSISTANT,
        [_text("assistant", '{"a": 1}', channel="final", content_type="<|constrain|>json")],
        [K.CONSTRAIN_AS_CONTENT_TYPE],
    ),
    # the same to=X twice; extra channel markers
    (
        "<|channel|>commentary to=functions.f to=functions.f<|message|>{}<|call|>",
        Role.ASSISTANT,
        [_text("assistant", "{}", channel="commentary", recipient="functions.f")],
        [K.DUPLICATE_RECIPIENT],
    ),
    (
        "<|channel|>analysis<|channel|>final<|message|>x<|end|>",
        Role.ASSISTANT,
        [_text("assistant", "x", channel="analysis")],
        [K.EXTRA_CHANNEL],
    ),
    (
        "<|channel|><|channel|>final<|message|>x<|end|>",
        Role.ASSISTANT,
        [_text("assistant", "x", channel="final")],
        [K.EMPTY_CHANNEL],
    ),
    # text with no header at all under a role hint
    (
        "I cannot help with that.<|return|>",
        Role.ASSISTANT,
        [_text("assistant", "I cannot help with that.")],
        [K.HEADER_AS_CONTENT],
    ),
    # stop or end of stream inside a header, for every message
    (
        "<|channel|>final<|message|>Done.<|end|><|start|>assistant<|channel|>final Sorry<|end|>",
        Role.ASSISTANT,
        [_text("assistant", "Done.", channel="final"), _text("assistant", "Sorry", channel="final")],
        [K.HEADER_AS_CONTENT],
    ),
    (
        "<|start|>user<|message|>Q<|end|><|start|>assistant<|channel|>analysis still thinking",
        None,
        [_text("user", "Q"), _text("assistant", "still thinking", channel="analysis")],
        [K.HEADER_AS_CONTENT],
    ),
    ("<|start|>assistant", None, [], [K.HEADER_AS_CONTENT]),  # nothing to keep: dropped, and said so
    # end of stream inside content: finished, no recovery
    (
        "<|channel|>final<|message|>Cut off mid",
        Role.ASSISTANT,
        [_text("assistant", "Cut off mid", channel="final")],
        [],
    ),
    # what else strict parsing rejects
    (
        "<|channel|>final<|message|>Hi<|end|><|end|>",
        Role.ASSISTANT,
        [_text("assistant", "Hi", channel="final")],
        [K.STRAY_STOP],
    ),
    (
        "<|channel|>analysis<|message|>Hmm<|start|>assistant<|channel|>final<|message|>Hi<|return|>",
        Role.ASSISTANT,
        [_text("assistant", "Hmm", channel="analysis"), _text("assistant", "Hi", channel="final")],
        [K.MISSING_STOP],
    ),
    (
        "<|start|>functions.lookup<|message|>42<|end|>",
        None,
        [{"role": "tool", "name": "functions.lookup", "content": [{"type": "text", "text": "42"}]}],
        [K.UNKNOWN_ROLE],
    ),
    ("<|start|><|message|>42<|end|>", None, [_text("assistant", "42")], [K.MISSING_ROLE]),
    (
        "<|start|>assistant to=a json extra<|message|>x<|end|>",
        None,
        [_text("assistant", "x", recipient="json", content_type="extra")],
        [K.EXTRA_HEADER_WORDS],
    ),
]


@pytest.mark.parametrize(("text", "role", "messages", "kinds"), RULES)
def test_rule(
    enc: HarmonyEncoding, text: str, role: Role | None, messages: list[dict[str, object]], kinds: list[RecoveryKind]
) -> None:
    assert _recover(enc, text, role) == (messages, kinds)


@pytest.mark.parametrize(("text", "role", "messages", "kinds"), [rule for rule in RULES if rule[3]])
def test_rules_are_errors_or_different_when_strict(
    enc: HarmonyEncoding, text: str, role: Role | None, messages: list[dict[str, object]], kinds: list[RecoveryKind]
) -> None:
    # Each rule repairs something strict parsing rejects or reads otherwise.
    tokens = enc.encode(text, allowed_special="all")
    try:
        strict = [m.to_dict() for m in enc.parse_messages_from_completion_tokens(tokens, role)]
    except ParseError:
        return
    assert strict != messages


def test_unknown_ids_in_content_become_replacement_characters(enc: HarmonyEncoding) -> None:
    hi, there = enc.encode("Hi"), enc.encode(" there")
    tokens = [START, *enc.encode("assistant"), MESSAGE, *hi, 2**32 - 1, *there, END]
    strict = enc.parse_messages_from_completion_tokens(tokens)
    assert _body(strict[0]) == "Hi\ufffd"  # openai_harmony drops the rest
    messages, recoveries = enc.parse_messages_with_recoveries(tokens)
    assert _body(messages[0]) == "Hi\ufffd there"
    assert recoveries == (Recovery(len(hi) + 3, K.UNKNOWN_TOKEN, f"id {2**32 - 1} decoded as U+FFFD"),)


def test_undecodable_header(enc: HarmonyEncoding) -> None:
    half_emoji = enc.encode("💖")[0]  # an incomplete UTF-8 sequence by itself
    tokens = [START, *enc.encode("assistant to=x"), half_emoji, MESSAGE, *enc.encode("y"), END]
    with pytest.raises(ParseError, match="could not decode header"):
        enc.parse_messages_from_completion_tokens(tokens)
    messages, recoveries = enc.parse_messages_with_recoveries(tokens)
    assert [r.kind for r in recoveries] == [K.UNDECODABLE_HEADER]
    assert messages[0].recipient == "x\ufffd"
    assert _body(messages[0]) == "y"


def test_recovery_positions_and_reset(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, Role.ASSISTANT, recover=True)
    tokens = enc.encode("No.<|end|><|end|>", allowed_special="all")
    for token in tokens:
        parser.process(token)
    assert [(r.token_index, r.kind) for r in parser.recoveries] == [
        (len(tokens) - 2, K.HEADER_AS_CONTENT),
        (len(tokens) - 1, K.STRAY_STOP),
    ]
    parser.reset(Role.ASSISTANT)
    assert parser.recoveries == ()
    assert StreamableParser(enc, None).recoveries == ()


def test_recover_flag_is_checked(enc: HarmonyEncoding) -> None:
    # The message is mypyc's own ("bool object expected") in the compiled build.
    with pytest.raises(TypeError, match="bool"):
        StreamableParser(enc, None, recover=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bool"):
        enc.parse_messages_from_completion_tokens([], recover="yes")  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------------------


@given(completion=completions(roles=list(Role)), strict=st.booleans())
def test_well_formed_output_gives_the_strict_result(enc: HarmonyEncoding, completion: object, strict: bool) -> None:
    tokens, role = completion.tokens, completion.role  # type: ignore[attr-defined]
    messages, recoveries = enc.parse_messages_with_recoveries(tokens, role)
    assert messages == enc.parse_messages_from_completion_tokens(tokens, role, strict=strict)
    assert recoveries == ()


def _lossy(ids: list[int], enc: HarmonyEncoding) -> str:
    # The content a message must hold: its ids' bytes, lossily decoded, an unknown id as U+FFFD.
    text, chunk = "", b""
    for token in ids:
        if token >= N_VOCAB:
            text += chunk.decode("utf-8", "replace") + "\ufffd"
            chunk = b""
        else:
            chunk += enc.decode_bytes([token])
    return text + chunk.decode("utf-8", "replace")


@settings(max_examples=300)
@given(tokens=malformed_completion_tokens(), role=st.sampled_from([None, *Role]))
def test_token_soup_never_raises_and_keeps_every_content_token(
    enc: HarmonyEncoding, tokens: list[int], role: Role | None
) -> None:
    messages, recoveries = enc.parse_messages_with_recoveries(tokens, role)
    parser = StreamableParser(enc, role, recover=True)
    content: list[int] = []
    for token in [*tokens, -1]:
        before, count = parser.state, len(parser.messages)
        parser.process_eos() if token == -1 else parser.process(token)
        if before is StreamState.CONTENT:
            if len(parser.messages) > count:  # the message ended: it holds every content id fed
                assert _body(parser.messages[count]) == _lossy(content, enc)
                content = []
            else:
                content.append(token)
    assert list(parser.messages) == messages
    assert parser.recoveries == recoveries
    assert parser.state is StreamState.EXPECT_START


# -- pickling and copying ----------------------------------------------------------------------


def _feed(parser: StreamableParser, tokens: Sequence[int]) -> list[object]:
    trace: list[object] = []
    for token in tokens:
        try:
            parser.process(token)
        except ParseError as exc:
            trace.append(str(exc))
        trace.append((parser.state, parser.current_content, parser.last_content_delta, parser.current_channel))
    return trace


@pytest.mark.parametrize("recover", [False, True])
def test_parser_pickles_small_and_resumes(enc: HarmonyEncoding, recover: bool) -> None:
    text = "<|channel|>analysis<|message|>Think 💖<|end|><|end|><|start|>assistant<|channel|>final<|message|>Hello"
    tokens = enc.encode(text, allowed_special="all")
    cut = len(tokens) - 2
    parser = StreamableParser(enc, Role.ASSISTANT, recover=recover)
    _feed(parser, tokens[:cut])
    blob = pickle.dumps(parser)
    assert len(blob) < 2_000  # the encoding by name and the ids, not the vocabulary
    clone = pickle.loads(blob)
    for other in (clone, copy.copy(parser), copy.deepcopy(parser)):
        assert other.tokens == parser.tokens
        assert other.state_data == parser.state_data
        assert list(other.messages) == list(parser.messages)
        assert other.recoveries == parser.recoveries
    copied = copy.copy(parser)
    assert _feed(copied, tokens[cut:]) == _feed(parser, tokens[cut:])
    copied.process_eos()
    assert len(copied.messages) == len(parser.messages) + 1  # independent of the original
    assert list(pickle.loads(pickle.dumps(copied)).messages) == list(copied.messages)


def test_pickled_parser_replays_errors_and_eos(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None)
    tokens = enc.encode("oops<|start|>user<|message|>Hi", allowed_special="all")
    trace = _feed(parser, tokens)
    assert any(isinstance(item, str) for item in trace)  # "Unexpected token ..." errors
    parser.process_eos()
    parser.process(START)
    clone = pickle.loads(pickle.dumps(parser))
    assert clone.tokens == parser.tokens
    assert list(clone.messages) == list(parser.messages) == [Message.from_role_and_content(Role.USER, "Hi")]
    assert clone.state is StreamState.HEADER
