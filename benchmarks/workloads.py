"""The benchmark inputs: harmony-go's seven workloads plus the derived ones.

Everything here is plain data (dicts and lists of ints) so that the
orchestrator can compute expected outputs without importing any contender,
and every worker builds its inputs from the same definitions.

* ``workloads.json`` holds the seven workloads (conversations in
  openai_harmony's ``Conversation.to_dict()`` shape, completions as
  o200k_harmony ids) and, where it has them, the expected outputs.
* The derived inputs (scaled conversations, token streams for the per-token
  stream costs) are built from those, deterministically.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parent
WORKLOADS_FILE: Final = HERE / "workloads.json"

# Special token ids used to build derived streams (SPEC §1.2).
START: Final = 200006
END: Final = 200007
MESSAGE: Final = 200008
RETURN: Final = 200002
CALL: Final = 200012

MAIN_WORKLOADS: Final = (
    "render_tool_call",
    "render_large_autodrop",
    "render_large_keep_analysis",
    "parse_tool_call",
    "stream_parse_tool_call",
    "parse_large_completion",
    "stream_parse_large_completion",
)
"""harmony-go's seven benchmarks, in its order."""

SCALES_FULL: Final = (1, 4, 16, 64)
SCALES_QUICK: Final = (1, 4, 16)
MESSAGES_STREAM_TOKENS: Final = 10_000
"""Length of the stream on which ``.messages`` is read after every token."""
CONTENT_PARSERS: Final = 25
"""Parsers fed the content tokens in one call of the per-content-token measurement."""
HEADER_PARSERS: Final = 1_000
"""Parsers fed one header each in one call of the per-header-token measurement."""
AGENT_ROUNDS: Final = 12
"""Tool rounds of the agent loop; each round renders the whole conversation so far from dicts."""
AGENT_TASK: Final = f"agent_loop_{AGENT_ROUNDS}_rounds@from_dict"
"""The agent loop's task name (a render variant: every request is built from dicts)."""

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class RenderSpec:
    """A render workload: conversation dict, next role and the auto-drop flag."""

    conversation: JSONDict
    next_role: str
    auto_drop_analysis: bool


@dataclass(frozen=True)
class ParseSpec:
    """A parse workload: completion tokens (role ``None``) and whether it is streamed."""

    tokens: list[int]
    stream: bool


def load_raw() -> JSONDict:
    with WORKLOADS_FILE.open(encoding="utf-8") as fh:
        data: JSONDict = json.load(fh)
    return data


def _resolve(workloads: JSONDict, name: str, key: str) -> Any:
    """Follow workloads.json's ``"same as <other>"`` references."""
    value = workloads[name][key]
    if isinstance(value, str) and value.startswith("same as "):
        return _resolve(workloads, value[len("same as ") :], key)
    return value


def render_spec(workloads: JSONDict, name: str) -> RenderSpec:
    entry = workloads[name]
    return RenderSpec(
        conversation=_resolve(workloads, name, "conversation"),
        next_role=entry["next_role"],
        auto_drop_analysis=bool(entry["auto_drop_analysis"]),
    )


def parse_spec(workloads: JSONDict, name: str) -> ParseSpec:
    return ParseSpec(tokens=list(_resolve(workloads, name, "tokens")), stream=name.startswith("stream_"))


def expected_messages(workloads: JSONDict, name: str) -> list[JSONDict]:
    """Expected ``to_dict()`` list of a parse workload (stream workloads share their batch twin's)."""
    twin = name.removeprefix("stream_")
    result: list[JSONDict] = workloads[twin]["expected_messages"]
    return result


# -- derived inputs -----------------------------------------------------------------


def scaled_conversation(workloads: JSONDict, k: int) -> JSONDict:
    """The large conversation with its messages repeated ``k`` times (rendered with analysis kept).

    With ``auto_drop_analysis=False`` every message is rendered on its own, so
    the output is exactly ``k`` copies of the 1x body plus ``<|start|>assistant``.
    """
    base = render_spec(workloads, "render_large_keep_analysis").conversation
    return {"messages": [copy.deepcopy(m) for _ in range(k) for m in base["messages"]]}


def scaled_tokens(workloads: JSONDict, k: int) -> list[int]:
    """The large completion repeated ``k`` times (it is a whole number of messages)."""
    return parse_spec(workloads, "parse_large_completion").tokens * k


def messages_stream_tokens(workloads: JSONDict) -> list[int]:
    """10,000 tokens: the large completion repeated, cut at 10,000 (the last message is unfinished)."""
    base = parse_spec(workloads, "parse_large_completion").tokens
    reps = MESSAGES_STREAM_TOKENS // len(base) + 1
    return (base * reps)[:MESSAGES_STREAM_TOKENS]


def header_tokens(workloads: JSONDict) -> list[int]:
    """The tool-call completion's header, ``<|start|>`` through ``<|message|>`` inclusive."""
    tokens = parse_spec(workloads, "parse_tool_call").tokens
    return tokens[: tokens.index(MESSAGE) + 1]


