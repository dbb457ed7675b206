"""Models: immutability, validation with clear errors, openai_harmony dict shapes, round trips."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest

import harmony_typed
from harmony_typed import (
    Author,
    Content,
    Conversation,
    DeveloperContent,
    HarmonyEncodingName,
    JSONValue,
    Message,
    ReasoningEffort,
    RenderConversationConfig,
    RenderOptions,
    Role,
    StreamState,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
)

# Untyped access for the tests that feed wrong types on purpose (mypy would reject them).
U: Any = harmony_typed

WEATHER = ToolDescription.new(
    "get_current_weather",
    "Gets the current weather in the provided location.",
    {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "format": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
        },
        "required": ["location"],
    },
)


def test_role_is_a_str_enum() -> None:
    role: Role = Role.ASSISTANT
    assert role == "assistant"
    assert Role("user") is Role.USER
    assert str(Role.TOOL) == "tool"
    with pytest.raises(ValueError, match=r"^Unknown role: 'robot'$"):
        Role("robot")


def test_enum_values_match_upstream() -> None:
    assert [e.value for e in ReasoningEffort] == ["Low", "Medium", "High"]
    assert [s.value for s in StreamState] == ["ExpectStart", "Header", "Content"]
    assert str(HarmonyEncodingName.HARMONY_GPT_OSS) == "HarmonyGptOss"


def test_models_are_frozen_and_builders_return_new_objects() -> None:
    msg = Message.from_role_and_content(Role.ASSISTANT, "hi")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        msg.channel = "final"  # type: ignore[misc]  # the point of the test
    final = msg.with_channel("final").with_recipient("functions.f").with_content_type("<|constrain|>json")
    assert msg.channel is None and msg.recipient is None
    assert (final.channel, final.recipient, final.content_type) == ("final", "functions.f", "<|constrain|>json")
    more = final.adding_content("more")
    assert len(final.content) == 1 and more.content == (TextContent(text="hi"), TextContent(text="more"))
    system = SystemContent.new()
    assert system.with_browser_tool() is not system and system.tools is None


def test_content_is_a_runtime_union() -> None:
    assert isinstance(TextContent(text="x"), Content)
    assert isinstance(SystemContent.new(), Content)
    assert not isinstance("x", Content)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: U.Author(role="user"), TypeError, "Author.role must be a Role, got str: 'user' (use Role('user'))"),
        (lambda: U.Author(role=Role.USER, name=3), TypeError, "Author.name must be a str or None, got int: 3"),
        (lambda: U.TextContent(text=None), TypeError, "TextContent.text must be a str, got NoneType: None"),
        (
            lambda: U.Message(author=U.Author(role=U.Role.USER), content="hi"),
            TypeError,
            "Message.content must be a sequence of content items, got a single str; "
            "use Message.from_role_and_content(role, content) or wrap it in a list",
        ),
        (
            lambda: U.Message(author=U.Author(role=U.Role.USER), content=[1]),
            TypeError,
            "Message.content items must be TextContent, SystemContent or DeveloperContent, got int: 1",
        ),
        (
            lambda: U.Message.from_role_and_content(Role.USER, "x").with_channel(5),
            TypeError,
            "Message.channel must be a str or None, got int: 5",
        ),
        (
            lambda: U.Conversation.from_messages([SystemContent.new()]),
            TypeError,
            "Conversation.messages[0] must be a Message, got SystemContent: " + repr(SystemContent.new()),
        ),
        (
            lambda: U.ToolDescription.new("f", "d", {"x": float("nan")}),
            ValueError,
            "ToolDescription.parameters['x'] is nan: JSON has no NaN or infinity",
        ),
        (
            lambda: U.ToolDescription.new("f", "d", {"x": {1, 2}}),
            TypeError,
            "ToolDescription.parameters['x'] is a set, which is not a JSON value: {1, 2}",
        ),
        (
            lambda: U.SystemContent(reasoning_effort="high"),
            TypeError,
            "SystemContent.reasoning_effort must be a ReasoningEffort or None, got str: 'high' "
            "(use ReasoningEffort('high'))",
        ),
        (
            lambda: U.ChannelConfig(valid_channels="final", channel_required=True),
            TypeError,
            "expected a sequence of str, got a str: 'final'",
        ),
        (
            lambda: U.RenderConversationConfig(auto_drop_analysis=1),
            TypeError,
            "RenderConversationConfig.auto_drop_analysis must be a bool, got int: 1",
        ),
    ],
)
def test_wrong_types_are_rejected_at_construction(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        build()
    assert str(info.value) == message


def test_parameters_are_copied_and_validated() -> None:
    params: dict[str, Any] = {"type": "object", "properties": {"a": {"type": "string"}}, "tuple": (1, 2)}
    tool = ToolDescription.new("f", "d", params)
    params["properties"]["a"]["type"] = "number"
    assert tool.parameters == {"type": "object", "properties": {"a": {"type": "string"}}, "tuple": [1, 2]}


def test_message_to_dict_shape() -> None:
    msg = Message.from_author_and_content(Author.new(Role.TOOL, "functions.f"), "res").with_recipient("assistant")
    assert msg.to_dict() == {
        "role": "tool",
        "name": "functions.f",
        "content": [{"type": "text", "text": "res"}],
        "recipient": "assistant",
    }
    assert list(Message.from_role_and_content(Role.USER, "x").to_dict()) == ["role", "name", "content"]
    assert Message.from_role_and_content(Role.USER, "é").to_json() == (
        '{"role": "user", "name": null, "content": [{"type": "text", "text": "\\u00e9"}]}'
    )


def test_system_content_to_dict_shape() -> None:
    assert SystemContent.new().to_dict() == {
        "model_identity": "You are ChatGPT, a large language model trained by OpenAI.",
        "reasoning_effort": "Medium",
        "knowledge_cutoff": "2024-06",
        "channel_config": {"valid_channels": ["analysis", "commentary", "final"], "channel_required": True},
        "type": "system_content",
    }
    python = SystemContent.new().with_python_tool().to_dict()
    assert python["tools"] == {"python": ToolNamespaceConfig.python().to_dict()}
    assert "description" in ToolNamespaceConfig.python().to_dict()
    assert "description" not in ToolNamespaceConfig(name="n", tools=[]).to_dict()


def test_developer_content_to_dict_shape() -> None:
    assert DeveloperContent.new().to_dict() == {"type": "developer_content"}
    dev = DeveloperContent.new().with_instructions("I").with_function_tools([WEATHER, ToolDescription.new("g", "h")])
    assert dev.to_dict() == {
        "instructions": "I",
        "tools": {
            "functions": {
                "name": "functions",
                "tools": [
                    {"name": WEATHER.name, "description": WEATHER.description, "parameters": WEATHER.parameters},
                    {"name": "g", "description": "h"},
                ],
            }
        },
        "type": "developer_content",
    }


def test_none_fields_with_non_none_defaults_survive_a_round_trip() -> None:
    # openai_harmony drops these keys and its from_dict restores the defaults; we keep them.
    bare = SystemContent(model_identity=None, reasoning_effort=None, knowledge_cutoff=None, channel_config=None)
    assert bare.to_dict() == {
        "model_identity": None,
        "reasoning_effort": None,
        "knowledge_cutoff": None,
        "channel_config": None,
        "type": "system_content",
    }
    assert SystemContent.from_dict(bare.to_dict()) == bare


def _sample_conversation() -> Conversation:
    system = (
        SystemContent.new()
        .with_reasoning_effort(ReasoningEffort.HIGH)
        .with_conversation_start_date("2025-06-28")
        .with_required_channels(["analysis", "final"])
        .with_browser_tool()
        .with_python_tool()
    )
    developer = DeveloperContent.new().with_instructions("Riddles").with_function_tools([WEATHER])
    return Conversation.from_messages(
        [
            Message.from_role_and_content(Role.SYSTEM, system),
            Message.from_role_and_contents(Role.DEVELOPER, [developer, TextContent(text="extra")]),
            Message.from_role_and_content(Role.USER, "What is the weather in SF?"),
            Message.from_role_and_content(Role.ASSISTANT, "Need tool.").with_channel("analysis"),
            Message.from_role_and_content(Role.ASSISTANT, '{"location": "SF"}')
            .with_channel("commentary")
            .with_recipient("functions.get_current_weather")
            .with_content_type("<|constrain|>json"),
            Message.from_author_and_content(Author.new(Role.TOOL, "functions.get_current_weather"), '{"t": 20}')
            .with_channel("commentary")
            .with_recipient("assistant"),
        ]
    )


def test_round_trips_through_dict_and_json() -> None:
    convo = _sample_conversation()
    assert Conversation.from_dict(convo.to_dict()) == convo
    assert Conversation.from_json(convo.to_json()) == convo
    for message in convo:
        assert Message.from_dict(message.to_dict()) == message
        assert Message.from_json(message.to_json()) == message
    assert json.loads(convo.to_json()) == convo.to_dict()


def test_from_dict_accepts_string_content_and_ignores_unknown_keys() -> None:
    msg = Message.from_dict({"role": "user", "content": "hi", "extra": 1})
    assert msg == Message.from_role_and_content(Role.USER, "hi")
    system = SystemContent.from_dict({"type": "system_content", "unknown": True})
    assert system == SystemContent.new()


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ({"role": "robot", "content": "x"}, ValueError, "Unknown role: 'robot'"),
        ({"role": "user"}, KeyError, "Message.from_dict: missing required field 'content'"),
        (
            {"role": "user", "content": [{"type": "image", "url": "u"}]},
            ValueError,
            "Unknown content variant: {'type': 'image', 'url': 'u'}",
        ),
        (
            {"role": "user", "content": 5},
            TypeError,
            "Message content must be a string or a list of content dicts, got int: 5",
        ),
        ({"role": 1, "content": "x"}, TypeError, "Message role must be a str, got int: 1"),
        ([1], TypeError, "Message.from_dict expects a dict, got list: [1]"),
    ],
)
def test_from_dict_errors(data: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        Message.from_dict(data)
    assert str(info.value) == message


def test_builtin_namespaces_are_fresh_equal_objects() -> None:
    assert ToolNamespaceConfig.browser() == ToolNamespaceConfig.browser()
    assert [t.name for t in ToolNamespaceConfig.browser().tools] == ["search", "open", "find"]
    assert ToolNamespaceConfig.python().tools == ()


def test_with_tools_replaces_by_name_and_function_tools_key() -> None:
    dev = DeveloperContent.new().with_function_tools([WEATHER]).with_function_tools([])
    assert dev.tools is not None and dev.tools["functions"].tools == ()
    system = (
        SystemContent.new()
        .with_tools(ToolNamespaceConfig(name="x", tools=[]))
        .with_tools(ToolNamespaceConfig(name="x", description="d", tools=[]))
    )
    assert system.tools == {"x": ToolNamespaceConfig(name="x", description="d", tools=())}


def test_config_defaults() -> None:
    assert RenderConversationConfig().auto_drop_analysis is True
    assert RenderOptions().conversation_has_function_tools is False


# -- hostile input (issue 16) ----------------------------------------------------


def test_missing_field_names_the_model_and_the_key() -> None:
    with pytest.raises(KeyError) as info:  # a KeyError, as openai_harmony raises
        Message.from_dict({"role": "user"})
    assert info.value.args == ("content",)
    assert str(info.value) == "Message.from_dict: missing required field 'content'"


def test_cyclic_parameters_are_a_value_error_like_openai_harmony() -> None:
    schema: dict[str, object] = {"type": "object"}
    schema["properties"] = {"self": schema}
    with pytest.raises(ValueError, match="^Circular reference detected$"):
        ToolDescription.new("f", "d", schema)  # type: ignore[arg-type]


def test_deep_parameters_are_a_value_error_naming_the_depth() -> None:
    deep: dict[str, object] = {"type": "object"}
    current = deep
    for _ in range(2_000):
        child: dict[str, object] = {"type": "object"}
        current["properties"] = {"a": child}
        current = child
    with pytest.raises(ValueError, match="nested more than 400 levels deep"):
        ToolDescription.new("f", "d", deep)  # type: ignore[arg-type]


def test_shared_subschemas_are_not_cycles() -> None:
    shared: dict[str, JSONValue] = {"type": "string"}
    tool = ToolDescription.new("f", "d", {"type": "object", "properties": {"a": shared, "b": shared}})
    assert tool.parameters == {"type": "object", "properties": {"a": shared, "b": shared}}


@pytest.mark.parametrize("model", [Message, Conversation])
@pytest.mark.parametrize(
    ("payload", "depth"),
    [
        ("[" * 100_000, 100_000),
        ('{"a":' * 5_000, 5_000),
        (b"[" * 1_000, 1_000),
        ('{"x": "[[[", "y":' + "[" * 2_000, 2_001),
    ],
)
def test_deep_json_is_a_value_error_naming_the_depth(model: Any, payload: str | bytes, depth: int) -> None:
    with pytest.raises(ValueError, match=rf"^{model.__name__}\.from_json: the JSON is nested {depth} levels deep"):
        model.from_json(payload)


def test_brackets_in_strings_do_not_count_as_nesting() -> None:
    text = "[" * 5_000
    assert Message.from_json(json.dumps({"role": "user", "content": text})).content == (TextContent(text=text),)
