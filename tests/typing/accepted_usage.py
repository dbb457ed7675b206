"""Typical user code: must pass ``mypy --strict`` (checked by ``nox -s typecheck``, never run)."""

from __future__ import annotations

from typing_extensions import assert_type

from harmony_typed import (
    Author,
    Conversation,
    DeveloperContent,
    HarmonyEncoding,
    HarmonyError,
    Message,
    ReasoningEffort,
    RenderConversationConfig,
    Role,
    StreamableParser,
    StreamState,
    SystemContent,
    ToolDescription,
    load_harmony_encoding,
)


def build_prompt(enc: HarmonyEncoding, question: str) -> list[int]:
    system = SystemContent.new().with_reasoning_effort(ReasoningEffort.HIGH).with_conversation_start_date("2025-06-28")
    developer = (
        DeveloperContent.new()
        .with_instructions("Be brief")
        .with_function_tools(
            [ToolDescription.new("get_weather", "Gets the weather", {"type": "object", "properties": {}})]
        )
    )
    convo = Conversation.from_messages(
        [
            Message.from_role_and_content(Role.SYSTEM, system),
            Message.from_role_and_content(Role.DEVELOPER, developer),
            Message.from_role_and_content(Role.USER, question),
        ]
    )
    tokens = enc.render_conversation_for_completion(convo, Role.ASSISTANT, RenderConversationConfig())
    assert_type(tokens, list[int])
    return tokens


def stream(enc: HarmonyEncoding, sampled: list[int]) -> str:
    parser = StreamableParser(enc, Role.ASSISTANT)
    out: list[str] = []
    for token in sampled:
        try:
            parser.process(token)
        except HarmonyError:
            continue
        delta = parser.last_content_delta
        assert_type(delta, str | None)
        if delta is not None and parser.current_channel == "final":
            out.append(delta)
        assert_type(parser.state, StreamState)
    parser.process_eos()
    for message in parser.messages:
        assert_type(message, Message)
        if message.author.role == "assistant":  # Role is a str enum
            out.append(message.to_json())
    return "".join(out)


def tool_reply(call: Message, result: str) -> Message:
    name = call.recipient or "functions.unknown"
    return Message.from_author_and_content(Author.new(Role.TOOL, name), result).with_recipient("assistant")


enc = load_harmony_encoding("HarmonyGptOss")
assert_type(enc.stop_tokens_for_assistant_actions(), list[int])
assert_type(enc.parse_messages_from_completion_tokens([200006], None, strict=False), list[Message])
