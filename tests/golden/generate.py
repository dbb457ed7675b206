#!/usr/bin/env python3
"""Regenerate the golden test data from the reference implementation.

The reference ("oracle") is ``openai-harmony==0.0.8``; ``_oracle.py`` loads it
offline.  Every expected value written by this script comes from calling the
oracle -- nothing is computed by hand.  The case tables below are copies of
the catalogues of the behavioural spec (rendering R01-R41, system/developer
S01-S23/D01-D08, conversations C1-C14, parser P001-P112, streaming T1-T7 and
the encoding examples) plus a few extra cases; the spec itself is not read.

Run ``nox -s golden`` (it installs the oracle, runs this script and
``generate_schema_ts.py``, and fails if the committed files differ), or, with
``openai-harmony==0.0.8`` installed, from the repository root::

    python tests/golden/generate.py

It (re)writes, next to this file:

* ``render.json``   -- ``render`` / ``render_conversation*`` cases
* ``parse.json``    -- ``parse_messages_from_completion_tokens`` cases
* ``stream.json``   -- token-by-token ``StreamableParser`` traces
* ``encoding.json`` -- encode / decode / special-token cases

Output is deterministic (fixed random seed, sorted sets), so re-running the
script on an unchanged oracle produces byte-identical files.

JSON conventions: models are serialised with the oracle's ``to_dict()`` (with
one exception: SystemContent items list all six fields, ``None`` as ``null``,
because ``to_dict()`` drops them and ``from_dict()`` would restore defaults);
errors are ``{"type": <exception class name>, "message": str(exc)}``.  Lone
surrogates (only in ``encoding.json``) are written as ``\\udXXX`` escapes so
that the files stay valid UTF-8.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # keep tests/golden free of __pycache__

from _oracle import load_oracle  # noqa: E402

H, ENC = load_oracle()

ORACLE = "openai-harmony 0.0.8"
GENERATOR = "tests/golden/generate.py"

Role = H.Role
Author = H.Author
Message = H.Message
TextContent = H.TextContent
SystemContent = H.SystemContent
DeveloperContent = H.DeveloperContent
ToolDescription = H.ToolDescription
ToolNamespaceConfig = H.ToolNamespaceConfig
ChannelConfig = H.ChannelConfig
ReasoningEffort = H.ReasoningEffort
Conversation = H.Conversation

EOS = None  # marker for ``process_eos()`` in stream traces


# ---------------------------------------------------------------------------
# Builders used by the case tables
# ---------------------------------------------------------------------------


def msg(
    role: str,
    *contents: Any,
    name: str | None = None,
    channel: str | None = None,
    recipient: str | None = None,
    content_type: str | None = None,
) -> Any:
    """A ``Message``; ``str`` contents become ``TextContent``."""
    items = [TextContent(text=c) if isinstance(c, str) else c for c in contents]
    m = Message(author=Author(role=Role(role), name=name), content=items)
    m.channel = channel
    m.recipient = recipient
    m.content_type = content_type
    return m


def u(text: str, channel: str | None = None) -> Any:
    return msg("user", text, channel=channel)


def a(channel: str | None, text: str, recipient: str | None = None) -> Any:
    return msg("assistant", text, channel=channel, recipient=recipient)


def tool(name: str, text: str) -> Any:
    return msg("tool", text, name=name)


def sys_msg(content: Any) -> Any:
    return msg("system", content)


def dev_msg(content: Any) -> Any:
    return msg("developer", content)


def ns(name: str, description: str | None = None, tools: Iterable[Any] = ()) -> Any:
    return ToolNamespaceConfig(name=name, description=description, tools=list(tools))


def fn(name: str, description: str, parameters: dict[str, Any] | None = None) -> Any:
    return ToolDescription(name=name, description=description, parameters=parameters)


# SystemContent with every optional field set to None (S05, S06, S11, S16-S21, S23).
ALL_NONE: dict[str, Any] = dict(
    model_identity=None,
    reasoning_effort=None,
    conversation_start_date=None,
    knowledge_cutoff=None,
    channel_config=None,
    tools=None,
)


def sc(**fields: Any) -> Any:
    return SystemContent(**fields)


def sc_none(**fields: Any) -> Any:
    return SystemContent(**{**ALL_NONE, **fields})


# ---------------------------------------------------------------------------
# render.json: single messages (SPEC §2.3)
# ---------------------------------------------------------------------------

CALL = dict(recipient="functions.x", channel="commentary")

RENDER_CASES: list[tuple[str, str, Any]] = [
    ("R01", "user text", msg("user", "Hi")),
    ("R02", "user with name", msg("user", "Hi", name="bob")),
    ("R03", "assistant with name", msg("assistant", "Hi", name="bob")),
    ("R04", "assistant + channel", msg("assistant", "Hi", channel="final")),
    ("R05", "assistant + recipient", msg("assistant", "Hi", recipient="functions.x")),
    ("R06", "assistant + recipient 'all'", msg("assistant", "Hi", recipient="all")),
    ("R07", "assistant + empty recipient", msg("assistant", "x", recipient="")),
    ("R08", "tool call, constrain", msg("assistant", "{}", **CALL, content_type="<|constrain|>json")),
    ("R09", "tool call, plain ct", msg("assistant", "{}", **CALL, content_type="json")),
    ("R10", "constrain + space", msg("assistant", "{}", **CALL, content_type="<|constrain|> json")),
    ("R11", "constrain only", msg("assistant", "{}", content_type="<|constrain|>")),
    ("R12", "constrain not prefix", msg("assistant", "{}", content_type="x<|constrain|>json")),
    ("R13", "content_type code", msg("assistant", "{}", content_type="code")),
    ("R14", "empty content_type", msg("assistant", "x", content_type="")),
    ("R15", "empty channel", msg("assistant", "x", channel="")),
    ("R16", "channel with space", msg("assistant", "x", channel="a b")),
    ("R17", "all header fields", msg("assistant", "x", name="n", recipient="r", channel="c", content_type="t")),
    ("R18", "tool result", msg("tool", "res", name="functions.x")),
    ("R19", "tool result + recipient + channel",
     msg("tool", "res", name="functions.x", recipient="assistant", channel="commentary")),
    ("R20", "tool + recipient 'all'", msg("tool", "x", name="t", recipient="all")),
    ("R21", "tool with empty name", msg("tool", "x", name="")),
    ("R22", "tool without name", msg("tool", "res")),
    ("R23", "user + recipient", msg("user", "Hi", recipient="bob")),
    ("R24", "user + channel", msg("user", "Hi", channel="x")),
    ("R25", "system + recipient", msg("system", "x", recipient="r")),
    ("R26", "developer + channel + ct", msg("developer", "x", channel="c", content_type="t")),
    ("R27", "system plain text", msg("system", "plain system")),
    ("R28", "empty content list", msg("user")),
    ("R29", "empty text", msg("user", "")),
    ("R30", "multi text", msg("user", "a", "b", " c")),
    ("R31", "text + SystemContent", msg("system", "PRE", SystemContent.new())),
    ("R32", "DeveloperContent + text", msg("developer", DeveloperContent(instructions="I"), "EXTRA")),
    ("R33", "special text in content", msg("user", "a<|end|>b<|start|>")),
    ("R34", "special text in channel", msg("assistant", "x", channel="<|end|>")),
    ("R35", "special text in recipient", msg("assistant", "x", recipient="<|call|>")),
    ("R36", "special text in tool name", msg("tool", "x", name="<|start|>")),
    ("R37", "non-ascii name", msg("user", "x", name="José")),
    ("R38", "empty user name", msg("user", "x", name="")),
    ("R39", "SystemContent in user msg", msg("user", SystemContent.new())),
    ("R40", "DeveloperContent in user msg", msg("user", DeveloperContent.new())),
    ("R41", "DeveloperContent in system msg", msg("system", DeveloperContent.new())),
]

# ---------------------------------------------------------------------------
# render.json: system / developer content (SPEC §3.7)
# (id, description, content, render_options.conversation_has_function_tools)
# ---------------------------------------------------------------------------

SYSTEM_CASES: list[tuple[str, str, Any, bool]] = [
    ("S01", "defaults", sc(), False),
    ("S02", "defaults + conversation_has_function_tools", sc(), True),
    ("S03", "model_identity=None", sc(model_identity=None), False),
    ("S04", "knowledge_cutoff=None", sc(knowledge_cutoff=None), False),
    ("S05", "identity+cutoff None, date set",
     sc(model_identity=None, knowledge_cutoff=None, conversation_start_date="2025-01-01"), False),
    ("S06", "identity+cutoff None", sc(model_identity=None, knowledge_cutoff=None), False),
    ("S07", "reasoning_effort=None", sc(reasoning_effort=None), False),
    ("S08", "channel_config=None (+fn tools flag)", sc(channel_config=None), True),
    ("S09", "valid_channels=[] (+fn flag)", sc(channel_config=ChannelConfig.require_channels([])), True),
    ("S10", "one channel, not required (+fn flag)",
     sc(channel_config=ChannelConfig(valid_channels=["a"], channel_required=False)), True),
    ("S11", "everything None", sc_none(), False),
    ("S12", "tools={} (empty map)", sc(tools={}), False),
    ("S13", "low effort, empty date and cutoff strings",
     sc(reasoning_effort=ReasoningEffort.LOW, conversation_start_date="", knowledge_cutoff=""), False),
    ("S14", "empty model identity", sc(model_identity=""), False),
    ("S15", "required channels ['analysis']", sc().with_required_channels(["analysis"]), False),
    ("S16", "namespace, description, no tools",
     sc_none(tools={"ns": ns("ns", "line1\nline2")}), False),
    ("S17", "namespace, no description, no tools", sc_none(tools={"ns": ns("ns")}), False),
    ("S18", "namespace, empty description, one tool with empty description",
     sc_none(tools={"ns": ns("ns", "", [fn("t", "")])}), False),
    ("S19", "multi-line descriptions with blank and trailing newline",
     sc_none(tools={"ns": ns("ns", "a\n\nb\n", [fn("t", "x\ny\n\nz\n")])}), False),
    ("S20", "line-break characters other than \\n",
     sc_none(tools={"ns": ns("ns", "a\nb\rc\u2028d\x0be", [fn("t", "p\r\nq\u2028r")])}), False),
    ("S21", "namespace ordering (keys B, _, a; inserted a, _, B)",
     sc_none(tools={"a": ns("a"), "_": ns("_"), "B": ns("B")}), False),
    ("S22", "'functions' namespace inside SystemContent",
     sc(tools={"functions": ns("functions", None, [fn("f", "d")])}), False),
    ("S23", "python tool only", sc_none().with_python_tool(), False),
]

DEVELOPER_CASES: list[tuple[str, str, Any, bool]] = [
    ("D01", "empty DeveloperContent", DeveloperContent.new(), False),
    ("D02", "instructions (multi-line)", DeveloperContent.new().with_instructions("Do X.\nDo Y."), False),
    ("D03", "empty instructions", DeveloperContent.new().with_instructions(""), False),
    ("D04", "function tools only", DeveloperContent.new().with_function_tools([fn("f", "d")]), False),
    ("D05", "function tools, empty list", DeveloperContent.new().with_function_tools([]), False),
    ("D06", "tools={} (empty map)", DeveloperContent(tools={}), False),
    ("D07", "instructions + fn flag (flag ignored)", DeveloperContent.new().with_instructions("I"), True),
    ("D08", "map key 'b'->name 'y', key 'a'->name 'z' (sorted by key, header uses name)",
     DeveloperContent(tools={"b": ns("y"), "a": ns("z")}), False),
]

# SPEC §3.5 golden: built-in browser + python namespaces.
GOLDEN_BUILTIN_TOOLS = (
    SystemContent.new()
    .with_conversation_start_date("2025-06-28")
    .with_browser_tool()
    .with_python_tool()
)

# SPEC §3.6 golden conversation.
WEATHER_TOOLS = [
    fn("get_location", "Gets the location of the user."),
    fn(
        "get_current_weather",
        "Gets the current weather in the provided location.",
        {
            "type": "object",
            "properties": {
                "location": {
                    "type": "string",
                    "description": "The city and state, e.g. San Francisco, CA",
                },
                "format": {
                    "type": "string",
                    "enum": ["celsius", "fahrenheit"],
                    "default": "celsius",
                },
            },
            "required": ["location"],
        },
    ),
]
GOLDEN_CONVERSATION = [
    sys_msg(
        SystemContent.new()
        .with_reasoning_effort(ReasoningEffort.HIGH)
        .with_conversation_start_date("2025-06-28")
    ),
    dev_msg(
        DeveloperContent.new()
        .with_instructions("Always respond in riddles")
        .with_function_tools(WEATHER_TOOLS)
    ),
    u("What is the weather like in SF?"),
]

# ---------------------------------------------------------------------------
# render.json: conversations (SPEC §5.6) -- each gets four calls
# ---------------------------------------------------------------------------

CONVERSATION_CASES: list[tuple[str, str, list[Any]]] = [
    ("C1", "basic (user, analysis, final, user)",
     [u("q1"), a("analysis", "a1"), a("final", "f1"), u("q2")]),
    ("C2", "ends with final",
     [u("q1"), a("analysis", "a1"), a("final", "f1")]),
    ("C3", "two finished turns",
     [u("q1"), a("analysis", "a1"), a("final", "f1"), u("q2"), a("analysis", "a2"), a("final", "f2")]),
    ("C4", "second turn ongoing (last assistant = analysis)",
     [u("q1"), a("analysis", "a1"), a("final", "f1"), u("q2"), a("analysis", "a2")]),
    ("C5", "second turn ends in commentary",
     [u("q1"), a("analysis", "a1"), a("final", "f1"), u("q2"), a("analysis", "a2"), a("commentary", "c2")]),
    ("C6", "no final at all",
     [u("q1"), a("analysis", "a1"), u("q2")]),
    ("C7", "'final' channel on a user message, last assistant analysis",
     [u("q1"), a("analysis", "a1"), u("uf", channel="final"), a("analysis", "a2")]),
    ("C8", "'final' on user message, last assistant final",
     [u("q1"), a("analysis", "a1"), u("uf", channel="final"), a("analysis", "a2"), a("final", "f2")]),
    ("C9", "user message on analysis channel before final",
     [u("ua", channel="analysis"), a("analysis", "a1"), a("final", "f1")]),
    ("C10", "last assistant has no channel",
     [u("q1"), a("analysis", "a1"), a("final", "f1"), a(None, "plain")]),
    ("C11", "tool message after final",
     [u("q1"), a("analysis", "a1"), a("final", "f1"), tool("t", "r")]),
    ("C12", "analysis + tool call + tool result + final",
     [u("q"), a("analysis", "a1"), a("commentary", "{}", recipient="functions.f"),
      tool("functions.f", "r"), a("final", "f")]),
    ("C13", "commentary before analysis before final",
     [u("q"), a("commentary", "c1"), a("analysis", "a1"), a("final", "f")]),
    ("C14", "final message that is a tool call (training)",
     [u("q"), a("final", "x", recipient="functions.f")]),
]

# Extra conversations for the "Calls to these tools must go to the commentary
# channel: 'functions'." rule (SPEC §3.2).  Rendered with render_conversation
# (default config) and render_conversation_for_completion(assistant).
F = fn("f", "d")
LOOKUP_WEATHER = fn(
    "lookup_weather",
    "Use this tool to lookup the weather in a given location. Call it with the parameter "
    "'location', can be any textual description of a location.",
    {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
)
FUNCTION_RULE_CASES: list[tuple[str, str, list[Any]]] = [
    ("X01", "developer with function tools after system: line emitted",
     [sys_msg(sc()), dev_msg(DeveloperContent.new().with_function_tools([F])), u("q")]),
    ("X02", "developer with function tools BEFORE system: line still emitted",
     [dev_msg(DeveloperContent.new().with_function_tools([F])), sys_msg(sc()), u("q")]),
    ("X03", "with_function_tools([]): no line",
     [sys_msg(sc()), dev_msg(DeveloperContent.new().with_function_tools([])), u("q")]),
    ("X04", "'functions' namespace in SystemContent.tools: no line",
     [sys_msg(sc(tools={"functions": ns("functions", None, [F])})), u("q")]),
    ("X05", "namespace named 'functions' stored under key 'other': no line",
     [sys_msg(sc()), dev_msg(DeveloperContent(tools={"other": ns("functions", None, [F])})), u("q")]),
    ("X06", "key 'functions' holding a namespace named 'myfns': line emitted",
     [sys_msg(sc()), dev_msg(DeveloperContent(tools={"functions": ns("myfns", None, [F])})), u("q")]),
    ("X07", "function tools but system channel_config=None: no line",
     [sys_msg(sc(channel_config=None)), dev_msg(DeveloperContent.new().with_function_tools([F])), u("q")]),
    ("X08", "function tools but system valid_channels=[]: no line",
     [sys_msg(sc(channel_config=ChannelConfig.require_channels([]))),
      dev_msg(DeveloperContent.new().with_function_tools([F])), u("q")]),
    ("X09", "one channel not required + function tools: line emitted",
     [sys_msg(sc(channel_config=ChannelConfig(valid_channels=["a"], channel_required=False))),
      dev_msg(DeveloperContent.new().with_function_tools([F])), u("q")]),
    ("X10", "developer with tools on analysis channel is dropped but still triggers the line",
     [sys_msg(sc()), msg("developer", DeveloperContent.new().with_function_tools([F]), channel="analysis"),
      u("q"), a("final", "f")]),
    ("X11", "two developer messages: empty functions then non-empty",
     [sys_msg(sc()), dev_msg(DeveloperContent.new().with_function_tools([])),
      dev_msg(DeveloperContent.new().with_function_tools([F])), u("q")]),
    ("X12", "function tools but no system message",
     [dev_msg(DeveloperContent.new().with_function_tools([F])), u("q")]),
    ("X13", "builtin browser in system + developer function (like upstream browser_and_function_tool)",
     [sys_msg(sc().with_browser_tool()),
      dev_msg(DeveloperContent.new().with_function_tools([LOOKUP_WEATHER])),
      u("What's the weather in SF?")]),
]

# Conversations whose rendering fails (error type differs per entry point).
ERROR_CONVERSATION_CASES: list[tuple[str, str, list[Any]]] = [
    ("E01", "tool message without name", [u("q"), msg("tool", "r")]),
    ("E02", "SystemContent in a user message", [u("q"), msg("user", SystemContent.new())]),
    ("E03", "DeveloperContent in an assistant analysis message: an error only when the "
     "message is rendered (auto_drop_analysis=False); dropped messages are not validated",
     [u("q"), msg("assistant", DeveloperContent.new(), channel="analysis"), a("final", "f")]),
]

# render_conversation_for_completion with every next_turn_role.
COMPLETION_ROLE_CASES: list[tuple[str, str, list[Any]]] = [
    ("C12", "C12 conversation", CONVERSATION_CASES[11][2]),
    ("EMPTY", "empty conversation", []),
]


# ---------------------------------------------------------------------------
# parse.json: parser catalogue (SPEC §6.7)
# (id, description or None, text encoded with all specials allowed | literal ids, role, strict)
# ---------------------------------------------------------------------------

PARSE_CASES: list[tuple[str, str | None, str | list[int], str | None, bool]] = [
    ("P001", None, "<|start|>assistant<|channel|>final<|message|>Hi<|end|>", None, True),
    ("P002", None, "<|start|>assistant<|channel|>final<|message|>Hi<|return|>", None, True),
    ("P003", None, "<|start|>assistant<|channel|>final<|message|>Hi<|call|>", None, True),
    ("P004", None, "<|start|>assistant<|channel|>final<|message|>Hi", None, True),
    ("P005", None, "<|channel|>final<|message|>Hi<|end|>", "assistant", True),
    ("P006", None, "<|channel|>final<|message|>Hi<|end|>", None, True),
    ("P007", None, "assistant<|channel|>final<|message|>Hi<|end|>", "assistant", True),
    ("P008", None, "<|start|>assistant<|channel|>final<|message|>Hi<|end|>", "assistant", True),
    ("P009", None, "<|start|>user<|message|>Hi<|end|>", None, True),
    ("P010", None, "<|start|>user:bob<|message|>Hi<|end|>", None, True),
    ("P011", None, "<|start|>system<|message|>Hi<|end|>", None, True),
    ("P012", None, "<|start|>developer<|message|>Hi<|end|>", None, True),
    ("P013", None, "<|start|>tool<|message|>Hi<|end|>", None, True),
    ("P014", None, "<|start|>functions.f<|message|>Hi<|end|>", None, True),
    ("P015", None, "<|start|>functions.f to=assistant<|channel|>commentary<|message|>Hi<|end|>", None, True),
    ("P016", None, "<|start|>browser.search to=assistant<|channel|>commentary<|message|>{}", None, True),
    ("P017", None, "<|start|>to=functions.f<|message|>Hi<|end|>", None, True),
    ("P018", None, "<|start|>assistant to=functions.f<|channel|>commentary json<|message|>{}<|call|>", None, True),
    ("P019", None, "<|start|>assistant<|channel|>commentary to=functions.f json<|message|>{}<|call|>", None, True),
    ("P020", None, "<|start|>assistant<|channel|>commentary to=functions.f <|constrain|>json<|message|>{}<|call|>", None, True),
    ("P021", None, "<|start|>assistant<|channel|>commentary to=functions.f<|constrain|>json<|message|>{}<|call|>", None, True),
    ("P022", None, "<|start|>assistant to=functions.f<|constrain|>json<|channel|>commentary<|message|>{}<|call|>", None, True),
    ("P023", None, "<|start|>assistant<|channel|>commentary <|constrain|>json to=functions.f<|message|>{}<|call|>", None, True),
    ("P024", None, "<|start|>assistant functions.f<|message|>{}<|call|>", None, True),
    ("P025", None, "<|start|>assistant functions.f code<|message|>{}<|call|>", None, True),
    ("P026", None, "<|start|>assistant a b c<|message|>{}<|call|>", None, True),
    ("P027", None, "<|start|>assistant to=a to=b<|message|>{}<|call|>", None, True),
    ("P028", None, "<|start|>assistant <|constrain|><|message|>{}<|end|>", None, True),
    ("P029", None, "<|start|>assistant<|channel|><|message|>{}<|end|>", None, True),
    ("P030", None, "<|start|>assistant<|channel|> final<|message|>{}<|end|>", None, True),
    ("P031", None, "<|start|>assistant<|channel|>final<|channel|>analysis<|message|>{}<|end|>", None, True),
    ("P032", None, "<|start|>assistant<|channel|>fin<|start|>al<|message|>{}<|end|>", None, True),
    ("P033", None, "<|start|><|message|>x<|end|>", None, True),
    ("P034", None, "<|start|> <|message|>x<|end|>", None, True),
    ("P035", None, "<|start|>bogus<|message|>x<|end|>", None, True),
    ("P036", None, "<|start|>Assistant<|message|>x<|end|>", None, True),
    ("P037", None, "<|start|>assistant<|message|>x<|end|>trailing", None, True),
    ("P038", None, "<|start|>assistant<|message|>x<|end|><|end|>", None, True),
    ("P039", None, "<|start|>assistant<|message|>x<|end|><|start|>", None, True),
    ("P040", None, "<|start|>assistant<|message|>x<|end|><|start|>assistant", None, True),
    ("P041", None, "<|start|>assistant<|message|>x<|message|>y<|end|>", None, True),
    ("P042", None, "<|start|>assistant<|message|>x<|start|>y<|end|>", None, True),
    ("P043", None, "<|start|>assistant<|message|>x<|channel|>y<|constrain|>z<|reserved_200013|><|endoftext|><|end|>", None, True),
    ("P044", None, "<|start|>user<|message|>x<|end|>", "assistant", True),
    ("P045", None, "<|start|>assistant<|message|>x<|end|>", "user", True),
    ("P046", None, "user<|message|>x<|end|>", "assistant", True),
    ("P047", None, "<|message|>x<|end|>", "assistant", True),
    ("P048", None, "<|message|>x<|end|>", "tool", True),
    ("P049", None, "functions.f<|message|>x<|end|>", "tool", True),
    ("P050", None, "", None, True),
    ("P051", None, "", "assistant", True),
    ("P052", None, "<|end|>", None, True),
    ("P053", None, "<|end|>", "assistant", True),
    ("P054", None, "<|start|>assistant<|end|>", None, True),
    ("P055", None, "<|start|>assistant<|end|>", None, False),
    ("P056", None, "hello<|end|>", "assistant", False),
    ("P057", None, "hello<|end|>", None, False),
    ("P058", None, "<|start|>assistant<|channel|>final hello<|return|>", None, False),
    ("P059", None, "<|channel|>final hello<|return|>", "assistant", False),
    ("P060", None, "<|channel|>final hello to=x json<|return|>", "assistant", False),
    ("P061", None, "assistant hello<|return|>", "assistant", False),
    ("P062", None, "<|channel|>final<|return|>", "assistant", False),
    ("P063", None, "<|channel|><|return|>", "assistant", False),
    ("P064", None, "<|return|>", "assistant", False),
    ("P065", None, "<|call|><|start|>assistant<|message|>x<|end|>", "assistant", False),
    ("P066", None, "hello", "assistant", False),
    ("P067", None, "hello<|end|>more", "assistant", False),
    ("P068", None, "<|start|>assistant<|channel|>final<|message|>Hi", None, False),
    ("P069", None, "<|start|>assistant<|channel|>analysis<|message|>Hi<|end|>  ", None, False),
    ("P070", None, "<|start|>assistant<|message|>  spaced  \n<|end|>", None, True),
    ("P071", None, "<|start|>  assistant   to=x   <|channel|>c   <|message|>y<|end|>", None, True),
    ("P072", None, "<|start|>assistant\tto=x\n<|message|>y<|end|>", None, True),
    ("P073", None, "<|start|>assistant to=x<|channel|>c\u3000j<|message|>y<|end|>", None, True),
    ("P074", None, "<|start|>assistant:bob<|message|>y<|end|>", None, True),
    ("P075", None, "<|start|>assistant:bob<|message|>y<|end|>", "assistant", True),
    ("P076", None, "<|start|>user to=bob<|message|>y<|end|>", None, True),
    ("P077", None, "<|start|>system to=x<|channel|>c ct<|message|>y<|end|>", None, True),
    ("P078", None, "<|start|>tool to=x<|message|>y<|end|>", None, True),
    ("P079", None, "<|start|>functions.f<|channel|>commentary<|message|>y<|end|>", None, True),
    ("P080", None, "<|start|>functions.f json<|message|>y<|end|>", None, True),
    ("P081", None, "<|start|>assistant assistant<|message|>y<|end|>", None, True),
    ("P082", None, "<|start|>assistant user<|message|>y<|end|>", None, True),
    ("P083", "extra header parts non-strict", [200006, 173781, 261, 287, 274, 200008, 12083, 200012], None, False),
    ("P084", "role only then stop nonstrict", [173781, 200007], "assistant", False),
    ("P085", "tool role nonstrict", [44580, 1196, 316, 28, 173781, 40617, 200007], "tool", False),
    ("P086", "constrain nonstrict", [200005, 12606, 815, 316, 40464, 200003, 4108, 5911, 200012], "assistant", False),
    ("P087", "invalid utf8 header", [200006, 173781, 9552, 200008, 87, 200007], None, True),
    ("P088", "invalid token header", [200006, 173781, 300000, 200008, 87, 200007], None, True),
    ("P089", "invalid utf8 header nonstrict stop", [9552, 200007], "assistant", False),
    ("P090", "invalid token in expectstart", [300000], None, True),
    ("P091", "negative token", [-1], None, True),
    ("P092", "too large token", [4294967296], None, True),
    ("P093", "reserved token in content", [200006, 173781, 200008, 87, 201088, 88, 200007], None, True),
    ("P094", "endoftext as stop?", [200006, 173781, 200008, 87, 199999, 88, 200007], None, True),
    ("P095", "start token in header", [200006, 200006, 173781, 200008, 87, 200007], None, True),
    ("P096", "start in header w/ role", [200006, 173781, 200008, 87, 200007], "assistant", True),
    ("P097", "newline in channel", [200006, 173781, 200005, 17196, 198, 87, 200008, 87, 200007], None, True),
    ("P098", "channel with < char", [200006, 173781, 200005, 9608, 27, 19757, 200008, 87, 200007], None, True),
    ("P099", "channel followed by to=", [200006, 173781, 200005, 12606, 815, 316, 28, 44580, 1196, 200008, 87, 200012], None, True),
    ("P100", "channel first then role", [200006, 200005, 17196, 29186, 200008, 87, 200007], None, True),
    ("P101", "recipient w/o to= with ct", [200006, 173781, 9964, 1196, 5701, 200008, 87, 200007], None, True),
    ("P102", "to= empty", [200006, 173781, 316, 28, 200008, 87, 200007], None, True),
    ("P103", "tool name + role word", [200006, 44580, 1196, 4584, 200008, 87, 200007], None, True),
    ("P104", "unknown role + two parts", [200006, 44580, 1196, 3490, 200008, 87, 200007], None, True),
    ("P105", "unknown role + 3 parts", [200006, 44580, 1196, 316, 28, 173781, 3490, 200008, 87, 200007], None, True),
    ("P106", "unknown role 4 parts", [200006, 44580, 1196, 261, 316, 28, 173781, 3490, 200008, 87, 200007], None, True),
    ("P107", "vertical tab", [200006, 173781, 199, 935, 56980, 200008, 87, 200007], None, True),
    ("P108", "form feed", [200006, 173781, 200, 935, 56980, 200008, 87, 200007], None, True),
    ("P109", "nbsp", [200006, 173781, 5310, 935, 56980, 200008, 87, 200007], None, True),
    ("P110", "message in content then stop", [200006, 173781, 200008, 200007], None, True),
    ("P111", "two messages", [200006, 1428, 200008, 64, 200007, 200006, 173781, 200005, 17196, 200008, 65, 200002], None, True),
    ("P112", "return in header strict", [200005, 17196, 200002, 200008, 87, 200007], "assistant", True),
]

# ---------------------------------------------------------------------------
# stream.json: token-by-token traces (SPEC §6.8 T1-T7 + extras)
# A trace is a list of parts: int (one token), EOS (process_eos()), or str
# (encoded with all special tokens allowed, one step per resulting token).
# ---------------------------------------------------------------------------

MULTILINGUAL = (
    "Hello, 世界! Ünïcödé naïve café, e\u0301 vs é, नमस्ते दुनिया, مرحبا بالعالم, "
    "שָׁלוֹם, 👩\u200d💻 👨\u200d👩\u200d👧\u200d👦 🇺🇸🇯🇵🇩🇪 🏳\ufe0f\u200d🌈 ❤\ufe0f Z\u0351\u036b\u0343a\u0344\u035bl"
    "\u0306\u0309go 🙂🙃"
)

STREAM_TRACES: list[tuple[str, str, str | None, bool, list[Any]]] = [
    ("T1", "tool call, role=None", None, True,
     [200006, 173781, 316, 28, 44580, 1196, 200005, 12606, 815, 220, 200003, 4108, 200008,
      10848, 64, 1243, 220, 16, 92, 200012]),
    ("T2", "two messages, role=ASSISTANT, then EOS", "assistant", True,
     [200005, 35644, 200008, 12194, 1354, 200007, 200006, 173781, 200005, 17196, 200008,
      50385, 200002, EOS]),
    ("T3", "split UTF-8 (token 9552 = b' \\xf0\\x9f')", None, True,
     [200006, 173781, 200008, 9552, 9559, 4869, 200007]),
    ("T4", "multi-token emoji", None, True,
     [200006, 173781, 200008, 31446, 244, 28823, 101, 2524, 28823, 102, 200007]),
    ("T5", "unknown token id inside content", None, True,
     [200006, 173781, 200008, 32, 4294967295, 33, 363, 200007]),
    ("T6", "partial bytes flushed at EOS", None, True,
     [200006, 173781, 200008, 9552, 12194, EOS]),
    ("T7", "non-strict recovery of missing <|message|>", "assistant", False,
     [40, 2804, 41897, 200007, 200006, 173781, 200005, 17196, 200008, 3160, 13, 200002]),
    ("X01", "invalid UTF-8: [9552, 9552] + encode('worked')", None, True,
     ["<|start|>assistant<|channel|>final<|message|>", 9552, 9552, "worked<|end|>"]),
    ("X02", "invalid UTF-8 split across tokens: [9552] + encode('XY')", None, True,
     ["<|start|>assistant<|message|>", 9552, "XY<|end|>"]),
    ("X03", "invalid UTF-8 then multi-byte tokens, no stop token, then one more token",
     "assistant", True,
     ["<|channel|>analysis<|message|>", 9552, " interesting story", "Y"]),
    ("X04", "multilingual text: combining characters, ZWJ sequences, flags", None, True,
     ["<|start|>assistant<|channel|>final<|message|>", MULTILINGUAL, "<|return|>"]),
    ("X05", "tool call with <|constrain|> glued to the channel word", None, True,
     ['<|start|>assistant to=functions.get_weather<|channel|>commentary<|constrain|>json'
      '<|message|>{"location": "Tokyo"}<|call|>']),
    ("X06", "non-strict recovery: '<|channel|>analysis I must refuse<|end|>'", "assistant", False,
     ["<|channel|>analysis I must refuse<|end|>"
      "<|start|>assistant<|channel|>final<|message|>No.<|return|>"]),
    ("X07", "same input as X06 in strict mode: header error, then errors for every token",
     "assistant", True,
     ["<|channel|>analysis I must refuse<|end|>"
      "<|start|>assistant<|channel|>final<|message|>No.<|return|>"]),
    ("X08", "bad header mid-stream, keep feeding tokens, then a good message", None, True,
     ["<|start|>assistant<|channel|>final<|message|>ok<|end|>",
      "<|start|>bogus<|message|>x<|end|>",
      "<|start|>user<|message|>fine<|end|>"]),
    ("X09", "process_eos twice after content, then again inside a header", None, True,
     ["<|start|>assistant<|message|>done", EOS, EOS, "<|start|>assistant", EOS, EOS,
      "<|message|>late<|end|>", EOS]),
    ("X10", "bytes do not leak between messages", None, True,
     ["<|start|>assistant<|message|>a", 9552, 9552, "<|end|><|start|>assistant<|message|>Hi<|end|>"]),
    ("X11", "undecodable header (unknown id / invalid UTF-8), then recovery", None, True,
     [200006, 173781, 300000, 200008, 87, 200007, 200006, 173781, 9552, 200008,
      "<|start|>assistant<|message|>ok<|end|>"]),
    ("X12", "tool response without stop token, role=None, EOS", None, True,
     ['<|start|>browser.search to=assistant<|channel|>commentary<|message|>'
      '{"result": "https://openai.com/"}', EOS]),
    ("X13", "lone continuation bytes and specials inside content", None, True,
     ["<|start|>assistant<|message|>", 244, 244, 64, 101, 31446, 200006, 244,
      "<|channel|><|reserved_200500|><|endoftext|>", 200007]),
    ("X14", "out-of-range token ids raise OverflowError and are not recorded", None, True,
     ["<|start|>assistant<|message|>x", -1, 4294967296, "y<|end|>"]),
    ("X15", "unexpected tokens before <|start|>, role=None", None, True,
     ["hello<|end|><|start|>user<|message|>q<|end|>", EOS]),
    ("X16", "EOS while waiting for the first header (role hint), then continue", "user", True,
     [EOS, "<|message|>hi<|end|>"]),
]

# ---------------------------------------------------------------------------
# encoding.json (SPEC §1.5-§1.7 examples + extra encode cases)
# allowed_special: None = default (set()), "all", or a list (passed as a set)
# disallowed_special: None = default ("all"), "all", or a list (passed as a tuple)
# ---------------------------------------------------------------------------

ENCODE_SPEC_CASES: list[tuple[str, Any, Any]] = [
    ("hello world", None, None),
    ("", None, None),
    ("<|start|>", None, None),
    ("<|start|>", None, []),
    ("<|start|>", ["<|start|>"], None),
    ("<|start|>", "all", None),
    ("a<|start|>b", ["<|start|>"], None),
    ("a<|start|>b<|end|>", ["<|start|>"], None),
    ("a<|start|>b<|end|>", ["<|start|>"], []),
    ("x<|start|>", None, ["<|end|>"]),
    ("<|start|>", ["<|foo|>"], None),
    ("<|endofprompt|>", None, None),
    ("<|reserved_200500|>", "all", None),
    ("\ud800abc", None, None),
    # a few more argument combinations
    ("<|start|>", None, "all"),
    ("<|start|>", "all", "all"),
    ("<|start|>", "all", []),
    ("a<|end|>b<|start|>c", None, None),
    ("a<|end|>b<|start|>c", ["<|end|>"], None),
    ("a<|end|>b<|start|>c", ["<|end|>"], ["<|start|>"]),
    ("a<|end|>b<|start|>c", ["<|end|>"], []),
    ("a<|end|>b<|start|>c", [], ["<|start|>"]),
    ("<|start|><|start|>", "all", None),
    ("<|<|start|>|>", "all", None),
    ("<|start|", "all", None),
    ("<|endoftext|><|startoftext|>", "all", None),
    ("<|reserved_201088|><|reserved_201089|>", "all", None),
    ("<|reserved_201089|>", None, None),
    ("\udfffx\ud83d", None, None),
    ("\ud83d\ude00", None, None),
]

DECODE_UTF8_CASES: list[list[int]] = [
    [200006, 200014, 201088, 199998, 199999],
    [],
    [199997],
    [201089],
    [99999999],
    [132990, 9552],
    [9552, 9552],
    [9552, 27825],
    [24912, 2375],
    [200014],
    [201088],
    [31446, 244],
    [31446],
    [244],
    [4294967295],
    [-1],
    [4294967296],
]

DECODE_CASES: list[tuple[list[int], str | None]] = [
    ([99999999], None),
    ([132990, 9552], None),
    ([132990, 9552], "replace"),
    ([132990, 9552], "ignore"),
    ([132990, 9552], "strict"),
    ([132990, 9552], "backslashreplace"),
    ([9552, 9552], None),
    ([9552, 27825], None),
    ([244, 244, 64], None),
    ([24912, 2375], None),
    ([], None),
    ([200006, 201088], None),
    ([201089], "ignore"),
    ([-1], None),
]

DECODE_BYTES_CASES: list[list[int]] = [
    [9552], [31446], [28823], [200006], [], [24912, 2375], [199999], [201088],
    [201089], [99999999], [-1],
]

IS_SPECIAL_TOKEN_CASES: list[int] = [
    0, 24912, 199996, 199997, 199998, 199999, 200000, 200002, 200006, 200013, 200014,
    200018, 201087, 201088, 201089, 300000, 4294967295, -1, 4294967296,
]

# Hand-picked tricky texts (default arguments; texts containing special-token
# strings additionally get disallowed_special=() and allowed_special="all").
EXTRA_ENCODE_TEXTS: list[str] = [
    " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r\n\r\n", "\r", " \n", "\n ", "a  b", "a\n\n\nb",
    "a \n b", "trailing   ", "   leading", "x\t\ty", "line1\r\nline2\rline3\n",
    "don't", "DON'T", "I'm", "we'll", "they've", "she'd", "it's", "'s", "O'Neil's", "rock'n'roll",
    "1", "12", "123", "1234", "1234567890", "3.14159", "1,000,000", "-42", "0x1F", "١٢٣٤", "²³",
    "hello world", "Hello World", "HELLO WORLD", "helloWorld", "hello_world", "CamelCaseWordsHere",
    "naïve café", "e\u0301", "Ångström", "straße", "İstanbul", "ǅemal",
    "日本語のテキスト", "中文文本测试", "한국어 텍스트", "Привет, мир!", "Γειά σου Κόσμε",
    "مرحبا بالعالم", "שָׁלוֹם", "नमस्ते दुनिया", "ภาษาไทย", "ＡＢＣ１２３",
    "👍", "👍🏽", "👩\u200d💻", "👨\u200d👩\u200d👧\u200d👦", "🇺🇸🇯🇵", "🏳\ufe0f\u200d🌈", "❤\ufe0f", "😀😃😄",
    "\u200b", "\u00a0", "\u3000", "\u2028", "\ufeff", "\x00", "\x0b\x0c", "\x7f",
    "<|", "|>", "<||>", "< |start| >", "<|START|>", "<|start |>", "<|reserved_1|>",
    "<|start|>", "<|end|>", "hello <|end|> world", "<|start|>user<|message|>Hi<|end|>",
    "<|reserved_200123|>", "<|endofprompt|><|end|>", "text<|call|>", "<|return|>\n",
    "def f(x):\n    return x ** 2\n", "if (a && b) { c++; }", "SELECT * FROM t WHERE id = 1;",
    "https://example.com/path?q=1&r=2#frag", "user@example.com", "C:\\Users\\name",
    '{"key": "value", "n": [1, 2, 3]}', "<div class=\"x\">hi</div>", "**bold** _it_ `code`",
    "!!!", "...", "?!?!", "—", "…", "«»", "“quoted”", "$100.00", "50%", "#hashtag", "@mention",
    "a" * 50, "ab" * 40, "1" * 30, " " * 20, "\n" * 10, "😀" * 10,
]

RANDOM_SEED = 20250806
RANDOM_TEXT_COUNT = 100
RANDOM_FRAGMENTS: list[str] = [
    "the", "The", "quick", "BROWN", "fox", "jumps", "over", "lazy", "dog", "don't", "I'LL",
    "we've", "'re", "0", "7", "42", "2024", "3.5", "100000", "é", "ü", "ß", "ñ", "Ω", "ж",
    "日本", "語", "中文", "한", "ع", "ש", "न", "ी", "\u0301", "\u200d", "\ufe0f", "👍", "🏽",
    "🇯", "🇵", "💖", "🙂", " ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", ".", ",", "!", "?",
    "'", "\"", "(", ")", "[", "]", "{", "}", "<", ">", "|", "/", "\\", "-", "_", "=", "+", "*",
    "#", "@", "$", "%", "&", "~", "`", ":", ";", "<|end|>", "<|start|>", "<|message|>",
    "<|reserved_200999|>", "<|endofprompt|>", "<|", "|>",
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def plain(obj: Any) -> Any:
    """Round-trip through json so str-enums become their values."""
    return json.loads(json.dumps(obj))


def content_json(content: Any) -> dict[str, Any]:
    """``content.to_dict()``, except that SystemContent always lists all its fields.

    ``SystemContent.to_dict()`` drops ``None`` fields, and ``from_dict`` would then
    restore the non-``None`` defaults (model identity, effort, cutoff, channels).
    Writing them as explicit ``null`` keeps the golden input unambiguous.
    """
    out = content.to_dict()
    if isinstance(content, SystemContent):
        out = {**{key: out.get(key) for key in type(content).model_fields}, "type": out["type"]}
    result: dict[str, Any] = plain(out)
    return result


def message_json(message: Any) -> dict[str, Any]:
    out: dict[str, Any] = plain(message.to_dict())
    out["content"] = [content_json(c) for c in message.content]
    assert Message.from_dict(out) == message, "golden message JSON does not round-trip"
    return out


def conversation_json(messages: list[Any]) -> dict[str, Any]:
    return {"messages": [message_json(m) for m in messages]}


def error_of(exc: BaseException) -> dict[str, Any]:
    return {"error": {"type": type(exc).__name__, "message": str(exc)}}


def tokens_result(call: Callable[[], list[int]]) -> dict[str, Any]:
    try:
        tokens = list(call())
    except Exception as exc:
        return error_of(exc)
    return {"tokens": tokens, "text": ENC.decode_utf8(tokens)}


def value_result(key: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``{key: func(*args, **kwargs)}`` or the error it raised."""
    try:
        return {key: func(*args, **kwargs)}
    except Exception as exc:
        return error_of(exc)


