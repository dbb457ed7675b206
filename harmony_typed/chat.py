"""Chat-messages records (Hugging Face / OpenAI style) to Harmony conversations.

Fine-tuning datasets for gpt-oss usually come as ``{"messages": [...], "tools": [...]}``
records; :func:`conversation_from_chat` turns them into a
:class:`~harmony_typed.Conversation` with the semantics of gpt-oss's chat template
(every difference is listed in docs/training.md), ready for
:meth:`~harmony_typed.HarmonyEncoding.render_training_example`.

>>> from harmony_typed import load_harmony_encoding
>>> convo = conversation_from_chat(
...     [
...         {"role": "system", "content": "Answer briefly."},
...         {"role": "user", "content": "Weather in Paris?"},
...         {"role": "assistant", "thinking": "Use the tool.",
...          "tool_calls": [{"id": "c1", "type": "function",
...                          "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
...         {"role": "tool", "tool_call_id": "c1", "content": "18C"},
...         {"role": "assistant", "content": "18C and sunny."},
...     ],
...     tools=[{"type": "function", "function": {"name": "get_weather", "description": "Weather.",
...             "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
...     reasoning_effort="low",
... )
>>> [(m.author.role.value, m.author.name, m.channel, m.recipient) for m in convo.messages]
... # doctest: +NORMALIZE_WHITESPACE
[('system', None, None, None), ('developer', None, None, None), ('user', None, None, None),
 ('assistant', None, 'analysis', None),
 ('assistant', None, 'commentary', 'functions.get_weather'),
 ('tool', 'functions.get_weather', 'commentary', 'assistant'), ('assistant', None, 'final', None)]
>>> convo.messages[4].content[0].text, convo.messages[4].content_type
('{"city": "Paris"}', '<|constrain|>json')
>>> enc = load_harmony_encoding("HarmonyGptOss")
>>> example = enc.render_training_example(convo)
>>> len(example.input_ids) == len(example.loss_mask)
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal, TypedDict

from harmony_typed._models import (
    Author,
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

__all__ = [
    "ChatFunction",
    "ChatFunctionCall",
    "ChatMessage",
    "ChatTextPart",
    "ChatTool",
    "ChatToolCall",
    "conversation_from_chat",
]


class ChatTextPart(TypedDict):
    """One part of a list-valued ``content``; only text parts are accepted."""

    type: Literal["text"]
    text: str


class ChatFunctionCall(TypedDict):
    """``tool_calls[i]["function"]``: ``arguments`` is a JSON string, or an object to encode."""

    name: str
    arguments: str | dict[str, object]


class _ChatToolCallBase(TypedDict):
    function: ChatFunctionCall


class ChatToolCall(_ChatToolCallBase, total=False):
    """One entry of an assistant record's ``tool_calls``."""

    id: str
    type: Literal["function"]


class ChatMessage(TypedDict, total=False):
    """One chat record.  ``role`` is required; which other keys apply depends on it."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ChatTextPart] | None
    thinking: str | None
    reasoning_content: str | None
    reasoning: str | None
    tool_calls: list[ChatToolCall]
    tool_call_id: str
    name: str


class _ChatFunctionBase(TypedDict):
    name: str


class ChatFunction(_ChatFunctionBase, total=False):
    """``tools[i]["function"]``: an OpenAI function-tool schema."""

    description: str
    parameters: dict[str, object]


class ChatTool(TypedDict):
    """One entry of ``tools``: ``{"type": "function", "function": {...}}``."""

    type: Literal["function"]
    function: ChatFunction


_EFFORTS: Final = {"low": ReasoningEffort.LOW, "medium": ReasoningEffort.MEDIUM, "high": ReasoningEffort.HIGH}
_THINKING_KEYS: Final = ("thinking", "reasoning_content", "reasoning")
_FUNCTIONS_PREFIX: Final = "functions."
_JSON_CONTENT_TYPE: Final = "<|constrain|>json"


def _type_name(value: object) -> str:
    return type(value).__name__


def _text(value: object, where: str) -> str:
    """A ``str``, or a list of text parts joined with no separator."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a string or a list of text parts, got {_type_name(value)}")
    pieces: list[str] = []
    for j, part in enumerate(value):
        if not isinstance(part, Mapping) or part.get("type") != "text":
            kind = part.get("type") if isinstance(part, Mapping) else _type_name(part)
            raise ValueError(f"{where}[{j}]: only text parts are supported, got {kind!r}")
        text = part.get("text")
        if not isinstance(text, str):
            raise ValueError(f"{where}[{j}].text: expected a string, got {_type_name(text)}")
        pieces.append(text)
    return "".join(pieces)


def _optional_text(record: Mapping[str, object], key: str, where: str) -> str | None:
    """``record[key]`` as text; ``None`` when missing, ``None`` or empty."""
    value = record.get(key)
    if value is None:
        return None
    return _text(value, f"{where}.{key}") or None


