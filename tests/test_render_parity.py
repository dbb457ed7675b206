"""Differential test: harmony_typed rendering == openai-harmony 0.0.8 rendering.

Random conversations are built in *our* models, converted to the reference's
models through their JSON shape, and rendered by both implementations through
all four entry points (``render`` per message, ``render_conversation``,
``render_conversation_for_completion``, ``render_conversation_for_training``)
with ``auto_drop_analysis`` on and off.  Both must give the same token ids, or
both must fail with the same message.

Collected only with ``-m parity`` (``nox -s parity`` installs openai_harmony).
"""

from __future__ import annotations

import json
from typing import Any, Final

import pytest
from conftest import load_oracle
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from harmony_typed import (
    Author,
    ChannelConfig,
    Conversation,
    DeveloperContent,
    HarmonyEncoding,
    HarmonyError,
    JSONValue,
    Message,
    ReasoningEffort,
    RenderConversationConfig,
    RenderOptions,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
)

pytestmark = pytest.mark.parity

OH, ORACLE = load_oracle()

SYSTEM_FIELDS: Final = (
    "model_identity",
    "reasoning_effort",
    "conversation_start_date",
    "knowledge_cutoff",
    "channel_config",
    "tools",
)


# -- conversion to the reference's models ---------------------------------------


def _oracle_message_dict(message: Message) -> dict[str, Any]:
    """``message.to_dict()``, with every ``SystemContent`` field spelled out.

    ``to_dict()`` omits ``None`` fields (as the reference's does), and the
    reference's ``SystemContent(**raw)`` would then restore its defaults
    (e.g. the model identity); ``None`` must stay ``None``.
    """
    raw = message.to_dict()
    items: Any = raw["content"]
    for item in items:
        if item["type"] == "system_content":
            for field in SYSTEM_FIELDS:
                item.setdefault(field, None)
    return raw


def _oracle_message(message: Message) -> Any:
    return OH.Message.from_dict(json.loads(json.dumps(_oracle_message_dict(message))))


def _oracle_conversation(messages: list[Message]) -> Any:
    payload = json.dumps({"messages": [_oracle_message_dict(m) for m in messages]})
    return OH.Conversation.from_json(payload)


# -- strategies ------------------------------------------------------------------

_FRAGMENTS: Final = [
    "",
    " ",
    "Hi",
    "hello world",
    "analysis",
    "commentary",
    "final",
    "functions",
    "functions.get_weather",
    "all",
    "to=",
    " to=x",
    "json",
    "<|start|>",
    "<|end|>",
    "<|message|>",
    "<|channel|>",
    "<|constrain|>",
    "<|call|>",
    "<|return|>",
    "<|endoftext|>",
    "<|reserved_200014|>",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\u2028",
    "\x0b",
    "José",
    "日本語",
    "🙂",
    "👩‍💻",
    "\u3010",
    "//",
    "{",
    "}",
    '"',
]

fragments: Final = st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=8))
texts: Final = st.lists(fragments, max_size=4).map("".join)
optional_texts: Final = st.one_of(st.none(), texts)

channels: Final = st.one_of(
    st.none(),
    st.sampled_from(["analysis", "analysis", "final", "final", "commentary", ""]),
    texts,
)
recipients: Final = st.one_of(
    st.none(),
    st.none(),
    st.sampled_from(["all", "", "functions.get_weather", "assistant", "browser.search", "python"]),
    texts,
)
content_types: Final = st.one_of(
    st.none(),
    st.none(),
    st.sampled_from(
        ["", "json", "code", "<|constrain|>json", "<|constrain|>", "<|constrain|> json", "x<|constrain|>json"]
    ),
    texts,
    texts.map(lambda s: "<|constrain|>" + s),
)

_TYPES: Final = ["string", "number", "integer", "boolean", "array", "object", "null", "foo"]
_KEYS: Final = ["a", "b", "query", "location", "x y", "?", "", "José", "type", "default", "nullable"]

