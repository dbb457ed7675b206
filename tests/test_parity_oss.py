"""Differential test: the ``oss-harmony-0.0.11`` dialect == oss-harmony 0.0.11 itself.

Run in its own environment (``nox -s parity_oss``): the fork installs as
``openai_harmony`` too, so it cannot share one with openai-harmony 0.0.8.  The
strategies and comparison helpers are those of the 0.0.8 differential tests
(``test_render_parity``, ``test_parse_parity``), applied to an encoding loaded
with ``dialect=Dialect.OSS_HARMONY_0_0_11``: render entry points id-exact or
the same error; batch parses of renderings and token soups, and per-token
streaming traces, equal.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest
from conftest import load_oracle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parser_support import token_soups
from test_parse_parity import _ROLES, _trace, ours, theirs
from test_render_parity import _check, _oracle_conversation, conversations

from harmony_typed import (
    Conversation,
    Dialect,
    HarmonyEncoding,
    HarmonyError,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
    StreamableParser,
    load_harmony_encoding,
)
from harmony_typed.strategies import mutate

pytestmark = pytest.mark.parity_oss

OH, ORACLE = load_oracle()
SETTINGS = settings(
    max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.fixture(scope="module")
def oss() -> HarmonyEncoding:
    return load_harmony_encoding("HarmonyGptOss", dialect=Dialect.OSS_HARMONY_0_0_11)


def test_the_reference_is_oss_harmony_0_0_11() -> None:
    assert importlib.metadata.version("oss-harmony") == "0.0.11"
    assert OH.__name__ == "openai_harmony"


@SETTINGS
@given(conversation=conversations(), next_role=st.sampled_from(list(Role)), has_function_tools=st.booleans())
def test_render_entry_points(
    oss: HarmonyEncoding, conversation: list[Message], next_role: Role, has_function_tools: bool
) -> None:
    ours_convo = Conversation(messages=conversation)
    theirs_convo = _oracle_conversation(conversation)
    options = RenderOptions(conversation_has_function_tools=has_function_tools)
    oracle_options = OH.RenderOptions(conversation_has_function_tools=has_function_tools)
    for message, oracle_message in zip(conversation, theirs_convo.messages, strict=True):
        _check("render", (oss.render, (message, options)), (ORACLE.render, (oracle_message, oracle_options)))
    for auto_drop in (True, False):
        config = RenderConversationConfig(auto_drop_analysis=auto_drop)
        oracle_config = OH.RenderConversationConfig(auto_drop_analysis=auto_drop)
        _check(
            "render_conversation",
            (oss.render_conversation, (ours_convo, config)),
            (ORACLE.render_conversation, (theirs_convo, oracle_config)),
        )
        _check(
            "render_conversation_for_completion",
            (oss.render_conversation_for_completion, (ours_convo, next_role, config)),
            (ORACLE.render_conversation_for_completion, (theirs_convo, OH.Role(next_role.value), oracle_config)),
        )
        _check(
            "render_conversation_for_training",
            (oss.render_conversation_for_training, (ours_convo, config)),
            (ORACLE.render_conversation_for_training, (theirs_convo, oracle_config)),
        )


def _rendered(conversation: list[Message]) -> list[int]:
    """The reference's rendering of ``conversation`` ([] if it fails to render)."""
    try:
        tokens: list[int] = ORACLE.render_conversation(_oracle_conversation(conversation))
    except Exception:  # the reference raises RuntimeError, ValueError, ...: nothing to parse then
        return []
    return tokens


@SETTINGS
@given(data=st.data(), conversation=conversations(), role=_ROLES, strict=st.booleans())
def test_parse_renderings_and_mutations(
    oss: HarmonyEncoding, data: st.DataObject, conversation: list[Message], role: Role | None, strict: bool
) -> None:
    tokens = _rendered(conversation)
    assert ours(oss, tokens, None, strict) == theirs(ORACLE, tokens, None, strict)
    mutated = mutate(tokens, data.draw(st.randoms(use_true_random=False)))
    assert ours(oss, mutated, role, strict) == theirs(ORACLE, mutated, role, strict)


@SETTINGS
@given(data=st.data(), role=_ROLES, strict=st.booleans())
def test_parse_token_soups(oss: HarmonyEncoding, data: st.DataObject, role: Role | None, strict: bool) -> None:
    tokens = data.draw(token_soups(oss))
    assert ours(oss, tokens, role, strict) == theirs(ORACLE, tokens, role, strict)


@SETTINGS
@given(data=st.data(), conversation=conversations(), role=_ROLES, strict=st.booleans())
def test_stream_traces(
    oss: HarmonyEncoding, data: st.DataObject, conversation: list[Message], role: Role | None, strict: bool
) -> None:
    source = data.draw(st.sampled_from(["rendered", "mutated", "soup"]))
    tokens: list[Any] = _rendered(conversation)
    if source == "mutated":
        tokens = mutate(tokens, data.draw(st.randoms(use_true_random=False)))
    elif source == "soup":
        tokens = data.draw(token_soups(oss))
    steps: list[int | None] = [*tokens, None]
    oracle_role = None if role is None else OH.Role(role.value)
    expected = _trace(OH.StreamableParser(ORACLE, oracle_role, strict=strict), steps, OH.HarmonyError)
    assert _trace(StreamableParser(oss, role, strict=strict), steps, HarmonyError) == expected
