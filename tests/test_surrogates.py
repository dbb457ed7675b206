"""Lone surrogates in text fields: openai_harmony 0.0.8's ValueError at render time (harmony_typed._surrogates)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import load_oracle
from hypothesis import given, settings
from hypothesis import strategies as st

import harmony_typed.compat
from harmony_typed import (
    Author,
    Conversation,
    DeveloperContent,
    HarmonyEncoding,
    Message,
    RenderConversationConfig,
    Role,
    SystemContent,
    ToolDescription,
    ToolNamespaceConfig,
    strategies,
)
from harmony_typed._surrogates import surrogate_error
from harmony_typed._validation import LoneSurrogateDict

LONE = "a\ud800b"
ERROR = re.compile(
    r"^invalid (message|conversation) JSON: (unexpected end of hex escape|lone leading surrogate in hex escape)"
    r" at line 1 column (\d+)$"
)


def _tool(name: str = "f", description: str = "d", parameters: Any = None) -> DeveloperContent:
    return DeveloperContent.new().with_function_tools([ToolDescription.new(name, description, parameters)])


def _system(**fields: Any) -> SystemContent:
    return SystemContent(**fields)


def _text(role: Role, text: str) -> Message:
    return Message.from_role_and_content(role, text)


# Every text-bearing field, each with a lone surrogate.
FIELDS: dict[str, Message] = {
    "text": _text(Role.USER, LONE),
    "author name": Message.from_author_and_content(Author.new(Role.TOOL, LONE), "x"),
    "channel": _text(Role.ASSISTANT, "x").with_channel(LONE),
    "recipient": _text(Role.ASSISTANT, "x").with_recipient(LONE),
    "content type": _text(Role.ASSISTANT, "x").with_content_type(LONE),
    "model identity": Message.from_role_and_content(Role.SYSTEM, _system(model_identity=LONE)),
    "start date": Message.from_role_and_content(Role.SYSTEM, _system(conversation_start_date=LONE)),
    "knowledge cutoff": Message.from_role_and_content(Role.SYSTEM, _system(knowledge_cutoff=LONE)),
    "channels": Message.from_role_and_content(Role.SYSTEM, SystemContent.new().with_required_channels([LONE])),
    "instructions": Message.from_role_and_content(Role.DEVELOPER, DeveloperContent.new().with_instructions(LONE)),
    "tool name": Message.from_role_and_content(Role.DEVELOPER, _tool(name=LONE)),
    "tool description": Message.from_role_and_content(Role.DEVELOPER, _tool(description=LONE)),
    "schema key": Message.from_role_and_content(Role.DEVELOPER, _tool(parameters={"properties": {LONE: {}}})),
    "schema value": Message.from_role_and_content(Role.DEVELOPER, _tool(parameters={"description": LONE})),
    "unrendered schema part": Message.from_role_and_content(Role.DEVELOPER, _tool(parameters={"x-extra": LONE})),
    "namespace name": Message.from_role_and_content(
        Role.SYSTEM, SystemContent.new().with_tools(ToolNamespaceConfig(name=LONE, description="d", tools=[]))
    ),
    "namespace description": Message.from_role_and_content(
        Role.SYSTEM, SystemContent.new().with_tools(ToolNamespaceConfig(name="n", description=LONE, tools=[]))
    ),
}


def _column_points_at_the_escape(json_text: str, column: int) -> None:
    # serde_json stops just past the offending escape (ASCII JSON: bytes are characters).
    assert re.search(r"\\ud[89a-f][0-9a-f]{2}(\\u[0-9a-f]{4}|\\.|.)?$", json_text[:column])


@pytest.mark.parametrize("field", FIELDS)
def test_every_text_field_is_refused_at_render_as_openai_harmony_does(enc: HarmonyEncoding, field: str) -> None:
    message = FIELDS[field]
    assert json.loads(message.to_json())  # building and serialising still work, as upstream
    with pytest.raises(ValueError, match=ERROR) as info:
        enc.render(message)
    match = ERROR.match(str(info.value))
    assert match is not None and match.group(1) == "message"
    _column_points_at_the_escape(message.to_json(), int(match.group(3)))


def test_the_exact_messages_of_openai_harmony(enc: HarmonyEncoding) -> None:
    # Read from openai_harmony 0.0.8 (the parity tests below compare them live).
    cases = [  # a list: ruff reads every lone surrogate as the same dict key
        ("a\ud800b", "unexpected end of hex escape at line 1 column 77"),
        ("\ud800", "unexpected end of hex escape at line 1 column 76"),
        ("\ud800\ud800", "lone leading surrogate in hex escape at line 1 column 81"),
        ("\ud800\n", "unexpected end of hex escape at line 1 column 77"),
        ("\udc00", "lone leading surrogate in hex escape at line 1 column 75"),
        ("\U0001f600\ud800", "unexpected end of hex escape at line 1 column 88"),
    ]
    for text, reason in cases:
        with pytest.raises(ValueError) as info:
            enc.render(_text(Role.USER, text))
        assert str(info.value) == f"invalid message JSON: {reason}"


@pytest.mark.parametrize(
    "render",
    [
        lambda enc, c: enc.render_conversation(c),
        lambda enc, c: enc.render_conversation_for_completion(c, Role.ASSISTANT),
        lambda enc, c: enc.render_conversation_for_training(c),
        lambda enc, c: enc.render_training_example(c),
    ],
)
def test_conversations_are_refused_even_for_a_dropped_message(
    enc: HarmonyEncoding, render: Callable[[HarmonyEncoding, Conversation], object]
) -> None:
    dropped = Conversation.from_messages(
        [
            _text(Role.USER, "x"),
            _text(Role.ASSISTANT, LONE).with_channel("analysis"),  # dropped by auto_drop_analysis
            _text(Role.ASSISTANT, "y").with_channel("final"),
        ]
    )
    with pytest.raises(ValueError, match=r"^invalid conversation JSON: unexpected end of hex escape at line 1 column"):
        render(enc, dropped)


def test_the_surrogate_is_reported_before_another_render_error(enc: HarmonyEncoding) -> None:
    bad_role = Message.from_role_and_content(Role.USER, SystemContent.new())  # a RenderError on its own
    convo = Conversation.from_messages([bad_role, _text(Role.USER, LONE)])
    with pytest.raises(ValueError, match="^invalid conversation JSON"):
        enc.render_conversation(convo)


def test_surrogates_that_pair_up_render_as_their_character(enc: HarmonyEncoding) -> None:
    paired = _text(Role.USER, "\ud83d\ude00 x")
    assert enc.render(paired) == enc.render(_text(Role.USER, "\U0001f600 x"))
    analysis = _text(Role.ASSISTANT, "\ud83d\ude00").with_channel("analysis")
    convo = Conversation.from_messages([analysis, _text(Role.ASSISTANT, "\ud83d\ude00").with_channel("final")])
    expected = Conversation.from_messages([_text(Role.ASSISTANT, "\U0001f600").with_channel("final")])
    assert enc.render_conversation(convo) == enc.render_conversation(expected)
    assert enc.render_training_example(convo).input_ids == enc.render_training_example(expected).input_ids
    keep = RenderConversationConfig(auto_drop_analysis=False)
    assert enc.decode_utf8(enc.render_conversation(convo, keep)).count("\U0001f600") == 2


def test_encode_still_replaces_them(enc: HarmonyEncoding) -> None:
    assert enc.encode(LONE) == enc.encode("a\ufffdb")  # openai_harmony's encode does too


def test_compat_raises_the_same_value_error() -> None:
    enc = harmony_typed.compat.load_harmony_encoding("HarmonyGptOss")
    message = harmony_typed.compat.Message.from_role_and_content("user", LONE)
    with pytest.raises(ValueError, match="^invalid message JSON: unexpected end of hex escape at line 1 column 77$"):
        enc.render(message)


def test_surrogate_error_is_none_without_lone_surrogates() -> None:
    assert surrogate_error("message", _text(Role.USER, "\\ud800 \U0001f600").to_dict()) is None


# -- parity -------------------------------------------------------------------------

SNIPPETS = ["\ud800", "\udfff", "\udbff\udfff", "\ud800\ud800", "\udc00\ud800", "\ud800\\", '\ud800"', "\ud800\u00e9"]
_FIXED_KEYS = frozenset({"role", "type", "reasoning_effort"})


def _slots(value: Any, key: str | None, out: list[tuple[Any, Any, bool]]) -> None:
    """Collect (container, key, is_dict_key) for every free-text string in a to_dict() value."""
    if isinstance(value, dict):
        for k, v in value.items():
            if key == "parameters" or key == "properties":
                out.append((value, k, True))
            if isinstance(v, str) and k not in _FIXED_KEYS:
                out.append((value, k, False))
            else:
                _slots(v, k if key != "properties" else "parameters", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str):
                out.append((value, i, False))
            else:
                _slots(v, key, out)


def _inject(data: dict[str, Any], data_st: st.DataObject) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    slots: list[tuple[Any, Any, bool]] = []
    _slots(data, None, slots)
    if not slots:
        return data
    container, key, is_key = slots[data_st.draw(st.integers(0, len(slots) - 1))]
    snippet = data_st.draw(st.sampled_from(SNIPPETS))
    old = key if is_key else container[key]
    at = data_st.draw(st.integers(0, len(old)))
    new = old[:at] + snippet + old[at:]
    if is_key:
        container[new] = container.pop(key)
    else:
        container[key] = new
    return data


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("ok", call())
    except Exception as exc:  # the exception kind and message are what is compared
        return ("error", (isinstance(exc, ValueError), isinstance(exc, RuntimeError), str(exc)))


@pytest.mark.parity
@settings(max_examples=500, deadline=None)
@given(strategies.messages(), st.data())
def test_render_of_a_message_with_surrogates_equals_openai_harmony(
    enc: HarmonyEncoding, message: Message, data: st.DataObject
) -> None:
    oracle, oracle_enc = load_oracle()
    raw = _inject(message.to_dict(), data)
    ours = Message.from_dict(raw)
    compat_enc = harmony_typed.compat.load_harmony_encoding("HarmonyGptOss")
    expected = _outcome(lambda: oracle_enc.render(oracle.Message.from_dict(raw)))
    assert _outcome(lambda: enc.render(ours)) == expected
    assert _outcome(lambda: compat_enc.render(harmony_typed.compat.Message.from_dict(raw))) == expected


@pytest.mark.parity
@settings(max_examples=300, deadline=None)
@given(strategies.conversations(min_size=1), st.data())
def test_render_of_a_conversation_with_surrogates_equals_openai_harmony(
    enc: HarmonyEncoding, conversation: Conversation, data: st.DataObject
) -> None:
    oracle, oracle_enc = load_oracle()
    raw = conversation.to_dict()
    index = data.draw(st.integers(0, len(conversation) - 1))
    raw["messages"][index] = _inject(raw["messages"][index], data)  # type: ignore[index]
    ours = Conversation.from_dict(raw)
    theirs = oracle.Conversation.from_json(json.dumps(raw))
    for name in ("render_conversation", "render_conversation_for_training"):
        expected = _outcome(lambda: getattr(oracle_enc, name)(theirs))  # noqa: B023  # called at once
        assert _outcome(lambda: getattr(enc, name)(ours)) == expected, name  # noqa: B023
    expected = _outcome(lambda: oracle_enc.render_conversation_for_completion(theirs, oracle.Role.ASSISTANT))
    assert _outcome(lambda: enc.render_conversation_for_completion(ours, Role.ASSISTANT)) == expected


def test_schemas_with_lone_surrogates_are_marked_at_construction() -> None:
    marked = ToolDescription.new("f", "d", {"properties": {LONE: {"type": "string"}}}).parameters
    assert type(marked) is LoneSurrogateDict and marked == {"properties": {LONE: {"type": "string"}}}
    assert repr(marked) == repr(dict(marked)) and json.loads(json.dumps(marked)) == marked
    for clean in ({"description": "\ud83d\ude00 \U0001f600 é"}, {"type": "object"}):
        assert type(ToolDescription.new("f", "d", clean).parameters) is dict