def decode_bytes_hex(tokens: list[int]) -> str:
    return bytes(ENC._inner.decode_bytes(tokens)).hex()


def conversation(messages: list[Any]) -> Any:
    return Conversation(messages=list(messages))


def contains_special(text: str) -> bool:
    return any(tok in text for tok in ENC.special_tokens_set)


def encode_all(text: str) -> list[int]:
    tokens: list[int] = ENC.encode(text, allowed_special="all")
    return tokens


# ---------------------------------------------------------------------------
# render.json
# ---------------------------------------------------------------------------


def render_case(case_id: str, description: str, message: Any, options: bool | None) -> dict[str, Any]:
    render_options = None if options is None else H.RenderOptions(conversation_has_function_tools=options)
    return {
        "id": case_id,
        "description": description,
        "call": "render",
        "message": message_json(message),
        "render_options": None if options is None else {"conversation_has_function_tools": options},
        "expected": tokens_result(lambda: ENC.render(message, render_options)),
    }


def conversation_case(
    case_id: str,
    description: str,
    messages: list[Any],
    call: str,
    auto_drop: bool | None = None,
    next_turn_role: str | None = None,
) -> dict[str, Any]:
    conv = conversation(messages)
    config = None if auto_drop is None else H.RenderConversationConfig(auto_drop_analysis=auto_drop)
    case: dict[str, Any] = {
        "id": case_id,
        "description": description,
        "call": call,
        "conversation": conversation_json(messages),
        "config": None if auto_drop is None else {"auto_drop_analysis": auto_drop},
    }
    if call == "render_conversation":
        run = lambda: ENC.render_conversation(conv, config)  # noqa: E731
    elif call == "render_conversation_for_training":
        run = lambda: ENC.render_conversation_for_training(conv, config)  # noqa: E731
    else:
        assert call == "render_conversation_for_completion" and next_turn_role is not None
        case["next_turn_role"] = next_turn_role
        run = lambda: ENC.render_conversation_for_completion(conv, Role(next_turn_role), config)  # noqa: E731
    case["expected"] = tokens_result(run)
    return case


