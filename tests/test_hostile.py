"""Hostile input (issue 8): whatever comes in, the only exceptions are the documented ones.

* Parsers (batch and streaming, strict and lenient, with and without role hint)
  raise nothing but :class:`HarmonyError` subclasses for any ids in
  ``[0, 2**32)``; ``OverflowError`` for ids outside it and ``TypeError`` for
  non-ints, and a streaming parser stays usable after any of them.
* Every public entry point of the models and of the encoding answers garbage
  with ``TypeError`` / ``ValueError`` (``KeyError`` only for a required key
  missing from a ``from_dict`` input, as openai_harmony), ``OverflowError``
  for out-of-range ids, or a ``HarmonyError`` for bad data -- never
  ``IndexError``, ``AttributeError`` or a ``KeyError`` from inside.
* Vocabulary tampering seen through ``load_harmony_encoding`` is a
  ``VocabularyError`` naming the file and the expected sha256
  (``tests/test_vocab.py`` covers the loader itself).

Regression tests for crashes found by ``benchmarks/fuzz.py`` go at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

import harmony_typed
from harmony_typed import (
    Author,
    ChannelConfig,
    Conversation,
    DeveloperContent,
    HarmonyEncoding,
    HarmonyEncodingName,
    HarmonyError,
    Message,
    ParseError,
    ReasoningEffort,
    RenderConversationConfig,
    RenderError,
    RenderOptions,
    Role,
    StreamableParser,
    StreamState,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
    VocabularyError,
    _encoding,
    _vocab,
    load_harmony_encoding,
)
from harmony_typed import strategies as hst

# Untyped access for calls that pass wrong types on purpose.
U: Any = harmony_typed

START, END, MESSAGE, CHANNEL = 200006, 200007, 200008, 200005
EXPECTED_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
ROLE_HINTS: list[Role | None] = [None, *Role]
FORBIDDEN = (IndexError, KeyError, AttributeError, AssertionError, RecursionError, UnboundLocalError)

# -- parsers -------------------------------------------------------------------------


def _check_parse_error(exc: HarmonyError, fed: Sequence[int]) -> None:
    """A ParseError points at the token it blames (or at end of stream)."""
    if isinstance(exc, ParseError):
        if exc.token_index is None:
            assert exc.token is None
        else:
            assert 0 <= exc.token_index < len(fed)
            assert fed[exc.token_index] == exc.token


def _batch_survives(enc: HarmonyEncoding, tokens: Sequence[int], role: Role | None, strict: bool) -> None:
    try:
        parsed = enc.parse_messages_from_completion_tokens(tokens, role, strict=strict)
    except HarmonyError as exc:
        _check_parse_error(exc, tokens)
        return
    assert all(isinstance(m, Message) and len(m.content) == 1 for m in parsed)


def _read_everything(parser: StreamableParser) -> None:
    """Every observable member must be readable in every state."""
    state = parser.state
    assert isinstance(state, StreamState)
    data = parser.state_data
    assert isinstance(data, dict) and data["state"] == state.value
    assert parser.current_role is None or isinstance(parser.current_role, Role)
    for value in (parser.current_channel, parser.current_recipient, parser.current_content_type):
        assert value is None or isinstance(value, str)
    assert isinstance(parser.current_content, str)
    delta = parser.last_content_delta
    assert delta is None or isinstance(delta, str)
    assert all(isinstance(m, Message) for m in parser.messages)
    assert isinstance(parser.tokens, list)


def _stream_survives(enc: HarmonyEncoding, tokens: Sequence[int], role: Role | None, strict: bool) -> None:
    """Feed everything, errors or not (the parser stays usable), reading all members."""
    parser = StreamableParser(enc, role, strict=strict)
    for token in tokens:
        try:
            assert parser.process(token) is parser
        except HarmonyError as exc:
            _check_parse_error(exc, parser.tokens)
        _read_everything(parser)
    for _ in range(2):  # repeated EOS is harmless
        try:
            assert parser.process_eos() is parser
        except HarmonyError as exc:
            _check_parse_error(exc, parser.tokens)
        _read_everything(parser)
    assert parser.tokens == list(tokens)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(hst.malformed_completion_tokens(), st.sampled_from(ROLE_HINTS), st.booleans())
def test_parsers_survive_malformed_completions(
    enc: HarmonyEncoding, tokens: list[int], role: Role | None, strict: bool
) -> None:
    _batch_survives(enc, tokens, role, strict)
    _stream_survives(enc, tokens, role, strict)


@settings(max_examples=300)
@given(st.lists(hst.token_ids(), max_size=40), st.sampled_from(ROLE_HINTS), st.booleans())
def test_parsers_survive_random_ids(enc: HarmonyEncoding, tokens: list[int], role: Role | None, strict: bool) -> None:
    _batch_survives(enc, tokens, role, strict)
    _stream_survives(enc, tokens, role, strict)


def _header_garbage(enc: HarmonyEncoding) -> SearchStrategy[list[int]]:
    """``<|start|>`` + any text (specials allowed) + ``<|message|>`` + any text + stop: headers of every shape."""

    def build(header: str, body: str, stop: int) -> list[int]:
        return [
            START,
            *enc.encode(header, allowed_special="all"),
            MESSAGE,
            *enc.encode(body, allowed_special="all"),
            stop,
        ]

    return st.builds(build, hst.texts(max_size=8), hst.texts(max_size=4), st.sampled_from([END, 200002, 200012]))


@settings(max_examples=300)
@given(st.data(), st.sampled_from(ROLE_HINTS), st.booleans())
def test_parsers_survive_any_header_text(
    enc: HarmonyEncoding, data: st.DataObject, role: Role | None, strict: bool
) -> None:
    tokens = data.draw(_header_garbage(enc))
    if role is not None:
        tokens = tokens[1:]
    _batch_survives(enc, tokens, role, strict)
    _stream_survives(enc, tokens, role, strict)


@given(hst.overflow_token_ids(), st.sampled_from(ROLE_HINTS), st.booleans())
def test_out_of_range_ids_are_overflow_errors(
    enc: HarmonyEncoding, token: int, role: Role | None, strict: bool
) -> None:
    parser = StreamableParser(enc, role, strict=strict)
    if role is None:
        parser.process(START)
    before = parser.tokens
    with pytest.raises(OverflowError):
        parser.process(token)
    assert parser.tokens == before  # rejected before it was recorded
    _read_everything(parser)
    parser.process(173781).process(MESSAGE)  # still usable
    assert parser.state is StreamState.CONTENT
    with pytest.raises(OverflowError):
        enc.is_special_token(token)
    with pytest.raises(OverflowError):
        enc.decode_bytes([token])


@given(
    st.lists(hst.token_ids(), max_size=10), hst.overflow_token_ids(), st.integers(0, 10), st.sampled_from(ROLE_HINTS)
)
def test_batch_rejects_out_of_range_ids_before_parsing(
    enc: HarmonyEncoding, tokens: list[int], bad: int, where: int, role: Role | None
) -> None:
    # openai_harmony converts the whole list to u32 first: OverflowError wins over any parse error.
    tokens.insert(min(where, len(tokens)), bad)
    with pytest.raises(OverflowError):
        enc.parse_messages_from_completion_tokens(tokens, role)


class _Opaque:
    """An object with a stable repr (test ids must be identical across xdist workers)."""

    def __repr__(self) -> str:
        return "<opaque>"


NOT_INTS: list[object] = ["1", 1.0, None, b"\x01", [1], _Opaque(), 1j]


@pytest.mark.parametrize("junk", NOT_INTS, ids=repr)
def test_non_int_tokens_are_type_errors(enc: HarmonyEncoding, junk: object) -> None:
    parser: Any = StreamableParser(enc, None)
    e: Any = enc
    with pytest.raises(TypeError):
        parser.process(junk)
    assert parser.tokens == []
    with pytest.raises(TypeError):
        e.parse_messages_from_completion_tokens([START, junk])
    with pytest.raises(TypeError):
        e.decode_bytes([junk])


@pytest.mark.parametrize(
    "tokens", [None, 5, "abc", [START, "x"], [START, None], {START: 1}, frozenset({START})], ids=repr
)
def test_token_sequence_of_the_wrong_type(enc: HarmonyEncoding, tokens: object) -> None:
    with pytest.raises(TypeError):
        enc.parse_messages_from_completion_tokens(tokens)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((None, None), {}),
        (("enc", None), {}),
        ((0, Role.ASSISTANT), {}),
    ],
    ids=["no encoding", "str encoding", "int encoding"],
)
def test_parser_constructor_rejects_a_non_encoding(args: tuple[object, ...], kwargs: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        U.StreamableParser(*args, **kwargs)


@pytest.mark.parametrize("role", ["assistant", 1, Author(role=Role.USER)], ids=repr)
def test_parser_rejects_a_role_that_is_not_a_role(enc: HarmonyEncoding, role: object) -> None:
    with pytest.raises(TypeError):
        U.StreamableParser(enc, role)
    with pytest.raises(TypeError):
        U.load_harmony_encoding("HarmonyGptOss").parse_messages_from_completion_tokens([START], role)


def test_long_garbage_does_not_blow_up(enc: HarmonyEncoding) -> None:
    """A long header, many stray specials in content, many unknown ids: a clean result.

    (Size kept small enough that a quadratic parser is slow, not hung; benchmarks/fuzz.py measures the scaling.)
    """
    header = [START] + [173781] * 50_000
    with pytest.raises(ParseError, match="Unexpected EOS while waiting for message header to complete"):
        enc.parse_messages_from_completion_tokens(header)
    content = [START, 173781, MESSAGE] + [CHANNEL, START, MESSAGE, 201088] * 10_000 + [END]
    (message,) = enc.parse_messages_from_completion_tokens(content)
    assert isinstance(message.content[0], TextContent)
    assert message.content[0].text == "<|channel|><|start|><|message|><|reserved_201088|>" * 10_000
    unknown = [START, 173781, MESSAGE, 65] + [2**32 - 1] * 20_000 + [END]
    (message,) = enc.parse_messages_from_completion_tokens(unknown)
    assert message.content[0] == TextContent(text="b\ufffd")


# -- rendering ----------------------------------------------------------------------


def _maybe_unrenderable_messages() -> SearchStrategy[Message]:
    """Well-typed messages that may break the rules: system content anywhere, tools without names."""
    item = st.one_of(hst.text_contents(), hst.system_contents(), hst.developer_contents())
    return st.builds(
        Message,
        author=st.builds(Author, role=hst.roles(), name=st.one_of(st.none(), hst.texts(max_size=3))),
        content=st.lists(item, max_size=3),
        channel=st.one_of(st.none(), hst.texts(max_size=3)),
        recipient=st.one_of(st.none(), hst.texts(max_size=3)),
        content_type=st.one_of(st.none(), hst.texts(max_size=3)),
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_maybe_unrenderable_messages(), max_size=4), hst.roles(), st.booleans())
def test_renderers_raise_only_render_errors(enc: HarmonyEncoding, msgs: list[Message], role: Role, drop: bool) -> None:
    convo = Conversation.from_messages(msgs)
    config = RenderConversationConfig(auto_drop_analysis=drop)
    calls: list[Callable[[], list[int]]] = [
        lambda: enc.render_conversation(convo, config),
        lambda: enc.render_conversation_for_completion(convo, role, config),
        lambda: enc.render_conversation_for_training(convo, config),
        *[lambda m=m: enc.render(m) for m in msgs],
    ]
    for call in calls:
        try:
            tokens = call()
        except RenderError:
            continue
        assert all(isinstance(t, int) for t in tokens)


def test_deeply_nested_parameters_render(enc: HarmonyEncoding) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(150):
        schema = {"type": "object", "properties": {"x": schema}}
    dev = DeveloperContent.new().with_function_tools([ToolDescription.new("f", "d", schema)])
    tokens = enc.render(Message.from_role_and_content(Role.DEVELOPER, dev))
    assert tokens[-1] == END


# -- garbage to the public API ----------------------------------------------------------

_KEYS = (
    "role", "name", "content", "type", "text", "channel", "recipient", "content_type", "messages",
    "model_identity", "reasoning_effort", "conversation_start_date", "knowledge_cutoff", "channel_config",
    "valid_channels", "channel_required", "tools", "description", "parameters", "instructions",
)  # fmt: skip
_ATOMS: tuple[object, ...] = (
    Role.USER, ReasoningEffort.LOW, "user", "system_content", "developer_content", "text", "Low",
    float("nan"), float("inf"), -1, 2**64, b"\xff", object(), TextContent(text="t"), SystemContent(),
    DeveloperContent(), Message.from_role_and_content(Role.USER, "m"), ToolNamespaceConfig.python(),
    ToolDescription.new("t", "d"), ChannelConfig.require_channels(["c"]), frozenset({1}), Ellipsis,
)  # fmt: skip


def garbage() -> SearchStrategy[Any]:
    """Anything: scalars, model objects, and nested lists/tuples/dicts shaped like the JSON forms."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=6),
        st.binary(max_size=3),
        st.sampled_from(_ATOMS),
    )

    def extend(children: SearchStrategy[Any]) -> SearchStrategy[Any]:
        keys = st.one_of(st.sampled_from(_KEYS), st.text(max_size=3), st.integers())
        return st.one_of(
            st.lists(children, max_size=3),
            st.tuples(children, children),
            st.dictionaries(keys, children, max_size=6),
        )

    return st.recursive(leaves, extend, max_leaves=12)