json_scalars: Final = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-1000, max_value=1000),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values: Final[st.SearchStrategy[JSONValue]] = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(_KEYS) | texts, children, max_size=3),
    ),
    max_leaves=6,
)
type_values: Final = st.one_of(
    st.sampled_from(_TYPES),
    st.lists(st.one_of(st.sampled_from(_TYPES), json_scalars), max_size=3),
    json_scalars,
)
enum_values: Final = st.one_of(st.lists(st.one_of(texts, json_scalars), max_size=4), json_scalars)
_LEAF_KEYS: Final[dict[str, st.SearchStrategy[JSONValue]]] = {
    "type": type_values,
    "description": st.one_of(texts, json_scalars),
    "enum": enum_values,
    "default": json_values,
    "nullable": st.one_of(st.booleans(), json_scalars),
    "title": st.one_of(texts, json_scalars),
    "examples": st.one_of(st.lists(json_scalars, max_size=3), json_scalars),
    "format": texts,
    "const": json_scalars,
}


def _schema_node(children: st.SearchStrategy[JSONValue]) -> st.SearchStrategy[JSONValue]:
    keys: dict[str, st.SearchStrategy[JSONValue]] = dict(_LEAF_KEYS)
    keys["properties"] = st.one_of(
        st.dictionaries(st.sampled_from(_KEYS) | texts, children, max_size=3),
        json_scalars,
    )
    keys["required"] = st.one_of(st.lists(st.one_of(st.sampled_from(_KEYS), json_scalars), max_size=3), json_scalars)
    keys["oneOf"] = st.one_of(st.lists(children, max_size=3), json_scalars)
    keys["anyOf"] = st.lists(children, max_size=2)
    keys["items"] = children
    keys["additionalProperties"] = st.one_of(st.booleans(), children)
    return st.fixed_dictionaries({}, optional=keys)


schemas: Final[st.SearchStrategy[JSONValue]] = st.recursive(
    st.fixed_dictionaries({}, optional=_LEAF_KEYS),
    _schema_node,
    max_leaves=8,
)
object_schemas: Final = st.fixed_dictionaries(
    {"type": st.just("object")},
    optional={
        "properties": st.dictionaries(st.sampled_from(_KEYS) | texts, schemas, max_size=4),
        "required": st.lists(st.sampled_from(_KEYS), max_size=3),
        "description": texts,
    },
)
parameters: Final = st.one_of(
    st.none(), object_schemas, st.dictionaries(st.sampled_from(_KEYS), json_values, max_size=2)
)

tool_descriptions: Final = st.builds(
    ToolDescription,
    name=st.one_of(st.sampled_from(["get_weather", "f", "search"]), texts),
    description=texts,
    parameters=parameters,
)
namespaces: Final = st.one_of(
    st.builds(
        ToolNamespaceConfig,
        name=st.one_of(st.sampled_from(["functions", "browser", "python", "ns"]), texts),
        description=optional_texts,
        tools=st.lists(tool_descriptions, max_size=3),
    ),
    st.builds(ToolNamespaceConfig.browser),
    st.builds(ToolNamespaceConfig.python),
)
namespace_maps: Final = st.one_of(
    st.none(),
    st.dictionaries(
        st.one_of(st.sampled_from(["functions", "functions", "browser", "a", "B", "_"]), texts), namespaces, max_size=3
    ),
)
channel_configs: Final = st.one_of(
    st.none(),
    st.builds(
        ChannelConfig,
        valid_channels=st.lists(st.one_of(st.sampled_from(["analysis", "commentary", "final"]), texts), max_size=3),
        channel_required=st.booleans(),
    ),
    st.just(ChannelConfig(valid_channels=["analysis", "commentary", "final"], channel_required=True)),
)
system_contents: Final = st.one_of(
    st.builds(
        SystemContent,
        model_identity=optional_texts,
        reasoning_effort=st.one_of(st.none(), st.sampled_from(list(ReasoningEffort))),
        conversation_start_date=optional_texts,
        knowledge_cutoff=optional_texts,
        channel_config=channel_configs,
        tools=namespace_maps,
    ),
    st.builds(SystemContent.new),
    st.builds(lambda: SystemContent.new().with_browser_tool().with_python_tool()),
)
function_tool_developers: Final = st.builds(
    lambda instructions, tools: (
        DeveloperContent.new().with_function_tools(tools)
        if instructions is None
        else DeveloperContent.new().with_instructions(instructions).with_function_tools(tools)
    ),
    optional_texts,
    st.lists(tool_descriptions, max_size=3),
)
developer_contents: Final = st.one_of(
    st.builds(DeveloperContent, instructions=optional_texts, tools=namespace_maps),
    function_tool_developers,
    function_tool_developers,
)
text_contents: Final = st.builds(TextContent, text=texts)