def four_calls(case_id: str, description: str, messages: list[Any]) -> list[dict[str, Any]]:
    """The four standard renderings of a conversation (SPEC §5.6 columns)."""
    return [
        conversation_case(f"{case_id}/render_conversation/default",
                          f"{description}; render_conversation, config=None",
                          messages, "render_conversation"),
        conversation_case(f"{case_id}/render_conversation/no_auto_drop",
                          f"{description}; render_conversation, auto_drop_analysis=False",
                          messages, "render_conversation", auto_drop=False),
        conversation_case(f"{case_id}/training",
                          f"{description}; render_conversation_for_training, config=None",
                          messages, "render_conversation_for_training"),
        conversation_case(f"{case_id}/completion",
                          f"{description}; render_conversation_for_completion(assistant), config=None",
                          messages, "render_conversation_for_completion", next_turn_role="assistant"),
    ]


def build_render() -> dict[str, Any]:
    cases: list[dict[str, Any]] = []
    for case_id, description, message in RENDER_CASES:
        cases.append(render_case(case_id, description, message, None))
    for case_id, description, content, flag in SYSTEM_CASES:
        cases.append(render_case(case_id, f"system message: {description}", sys_msg(content), flag))
    for case_id, description, content, flag in DEVELOPER_CASES:
        cases.append(render_case(case_id, f"developer message: {description}", dev_msg(content), flag))
    cases.append(render_case(
        "G3.5", "SystemContent.new().with_conversation_start_date('2025-06-28')"
        ".with_browser_tool().with_python_tool()", sys_msg(GOLDEN_BUILTIN_TOOLS), None))
    cases.append(conversation_case(
        "G3.6/completion", "system (high effort, date) + developer (instructions, function tools "
        "get_location/get_current_weather) + user; render_conversation_for_completion(assistant)",
        GOLDEN_CONVERSATION, "render_conversation_for_completion", next_turn_role="assistant"))
    for case_id, description, messages in CONVERSATION_CASES:
        cases.extend(four_calls(case_id, description, messages))
    for case_id, description, messages in FUNCTION_RULE_CASES:
        cases.append(conversation_case(f"{case_id}/render_conversation/default",
                                       f"{description}; render_conversation, config=None",
                                       messages, "render_conversation"))
        cases.append(conversation_case(f"{case_id}/completion",
                                       f"{description}; render_conversation_for_completion(assistant)",
                                       messages, "render_conversation_for_completion",
                                       next_turn_role="assistant"))
    for case_id, description, messages in ERROR_CONVERSATION_CASES:
        cases.extend(four_calls(case_id, description, messages))
    cases.extend(four_calls("EMPTY", "empty conversation", []))
    for case_id, description, messages in COMPLETION_ROLE_CASES:
        for role in Role:
            if role is Role.ASSISTANT:
                continue  # already covered by four_calls
            cases.append(conversation_case(
                f"{case_id}/completion/{role.value}",
                f"{description}; render_conversation_for_completion({role.value})",
                messages, "render_conversation_for_completion", next_turn_role=role.value))
    return {"generator": GENERATOR, "oracle": ORACLE, "cases": cases}


