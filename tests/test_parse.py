"""Batch parsing: the P-catalogue (tests/golden/parse.json), workloads, errors, reset().

Runs without openai_harmony: expectations are oracle output stored in the
golden files.  See tests/test_stream.py for the token-by-token side and
tests/test_parse_parity.py for the differential tests.
"""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any, Final

import pytest

from harmony_typed import (
    HarmonyEncoding,
    HarmonyError,
    Message,
    ParseError,
    Role,
    StreamableParser,
    StreamState,
)
from harmony_typed._header import WHITE_SPACE, parse_header
from harmony_typed._parse_batch import parse_completion
from harmony_typed._rust import rust_debug_str

GOLDEN: Final = Path(__file__).parent / "golden"
WORKLOADS: Final = Path(__file__).parent.parent / "benchmarks" / "workloads.json"

PARSE_CASES: Final[list[dict[str, Any]]] = json.loads((GOLDEN / "parse.json").read_text())["cases"]
_WORKLOADS: Final[dict[str, dict[str, Any]]] = json.loads(WORKLOADS.read_text())["workloads"]

START, END, MESSAGE, CHANNEL, RETURN, CALL = 200006, 200007, 200008, 200005, 200002, 200012


def _state(parser: StreamableParser) -> StreamState:
    # A call, so mypy does not carry a narrowed `parser.state` across process() calls.
    return parser.state


def _current_role(parser: StreamableParser) -> Role | None:
    return parser.current_role


def _role(name: str | None) -> Role | None:
    return None if name is None else Role(name)


def _outcome(enc: HarmonyEncoding, tokens: list[int], role: Role | None, strict: bool) -> dict[str, Any]:
    """The golden-file shape of a parse: ``{"messages": [...]}`` or ``{"error": {...}}``."""
    try:
        messages = enc.parse_messages_from_completion_tokens(tokens, role, strict=strict)
    except HarmonyError as exc:
        assert type(exc) is ParseError, f"parse errors are ParseError, got {type(exc).__name__}"
        return {"error": {"type": "HarmonyError", "message": str(exc)}}
    except OverflowError as exc:
        return {"error": {"type": "OverflowError", "message": str(exc)}}
    return {"messages": [m.to_dict() for m in messages]}


# -- the catalogue -------------------------------------------------------------------


def test_catalogue_is_complete() -> None:
    assert [case["id"] for case in PARSE_CASES] == [f"P{i:03d}" for i in range(1, 113)]