def _user() -> Message:
    return Message.from_role_and_content(Role.USER, "x")


# name -> call(garbage); each must raise TypeError/ValueError (or succeed) for any garbage.
ENTRY_POINTS: dict[str, Callable[[Any], object]] = {
    "Role": lambda g: U.Role(g),
    "ReasoningEffort": lambda g: U.ReasoningEffort(g),
    "HarmonyEncodingName": lambda g: U.HarmonyEncodingName(g),
    "Author": lambda g: U.Author(role=g),
    "Author.new": lambda g: U.Author.new(Role.TOOL, g),
    "TextContent": lambda g: U.TextContent(text=g),
    "ToolDescription": lambda g: U.ToolDescription(name="n", description=g, parameters=g),
    "ToolDescription.new": lambda g: U.ToolDescription.new("n", "d", g),
    "ChannelConfig": lambda g: U.ChannelConfig(valid_channels=g, channel_required=g),
    "ChannelConfig.require_channels": lambda g: U.ChannelConfig.require_channels(g),
    "ToolNamespaceConfig": lambda g: U.ToolNamespaceConfig(name=g, description=g, tools=g),
    "ToolNamespaceConfig.tools": lambda g: U.ToolNamespaceConfig(name="n", tools=g),
    "SystemContent": lambda g: U.SystemContent(model_identity=g),
    "SystemContent.tools": lambda g: U.SystemContent(tools=g),
    "SystemContent.channel_config": lambda g: U.SystemContent(channel_config=g),
    "SystemContent.with_reasoning_effort": lambda g: U.SystemContent().with_reasoning_effort(g),
    "SystemContent.with_required_channels": lambda g: U.SystemContent().with_required_channels(g),
    "SystemContent.with_tools": lambda g: U.SystemContent().with_tools(g),
    "DeveloperContent": lambda g: U.DeveloperContent(instructions=g, tools=g),
    "DeveloperContent.with_function_tools": lambda g: U.DeveloperContent().with_function_tools(g),
    "Message": lambda g: U.Message(author=g, content=g),
    "Message.content": lambda g: U.Message(author=Author(role=Role.USER), content=g),
    "Message.from_role_and_content": lambda g: U.Message.from_role_and_content(g, g),
    "Message.from_role_and_contents": lambda g: U.Message.from_role_and_contents(Role.USER, g),
    "Message.adding_content": lambda g: _user().adding_content(g),
    "Message.with_channel": lambda g: _user().with_channel(g),
    "Message.with_recipient": lambda g: _user().with_recipient(g),
    "Message.with_content_type": lambda g: _user().with_content_type(g),
    "Message.with_author": lambda g: _user().with_author(g),
    "Conversation.from_messages": lambda g: U.Conversation.from_messages(g),
    "RenderConversationConfig": lambda g: U.RenderConversationConfig(auto_drop_analysis=g),
    "RenderOptions": lambda g: U.RenderOptions(conversation_has_function_tools=g),
    "load_harmony_encoding": lambda g: U.load_harmony_encoding(g),
}
# from_dict: KeyError is allowed only for a missing required key (openai_harmony does the same).
FROM_DICT: dict[str, Callable[[Any], object]] = {
    "Message.from_dict": lambda g: U.Message.from_dict(g),
    "Conversation.from_dict": lambda g: U.Conversation.from_dict(g),
    "SystemContent.from_dict": lambda g: U.SystemContent.from_dict(g),
    "DeveloperContent.from_dict": lambda g: U.DeveloperContent.from_dict(g),
    "ToolDescription.from_dict": lambda g: U.ToolDescription.from_dict(g),
    "ToolNamespaceConfig.from_dict": lambda g: U.ToolNamespaceConfig.from_dict(g),
    "ChannelConfig.from_dict": lambda g: U.ChannelConfig.from_dict(g),
}
REQUIRED_KEYS = {
    "role", "content", "messages", "name", "description", "tools", "valid_channels", "channel_required", "text",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(junk=garbage())
def test_model_entry_points_answer_garbage_with_type_or_value_errors(name: str, junk: Any) -> None:
    with contextlib.suppress(TypeError, ValueError):
        ENTRY_POINTS[name](junk)


@pytest.mark.parametrize("name", sorted(FROM_DICT))
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(junk=garbage())
def test_from_dict_answers_garbage_with_documented_errors(name: str, junk: Any) -> None:
    try:
        FROM_DICT[name](junk)
    except (TypeError, ValueError):
        pass
    except KeyError as exc:
        assert exc.args[0] in REQUIRED_KEYS, f"KeyError from inside: {exc!r}"


@pytest.mark.parametrize("payload", ["", "{", "[]", "null", "1", '"x"', '{"role": "user"}', b"\xff", "[" * 50])
def test_from_json_answers_garbage(payload: str | bytes) -> None:
    for call in (Message.from_json, Conversation.from_json):
        try:
            call(payload)
        except (TypeError, ValueError):
            pass
        except KeyError as exc:
            assert exc.args[0] in REQUIRED_KEYS


def _encoding_calls(enc: HarmonyEncoding, g: Any) -> dict[str, Callable[[], object]]:
    e: Any = enc
    convo = Conversation.from_messages([_user()])
    return {
        "encode": lambda: e.encode(g),
        "encode allowed": lambda: e.encode("<|start|>x", allowed_special=g),
        "encode disallowed": lambda: e.encode("<|start|>x", disallowed_special=g),
        "encode_ordinary": lambda: e.encode_ordinary(g),
        "decode_bytes": lambda: e.decode_bytes(g),
        "decode_utf8": lambda: e.decode_utf8(g),
        "decode": lambda: e.decode(g),
        "is_special_token": lambda: e.is_special_token(g),
        "render": lambda: e.render(g),
        "render_conversation": lambda: e.render_conversation(g),
        "render_conversation_for_completion": lambda: e.render_conversation_for_completion(g, g),
        "render_conversation_for_completion role": lambda: e.render_conversation_for_completion(convo, g),
        "render_conversation_for_training": lambda: e.render_conversation_for_training(g),
        "parse": lambda: e.parse_messages_from_completion_tokens(g),
        "parse role": lambda: e.parse_messages_from_completion_tokens([START], g),
        "StreamableParser": lambda: U.StreamableParser(enc, g),
        "process": lambda: U.StreamableParser(enc, None).process(g),
        "reset": lambda: U.StreamableParser(enc, None).reset(g),
        "strict": lambda: U.StreamableParser(enc, None, strict=g),
    }


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(junk=garbage())
def test_encoding_entry_points_answer_garbage(enc: HarmonyEncoding, junk: Any) -> None:
    for name, call in _encoding_calls(enc, junk).items():
        try:
            call()
        except (TypeError, ValueError, OverflowError, HarmonyError):
            pass
        except FORBIDDEN as exc:  # pragma: no cover - the assertion message is the point
            raise AssertionError(f"{name}({junk!r}) raised {exc!r}") from exc


# Options and configs of the wrong type: a TypeError naming the argument.


@pytest.mark.parametrize("bad", ["x", 1, RenderConversationConfig()], ids=repr)
def test_render_options_of_the_wrong_type(enc: HarmonyEncoding, bad: object) -> None:
    with pytest.raises(TypeError, match=r"^render_options must be a RenderOptions or None, got "):
        enc.render(_user(), bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["x", 1, RenderOptions()], ids=repr)
@pytest.mark.parametrize("which", ["render_conversation", "render_conversation_for_training", "for_completion"])
def test_render_configs_of_the_wrong_type(enc: HarmonyEncoding, which: str, bad: Any) -> None:
    convo = Conversation.from_messages([_user()])
    with pytest.raises(TypeError, match=r"^config must be a RenderConversationConfig or None, got "):
        if which == "for_completion":
            enc.render_conversation_for_completion(convo, Role.ASSISTANT, bad)
        else:
            getattr(enc, which)(convo, bad)


def test_names_are_validated(enc: HarmonyEncoding) -> None:
    with pytest.raises(ValueError, match="Invalid HarmonyEncodingName"):
        load_harmony_encoding("o200k_harmony")
    # The enum and its value name the same (cached) encoding; other tests may reset the cache, so
    # compare two loads rather than the module fixture.
    assert load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS) is load_harmony_encoding("HarmonyGptOss")
    assert load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS).name == enc.name