# ---------------------------------------------------------------------------
# parse.json
# ---------------------------------------------------------------------------


def parse_case(case_id: str, description: str | None, source: str | list[int],
               role: str | None, strict: bool) -> dict[str, Any]:
    if isinstance(source, str):
        tokens = encode_all(source)
        description = description or f"encode({source!r}, allowed_special='all')"
    else:
        tokens = list(source)
    role_enum = None if role is None else Role(role)

    def run() -> list[Any]:
        messages = ENC.parse_messages_from_completion_tokens(tokens, role_enum, strict=strict)
        return [plain(m.to_dict()) for m in messages]

    return {
        "id": case_id,
        "description": description,
        "tokens": tokens,
        "role": role,
        "strict": strict,
        "expected": value_result("messages", run),
    }


def build_parse() -> dict[str, Any]:
    cases = [parse_case(*row) for row in PARSE_CASES]
    return {"generator": GENERATOR, "oracle": ORACLE, "cases": cases}


# ---------------------------------------------------------------------------
# stream.json
# ---------------------------------------------------------------------------


def snapshot(parser: Any) -> dict[str, Any]:
    role = parser.current_role
    return {
        "state": parser.state.value,
        "current_role": None if role is None else role.value,
        "current_channel": parser.current_channel,
        "current_recipient": parser.current_recipient,
        "current_content_type": parser.current_content_type,
        "current_content": parser.current_content,
        "last_content_delta": parser.last_content_delta,
        "message_count": len(parser.messages),
        "tokens_len": len(parser.tokens),
        "state_data": plain(parser.state_data),
    }