@pytest.mark.parametrize("case", PARSE_CASES, ids=[case["id"] for case in PARSE_CASES])
def test_parse_catalogue(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    assert _outcome(enc, case["tokens"], _role(case["role"]), case["strict"]) == case["expected"]


@pytest.mark.parametrize("case", PARSE_CASES, ids=[case["id"] for case in PARSE_CASES])
def test_parse_errors_carry_positions(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    """``token_index``/``token`` point at the id that failed (``None`` at end of stream)."""
    tokens: list[int] = case["tokens"]
    try:
        enc.parse_messages_from_completion_tokens(tokens, _role(case["role"]), strict=case["strict"])
    except ParseError as exc:
        if str(exc).startswith("Unexpected EOS"):
            assert (exc.token_index, exc.token) == (None, None)
        else:
            assert exc.token_index is not None
            assert tokens[exc.token_index] == exc.token
            if str(exc).startswith("Unexpected token"):
                assert str(exc) == f"Unexpected token {exc.token} while expecting start token 200006"
            elif case["strict"] or exc.token == MESSAGE:
                assert exc.token == MESSAGE  # header errors are reported at <|message|>
            else:
                assert exc.token in (END, RETURN, CALL)  # non-strict recovery at a stop token
    except OverflowError:
        pass


def test_parse_completion_is_the_encoding_entry_point(enc: HarmonyEncoding) -> None:
    tokens = enc.encode("<|start|>user<|message|>Hi<|end|>", allowed_special="all")
    assert parse_completion(enc, tokens, None, True) == enc.parse_messages_from_completion_tokens(tokens)
    assert isinstance(parse_completion(enc, tokens, None, True), list)


# -- benchmark workloads --------------------------------------------------------------


def _workload_tokens(name: str) -> list[int]:
    tokens = _WORKLOADS[name]["tokens"]
    if isinstance(tokens, str):  # "same as parse_tool_call"
        tokens = _WORKLOADS[tokens.removeprefix("same as ")]["tokens"]
    assert isinstance(tokens, list)
    return tokens


@pytest.mark.parametrize("name", ["parse_tool_call", "parse_large_completion"])
def test_parse_workloads(enc: HarmonyEncoding, name: str) -> None:
    workload = _WORKLOADS[name]
    messages = enc.parse_messages_from_completion_tokens(workload["tokens"], _role(workload["role"]))
    assert [m.to_dict() for m in messages] == workload["expected_messages"]


@pytest.mark.parametrize(
    ("name", "batch"),
    [("stream_parse_tool_call", "parse_tool_call"), ("stream_parse_large_completion", "parse_large_completion")],
)
def test_stream_workloads(enc: HarmonyEncoding, name: str, batch: str) -> None:
    workload = _WORKLOADS[name]
    parser = StreamableParser(enc, _role(workload["role"]))
    for token in _workload_tokens(name):
        parser.process(token)
    assert workload["process_eos"] is True
    parser.process_eos()
    assert [m.to_dict() for m in parser.messages] == _WORKLOADS[batch]["expected_messages"]


# -- errors and positions -----------------------------------------------------------------


def test_unexpected_token_position_in_stream(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None)
    for token in enc.encode("<|start|>user<|message|>a<|end|>", allowed_special="all"):
        parser.process(token)
    with pytest.raises(ParseError) as info:
        parser.process(12194)
    assert str(info.value) == "Unexpected token 12194 while expecting start token 200006"
    assert (info.value.token_index, info.value.token) == (5, 12194)
    assert isinstance(info.value, HarmonyError) and isinstance(info.value, RuntimeError)
    assert parser.tokens[-1] == 12194  # recorded before it was processed


def test_header_error_position_and_state(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None)
    tokens = enc.encode("<|start|>bogus<|message|>", allowed_special="all")
    for token in tokens[:-1]:
        parser.process(token)
    with pytest.raises(ParseError, match=r"^Unknown role: bogus$") as info:
        parser.process(tokens[-1])
    assert (info.value.token_index, info.value.token) == (len(tokens) - 1, MESSAGE)
    assert parser.state is StreamState.EXPECT_START  # a bad header leaves ExpectStart


def test_eos_in_header_keeps_state(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, Role.ASSISTANT)
    parser.process(CHANNEL)
    with pytest.raises(ParseError, match=r"^Unexpected EOS while waiting for message header to complete$") as info:
        parser.process_eos()
    assert (info.value.token_index, info.value.token) == (None, None)
    assert parser.state is StreamState.HEADER
    assert parser.state_data == {"state": "Header", "header_tokens": [CHANNEL]}


def test_non_strict_recovery_error_keeps_state(enc: HarmonyEncoding) -> None:
    """An error while recovering a header at a stop token changes nothing (oracle behaviour)."""
    parser = StreamableParser(enc, Role.ASSISTANT, strict=False)
    parser.process(9552)  # b" \xf0\x9f": not valid UTF-8 on its own
    with pytest.raises(ParseError) as info:
        parser.process(END)
    assert str(info.value) == (
        "Could not decode tokens: Invalid utf-8 sequence: incomplete utf-8 byte sequence from index 1"
    )
    assert (info.value.token_index, info.value.token) == (1, END)
    assert parser.state is StreamState.HEADER
    assert parser.current_role is Role.ASSISTANT
    assert parser.state_data == {"state": "Header", "header_tokens": [9552]}


def test_non_strict_recovery_unknown_id(enc: HarmonyEncoding) -> None:
    with pytest.raises(ParseError) as info:
        enc.parse_messages_from_completion_tokens([300000, 400000, END], Role.ASSISTANT, strict=False)
    assert str(info.value) == "Could not decode tokens: Invalid token error: Invalid token for decoding: 300000"


def test_parser_keeps_working_after_errors(enc: HarmonyEncoding) -> None:
    """Serving loops catch ParseError and continue; the machine recovers at the next <|start|>."""
    text = "junk<|start|>bogus<|message|>x<|end|><|start|>assistant<|channel|>final<|message|>ok<|return|>"
    parser = StreamableParser(enc, None)
    errors: list[str] = []
    for token in enc.encode(text, allowed_special="all"):
        try:
            parser.process(token)
        except ParseError as exc:
            errors.append(str(exc))
    parser.process_eos()
    assert errors[0].startswith("Unexpected token ")
    assert "Unknown role: bogus" in errors
    assert [m.to_dict() for m in parser.messages] == [
        {"role": "assistant", "name": None, "content": [{"type": "text", "text": "ok"}], "channel": "final"}
    ]


def test_role_hint_survives_a_failed_header(enc: HarmonyEncoding) -> None:
    """The hint is only consumed by a header that parses (X07 in stream.json)."""
    parser = StreamableParser(enc, Role.ASSISTANT)
    for token in enc.encode("a b c d", allowed_special="all"):
        parser.process(token)
    with pytest.raises(ParseError, match="unexpected tokens remaining"):
        parser.process(MESSAGE)
    assert parser.state is StreamState.EXPECT_START
    assert parser.current_role is Role.ASSISTANT
    for token in enc.encode("<|start|>to=x<|message|>y", allowed_special="all"):
        parser.process(token)
    parser.process_eos()
    assert parser.messages[0] == Message.from_role_and_content(Role.ASSISTANT, "y").with_recipient("x")


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (-1, "out of range integral type conversion attempted"),
        (2**32, "out of range integral type conversion attempted"),
        (2**63 - 1, "out of range integral type conversion attempted"),
        (-(2**63), "out of range integral type conversion attempted"),
        (2**63, "Python int too large to convert to C long"),
        (-(2**63) - 1, "Python int too large to convert to C long"),
        (2**100, "Python int too large to convert to C long"),
    ],
)
def test_out_of_range_ids(enc: HarmonyEncoding, token: int, message: str) -> None:
    parser = StreamableParser(enc, None)
    with pytest.raises(OverflowError) as info:
        parser.process(token)
    assert str(info.value) == message
    assert parser.tokens == []  # not recorded (oracle: the u32 conversion fails first)
    with pytest.raises(OverflowError) as batch_info:
        enc.parse_messages_from_completion_tokens([token])
    assert str(batch_info.value) == message