# Weighted choice of a content kind per role: mostly valid, sometimes misplaced (an
# error).  The rare kinds sit in the middle: hypothesis favours the ends of a list.
_KINDS_BY_ROLE: Final = {
    Role.SYSTEM: ["system"] * 6 + ["text"] * 3 + ["developer"] + ["text"] * 2 + ["system"] * 6,
    Role.DEVELOPER: ["developer"] * 6 + ["text"] * 3 + ["system"] + ["text"] * 2 + ["developer"] * 6,
}
_OTHER_KINDS: Final = ["text"] * 30 + ["system", "developer"] + ["text"] * 30
_COMMON_CHANNELS: Final = ["analysis"] * 3 + ["final"] * 3 + ["commentary"] * 2 + [None, ""]


@st.composite
def contents_for(draw: st.DrawFn, role: Role) -> TextContent | SystemContent | DeveloperContent:
    kind = draw(st.sampled_from(_KINDS_BY_ROLE.get(role, _OTHER_KINDS)))
    if kind == "system":
        return draw(system_contents)
    if kind == "developer":
        return draw(developer_contents)
    return draw(text_contents)


@st.composite
def weighted_channel(draw: st.DrawFn, role: Role) -> str | None:
    """Assistant messages mostly on analysis/final/commentary (so auto-drop triggers); others mostly none."""
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        return draw(texts)
    if role is Role.ASSISTANT or draw(st.integers(min_value=0, max_value=4)) == 0:
        return draw(st.sampled_from(_COMMON_CHANNELS))
    return None


@st.composite
def messages(draw: st.DrawFn, role: Role | None = None, channel: str | None = "?", min_items: int = 0) -> Message:
    """A random message; ``role`` and ``channel`` (``"?"`` = random) can be fixed."""
    if role is None:
        role = draw(
            st.sampled_from(
                [
                    Role.USER,
                    Role.USER,
                    Role.ASSISTANT,
                    Role.ASSISTANT,
                    Role.ASSISTANT,
                    Role.SYSTEM,
                    Role.DEVELOPER,
                    Role.TOOL,
                ]
            )
        )
    if role is Role.TOOL:
        # A missing tool name is an error; keep it rare so most conversations render.
        missing = draw(st.integers(min_value=0, max_value=39)) == 17
        name = (
            None
            if missing
            else draw(st.one_of(st.sampled_from(["functions.get_weather", "browser.search", ""]), texts))
        )
    else:
        name = draw(st.one_of(st.none(), st.none(), st.none(), texts))
    return Message(
        author=Author(role=role, name=name),
        content=draw(st.lists(contents_for(role), min_size=min_items, max_size=3)),
        channel=draw(weighted_channel(role)) if channel == "?" else channel,
        recipient=draw(recipients),
        content_type=draw(content_types),
    )


@st.composite
def turns(draw: st.DrawFn) -> list[Message]:
    """A user turn: question, some analysis / tool calls / tool results, usually a final answer."""
    out = [draw(messages(Role.USER, channel=None))]
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        out.append(
            draw(messages(Role.ASSISTANT, channel=draw(st.sampled_from(["analysis", "analysis", "commentary"]))))
        )
        if draw(st.booleans()):
            out.append(draw(messages(Role.TOOL)))
    if draw(st.integers(min_value=0, max_value=3)) > 0:
        out.append(draw(messages(Role.ASSISTANT, channel="final")))
    return out


@st.composite
def conversations(draw: st.DrawFn) -> list[Message]:
    """Often a system and a developer message first (sometimes in the other order),
    then either random messages or a few realistic turns."""
    head: list[Message] = []
    if draw(st.integers(min_value=0, max_value=3)) > 0:
        head.append(draw(messages(Role.SYSTEM, min_items=1)))
    if draw(st.integers(min_value=0, max_value=3)) > 0:
        head.append(draw(messages(Role.DEVELOPER, min_items=1)))
    if len(head) == 2 and draw(st.integers(min_value=0, max_value=4)) == 0:
        head.reverse()
    if draw(st.booleans()):
        return head + draw(st.lists(messages(), max_size=6))
    for turn in draw(st.lists(turns(), min_size=1, max_size=3)):
        head.extend(turn)
    return head


# -- running both sides ------------------------------------------------------------


def _outcome(fn: Any, args: tuple[Any, ...], errors: type[Exception]) -> tuple[str, object]:
    try:
        return ("tokens", fn(*args))
    except errors as exc:
        return ("error", str(exc))


