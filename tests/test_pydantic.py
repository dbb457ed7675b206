"""The strict models as pydantic field types (harmony_typed._pydantic_schema), with the real pydantic."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Optional

import pydantic
import pytest
from conftest import load_oracle
from hypothesis import given, settings

import harmony_typed.compat
from harmony_typed import (
    Author,
    ChannelConfig,
    Content,
    Conversation,
    DeveloperContent,
    Message,
    ReasoningEffort,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
    strategies,
)

TOOL = ToolDescription.new("get_weather", "Weather", {"type": "object", "properties": {"city": {"type": "string"}}})
SYSTEM = (
    SystemContent.new()
    .with_reasoning_effort(ReasoningEffort.LOW)
    .with_conversation_start_date("2025-01-01")
    .with_browser_tool()
)
DEVELOPER = DeveloperContent.new().with_instructions("Be brief.").with_function_tools([TOOL])
CALL = (
    Message.from_role_and_content(Role.ASSISTANT, '{"city": "Paris"}')
    .with_channel("commentary")
    .with_recipient("functions.get_weather")
    .with_content_type("<|constrain|>json")
)


class Request(pydantic.BaseModel):
    message: Message
    maybe: Optional[Message] = None  # noqa: UP045  # the spelling request models use
    messages: list[Message | dict[str, Any]] = []
    either: Message | str | None = None
    conversation: Conversation | None = None
    author: Author | None = None
    contents: list[Content] = []
    tool: ToolDescription | None = None
    namespace: ToolNamespaceConfig | None = None
    channels: ChannelConfig | None = None


def test_fields_validate_from_to_dict_json() -> None:
    req = Request.model_validate(
        {
            "message": {"role": "user", "content": "hi"},
            "maybe": CALL.to_dict(),
            "conversation": {"messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]},
            "author": {"role": "tool", "name": "functions.f"},
            "contents": [{"type": "text", "text": "a"}, DEVELOPER.to_dict(), SYSTEM.to_dict()],
            "tool": TOOL.to_dict(),
            "namespace": ToolNamespaceConfig.browser().to_dict(),
            "channels": {"valid_channels": ["final"], "channel_required": False},
        }
    )
    assert req.message == Message.from_role_and_content(Role.USER, "hi")
    assert req.maybe == CALL
    assert req.conversation == Conversation.from_messages([Message.from_role_and_content(Role.USER, "x")])
    assert req.author == Author.new(Role.TOOL, "functions.f")
    assert req.contents == [TextContent(text="a"), DEVELOPER, SYSTEM]  # each dict by its "type"
    assert req.tool == TOOL and req.namespace == ToolNamespaceConfig.browser()
    assert req.channels == ChannelConfig(valid_channels=["final"], channel_required=False)


def test_instances_are_kept_as_they_are() -> None:
    req = Request(message=CALL, author=CALL.author, tool=TOOL, contents=[SYSTEM])
    assert req.message is CALL and req.author is CALL.author and req.tool is TOOL and req.contents[0] is SYSTEM


def test_unions_keep_a_dict_a_dict_as_with_openai_harmony() -> None:
    raw = {"role": "user", "content": "x"}
    payload = {"message": raw, "messages": [raw, CALL], "either": raw}
    req = Request.model_validate(payload)
    assert isinstance(req.messages[0], dict) and req.messages[1] is CALL and req.either == Message.from_dict(raw)
    # From JSON every object is a dict first: the union keeps them dicts, as openai_harmony's does.
    again = Request.model_validate_json(req.model_dump_json())
    assert again.messages == [raw, CALL.to_dict()] and again.either == req.either
    assert Request.model_validate({"message": raw, "either": "text"}).either == "text"


def test_dump_writes_to_dict_json_and_validates_back() -> None:
    req = Request(
        message=CALL, maybe=None, conversation=Conversation.from_messages([CALL]), contents=[SYSTEM, DEVELOPER]
    )
    for dumped in (req.model_dump(), req.model_dump(mode="json"), json.loads(req.model_dump_json())):
        assert dumped["message"] == CALL.to_dict() and dumped["maybe"] is None
        assert dumped["conversation"] == {"messages": [CALL.to_dict()]}
        assert dumped["contents"] == [SYSTEM.to_dict(), DEVELOPER.to_dict()]
    assert Request.model_validate(req.model_dump()) == req
    assert Request.model_validate_json(req.model_dump_json()) == req


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, r"Input should be a Message or its to_dict\(\) JSON \(a dict\), got int"),
        ({"role": "nobody", "content": "x"}, "Unknown role"),
        ({"role": "user"}, "Message.from_dict: missing required field 'content'"),
        ({"role": "user", "content": 5}, "Message content must be a string or a list"),
        ({"role": "user", "content": "x", "channel": 3}, "Message.channel must be a str or None"),
    ],
)
def test_bad_input_is_a_validation_error_with_from_dicts_message(value: object, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        Request.model_validate({"message": value})


def test_content_dicts_of_another_type_are_refused() -> None:
    class Only(pydantic.BaseModel):
        system: SystemContent

    with pytest.raises(pydantic.ValidationError, match="SystemContent dicts have type 'system_content'"):
        Only.model_validate({"system": {"type": "text", "text": "x"}})


def test_strict_mode_accepts_only_instances() -> None:
    with pytest.raises(pydantic.ValidationError):
        Request.model_validate({"message": {"role": "user", "content": "x"}}, strict=True)
    assert Request.model_validate({"message": CALL}, strict=True).message is CALL


def test_json_schema_is_permissive() -> None:
    for mode in ("validation", "serialization"):
        schema = Request.model_json_schema(mode=mode)
        assert set(schema["properties"]) == set(Request.model_fields)
    assert Request.model_json_schema()["properties"]["message"] == {
        "additionalProperties": True,
        "title": "Message",
        "type": "object",
    }


def test_a_compat_message_field_alongside_a_strict_one() -> None:
    class Mixed(pydantic.BaseModel):
        compat: harmony_typed.compat.Message
        strict: Message

    raw = CALL.to_dict()
    mixed = Mixed.model_validate({"compat": raw, "strict": raw})
    assert isinstance(mixed.compat, harmony_typed.compat.Message) and mixed.strict == CALL
    dumped = mixed.model_dump(mode="json")
    assert dumped["compat"] == dumped["strict"] == raw


def test_importing_the_package_does_not_import_pydantic() -> None:
    code = "import sys, harmony_typed; harmony_typed.Message; assert 'pydantic' not in sys.modules, 1; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


class Holder(pydantic.BaseModel):
    message: Message


class ConversationHolder(pydantic.BaseModel):
    conversation: Conversation


@settings(max_examples=100, deadline=None)
@given(strategies.messages(), strategies.conversations(max_size=4))
def test_any_model_round_trips_through_pydantic_json(message: Message, conversation: Conversation) -> None:
    assert Holder.model_validate_json(Holder(message=message).model_dump_json()).message == message
    holder = ConversationHolder(conversation=conversation)
    assert ConversationHolder.model_validate(holder.model_dump()).conversation == conversation
    assert json.loads(holder.model_dump_json())["conversation"] == json.loads(conversation.to_json())


@pytest.mark.parity
@settings(max_examples=300, deadline=None)
@given(strategies.messages())
def test_model_dump_equals_openai_harmonys_json(message: Message) -> None:
    oracle, _ = load_oracle()
    theirs = oracle.Message.from_dict(json.loads(message.to_json()))
    # Both dump the same dict, and it reads back as openai_harmony's message too.
    dumped = json.loads(Holder(message=message).model_dump_json())["message"]
    upstream = json.loads(json.dumps(theirs.to_dict()))
    # openai_harmony omits SystemContent keys set to None; we write null (docs/migration.md).
    dumped_cmp = dict(dumped, content=[_drop_none_system(item) for item in dumped["content"]])
    assert dumped_cmp == upstream
    assert Holder.model_validate({"message": dumped}).message == message
    assert oracle.Message.from_dict(dumped).to_dict() == theirs.to_dict()


def _drop_none_system(item: dict[str, Any]) -> dict[str, Any]:
    if item["type"] != "system_content":
        return item
    return {key: value for key, value in item.items() if value is not None}