def test_largest_u32_is_an_unknown_id(enc: HarmonyEncoding) -> None:
    with pytest.raises(ParseError, match=r"^Unexpected token 4294967295 while"):
        StreamableParser(enc, None).process(2**32 - 1)


@pytest.mark.parametrize(
    ("tokens", "error", "message"),
    [
        # The oracle converts the whole list before parsing: a conversion error
        # anywhere wins over a parse error earlier in the list.
        ([1, -1], OverflowError, "out of range integral type conversion attempted"),
        ([1, 2**70], OverflowError, "Python int too large to convert to C long"),
        ([1, "a"], TypeError, "argument 'tokens': 'str' object cannot be interpreted as an integer"),
        ([START, "a", -1], TypeError, "argument 'tokens': 'str' object cannot be interpreted as an integer"),
        ([START, -1, "a"], OverflowError, "out of range integral type conversion attempted"),
        ([START, 1.5], TypeError, "argument 'tokens': 'float' object cannot be interpreted as an integer"),
        ("ab", TypeError, "argument 'tokens': 'str' object cannot be interpreted as an integer"),
    ],
)
def test_batch_conversion_errors_win(enc: HarmonyEncoding, tokens: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        enc.parse_messages_from_completion_tokens(tokens)
    assert str(info.value) == message


def test_batch_accepts_iterators_and_index_objects(enc: HarmonyEncoding) -> None:
    class Index:
        def __init__(self, value: int) -> None:
            self.value = value

        def __index__(self) -> int:
            return self.value

    tokens = enc.encode("<|start|>user<|message|>Hi<|end|>", allowed_special="all")
    expected = [Message.from_role_and_content(Role.USER, "Hi")]
    assert enc.parse_messages_from_completion_tokens(iter(tokens)) == expected  # type: ignore[arg-type]
    assert enc.parse_messages_from_completion_tokens(tuple(tokens)) == expected
    assert enc.parse_messages_from_completion_tokens([Index(t) for t in tokens]) == expected  # type: ignore[misc]
    with pytest.raises(OverflowError):
        enc.parse_messages_from_completion_tokens(iter([1, -1]))  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["a", 1.5, None, b"x"])
def test_process_rejects_non_ints(enc: HarmonyEncoding, value: object) -> None:
    parser = StreamableParser(enc, None)
    with pytest.raises(TypeError):
        parser.process(value)  # type: ignore[arg-type]
    assert parser.tokens == []


def test_bool_is_an_int(enc: HarmonyEncoding) -> None:
    with pytest.raises(ParseError, match=r"^Unexpected token 1 while expecting start token 200006$"):
        StreamableParser(enc, None).process(True)


