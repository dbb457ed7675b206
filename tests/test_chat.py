"""conversation_from_chat: every rule of issue 14 item 1 (docs/training.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from harmony_typed import (
    Conversation,
    DeveloperContent,
    Message,
    ReasoningEffort,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
)
from harmony_typed.chat import ChatMessage, ChatTool, conversation_from_chat

WEATHER_TOOL: ChatTool = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def _body(convo: Conversation) -> list[Message]:
    """The messages after the system message (and after the developer message, if any)."""
    messages = list(convo.messages)
    assert messages[0].author.role is Role.SYSTEM
    start = 2 if len(messages) > 1 and messages[1].author.role is Role.DEVELOPER else 1
    return messages[start:]


def _text(message: Message) -> str:
    (item,) = message.content
    assert isinstance(item, TextContent)
    return item.text


def _developer(convo: Conversation) -> DeveloperContent:
    message = convo.messages[1]
    assert message.author.role is Role.DEVELOPER
    (item,) = message.content
    assert isinstance(item, DeveloperContent)
    return item


def _system(convo: Conversation) -> SystemContent:
    (item,) = convo.messages[0].content
    assert isinstance(item, SystemContent)
    return item


def _rejects(records: list[Mapping[str, object]], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        conversation_from_chat(records)


# -- system message -------------------------------------------------------------


def test_system_message_is_always_first_with_defaults() -> None:
    convo = conversation_from_chat([{"role": "user", "content": "Hi"}])
    assert convo.messages[0] == Message.from_role_and_content(Role.SYSTEM, SystemContent.new())
    assert [m.author.role for m in convo.messages] == [Role.SYSTEM, Role.USER]


def test_empty_chat_is_just_the_system_message() -> None:
    assert len(conversation_from_chat([])) == 1


@pytest.mark.parametrize(
    ("given", "effort"),
    [("low", ReasoningEffort.LOW), ("MEDIUM", ReasoningEffort.MEDIUM), ("High", ReasoningEffort.HIGH)],
)
def test_reasoning_effort_any_case(given: str, effort: ReasoningEffort) -> None:
    assert _system(conversation_from_chat([], reasoning_effort=given)).reasoning_effort is effort


def test_reasoning_effort_enum_accepted() -> None:
    convo = conversation_from_chat([], reasoning_effort=ReasoningEffort.HIGH)
    assert _system(convo).reasoning_effort is ReasoningEffort.HIGH


@pytest.mark.parametrize("bad", ["extreme", "", 3])
def test_reasoning_effort_invalid(bad: object) -> None:
    with pytest.raises(ValueError, match="reasoning_effort"):
        conversation_from_chat([], reasoning_effort=bad)  # type: ignore[arg-type]


def test_other_system_keywords_applied() -> None:
    system = _system(
        conversation_from_chat(
            [], model_identity="You are Bob.", conversation_start_date="2026-12-02", knowledge_cutoff="2025-01"
        )
    )
    expected = (
        SystemContent.new()
        .with_model_identity("You are Bob.")
        .with_conversation_start_date("2026-12-02")
        .with_knowledge_cutoff("2025-01")
    )
    assert system == expected


def test_builtin_tools_become_system_namespaces() -> None:
    system = _system(conversation_from_chat([], builtin_tools=("browser", "python")))
    assert system.tools == {"browser": ToolNamespaceConfig.browser(), "python": ToolNamespaceConfig.python()}


def test_builtin_tools_errors() -> None:
    with pytest.raises(ValueError, match="unknown built-in tool 'shell'"):
        conversation_from_chat([], builtin_tools=["shell"])
    with pytest.raises(ValueError, match="builtin_tools: expected a sequence"):
        conversation_from_chat([], builtin_tools="browser")


# -- developer message ------------------------------------------------------------


@pytest.mark.parametrize("role", ["system", "developer"])
def test_first_system_or_developer_record_is_the_instructions(role: str) -> None:
    convo = conversation_from_chat([{"role": role, "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    assert _developer(convo) == DeveloperContent.new().with_instructions("Be brief.")
    assert [m.author.role for m in convo.messages] == [Role.SYSTEM, Role.DEVELOPER, Role.USER]


def test_instructions_record_need_not_be_first() -> None:
    convo = conversation_from_chat([{"role": "user", "content": "Hi"}, {"role": "system", "content": "Be brief."}])
    assert _developer(convo).instructions == "Be brief."
    assert [m.author.role for m in convo.messages] == [Role.SYSTEM, Role.DEVELOPER, Role.USER]


def test_second_system_record_rejected() -> None:
    _rejects(
        [{"role": "system", "content": "a"}, {"role": "user", "content": "b"}, {"role": "developer", "content": "c"}],
        re.escape("messages[2].role: a second system/developer record (the first is messages[0])"),
    )


def test_tools_become_function_tools() -> None:
    convo = conversation_from_chat([{"role": "system", "content": "Be brief."}], tools=[WEATHER_TOOL])
    tool = ToolDescription.new(
        "get_weather", "Weather for a city.", {"type": "object", "properties": {"city": {"type": "string"}}}
    )
    assert _developer(convo) == DeveloperContent.new().with_instructions("Be brief.").with_function_tools([tool])


def test_tools_without_instructions_and_flat_schemas() -> None:
    convo = conversation_from_chat([], tools=[{"name": "ping"}])
    assert _developer(convo) == DeveloperContent.new().with_function_tools([ToolDescription.new("ping", "")])


def test_no_developer_message_without_instructions_or_tools() -> None:
    no_tools: tuple[list[ChatTool] | None, ...] = (None, [])
    for tools in no_tools:
        convo = conversation_from_chat([{"role": "user", "content": "Hi"}], tools=tools)
        assert [m.author.role for m in convo.messages] == [Role.SYSTEM, Role.USER]


@pytest.mark.parametrize(
    ("tool", "match"),
    [
        ({"type": "retrieval"}, r"tools\[0\]\.type: only 'function' tools"),
        ({"type": "function", "function": {"description": "x"}}, r"tools\[0\]\.function\.name"),
        ({"type": "function", "function": {"name": "f", "description": 1}}, r"tools\[0\]\.function\.description"),
        ({"type": "function", "function": {"name": "f", "parameters": []}}, r"tools\[0\]\.function\.parameters"),
        ({"type": "function", "function": {"name": "f", "parameters": {"x": {1}}}}, r"tools\[0\]\.function\.param"),
        ({"type": "function", "function": "f"}, r"tools\[0\]\.function: expected an object"),
    ],
)
def test_bad_tools(tool: Mapping[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        conversation_from_chat([], tools=[tool])


def test_tools_must_be_a_list() -> None:
    with pytest.raises(ValueError, match="tools: expected a list of tool schemas, got dict"):
        conversation_from_chat([], tools=WEATHER_TOOL)  # type: ignore[arg-type]


# -- user --------------------------------------------------------------------------


def test_user_text_and_parts() -> None:
    records: list[ChatMessage] = [
        {"role": "user", "content": "Hi"},
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        {"role": "user", "content": ""},
    ]
    body = _body(conversation_from_chat(records))
    assert body == [Message.from_role_and_content(Role.USER, text) for text in ("Hi", "ab", "")]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (
            [{"type": "image_url", "image_url": {"url": "x"}}],
            r"messages\[0\]\.content\[0\]: only text parts.*image_url",
        ),
        ([{"type": "text", "text": 3}], r"messages\[0\]\.content\[0\]\.text: expected a string"),
        (["plain"], r"messages\[0\]\.content\[0\]: only text parts"),
        (None, r"messages\[0\]\.content: expected a string or a list"),
        (5, r"messages\[0\]\.content: expected a string or a list"),
    ],
)
def test_user_bad_content(content: object, match: str) -> None:
    _rejects([{"role": "user", "content": content}], match)


# -- assistant --------------------------------------------------------------------


def _call(name: str, arguments: object, call_id: str | None = None) -> dict[str, object]:
    call: dict[str, object] = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id is not None:
        call["id"] = call_id
    return call


@pytest.mark.parametrize("key", ["thinking", "reasoning_content", "reasoning"])
def test_assistant_thinking_then_final(key: str) -> None:
    body = _body(conversation_from_chat([{"role": "assistant", key: "hmm", "content": "4"}]))
    assert body == [
        Message.from_role_and_content(Role.ASSISTANT, "hmm").with_channel("analysis"),
        Message.from_role_and_content(Role.ASSISTANT, "4").with_channel("final"),
    ]


def test_assistant_reasoning_under_several_keys() -> None:
    same = _body(conversation_from_chat([{"role": "assistant", "reasoning_content": "r", "reasoning": "r"}]))
    assert [_text(m) for m in same] == ["r"]
    _rejects(
        [{"role": "assistant", "thinking": "a", "reasoning": "b", "content": "x"}],
        re.escape("messages[0].reasoning: differs from messages[0].thinking"),
    )


def test_assistant_tool_calls_one_commentary_message_each() -> None:
    record = {
        "role": "assistant",
        "thinking": "Two lookups.",
        "tool_calls": [_call("get_weather", '{"city":"Paris"}'), _call("get_time", {"zone": "Zürich", "n": [1, 2]})],
        "content": "Checking.",
    }
    body = _body(conversation_from_chat([record]))
    assert [(m.channel, m.recipient, m.content_type, _text(m)) for m in body] == [
        ("analysis", None, None, "Two lookups."),
        ("commentary", "functions.get_weather", "<|constrain|>json", '{"city":"Paris"}'),
        ("commentary", "functions.get_time", "<|constrain|>json", '{"zone": "Zürich", "n": [1, 2]}'),
        ("final", None, None, "Checking."),
    ]
    assert all(m.author == body[0].author for m in body)


def test_flat_tool_call_accepted() -> None:
    body = _body(conversation_from_chat([{"role": "assistant", "tool_calls": [{"name": "f", "arguments": "{}"}]}]))
    assert [(m.recipient, _text(m)) for m in body] == [("functions.f", "{}")]


def test_empty_content_beside_tool_calls_is_no_answer() -> None:
    body = _body(conversation_from_chat([{"role": "assistant", "content": "", "tool_calls": [_call("f", "{}")]}]))
    assert [m.channel for m in body] == ["commentary"]
    alone = _body(conversation_from_chat([{"role": "assistant", "content": ""}]))
    assert alone == [Message.from_role_and_content(Role.ASSISTANT, "").with_channel("final")]


def test_assistant_content_parts_joined() -> None:
    body = _body(conversation_from_chat([{"role": "assistant", "content": [{"type": "text", "text": "a"}] * 2}]))
    assert [_text(m) for m in body] == ["aa"]


@pytest.mark.parametrize(
    ("record", "match"),
    [
        ({"role": "assistant"}, r"messages\[0\]\.content: an assistant record needs content, thinking or tool_calls"),
        ({"role": "assistant", "content": None, "thinking": ""}, r"messages\[0\]\.content: an assistant record"),
        ({"role": "assistant", "tool_calls": {}}, r"messages\[0\]\.tool_calls: expected a list"),
        ({"role": "assistant", "tool_calls": ["f"]}, r"messages\[0\]\.tool_calls\[0\]: expected an object"),
        (
            {"role": "assistant", "tool_calls": [{"function": {"name": "f"}}]},
            r"messages\[0\]\.tool_calls\[0\]\.function\.arguments: missing",
        ),
        (
            {"role": "assistant", "tool_calls": [_call("f", 3)]},
            r"messages\[0\]\.tool_calls\[0\]\.function\.arguments: expected a JSON string or object, got int",
        ),
        (
            {"role": "assistant", "tool_calls": [_call("f", {"x": {1}})]},
            r"messages\[0\]\.tool_calls\[0\]\.function\.arguments: not JSON-serialisable",
        ),
        ({"role": "assistant", "tool_calls": [_call("", "{}")]}, r"tool_calls\[0\]\.function\.name: expected a non"),
        ({"role": "assistant", "tool_calls": [_call("f", "{}", "")]}, r"messages\[0\]\.tool_calls\[0\]\.id"),
        ({"role": "assistant", "thinking": 7, "content": "x"}, r"messages\[0\]\.thinking: expected a string"),
        ({"role": "assistant", "content": [{"type": "image"}]}, r"messages\[0\]\.content\[0\]: only text parts"),
    ],
)
def test_assistant_errors(record: Mapping[str, object], match: str) -> None:
    _rejects([record], match)


# -- tool ---------------------------------------------------------------------------


def _tool_author(records: list[Mapping[str, object]]) -> Message:
    message = _body(conversation_from_chat(records))[-1]
    assert message.author.role is Role.TOOL
    return message


def test_tool_result_by_name() -> None:
    message = _tool_author([{"role": "tool", "name": "get_weather", "content": "18C"}])
    assert message.author.name == "functions.get_weather"
    assert (message.channel, message.recipient, message.content_type, _text(message)) == (
        "commentary",
        "assistant",
        None,
        "18C",
    )


def test_tool_result_by_call_id() -> None:
    calls = {"role": "assistant", "tool_calls": [_call("a", "{}", "id-a"), _call("b", "{}", "id-b")]}
    records: list[Mapping[str, object]] = [
        calls,
        {"role": "tool", "tool_call_id": "id-b", "content": "B"},
        {"role": "tool", "tool_call_id": "id-a", "content": "A"},
    ]
    body = _body(conversation_from_chat(records))
    assert [(m.author.name, _text(m)) for m in body[2:]] == [("functions.b", "B"), ("functions.a", "A")]


def test_tool_result_single_pending_call() -> None:
    records: list[Mapping[str, object]] = [
        {"role": "assistant", "tool_calls": [_call("only", "{}")]},
        {"role": "tool", "content": "done"},
    ]
    assert _tool_author(records).author.name == "functions.only"


@pytest.mark.parametrize(
    ("records", "match"),
    [
        ([{"role": "tool", "content": "x"}], r"messages\[0\]\.name: a tool result needs 'name' or 'tool_call_id'"),
        (
            [
                {"role": "assistant", "tool_calls": [_call("a", "{}"), _call("b", "{}")]},
                {"role": "tool", "content": "x"},
            ],
            r"messages\[1\]\.name: .*made 2 tool calls",
        ),
        (
            [{"role": "tool", "tool_call_id": "nope", "content": "x"}],
            r"messages\[0\]\.tool_call_id: no earlier tool call has id 'nope'",
        ),
        ([{"role": "tool", "name": 3, "content": "x"}], r"messages\[0\]\.name: expected a non-empty string"),
        ([{"role": "tool", "name": "f", "content": {"a": 1}}], r"messages\[0\]\.content: expected a string"),
    ],
)
def test_tool_result_errors(records: list[Mapping[str, object]], match: str) -> None:
    _rejects(records, match)


# -- records ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "match"),
    [
        ([{"role": "user", "content": "a"}, {"role": "function", "content": "x"}], r"messages\[1\]\.role: unknown"),
        ([{"content": "x"}], r"messages\[0\]\.role: unknown role None"),
        ([["user", "x"]], r"messages\[0\]: expected an object, got list"),
    ],
)
def test_bad_records(records: list[Mapping[str, object]], match: str) -> None:
    _rejects(records, match)


@pytest.mark.parametrize("messages", ["user: hi", {"role": "user", "content": "hi"}])
def test_messages_must_be_a_list(messages: object) -> None:
    with pytest.raises(ValueError, match="messages: expected a list of records"):
        conversation_from_chat(messages)  # type: ignore[arg-type]


def test_unknown_keys_ignored() -> None:
    body = _body(conversation_from_chat([{"role": "user", "content": "Hi", "weight": 0.5, "id": 7}]))
    assert body == [Message.from_role_and_content(Role.USER, "Hi")]
