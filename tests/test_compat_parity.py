"""Differential tests: client-style scripts run against openai_harmony and harmony_typed.compat."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from conftest import load_oracle

import harmony_typed.compat

pytestmark = pytest.mark.parity


def _modules() -> list[ModuleType]:
    oracle, _ = load_oracle()
    return [oracle, harmony_typed.compat]


def _outcome(call: Any) -> tuple[str, Any]:
    try:
        return ("ok", call())
    except Exception as exc:  # the exception kind is what is compared
        return ("error", (isinstance(exc, RuntimeError), isinstance(exc, ValueError), str(exc)))


def _request(h: Any) -> Any:
    system = (
        h.SystemContent.new().with_reasoning_effort(h.ReasoningEffort.LOW).with_conversation_start_date("2025-01-01")
    )
    system.with_browser_tool()  # mutates, result ignored (as clients do)
    dev = h.DeveloperContent.new().with_instructions("Be brief.")
    dev.with_function_tools(
        [
            h.ToolDescription.new(
                "get_weather", "Weather", {"type": "object", "properties": {"city": {"type": "string"}}}
            )
        ]
    )
    call = h.Message.from_role_and_content("assistant", '{"city": "Paris"}')
    call.channel = "commentary"
    call.recipient = "functions.get_weather"
    call.content_type = "<|constrain|>json"
    return h.Conversation.from_messages(
        [
            h.Message.from_role_and_content("system", system),
            h.Message.from_role_and_content("developer", dev),
            h.Message.from_role_and_content("user", "Weather in Paris?"),
            call,
            h.Message.from_author_and_content(h.Author.new("tool", "functions.get_weather"), "sunny").with_channel(
                "commentary"
            ),
            h.Message(author=h.Author(role="assistant"), content=[h.TextContent(text="x")], recipient=h.Role.ASSISTANT),
        ]
    )


def _completion(oracle_enc: Any) -> list[int]:
    text = (
        "<|channel|>analysis<|message|>Think about it.<|end|><|start|>assistant<|channel|>commentary "
        'to=functions.f <|constrain|>json<|message|>{"a": 1}<|call|>'
    )
    return oracle_enc.encode(text, allowed_special="all")  # type: ignore[no-any-return]


def _stream(h: Any, enc: Any, tokens: list[int]) -> list[Any]:
    parser = h.StreamableParser(enc, h.Role.ASSISTANT)
    seen: list[Any] = []
    for token in tokens:
        step = _outcome(lambda t=token: parser.process(t) and None)
        msgs = parser.messages
        if msgs:
            msgs[-1].recipient = "mutated"  # must not leak into the next access
        seen.append(
            (
                step,
                parser.current_channel,
                parser.current_recipient,
                parser.last_content_delta,
                parser.current_content,
                str(parser.current_role),
                parser.current_content_type,
                str(parser.state),
                parser.state_data,
                list(parser.tokens),
                [m.to_dict() for m in parser.messages],
            )
        )
    seen.append(_outcome(lambda: parser.process_eos() and None))
    seen.append([m.to_dict() for m in parser.messages])
    return seen


def test_render_request_with_string_roles_and_assignment() -> None:
    results = []
    for h in _modules():
        enc = h.load_harmony_encoding(h.HarmonyEncodingName.HARMONY_GPT_OSS)
        convo = _request(h)
        first = enc.render_conversation_for_completion(convo, h.Role.ASSISTANT)
        convo.messages[2].content[0].text = "Weather in Rome?"  # mutate after render
        convo.messages.append(h.Message.from_role_and_content(h.Role.USER, "thanks"))
        second = enc.render_conversation_for_completion(convo, h.Role.ASSISTANT)
        training = enc.render_conversation_for_training(convo, h.RenderConversationConfig(auto_drop_analysis=False))
        results.append((first, second, training, convo.to_dict(), str(h.Role.USER), convo.messages[5].recipient))
    assert results[0] == results[1]


def test_stream_parse_per_token_properties_and_fresh_messages() -> None:
    _, oracle_enc = load_oracle()
    tokens = _completion(oracle_enc)
    results = [_stream(h, h.load_harmony_encoding("HarmonyGptOss"), tokens) for h in _modules()]
    assert results[0] == results[1]


def _errors(h: Any, bad: list[int]) -> tuple[Any, ...]:
    enc = h.load_harmony_encoding("HarmonyGptOss")
    return (
        _outcome(lambda: enc.decode_utf8([9397, 166])),
        _outcome(lambda: enc.encode("<|start|>")),
        _outcome(lambda: h.Role("nobody")),
        _outcome(lambda: enc.parse_messages_from_completion_tokens([12194], h.Role.ASSISTANT)),
        _outcome(lambda: [m.to_dict() for m in enc.parse_messages_from_completion_tokens(bad[1:6], h.Role.ASSISTANT)]),
    )


def test_errors_and_keep_feeding() -> None:
    _, oracle_enc = load_oracle()
    bad = [200006, *oracle_enc.encode("assistant"), 200008, *oracle_enc.encode("hi"), 200007, 12194, 200006]
    results = [_stream(h, h.load_harmony_encoding("HarmonyGptOss"), bad) for h in _modules()]
    assert results[0] == results[1]
    errors = [_errors(h, bad) for h in _modules()]
    assert errors[0] == errors[1]


def test_json_round_trips_and_builtin_tools() -> None:
    results = []
    for h in _modules():
        convo = _request(h)
        again = h.Conversation.from_json(convo.to_json())
        results.append(
            (
                again.to_dict(),
                h.ToolNamespaceConfig.browser().model_dump(),
                h.ToolNamespaceConfig.python().model_dump(),
                h.SystemContent.new().to_dict(),
                h.Message.from_dict({"role": "user", "content": "hi"}).to_dict(),
                sorted(set(h.__all__)),
            )
        )
    assert results[0] == results[1]