def _name(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def _thinking(record: Mapping[str, object], where: str) -> str | None:
    """The reasoning text, under any of its three keys (equal values under several keys are fine)."""
    found: str | None = None
    found_key = ""
    for key in _THINKING_KEYS:
        text = _optional_text(record, key, where)
        if text is None:
            continue
        if found is not None and text != found:
            raise ValueError(f"{where}.{key}: differs from {where}.{found_key}; give the reasoning once")
        found, found_key = text, key
    return found


def _arguments(value: object, where: str) -> str:
    """A JSON string as is; an object as ``json.dumps(value, ensure_ascii=False)``.

    That is the text of Jinja's ``tojson`` filter as transformers defines it, which
    gpt-oss's template applies to the arguments.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        try:
            return json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{where}: not JSON-serialisable: {exc}") from None
    raise ValueError(f"{where}: expected a JSON string or object, got {_type_name(value)}")


def _function_part(item: object, where: str) -> tuple[Mapping[str, object], str]:
    """``item["function"]`` (or ``item`` itself when flat) and its path, for tools and tool calls."""
    if not isinstance(item, Mapping):
        raise ValueError(f"{where}: expected an object, got {_type_name(item)}")
    function = item.get("function", item)
    if not isinstance(function, Mapping):
        raise ValueError(f"{where}.function: expected an object, got {_type_name(function)}")
    return function, (f"{where}.function" if "function" in item else where)


def _function_tools(tools: Iterable[Mapping[str, object]]) -> list[ToolDescription]:
    out: list[ToolDescription] = []
    for i, tool in enumerate(tools):
        function, where = _function_part(tool, f"tools[{i}]")
        if isinstance(tool, Mapping) and tool.get("type", "function") != "function":
            raise ValueError(f"tools[{i}].type: only 'function' tools are supported, got {tool.get('type')!r}")
        description = function.get("description", "")
        parameters = function.get("parameters")
        if not isinstance(description, str):
            raise ValueError(f"{where}.description: expected a string, got {_type_name(description)}")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise ValueError(f"{where}.parameters: expected an object, got {_type_name(parameters)}")
        try:
            out.append(
                ToolDescription(
                    name=_name(function.get("name"), f"{where}.name"),
                    description=description,
                    parameters=None if parameters is None else dict(parameters),
                )
            )
        except TypeError as exc:  # parameters that are not JSON
            raise ValueError(f"{where}.parameters: {exc}") from None
    return out


def _system_message(
    reasoning_effort: str | ReasoningEffort | None,
    model_identity: str | None,
    builtin_tools: Iterable[str],
    conversation_start_date: str | None,
    knowledge_cutoff: str | None,
) -> Message:
    content = SystemContent.new()
    if reasoning_effort is not None:
        effort = _EFFORTS.get(str(reasoning_effort).lower()) if isinstance(reasoning_effort, str) else None
        if effort is None:
            raise ValueError(f"reasoning_effort: expected 'low', 'medium' or 'high', got {reasoning_effort!r}")
        content = content.with_reasoning_effort(effort)
    if model_identity is not None:
        content = content.with_model_identity(model_identity)
    if conversation_start_date is not None:
        content = content.with_conversation_start_date(conversation_start_date)
    if knowledge_cutoff is not None:
        content = content.with_knowledge_cutoff(knowledge_cutoff)
    if isinstance(builtin_tools, str):
        raise ValueError(f"builtin_tools: expected a sequence of names, got the string {builtin_tools!r}")
    for tool in builtin_tools:
        if tool == "browser":
            content = content.with_tools(ToolNamespaceConfig.browser())
        elif tool == "python":
            content = content.with_tools(ToolNamespaceConfig.python())
        else:
            raise ValueError(f"builtin_tools: unknown built-in tool {tool!r} (expected 'browser' or 'python')")
    return Message.from_role_and_content(Role.SYSTEM, content)


class _Converter:
    """Walks the records once, remembering tool-call ids for the tool results."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.instructions: str | None = None
        self.instructions_index = -1
        self.call_names: dict[str, str] = {}  # tool_call id -> function name
        self.last_calls: list[str] = []  # function names of the latest assistant record's calls

    def add(self, i: int, record: object) -> None:
        where = f"messages[{i}]"
        if not isinstance(record, Mapping):
            raise ValueError(f"{where}: expected an object, got {_type_name(record)}")
        role = record.get("role")
        if role in ("system", "developer"):
            if self.instructions_index >= 0:
                raise ValueError(
                    f"{where}.role: a second system/developer record (the first is messages[{self.instructions_index}])"
                )
            self.instructions = _text(record.get("content"), f"{where}.content")
            self.instructions_index = i
        elif role == "user":
            self.messages.append(
                Message.from_role_and_content(Role.USER, _text(record.get("content"), f"{where}.content"))
            )
        elif role == "assistant":
            self._assistant(record, where)
        elif role == "tool":
            self._tool(record, where)
        else:
            raise ValueError(f"{where}.role: unknown role {role!r}")

    def _assistant(self, record: Mapping[str, object], where: str) -> None:
        thinking = _thinking(record, where)
        if thinking is not None:
            self.messages.append(Message.from_role_and_content(Role.ASSISTANT, thinking).with_channel("analysis"))
        calls = record.get("tool_calls")
        if calls is None:
            calls = []
        if not isinstance(calls, list):
            raise ValueError(f"{where}.tool_calls: expected a list, got {_type_name(calls)}")
        self.last_calls = []
        for j, call in enumerate(calls):
            call_where = f"{where}.tool_calls[{j}]"
            function, fn_where = _function_part(call, call_where)
            name = _name(function.get("name"), f"{fn_where}.name")
            if "arguments" not in function:
                raise ValueError(f"{fn_where}.arguments: missing")
            arguments = _arguments(function["arguments"], f"{fn_where}.arguments")
            call_id = call.get("id") if isinstance(call, Mapping) else None
            if call_id is not None:
                self.call_names[_name(call_id, f"{call_where}.id")] = name
            self.last_calls.append(name)
            self.messages.append(
                Message(
                    author=Author(role=Role.ASSISTANT),
                    content=(TextContent(text=arguments),),
                    channel="commentary",
                    recipient=_FUNCTIONS_PREFIX + name,
                    content_type=_JSON_CONTENT_TYPE,
                )
            )
        content = record.get("content")
        final = None if content is None else _text(content, f"{where}.content")
        # "" beside tool calls is the usual "no answer yet", not an empty answer.
        if final is not None and (final or not calls):
            self.messages.append(Message.from_role_and_content(Role.ASSISTANT, final).with_channel("final"))
        elif thinking is None and not calls:
            raise ValueError(f"{where}.content: an assistant record needs content, thinking or tool_calls")

    def _tool(self, record: Mapping[str, object], where: str) -> None:
        content = _text(record.get("content"), f"{where}.content")
        name = record.get("name")
        call_id = record.get("tool_call_id")
        if name is not None:
            resolved = _name(name, f"{where}.name")
        elif call_id is not None:
            found = self.call_names.get(_name(call_id, f"{where}.tool_call_id"))
            if found is None:
                raise ValueError(f"{where}.tool_call_id: no earlier tool call has id {call_id!r}")
            resolved = found
        elif len(self.last_calls) == 1:
            resolved = self.last_calls[0]  # unambiguous: the one pending call
        else:
            raise ValueError(
                f"{where}.name: a tool result needs 'name' or 'tool_call_id' "
                f"(the previous assistant record made {len(self.last_calls)} tool calls)"
            )
        self.messages.append(
            Message(
                author=Author(role=Role.TOOL, name=_FUNCTIONS_PREFIX + resolved),
                content=(TextContent(text=content),),
                channel="commentary",
                recipient="assistant",
            )
        )


def conversation_from_chat(
    messages: Iterable[Mapping[str, object]],
    *,
    tools: Sequence[Mapping[str, object]] | None = None,
    reasoning_effort: str | ReasoningEffort | None = None,
    model_identity: str | None = None,
    builtin_tools: Iterable[str] = (),
    conversation_start_date: str | None = None,
    knowledge_cutoff: str | None = None,
) -> Conversation:
    """Convert chat-messages records (see :class:`ChatMessage`) to a Harmony conversation.

    The conversation starts with a system message (``SystemContent.new()`` with the
    keyword arguments applied), then a developer message when there is a
    ``system``/``developer`` record (its instructions) or ``tools`` (its function
    tools), then the records in order.  Anything not understood raises
    ``ValueError`` naming the record index and field:

    >>> conversation_from_chat([{"role": "user", "content": [{"type": "image_url"}]}])
    Traceback (most recent call last):
    ...
    ValueError: messages[0].content[0]: only text parts are supported, got 'image_url'
    """
    if isinstance(messages, (str, bytes, Mapping)):
        raise ValueError(f"messages: expected a list of records, got {_type_name(messages)}")
    if isinstance(tools, (str, bytes, Mapping)):
        raise ValueError(f"tools: expected a list of tool schemas, got {_type_name(tools)}")
    converter = _Converter()
    for i, record in enumerate(messages):
        converter.add(i, record)
    function_tools = _function_tools(tools) if tools else []
    head = [_system_message(reasoning_effort, model_identity, builtin_tools, conversation_start_date, knowledge_cutoff)]
    if converter.instructions is not None or function_tools:
        developer = DeveloperContent.new()
        if converter.instructions is not None:
            developer = developer.with_instructions(converter.instructions)
        if function_tools:
            developer = developer.with_function_tools(function_tools)
        head.append(Message.from_role_and_content(Role.DEVELOPER, developer))
    return Conversation.from_messages(head + converter.messages)