# -- vocabulary tampering, through load_harmony_encoding --------------------------------


@pytest.fixture(scope="module")
def genuine_vocabulary() -> bytes:
    data = _vocab._read_bundled()
    assert data is not None
    return data


def _flip(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 0x01
    return bytes(out)


TAMPERING: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda g: g[: len(g) // 3],
    "last line cut": lambda g: g[:-5],
    "one bit flipped": lambda g: _flip(g, len(g) // 2),
    "rank changed": lambda g: g.replace(b" 1000\n", b" 1001\n", 1),
    "empty": lambda g: b"",
    "line added": lambda g: g + b"aGVsbG8= 199998\n",
    "gzipped": lambda g: __import__("gzip").compress(g),
    "not a vocabulary": lambda g: b"\x00\xff" * 100,
}


@pytest.mark.parametrize("how", sorted(TAMPERING))
def test_tampered_vocabulary_is_never_loaded(tmp_path: Path, genuine_vocabulary: bytes, how: str) -> None:
    data = TAMPERING[how](genuine_vocabulary)
    assert data != genuine_vocabulary
    path = tmp_path / "o200k_base.tiktoken"
    path.write_bytes(data)
    with pytest.raises(VocabularyError) as info:
        load_harmony_encoding("HarmonyGptOss", vocab_path=path)
    message = str(info.value)
    assert str(path) in message
    assert EXPECTED_SHA256 in message
    assert hashlib.sha256(data).hexdigest() in message


def test_tampered_vocabulary_through_the_environment(
    tmp_path: Path, genuine_vocabulary: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "o200k_base.tiktoken").write_bytes(_flip(genuine_vocabulary, 10))
    monkeypatch.setenv("TIKTOKEN_ENCODINGS_BASE", str(tmp_path))
    monkeypatch.setattr(_encoding, "_LOADED", {})  # a fresh process
    with pytest.raises(VocabularyError) as info:
        load_harmony_encoding("HarmonyGptOss")
    assert str(tmp_path / "o200k_base.tiktoken") in str(info.value)
    assert EXPECTED_SHA256 in str(info.value)


@pytest.mark.parametrize("kind", ["directory", "missing"])
def test_unreadable_vocabulary_path(tmp_path: Path, kind: str) -> None:
    path = tmp_path if kind == "directory" else tmp_path / "nope.tiktoken"
    with pytest.raises(VocabularyError, match=str(path).replace("\\", "\\\\")):
        load_harmony_encoding("HarmonyGptOss", vocab_path=path)


def test_a_failed_load_is_not_cached(tmp_path: Path, genuine_vocabulary: bytes) -> None:
    path = tmp_path / "o200k_base.tiktoken"
    path.write_bytes(genuine_vocabulary[:100])
    with pytest.raises(VocabularyError):
        load_harmony_encoding("HarmonyGptOss", vocab_path=path)
    path.write_bytes(genuine_vocabulary)
    assert load_harmony_encoding("HarmonyGptOss", vocab_path=path).encode("hello world") == [24912, 2375]


# -- regression tests for crashes found by benchmarks/fuzz.py ------------------------------
# (none so far: each entry is the offending input, the parser settings and the expected outcome)