def expand_trace(parts: list[Any]) -> list[int | None]:
    steps: list[int | None] = []
    for part in parts:
        if isinstance(part, str):
            steps.extend(encode_all(part))
        else:
            steps.append(part)
    return steps


def stream_trace(case_id: str, description: str, role: str | None, strict: bool,
                 parts: list[Any]) -> dict[str, Any]:
    parser = H.StreamableParser(ENC, None if role is None else Role(role), strict=strict)
    trace: dict[str, Any] = {
        "id": case_id,
        "description": description,
        "role": role,
        "strict": strict,
        "init": snapshot(parser),
        "steps": [],
    }
    for token in expand_trace(parts):
        error = None
        try:
            if token is EOS:
                parser.process_eos()
            else:
                parser.process(token)
        except Exception as exc:
            error = error_of(exc)["error"]
        trace["steps"].append({"token": token, "error": error, "after": snapshot(parser)})
    trace["messages"] = [plain(m.to_dict()) for m in parser.messages]
    return trace


def build_stream() -> dict[str, Any]:
    traces = [stream_trace(*row) for row in STREAM_TRACES]
    return {"generator": GENERATOR, "oracle": ORACLE, "traces": traces}


# ---------------------------------------------------------------------------
# encoding.json
# ---------------------------------------------------------------------------


