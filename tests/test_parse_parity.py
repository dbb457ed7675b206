"""Differential tests of the parser against openai-harmony 0.0.8 (``pytest -m parity``).

Same messages, or the same error class and message, for (a) the oracle's own
renderings of random messages used as completions, (b) random token soups
full of specials, header words, whitespace, broken UTF-8 and unknown ids, and
(c) the same per-token trace when streaming, errors included.  Skipped when
openai_harmony is not installed.
"""

from __future__ import annotations

import json
import random
from typing import Any, Final

import pytest
from conftest import load_oracle
from hypothesis import given, settings
from hypothesis import strategies as st
from parser_support import snapshot, token_soups

from harmony_typed import (
    Author,
    HarmonyEncoding,
    HarmonyError,
    Message,
    Role,
    StreamableParser,
    TextContent,
)
from harmony_typed._rust import _escaped

pytestmark = pytest.mark.parity

H = load_oracle()[0]

START, END, MESSAGE, CHANNEL, CONSTRAIN, RETURN, CALL = 200006, 200007, 200008, 200005, 200003, 200002, 200012
ENDOFTEXT: Final = 199999


@pytest.fixture(scope="module")
def oracle() -> Any:
    """openai_harmony's encoding, offline."""
    return load_oracle()[1]


def _plain(value: Any) -> Any:
    # str-enum members become plain strings; dict/list shapes are kept.
    return json.loads(json.dumps(value))


def _error(exc: BaseException, harmony_error: type[BaseException]) -> dict[str, str]:
    kind = "HarmonyError" if isinstance(exc, harmony_error) else type(exc).__name__
    return {"type": kind, "message": str(exc)}


def ours(enc: HarmonyEncoding, tokens: list[int], role: Role | None, strict: bool) -> Any:
    try:
        messages = enc.parse_messages_from_completion_tokens(tokens, role, strict=strict)
    except (HarmonyError, OverflowError, TypeError) as exc:
        return _error(exc, HarmonyError)
    return [m.to_dict() for m in messages]


def theirs(oracle: Any, tokens: list[int], role: Role | None, strict: bool) -> Any:
    try:
        messages = oracle.parse_messages_from_completion_tokens(
            tokens, None if role is None else H.Role(role.value), strict=strict
        )
    except (H.HarmonyError, OverflowError, TypeError) as exc:
        return _error(exc, H.HarmonyError)
    return _plain([m.to_dict() for m in messages])


# -- (a) the oracle's renderings as completions ------------------------------------------------

_PIECES: Final = (
    "a", "é", "to=", "tool", "assistant", "user", "all", "functions.f", "json", "<", "|", "<|constrain|>",
    "<|channel|>", "<|end|>", " ", "\t", "\n", "\x0b", "\x0c", "\x1c", "\xa0", "\u3000", ":", "=", "💖",
)  # fmt: skip
_FIELDS: Final = st.one_of(
    st.none(),
    st.sampled_from(["analysis", "commentary", "final", "functions.get_weather", "<|constrain|>json", "json"]),
    st.lists(st.sampled_from(_PIECES), max_size=4).map("".join),
)
_TEXTS: Final = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["", "<|end|>", "x<|start|>y", "💖👨\u200d👩", "\n"]),
)


@st.composite
def messages(draw: st.DrawFn) -> Message:
    role = draw(st.sampled_from(list(Role)))
    name = draw(_FIELDS)
    if role is Role.TOOL and name is None:
        name = "functions.f"  # the renderer requires a tool name
    return Message(
        author=Author(role=role, name=name),
        content=tuple(TextContent(text=t) for t in draw(st.lists(_TEXTS, min_size=1, max_size=2))),
        channel=draw(_FIELDS),
        recipient=draw(_FIELDS),
        content_type=draw(_FIELDS),
    )


@settings(max_examples=2000, deadline=None)
@given(
    batch=st.lists(messages(), min_size=1, max_size=3),
    hint=st.booleans(),
    ending=st.sampled_from(["keep", "return", "eos", "cut"]),
    strict=st.booleans(),
    data=st.data(),
)
def test_oracle_renderings_parse_the_same(
    enc: HarmonyEncoding,
    oracle: Any,
    batch: list[Message],
    hint: bool,
    ending: str,
    strict: bool,
    data: st.DataObject,
) -> None:
    tokens: list[int] = []
    for message in batch:
        tokens.extend(oracle.render(H.Message.from_dict(message.to_dict())))
    role: Role | None = None
    if hint and batch[0].author.role is not Role.TOOL:
        role = batch[0].author.role
        tokens = tokens[1 + len(enc.encode_ordinary(role.value)) :]  # the prompt ended with <|start|>{role}
    if ending == "return":
        tokens[-1] = RETURN
    elif ending == "eos":
        tokens.pop()
    elif ending == "cut" and tokens:
        del tokens[data.draw(st.integers(0, len(tokens) - 1)) :]
    assert ours(enc, tokens, role, strict) == theirs(oracle, tokens, role, strict)


# -- (b) token soups -------------------------------------------------------------------------

