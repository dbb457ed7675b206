"""Models and encoding against openai_harmony 0.0.8 (collected only by ``nox -s parity``).

* ``to_dict()`` of the same object is equal in both libraries (openai_harmony's
  str-enum members compare equal to our plain strings);
* our ``from_dict`` reads openai_harmony's ``to_dict`` output back to an equal object;
* ``encode`` / ``decode`` give identical ids and text on random text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import load_oracle
from hypothesis import given, settings
from hypothesis import strategies as st

from harmony_typed import Conversation, HarmonyEncoding, HarmonyError, Message, strategies

pytestmark = pytest.mark.parity

H, ORACLE = load_oracle()


def _oracle_message(message: Message) -> Any:
    return H.Message.from_dict(json.loads(message.to_json()))


def _upstream_system_dict(ours: dict[str, Any]) -> dict[str, Any]:
    # openai_harmony omits None-valued keys; we write null where the default is not None
    # (docs/migration.md).  Everything else must be identical.
    return {key: value for key, value in ours.items() if value is not None}


def _expected_dict(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(message.to_json())
    out["content"] = [
        _upstream_system_dict(item) if item["type"] == "system_content" else item for item in out["content"]
    ]
    return out


@settings(max_examples=2000, deadline=None)
@given(strategies.messages())
def test_message_to_dict_equals_openai_harmony(message: Message) -> None:
    theirs = json.loads(json.dumps(_oracle_message(message).to_dict()))
    assert theirs == _expected_dict(message)
    # And back: our from_dict reads openai_harmony's shape as openai_harmony itself does
    # (omitted SystemContent keys take their defaults in both).
    again = Message.from_dict(theirs)
    assert _expected_dict(again) == json.loads(json.dumps(H.Message.from_dict(theirs).to_dict()))


@settings(max_examples=300, deadline=None)
@given(strategies.conversations())
def test_conversation_json_equals_openai_harmony(conversation: Conversation) -> None:
    theirs = H.Conversation.from_json(conversation.to_json())
    assert json.loads(theirs.to_json()) == {"messages": [_expected_dict(m) for m in conversation.messages]}
    assert Conversation.from_json(conversation.to_json()) == conversation


@settings(max_examples=2000, deadline=None)
@given(st.text())
def test_encode_ordinary_text_equals_openai_harmony(enc: HarmonyEncoding, text: str) -> None:
    expected = ORACLE.encode(text, disallowed_special=())
    assert enc.encode(text, disallowed_special=()) == expected
    assert enc.decode(expected) == ORACLE.decode(expected)


SPECIAL_TEXTS = sorted(ORACLE.special_tokens_set)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(st.one_of(st.text(max_size=8), st.sampled_from(SPECIAL_TEXTS)), max_size=6).map("".join),
    st.sampled_from(["default", "all", "none", "start-only"]),
)
def test_encode_with_specials_equals_openai_harmony(enc: HarmonyEncoding, text: str, mode: str) -> None:
    options: dict[str, dict[str, Any]] = {
        "default": {},
        "all": {"allowed_special": "all"},
        "none": {"disallowed_special": ()},
        "start-only": {"allowed_special": {"<|start|>"}},
    }
    kwargs = options[mode]
    try:
        expected: list[int] | str = ORACLE.encode(text, **kwargs)
    except H.HarmonyError as exc:
        expected = str(exc)
    try:
        ours: list[int] | str = enc.encode(text, **kwargs)
    except HarmonyError as exc:
        ours = str(exc)
    assert ours == expected


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=201_100), max_size=12))
def test_decode_equals_openai_harmony(enc: HarmonyEncoding, tokens: list[int]) -> None:
    for ours_call, their_call in ((enc.decode_utf8, ORACLE.decode_utf8), (enc.decode, ORACLE.decode)):
        try:
            expected: str = their_call(tokens)
        except H.HarmonyError as exc:
            expected = "error: " + str(exc)
        try:
            ours: str = ours_call(tokens)
        except HarmonyError as exc:
            ours = "error: " + str(exc)
        assert ours == expected


def test_stop_tokens_equal_as_sets(enc: HarmonyEncoding) -> None:
    assert set(enc.stop_tokens()) == set(ORACLE.stop_tokens())
    assert set(enc.stop_tokens_for_assistant_actions()) == set(ORACLE.stop_tokens_for_assistant_actions())
    assert enc.special_tokens_set == ORACLE.special_tokens_set