def test_constructor_type_errors(enc: HarmonyEncoding) -> None:
    with pytest.raises(TypeError) as info:
        StreamableParser(enc, "assistant")  # type: ignore[arg-type]
    assert str(info.value) == "role must be a Role or None, got str: 'assistant' (use Role('assistant'))"
    with pytest.raises(TypeError, match="role must be a Role or None"):
        enc.parse_messages_from_completion_tokens([], "user")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        StreamableParser(enc, None, strict=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        StreamableParser(enc, None, strict=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="encoding must be a HarmonyEncoding"):
        StreamableParser("HarmonyGptOss", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        StreamableParser(enc, None).reset("user")  # type: ignore[arg-type]


def test_parse_error_pickles() -> None:
    error = ParseError("Unexpected token 5 while expecting start token 200006", 3, 5)
    clone = pickle.loads(pickle.dumps(error))
    assert (str(clone), clone.token_index, clone.token) == (str(error), 3, 5)


# -- reset() ----------------------------------------------------------------------------


def test_reset(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None)
    for token in enc.encode("<|start|>user<|message|>a<|end|><|start|>assistant<|message|>b", allowed_special="all"):
        parser.process(token)
    before = parser.messages
    assert _state(parser) is StreamState.CONTENT and parser.current_content == "b"
    assert parser.reset() is parser
    assert _state(parser) is StreamState.EXPECT_START
    assert (parser.tokens, len(parser.messages), parser.current_content, parser.last_content_delta) == ([], 0, "", None)
    assert parser.current_role is None and parser.state_data == {"state": "ExpectStart"}
    assert before == [Message.from_role_and_content(Role.USER, "a")]  # old snapshots stay valid
    parser.reset(Role.ASSISTANT)
    assert _state(parser) is StreamState.HEADER and _current_role(parser) is Role.ASSISTANT
    for token in enc.encode("<|channel|>final<|message|>c<|return|>", allowed_special="all"):
        parser.process(token)
    assert parser.messages == [Message.from_role_and_content(Role.ASSISTANT, "c").with_channel("final")]
    assert before == [Message.from_role_and_content(Role.USER, "a")]


def test_reset_keeps_strictness(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, Role.ASSISTANT, strict=False)
    parser.process(12194)
    parser.reset(Role.ASSISTANT)
    for token in enc.encode("hello<|end|>", allowed_special="all"):
        parser.process(token)
    assert parser.messages == [Message.from_role_and_content(Role.ASSISTANT, "hello")]


def test_reset_mid_content_drops_pending_bytes(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None)
    for token in [START, 173781, MESSAGE, 9552, 300000]:
        parser.process(token)
    parser.reset()
    for token in [START, 173781, MESSAGE, 12194]:
        parser.process(token)
    parser.process_eos()
    assert parser.messages == [Message.from_role_and_content(Role.ASSISTANT, "Hi")]


def test_repr(enc: HarmonyEncoding) -> None:
    parser = StreamableParser(enc, None).process(START)
    assert repr(parser) == "<StreamableParser state=Header messages=0 tokens=1>"


# -- header grammar unit tests -------------------------------------------------------------


def test_white_space_is_rusts() -> None:
    python_white_space = "".join(
        chr(c)
        for c in range(0x110000)
        if chr(c).isspace() and not 0x1C <= c <= 0x1F  # Python adds the information separators
    )
    assert python_white_space == WHITE_SPACE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", '"a"'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("\n\r\t\0", '"\\n\\r\\t\\0"'),
        ("\x01\x0b\x0c\x1f\x7f", '"\\u{1}\\u{b}\\u{c}\\u{1f}\\u{7f}"'),
        ("\xa0\u3000\u2028", '"\\u{a0}\\u{3000}\\u{2028}"'),
        ("é\u0301x", '"é\\u{301}x"'),
        ("\u09be\uff9e", '"\\u{9be}\\u{ff9e}"'),  # grapheme extenders Python calls printable
        ("'", '"\'"'),
        ("<|constrain|>json", '"<|constrain|>json"'),
        ("日本 🙂", '"日本 🙂"'),
        ("\U000e0001\ue000", '"\\u{e0001}\\u{e000}"'),
    ],
)
def test_rust_debug_str(text: str, expected: str) -> None:
    assert rust_debug_str(text) == expected


def test_parse_header_fields() -> None:
    header = parse_header("assistant to=functions.f<|channel|>commentary <|constrain|>json", None, True)
    assert (header.role, header.channel, header.recipient, header.content_type) == (
        Role.ASSISTANT,
        "commentary",
        "functions.f",
        "<|constrain|>json",
    )
    assert header.author.name is None
    tool = parse_header("functions.f to=assistant<|channel|>commentary", None, True)
    assert (tool.role, tool.author.name, tool.recipient) == (Role.TOOL, "functions.f", "assistant")
    recovered = parse_header("<|channel|>final  hello \n world", Role.ASSISTANT, False)
    assert (recovered.channel, recovered.remaining) == ("final", "hello world")


def test_deepcopy_of_parsed_messages(enc: HarmonyEncoding) -> None:
    messages = enc.parse_messages_from_completion_tokens(
        enc.encode("<|start|>user<|message|>Hi<|end|>", allowed_special="all")
    )
    assert copy.deepcopy(messages) == messages