_ROLES: Final = st.one_of(st.none(), st.sampled_from(list(Role)))


@settings(max_examples=2000, deadline=None)
@given(data=st.data(), role=_ROLES, strict=st.booleans())
def test_token_soups_parse_the_same(
    enc: HarmonyEncoding, oracle: Any, data: st.DataObject, role: Role | None, strict: bool
) -> None:
    tokens = data.draw(token_soups(enc))
    assert ours(enc, tokens, role, strict) == theirs(oracle, tokens, role, strict)


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    bad=st.one_of(
        st.integers(max_value=-1),
        st.integers(min_value=2**32),
        st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1]),
        st.just("x"),
        st.just(1.5),
    ),
    position=st.integers(0, 40),
)
def test_conversion_errors_win_like_the_oracle(
    enc: HarmonyEncoding, oracle: Any, data: st.DataObject, bad: object, position: int
) -> None:
    tokens: list[Any] = data.draw(token_soups(enc))
    tokens.insert(min(position, len(tokens)), bad)
    assert ours(enc, tokens, None, True) == theirs(oracle, tokens, None, True)


# -- (c) streaming traces ------------------------------------------------------------------------


def _trace(parser: Any, steps: list[int | None], harmony_error: type[BaseException]) -> list[Any]:
    trace: list[Any] = [snapshot(parser)]
    for step in steps:
        error = None
        try:
            if step is None:
                parser.process_eos()
            else:
                parser.process(step)
        except (harmony_error, OverflowError) as exc:
            error = _error(exc, harmony_error)
        trace.append((step, error, snapshot(parser)))
    trace.append(_plain([m.to_dict() for m in parser.messages]))
    return trace


@settings(max_examples=2000, deadline=None)
@given(data=st.data(), role=_ROLES, strict=st.booleans())
def test_streaming_traces_are_the_same(
    enc: HarmonyEncoding, oracle: Any, data: st.DataObject, role: Role | None, strict: bool
) -> None:
    steps: list[int | None] = list(data.draw(token_soups(enc)))
    for _ in range(data.draw(st.integers(0, 3))):  # end of stream anywhere, repeatedly
        steps.insert(data.draw(st.integers(0, len(steps))), None)
    if data.draw(st.booleans()):
        steps.insert(data.draw(st.integers(0, len(steps))), data.draw(st.sampled_from([-1, 2**32, 2**64])))
    expected = _trace(
        H.StreamableParser(oracle, None if role is None else H.Role(role.value), strict=strict), steps, H.HarmonyError
    )
    assert _trace(StreamableParser(enc, role, strict=strict), steps, HarmonyError) == expected


@settings(max_examples=500, deadline=None)
@given(batch=st.lists(messages(), min_size=1, max_size=3), strict=st.booleans())
def test_streaming_oracle_renderings(enc: HarmonyEncoding, oracle: Any, batch: list[Message], strict: bool) -> None:
    steps: list[int | None] = []
    for message in batch:
        steps.extend(oracle.render(H.Message.from_dict(message.to_dict())))
    steps.append(None)
    expected = _trace(H.StreamableParser(oracle, None, strict=strict), steps, H.HarmonyError)
    assert _trace(StreamableParser(enc, None, strict=strict), steps, HarmonyError) == expected


# -- Rust's {:?} escaping in "unexpected tokens remaining" -------------------------------------------


def _remaining_error_for(enc: HarmonyEncoding, oracle: Any, chars: list[str]) -> tuple[Any, Any]:
    tokens = enc.encode("<|start|>assistant a" + "".join(chars) + " b c<|message|>", allowed_special="all")
    return ours(enc, tokens, None, True), theirs(oracle, tokens, None, True)


def _code_points(sample: int | None) -> list[str]:
    """Code points that can sit inside a header word (no ASCII whitespace, no surrogates)."""
    chars = [chr(c) for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF and chr(c) not in " \t\n\x0c\r"]
    if sample is None:
        return chars
    # Every character where the table and Python's printability rule disagree, plus a sample.
    disagree = [ch for ch in chars if _escaped(ord(ch)) != (not ch.isprintable() or ch in '"\\')]
    return sorted(set(disagree) | set(random.Random(0).sample(chars, sample)))


def _check_escapes(enc: HarmonyEncoding, oracle: Any, chars: list[str]) -> None:
    for start in range(0, len(chars), 400):
        ours_result, theirs_result = _remaining_error_for(enc, oracle, chars[start : start + 400])
        assert ours_result == theirs_result


def test_escape_table_matches_oracle(enc: HarmonyEncoding, oracle: Any) -> None:
    """The Rust-escaping table of harmony_typed._header, where it matters most."""
    _check_escapes(enc, oracle, _code_points(sample=4000))


@pytest.mark.slow
def test_escape_table_matches_oracle_everywhere(enc: HarmonyEncoding, oracle: Any) -> None:
    """Every code point, as the table was generated (minutes: `nox -s parity -- -m "parity and slow"`)."""
    _check_escapes(enc, oracle, _code_points(sample=None))