def _check(name: str, ours: tuple[Any, tuple[Any, ...]], theirs: tuple[Any, tuple[Any, ...]]) -> object:
    """Same tokens, or the same message (we raise HarmonyError; the reference a
    RuntimeError or its HarmonyError subclass, depending on the entry point)."""
    got = _outcome(ours[0], ours[1], HarmonyError)
    expected = _outcome(theirs[0], theirs[1], RuntimeError)
    assert got == expected, f"{name}: ours {got!r} != oracle {expected!r}"
    return got[1]


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(conversation=conversations(), next_role=st.sampled_from(list(Role)), has_function_tools=st.booleans())
def test_render_parity(
    enc: HarmonyEncoding, conversation: list[Message], next_role: Role, has_function_tools: bool
) -> None:
    ours = Conversation(messages=conversation)
    theirs = _oracle_conversation(conversation)
    oracle_role = OH.Role(next_role.value)
    options = RenderOptions(conversation_has_function_tools=has_function_tools)
    oracle_options = OH.RenderOptions(conversation_has_function_tools=has_function_tools)
    for message, oracle_message in zip(conversation, theirs.messages, strict=True):
        _check("render", (enc.render, (message, options)), (ORACLE.render, (oracle_message, oracle_options)))
    rendered: list[object] = []
    for auto_drop in (True, False):
        config = RenderConversationConfig(auto_drop_analysis=auto_drop)
        oracle_config = OH.RenderConversationConfig(auto_drop_analysis=auto_drop)
        rendered.append(
            _check(
                f"render_conversation(auto_drop={auto_drop})",
                (enc.render_conversation, (ours, config)),
                (ORACLE.render_conversation, (theirs, oracle_config)),
            )
        )
        _check(
            f"render_conversation_for_completion({next_role}, auto_drop={auto_drop})",
            (enc.render_conversation_for_completion, (ours, next_role, config)),
            (ORACLE.render_conversation_for_completion, (theirs, oracle_role, oracle_config)),
        )
        _check(
            f"render_conversation_for_training(auto_drop={auto_drop})",
            (enc.render_conversation_for_training, (ours, config)),
            (ORACLE.render_conversation_for_training, (theirs, oracle_config)),
        )
    # config=None means auto_drop_analysis=True on both sides.
    _check("render_conversation(None)", (enc.render_conversation, (ours,)), (ORACLE.render_conversation, (theirs,)))
    # Coverage of the interesting paths (see --hypothesis-show-statistics).
    if isinstance(rendered[1], str):
        event("conversation: error: " + rendered[1].split(",")[0])
    else:
        event("conversation: tokens")
        event("auto-drop removed messages" if rendered[0] != rendered[1] else "auto-drop removed nothing")
        tokens: Any = rendered[1]
        if enc.encode_ordinary("Calls to these tools")[0] in tokens:
            event("function-tools line present")


def test_parity_strategies_reach_the_interesting_cases(enc: HarmonyEncoding) -> None:
    """A fixed conversation with every feature, as a smoke test of the conversion."""
    conversation = [
        Message.from_role_and_content(Role.SYSTEM, SystemContent.new().with_browser_tool()),
        Message.from_role_and_content(
            Role.DEVELOPER,
            DeveloperContent.new().with_function_tools(
                [ToolDescription.new("f", "d", {"type": "object", "properties": {"a": {"type": "string"}}})]
            ),
        ),
        Message.from_role_and_content(Role.USER, "q"),
        Message.from_role_and_content(Role.ASSISTANT, "think").with_channel("analysis"),
        Message.from_role_and_content(Role.ASSISTANT, "{}")
        .with_channel("commentary")
        .with_recipient("functions.f")
        .with_content_type("<|constrain|>json"),
        Message.from_author_and_content(Author.new(Role.TOOL, "functions.f"), "r").with_recipient("assistant"),
        Message.from_role_and_content(Role.ASSISTANT, "done").with_channel("final"),
    ]
    theirs = _oracle_conversation(conversation)
    ours = Conversation(messages=conversation)
    assert enc.render_conversation(ours) == ORACLE.render_conversation(theirs)
    assert enc.render_conversation_for_training(ours) == ORACLE.render_conversation_for_training(theirs)
    none_identity = SystemContent(model_identity=None, tools=None)
    message = Message.from_role_and_content(Role.SYSTEM, none_identity)
    assert enc.render(message) == ORACLE.render(_oracle_message(message))
