"""The renderer's content-keyed caches stay id-exact: hits, misses, clears and mutated input dicts.

Differential (marked ``parity``): every render is compared with openai_harmony's
token ids for a conversation built afresh from the same JSON, as a server does
per request.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import load_oracle

from harmony_typed import Conversation, HarmonyEncoding, Message, Role, load_harmony_encoding

pytestmark = pytest.mark.parity

LONG = "The quick brown fox jumps over the lazy dog, again and again. " * 3


def _tool_conversation(weather_params: dict[str, Any], answer: str) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": [{"type": "system_content", "model_identity": "You are ChatGPT."}]},
            {
                "role": "developer",
                "content": [
                    {
                        "type": "developer_content",
                        "instructions": "Answer briefly. " + LONG,
                        "tools": {
                            "functions": {
                                "name": "functions",
                                "description": None,
                                "tools": [
                                    {"name": "get_weather", "description": "Weather.", "parameters": weather_params}
                                ],
                            }
                        },
                    }
                ],
            },
            {"role": "user", "content": [{"type": "text", "text": LONG + "What is the weather in SF?"}]},
            {
                "role": "assistant",
                "channel": "commentary",
                "recipient": "functions.get_weather",
                "content_type": "<|constrain|>json",
                "content": [{"type": "text", "text": '{"location": "San Francisco, California, USA"}'}],
            },
            {
                "role": "tool",
                "name": "functions.get_weather",
                "channel": "commentary",
                "content": [{"type": "text", "text": answer}],
            },
        ]
    }


def _both(payload: dict[str, Any]) -> tuple[list[int], list[int]]:
    oh, oracle = load_oracle()
    enc: HarmonyEncoding = load_harmony_encoding("HarmonyGptOss")
    text = json.dumps(payload)
    ours = enc.render_conversation_for_completion(Conversation.from_json(text), Role.ASSISTANT)
    theirs = oracle.render_conversation_for_completion(oh.Conversation.from_json(text), oh.Role.ASSISTANT)
    return ours, list(theirs)


PARAMS: dict[str, Any] = {
    "type": "object",
    "properties": {"location": {"type": "string", "description": "City and country, e.g. " + LONG}},
    "required": ["location"],
}


def test_repeated_requests_hit_and_stay_exact() -> None:
    for answer in ['{"temperature": 20}', '{"temperature": 20}', "sunny " * 20, "sunny " * 20]:
        ours, theirs = _both(_tool_conversation(PARAMS, answer))
        assert ours == theirs


def test_mutating_the_parameters_dict_after_a_render_is_never_stale() -> None:
    params = copy.deepcopy(PARAMS)
    first, theirs = _both(_tool_conversation(params, "ok " * 20))
    assert first == theirs
    params["properties"]["location"]["description"] = "Another description, long enough to be cached " * 2
    params["properties"]["unit"] = {"type": "string", "enum": ["c", "f"]}
    second, theirs = _both(_tool_conversation(params, "ok " * 20))
    assert second == theirs
    assert second != first


def test_mutating_text_between_requests() -> None:
    payload = _tool_conversation(PARAMS, "result " * 20)
    first, theirs = _both(payload)
    assert first == theirs
    payload["messages"][2]["content"][0]["text"] += " And in Paris?"
    second, theirs = _both(payload)
    assert second == theirs != first


def test_cache_overflow_and_clear_stay_exact() -> None:
    enc = load_harmony_encoding("HarmonyGptOss")
    for i in range(40):
        ours, theirs = _both(_tool_conversation(PARAMS, f"answer number {i} " * 8))
        assert ours == theirs
    enc._renderer.clear_caches()
    ours, theirs = _both(_tool_conversation(PARAMS, "answer number 3 " * 8))
    assert ours == theirs


def test_caller_may_mutate_the_returned_list() -> None:
    enc = load_harmony_encoding("HarmonyGptOss")
    text = json.dumps(_tool_conversation(PARAMS, "x" * 64))
    first = enc.render_conversation_for_completion(Conversation.from_json(text), Role.ASSISTANT)
    expected = list(first)
    first.clear()
    assert enc.render_conversation_for_completion(Conversation.from_json(text), Role.ASSISTANT) == expected


def _both_from_dict(payload: dict[str, Any], enc: HarmonyEncoding) -> tuple[list[int], list[int]]:
    """Ours from the caller's very dicts (``Conversation.from_dict``, no JSON round trip), theirs from a copy."""
    oh, oracle = load_oracle()
    ours = enc.render_conversation_for_completion(Conversation.from_dict(payload), Role.ASSISTANT)
    theirs = oracle.render_conversation_for_completion(
        oh.Conversation.from_json(json.dumps(payload)), oh.Role.ASSISTANT
    )
    return ours, list(theirs)


