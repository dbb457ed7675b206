"""The content-keyed caches of the models: equal JSON shares one immutable object, nothing else does.

``Message.from_dict``, ``SystemContent.from_dict`` and ``DeveloperContent.from_dict``
return the object built earlier from equal JSON, and tool parameters are validated
and copied once per distinct content (``_validation._content_key``).  These tests pin
what makes that safe: the key is a snapshot (mutating the caller's dicts afterwards
changes nothing built), it keeps types apart, errors are never cached, and input
without a key (subclasses, model objects, non-dict mappings) is built afresh.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

import attrs
import pytest

from harmony_typed import (
    Conversation,
    DeveloperContent,
    Message,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
)
from harmony_typed._validation import _content_key, _json_private, _KeyedCache

PARAMS: dict[str, Any] = {
    "type": "object",
    "properties": {"location": {"type": "string"}, "days": {"type": "integer", "default": 1}},
    "required": ["location"],
}
DEVELOPER: dict[str, Any] = {
    "type": "developer_content",
    "instructions": "Be brief.",
    "tools": {
        "functions": {
            "name": "functions",
            "tools": [{"name": "get_weather", "description": "Weather.", "parameters": PARAMS}],
        }
    },
}
MESSAGE: dict[str, Any] = {
    "role": "assistant",
    "name": None,
    "content": [{"type": "text", "text": '{"location": "Paris"}'}],
    "channel": "commentary",
    "recipient": "functions.get_weather",
    "content_type": "<|constrain|>json",
}


class _Str(str):
    pass


def test_content_key_keeps_types_apart() -> None:
    keys = [_content_key(v) for v in (1, 1.0, True, "1", [1], (1,), {"1": 1}, {1: 1}, {"1": 1.0}, -0.0, 0.0)]
    assert None not in keys
    assert len(set(keys)) == len(keys)
    assert _content_key({"a": [1, {"b": None}]}) == _content_key({"a": [1, {"b": None}]})
    assert _content_key({"a": 1, "b": 2}) != _content_key({"b": 2, "a": 1})  # order is content too


@pytest.mark.parametrize(
    "value",
    [_Str("x"), {"a": _Str("x")}, OrderedDict(a=1), {"a": object()}, Role.USER, TextContent(text="x")],
    ids=["str-subclass", "nested-subclass", "ordered-dict", "object", "enum", "model"],
)
def test_no_content_key_for_anything_but_exact_builtins(value: object) -> None:
    assert _content_key(value) is None


def test_no_content_key_for_cycles() -> None:
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    assert _content_key(cyclic) is None


def test_keyed_cache_is_bounded() -> None:
    cache: _KeyedCache[int] = _KeyedCache(max_entries=3, max_chars=80)
    for i in range(3):
        cache.put(bytes([i]), i)
    assert cache.get(b"\x02") == 2
    cache.put(b"\x03", 3)  # full: cleared first
    assert cache.get(b"\x00") is None and cache.get(b"\x03") == 3
    cache.put(b"x" * 11, 4)  # more than an eighth of the budget: never stored
    assert cache.get(b"x" * 11) is None
    cache.clear()
    assert cache.get(b"\x03") is None


def test_equal_parameters_share_one_validated_copy() -> None:
    first = ToolDescription.new("f", "d", copy.deepcopy(PARAMS))
    second = ToolDescription.from_dict({"name": "g", "description": "e", "parameters": copy.deepcopy(PARAMS)})
    assert first.parameters is second.parameters
    assert first.parameters == PARAMS and first.parameters is not PARAMS


def test_mutating_parameters_after_construction_changes_nothing_built() -> None:
    params = copy.deepcopy(PARAMS)
    tool = ToolDescription.new("f", "d", params)
    params["properties"]["location"]["type"] = "number"
    params["required"].append("days")
    assert tool.parameters == PARAMS
    again = ToolDescription.new("f", "d", params)
    assert again.parameters == params and again.parameters != tool.parameters
    assert ToolDescription.new("f", "d", copy.deepcopy(PARAMS)).parameters == PARAMS


def test_tuples_in_parameters_become_lists_on_hits_too() -> None:
    for _ in range(2):
        tool = ToolDescription.new("f", "d", {"enum": ("a", "b")})  # type: ignore[dict-item]
        assert tool.parameters == {"enum": ["a", "b"]} and type(tool.parameters["enum"]) is list


def test_bad_parameters_raise_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="JSON has no NaN"):
            ToolDescription.new("f", "d", {"default": float("nan")})
        with pytest.raises(TypeError, match="non-string key 1"):
            ToolDescription.new("f", "d", {1: "x"})  # type: ignore[dict-item]
    # {"1": "x"} is valid and json.dumps gives it the same text as {1: "x"}: its copy must not leak to the bad one.
    assert ToolDescription.new("f", "d", {"1": "x"}).parameters == {"1": "x"}
    with pytest.raises(TypeError, match="non-string key 1"):
        ToolDescription.new("f", "d", {1: "x"})  # type: ignore[dict-item]


def test_str_subclasses_are_kept_as_before() -> None:
    value = _Str("string")
    tool = ToolDescription.new("f", "d", {"type": value})
    assert tool.parameters is not None and type(tool.parameters["type"]) is _Str
    assert _json_private({"type": "string"}, "p") == {"type": "string"}


def test_equal_json_messages_are_one_object() -> None:
    first = Message.from_dict(copy.deepcopy(MESSAGE))
    assert Message.from_dict(copy.deepcopy(MESSAGE)) is first
    assert first == Message(
        author=first.author,
        content=[TextContent(text='{"location": "Paris"}')],
        channel="commentary",
        recipient="functions.get_weather",
        content_type="<|constrain|>json",
    )
    assert first.author.role is Role.ASSISTANT and first.author.name is None


def test_mutating_a_message_dict_after_construction_changes_nothing_built() -> None:
    data = copy.deepcopy(MESSAGE)
    first = Message.from_dict(data)
    data["content"][0]["text"] = "changed"
    data["channel"] = "analysis"
    second = Message.from_dict(data)
    assert second is not first
    assert first.content == (TextContent(text='{"location": "Paris"}'),) and first.channel == "commentary"
    assert second.content == (TextContent(text="changed"),) and second.channel == "analysis"


def test_message_errors_are_never_cached() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="^Unknown role: 'robot'$"):
            Message.from_dict({"role": "robot", "content": "x"})
        with pytest.raises(TypeError, match=r"^Message.channel must be a str or None, got int: 1$"):
            Message.from_dict({"role": "user", "content": "x", "channel": 1})


def test_input_without_a_key_is_built_afresh() -> None:
    role_member = {"role": Role.USER, "content": "hi"}
    assert Message.from_dict(role_member) is not Message.from_dict(role_member)
    assert Message.from_dict(role_member) == Message.from_role_and_content(Role.USER, "hi")
    ordered = OrderedDict(role="user", content="hi")
    assert Message.from_dict(ordered) is not Message.from_dict(ordered)


def test_subclasses_are_never_cached() -> None:
    class MyMessage(Message):
        pass

    class MyDeveloper(DeveloperContent):
        pass

    data = copy.deepcopy(MESSAGE)
    mine = MyMessage.from_dict(data)
    assert type(mine) is MyMessage and MyMessage.from_dict(data) is not mine
    plain = Message.from_dict(data)
    assert attrs.astuple(mine, recurse=False) == attrs.astuple(plain, recurse=False)
    developer = MyDeveloper.from_dict(copy.deepcopy(DEVELOPER))
    assert type(developer) is MyDeveloper and MyDeveloper.from_dict(copy.deepcopy(DEVELOPER)) is not developer


def test_equal_developer_and_system_content_is_one_object() -> None:
    first = DeveloperContent.from_dict(copy.deepcopy(DEVELOPER))
    assert DeveloperContent.from_dict(copy.deepcopy(DEVELOPER)) is first
    expected = (
        DeveloperContent.new()
        .with_instructions("Be brief.")
        .with_function_tools([ToolDescription.new("get_weather", "Weather.", PARAMS)])
    )
    assert first == expected
    system = {"type": "system_content", "reasoning_effort": "High", "conversation_start_date": "2025-06-28"}
    assert SystemContent.from_dict(dict(system)) is SystemContent.from_dict(dict(system))


def test_mutating_developer_dicts_after_construction_changes_nothing_built() -> None:
    data = copy.deepcopy(DEVELOPER)
    first = DeveloperContent.from_dict(data)
    data["tools"]["functions"]["tools"][0]["parameters"]["properties"]["unit"] = {"type": "string"}
    data["instructions"] = "Be verbose."
    second = DeveloperContent.from_dict(data)
    assert first.instructions == "Be brief." and second.instructions == "Be verbose."
    assert first.tools is not None and second.tools is not None
    assert first.tools["functions"].tools[0].parameters == PARAMS
    assert "unit" in second.tools["functions"].tools[0].parameters["properties"]  # type: ignore[operator,index]


def test_developer_content_with_model_objects_is_built_afresh() -> None:
    namespace = ToolNamespaceConfig(name="functions", tools=[ToolDescription.new("f", "d")])
    data = {"type": "developer_content", "tools": {"functions": namespace}}
    first = DeveloperContent.from_dict(data)
    assert DeveloperContent.from_dict(data) is not first
    assert first.tools == {"functions": namespace}


def test_bad_developer_content_raises_every_time() -> None:
    data = copy.deepcopy(DEVELOPER)
    data["tools"]["functions"]["tools"][0]["parameters"] = {"default": float("inf")}
    for _ in range(2):
        with pytest.raises(ValueError, match="JSON has no NaN or infinity"):
            DeveloperContent.from_dict(data)


def test_conversation_from_messages_checks_every_item() -> None:
    message = Message.from_dict(copy.deepcopy(MESSAGE))
    assert Conversation.from_messages([message, message]).messages == (message, message)
    with pytest.raises(TypeError, match=r"^Conversation.messages\[1\] must be a Message, got str: 'x'$"):
        Conversation.from_messages([message, "x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="got a single Message"):
        Conversation.from_messages(message)  # type: ignore[arg-type]