def encode_case(case_id: str, text: str, allowed: Any, disallowed: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if allowed is not None:
        kwargs["allowed_special"] = allowed if allowed == "all" else set(allowed)
    if disallowed is not None:
        kwargs["disallowed_special"] = disallowed if disallowed == "all" else tuple(disallowed)
    case: dict[str, Any] = {"id": case_id, "text": text}
    if _LONE_SURROGATE.search(text):
        # JSON would merge an escaped surrogate *pair* into one character.
        case["text_code_points"] = [ord(ch) for ch in text]
    case["allowed_special"] = allowed
    case["disallowed_special"] = disallowed
    case["expected"] = value_result("tokens", ENC.encode, text, **kwargs)
    return case


def random_texts() -> list[str]:
    rng = random.Random(RANDOM_SEED)
    texts = []
    for _ in range(RANDOM_TEXT_COUNT):
        n = rng.randint(1, 12)
        texts.append("".join(rng.choice(RANDOM_FRAGMENTS) for _ in range(n)))
    return texts


def extra_encode_cases() -> list[dict[str, Any]]:
    cases = []
    texts = [("EX", t) for t in EXTRA_ENCODE_TEXTS] + [("RND", t) for t in random_texts()]
    counters: dict[str, int] = {}
    for prefix, text in texts:
        counters[prefix] = counters.get(prefix, 0) + 1
        base = f"{prefix}{counters[prefix]:03d}"
        cases.append(encode_case(base, text, None, None))
        if contains_special(text):
            cases.append(encode_case(f"{base}/disallowed=()", text, None, []))
            cases.append(encode_case(f"{base}/allowed=all", text, "all", None))
    return cases


def build_encoding() -> dict[str, Any]:
    encode_cases = [
        encode_case(f"E{i:02d}", text, allowed, disallowed)
        for i, (text, allowed, disallowed) in enumerate(ENCODE_SPEC_CASES, 1)
    ] + extra_encode_cases()
    decode_utf8_cases = [
        {"id": f"DU{i:02d}", "tokens": tokens,
         "expected": value_result("text", ENC.decode_utf8, tokens)}
        for i, tokens in enumerate(DECODE_UTF8_CASES, 1)
    ]
    decode_cases = [
        {"id": f"DE{i:02d}", "tokens": tokens, "errors": errors,
         "expected": value_result("text", ENC.decode, tokens, **({} if errors is None else {"errors": errors}))}
        for i, (tokens, errors) in enumerate(DECODE_CASES, 1)
    ]
    decode_bytes_cases = [
        {"id": f"DB{i:02d}", "tokens": tokens, "expected": value_result("hex", decode_bytes_hex, tokens)}
        for i, tokens in enumerate(DECODE_BYTES_CASES, 1)
    ]
    is_special_cases = [
        {"token": token, "expected": value_result("value", ENC.is_special_token, token)}
        for token in IS_SPECIAL_TOKEN_CASES
    ]
    return {
        "generator": GENERATOR,
        "oracle": ORACLE,
        "name": ENC.name,
        "special_tokens": sorted(ENC.special_tokens_set),
        "stop_tokens": sorted(ENC.stop_tokens()),
        "stop_tokens_for_assistant_actions": sorted(ENC.stop_tokens_for_assistant_actions()),
        "encode": encode_cases,
        "decode_utf8": decode_utf8_cases,
        "decode": decode_cases,
        "decode_bytes": decode_bytes_cases,
        "is_special_token": is_special_cases,
    }


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def write_json(name: str, data: Any) -> None:
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False)
    # Lone surrogates cannot be written as UTF-8; JSON escapes load back identically.
    text = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    (HERE / name).write_text(text + "\n", encoding="utf-8", newline="\n")