def content_stream(workloads: JSONDict) -> tuple[list[int], list[int]]:
    """``(header, content)``: the large completion's first header and its content tokens (no stop token)."""
    tokens = parse_spec(workloads, "parse_large_completion").tokens
    start = tokens.index(MESSAGE) + 1
    end = tokens.index(END)
    return tokens[:start], tokens[start:end]


def _text(role: str, text: str, **header: str) -> JSONDict:
    return {"role": role, "name": header.pop("name", None), "content": [{"type": "text", "text": text}], **header}


_AGENT_TOOLS: Final = [
    {
        "name": "get_weather",
        "description": "Gets the current weather and a short forecast for a location.",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "City and country, e.g. Paris, France"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
                "days": {"type": "integer", "description": "Days of forecast", "default": 1},
            },
            "required": ["location"],
        },
    },
    {
        "name": "search_flights",
        "description": "Searches flights between two airports on a date.",
        "parameters": {
            "type": "object",
            "properties": {
                "origin": {"type": "string", "description": "IATA code of the departure airport"},
                "destination": {"type": "string", "description": "IATA code of the arrival airport"},
                "date": {"type": "string", "description": "Departure date, YYYY-MM-DD"},
                "passengers": {"type": "integer", "default": 1},
                "cabin": {"type": "string", "enum": ["economy", "premium", "business", "first"]},
            },
            "required": ["origin", "destination", "date"],
        },
    },
    {
        "name": "book_hotel",
        "description": "Books a hotel room.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "check_in": {"type": "string", "description": "YYYY-MM-DD"},
                "nights": {"type": "integer"},
                "guests": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                        "required": ["name"],
                    },
                },
            },
            "required": ["city", "check_in", "nights"],
        },
    },
]


def agent_requests() -> list[JSONDict]:
    """The agent loop: ``AGENT_ROUNDS`` conversations, each the previous one plus one tool round.

    System and developer messages (three function tools with JSON Schemas) and a
    user question, then per round an analysis note, a tool call and its result;
    request ``r`` is everything up to round ``r``, as a server receives it (JSON
    dicts), rendered for the assistant's next turn.
    """
    head: list[JSONDict] = [
        {
            "role": "system",
            "name": None,
            "content": [
                {
                    "model_identity": "You are ChatGPT, a large language model trained by OpenAI.",
                    "reasoning_effort": "High",
                    "conversation_start_date": "2025-06-28",
                    "knowledge_cutoff": "2024-06",
                    "channel_config": {"valid_channels": ["analysis", "commentary", "final"], "channel_required": True},
                    "type": "system_content",
                }
            ],
        },
        {
            "role": "developer",
            "name": None,
            "content": [
                {
                    "instructions": "You are a travel agent. Use the tools; answer concisely.",
                    "tools": {"functions": {"name": "functions", "tools": _AGENT_TOOLS}},
                    "type": "developer_content",
                }
            ],
        },
        _text("user", "Plan a three-day trip from Paris to Lisbon next week for two people, with the weather."),
    ]
    calls = [
        ("get_weather", '{"location": "Lisbon, Portugal", "days": 3}', '{"forecast": ["sunny", "sunny", "cloudy"]}'),
        (
            "search_flights",
            '{"origin": "CDG", "destination": "LIS", "date": "2025-07-03", "passengers": 2}',
            '{"flights": [{"id": "TP433", "depart": "07:05", "price_eur": 129}]}',
        ),
        (
            "book_hotel",
            '{"city": "Lisbon", "check_in": "2025-07-03", "nights": 3, "guests": [{"name": "A"}, {"name": "B"}]}',
            '{"confirmation": "HX-2291", "total_eur": 540}',
        ),
    ]
    messages = list(head)
    requests: list[JSONDict] = []
    for round_index in range(AGENT_ROUNDS):
        tool, arguments, result = calls[round_index % len(calls)]
        messages.append(
            _text(
                "assistant", f"Round {round_index + 1}: next I call {tool} with the details so far.", channel="analysis"
            )
        )
        messages.append(
            _text(
                "assistant",
                arguments,
                channel="commentary",
                recipient="functions." + tool,
                content_type="<|constrain|>json",
            )
        )
        messages.append(_text("tool", result, name="functions." + tool, channel="commentary"))
        requests.append({"messages": copy.deepcopy(messages)})
    return requests


# -- output digests -----------------------------------------------------------------


def digest(value: object) -> str:
    """A canonical digest of a JSON-able value (dict keys sorted)."""
    payload = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


# -- vocabulary for openai_harmony and the floor --------------------------------------

_ROOT: Final = Path(__file__).resolve().parent.parent


def vocabulary_dir() -> Path:
    """A directory holding ``o200k_base.tiktoken`` for openai_harmony (``tests/golden/_oracle.py``)."""
    spec = importlib.util.spec_from_file_location("_harmony_oracle", _ROOT / "tests" / "golden" / "_oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    directory: Path = module.vocabulary_dir()
    return directory