def test_growing_history_from_the_same_dicts_hits_and_stays_exact() -> None:
    """An agent loop: the conversation so far re-sent (same dict objects) with one more round each time."""
    enc = load_harmony_encoding("HarmonyGptOss")
    payload = _tool_conversation(PARAMS, "sunny " * 20)
    base = payload["messages"]
    for i in range(6):
        base.append({"role": "assistant", "channel": "analysis", "content": f"Round {i}: thinking about it " * 2})
        base.append(copy.deepcopy(base[3]))
        base.append(copy.deepcopy(base[4]))
        ours, theirs = _both_from_dict(payload, enc)
        assert ours == theirs
    base.append({"role": "assistant", "channel": "final", "content": "Done."})  # auto-drop now applies
    ours, theirs = _both_from_dict(payload, enc)
    assert ours == theirs


def test_mutating_the_callers_dicts_after_a_render_is_never_stale() -> None:
    enc = load_harmony_encoding("HarmonyGptOss")
    payload = _tool_conversation(copy.deepcopy(PARAMS), "result " * 20)
    rendered = []
    mutations: list[Callable[[list[Any]], object]] = [
        lambda m: m[2]["content"][0].__setitem__("text", "Another question, long enough to be cached? " * 2),
        lambda m: m[3].__setitem__("recipient", "functions.get_time"),
        lambda m: m[4].__setitem__("name", "functions.get_time"),
        lambda m: m[1]["content"][0].__setitem__("instructions", "Changed instructions."),
        lambda m: m[1]["content"][0]["tools"]["functions"]["tools"][0]["parameters"]["properties"].pop("location"),
        lambda m: m[0]["content"][0].__setitem__("reasoning_effort", "Low"),
    ]
    ours, theirs = _both_from_dict(payload, enc)
    assert ours == theirs
    rendered.append(ours)
    for mutate in mutations:
        mutate(payload["messages"])
        ours, theirs = _both_from_dict(payload, enc)
        assert ours == theirs
        assert ours not in rendered
        rendered.append(ours)


def test_system_message_cached_with_and_without_function_tools() -> None:
    """The same system ``Message`` object renders differently once the conversation has function tools."""
    enc = load_harmony_encoding("HarmonyGptOss")
    with_tools = _tool_conversation(PARAMS, "ok " * 20)
    without = {"messages": [with_tools["messages"][0], with_tools["messages"][2]]}
    for payload in (without, with_tools, without, with_tools):
        ours, theirs = _both_from_dict(payload, enc)
        assert ours == theirs
    system = Conversation.from_dict(without).messages[0]
    assert Conversation.from_dict(with_tools).messages[0] is system  # one object, two renderings


def test_message_caches_stay_bounded_and_exact() -> None:
    """More distinct messages than the message cache holds: it is cleared, never grows past its bound."""
    enc = load_harmony_encoding("HarmonyGptOss")
    oh, oracle = load_oracle()
    renderer = enc._renderer
    for i in range(9000):
        message = Message.from_role_and_content(Role.USER, f"message {i}")
        tokens = enc.render(message)
        if i % 1500 == 0:
            assert tokens == list(oracle.render(oh.Message.from_role_and_content(oh.Role.USER, f"message {i}")))
        assert len(renderer._messages) <= 8192
    again = enc.render(Message.from_role_and_content(Role.USER, "message 3"))
    assert again == list(oracle.render(oh.Message.from_role_and_content(oh.Role.USER, "message 3")))