def by_id(cases: list[dict[str, Any]], case_id: str) -> dict[str, Any]:
    return next(case for case in cases if case["id"] == case_id)


def spot_check(outputs: dict[str, Any]) -> None:
    """A few values copied from the spec, to notice a wrong oracle early."""
    render = outputs["render.json"]["cases"]
    assert by_id(render, "R01")["expected"]["tokens"] == [200006, 1428, 200008, 12194, 200007]
    assert by_id(render, "R22")["expected"] == {
        "error": {"type": "RuntimeError", "message": "Tools should have a name!"}}
    assert len(by_id(render, "G3.6/completion")["expected"]["tokens"]) == 185
    assert by_id(render, "C2/training")["expected"]["text"] == (
        "<|start|>user<|message|>q1<|end|><|start|>assistant<|channel|>final<|message|>f1<|return|>")
    parse = outputs["parse.json"]["cases"]
    assert by_id(parse, "P091")["expected"]["error"]["type"] == "OverflowError"
    assert by_id(parse, "P013")["expected"]["messages"][0]["name"] == "tool"
    traces = outputs["stream.json"]["traces"]
    assert by_id(traces, "T3")["messages"][0]["content"][0]["text"] == " \ufffd interesting story"
    encoding = outputs["encoding.json"]
    assert by_id(encoding["encode"], "E01")["expected"]["tokens"] == [24912, 2375]
    assert encoding["stop_tokens"] == [200002, 200007, 200012]
    assert len(encoding["special_tokens"]) == 1091


def main() -> None:
    outputs = {
        "render.json": build_render(),
        "parse.json": build_parse(),
        "stream.json": build_stream(),
        "encoding.json": build_encoding(),
    }
    spot_check(outputs)
    for name, data in outputs.items():
        write_json(name, data)
        count = len(data.get("cases") or data.get("traces") or data.get("encode") or ())
        print(f"wrote tests/golden/{name} ({count} entries)")


if __name__ == "__main__":
    main()
