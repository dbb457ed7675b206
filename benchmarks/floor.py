"""The tiktoken floor: the least work any Harmony implementation on tiktoken must do.

Rendering is, by SPEC §2, "the concatenation of per-piece token lists plus
special-token ids", each piece encoded on its own with ``encode_ordinary``.
The floor does exactly that and nothing else: the list of pieces (the
*plan*) is derived from the conversation up front, outside the timing, and
the timed call only BPE-encodes the pieces and appends the special ids.

* ``floor`` encodes every piece on every call (headers, system/developer
  text and message text);
* ``floor_cached`` looks the *constant* pieces up in a dict (role words,
  names, recipients, channels, content types and the system/developer
  text, which depend on configuration, not on the conversation turn) and
  encodes only the text of ``TextContent`` items.

For parsing the floor is decoding the same tokens: ``decode_bytes`` plus a
UTF-8 decode.

The system/developer text pieces (SPEC §3) are long and depend on the tool
schema rendering (SPEC §4); instead of re-implementing them the plan takes
them from the oracle, by rendering that one content item with openai_harmony
and decoding what is between ``<|message|>`` and the stop token. Decoding
then re-encoding a BPE output is the identity, and the whole floor output is
checked against the expected tokens before anything is timed.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import tiktoken
from workloads import CALL, END, MESSAGE, START, JSONDict

CHANNEL: Final = 200005
CONSTRAIN: Final = 200003
_CONSTRAIN_PREFIX: Final = "<|constrain|>"

# SPEC §1.3 (= tiktoken's o200k_base pattern).
PATTERN: Final = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

_NAMED_SPECIALS: Final = {
    "<|startoftext|>": 199998,
    "<|endoftext|>": 199999,
    "<|return|>": 200002,
    "<|constrain|>": 200003,
    "<|channel|>": 200005,
    "<|start|>": 200006,
    "<|end|>": 200007,
    "<|message|>": 200008,
    "<|call|>": 200012,
}

# Plan operations.
OP_SPECIAL: Final = 0
OP_CONSTANT: Final = 1
OP_TEXT: Final = 2

PlanItem = tuple[int, Any]
"""``(OP_SPECIAL, id)``, ``(OP_CONSTANT, piece)`` or ``(OP_TEXT, piece)``."""


def special_tokens() -> dict[str, int]:
    """SPEC §1.2: the named specials plus ``<|reserved_N|>`` for every other id 199998-201088."""
    table = dict(_NAMED_SPECIALS)
    named = set(table.values())
    for token_id in range(199998, 201089):
        if token_id not in named:
            table[f"<|reserved_{token_id}|>"] = token_id
    return table


def load_encoding(vocab_dir: Path) -> tiktoken.Encoding:
    """o200k_harmony as a plain ``tiktoken.Encoding`` built from the same vocabulary file."""
    ranks: dict[bytes, int] = {}
    for line in (vocab_dir / "o200k_base.tiktoken").read_bytes().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(
        "o200k_harmony_floor", pat_str=PATTERN, mergeable_ranks=ranks, special_tokens=special_tokens()
    )


# -- plan ------------------------------------------------------------------------------

ContentText = Callable[[JSONDict, JSONDict, bool], str]
"""``(message, content_item, has_function_tools) -> text`` of a system/developer content item."""


def has_function_tools(messages: list[JSONDict]) -> bool:
    """SPEC §3.2: a DeveloperContent with a non-empty tool list under the key ``"functions"``."""
    for message in messages:
        for item in message["content"]:
            if item.get("type") == "developer_content":
                tools = item.get("tools") or {}
                functions = tools.get("functions")
                if functions is not None and functions.get("tools"):
                    return True
    return False


def kept_messages(messages: list[JSONDict], auto_drop_analysis: bool) -> list[JSONDict]:
    """SPEC §5.2: drop analysis messages before the first final when the last assistant message is final."""
    first_final = next((i for i, m in enumerate(messages) if m.get("channel") == "final"), None)
    assistant_channels = [m.get("channel") for m in messages if m["role"] == "assistant"]
    drop = auto_drop_analysis and bool(assistant_channels) and assistant_channels[-1] == "final"
    if not drop or first_final is None:
        return list(messages)
    return [m for i, m in enumerate(messages) if not (i < first_final and m.get("channel") == "analysis")]


def message_plan(message: JSONDict, has_fn: bool, content_text: ContentText) -> list[PlanItem]:
    """SPEC §2.2, one message; empty pieces are left out (they encode to nothing)."""
    plan: list[PlanItem] = [(OP_SPECIAL, START)]

    def constant(piece: str) -> None:
        if piece:
            plan.append((OP_CONSTANT, piece))

    role = message["role"]
    name = message.get("name")
    if role == "tool":
        if name is None:
            raise ValueError("Tools should have a name!")
        constant(name)
    else:
        constant(role)
        if name is not None:
            constant(":" + name)
    recipient = message.get("recipient")
    if recipient is not None and recipient != "all":
        constant(" to=" + recipient)
    channel = message.get("channel")
    if channel is not None:
        plan.append((OP_SPECIAL, CHANNEL))
        constant(channel)
    content_type = message.get("content_type")
    if content_type is not None:
        if content_type.startswith(_CONSTRAIN_PREFIX):
            constant(" ")
            plan.append((OP_SPECIAL, CONSTRAIN))
            constant(content_type[len(_CONSTRAIN_PREFIX) :])
        else:
            constant(" " + content_type)
    plan.append((OP_SPECIAL, MESSAGE))
    for item in message["content"]:
        if item["type"] == "text":
            if item["text"]:
                plan.append((OP_TEXT, item["text"]))
        else:
            constant(content_text(message, item, has_fn))
    plan.append((OP_SPECIAL, CALL if role == "assistant" and recipient is not None else END))
    return plan


def completion_plan(
    conversation: JSONDict, next_role: str, auto_drop_analysis: bool, content_text: ContentText
) -> list[PlanItem]:
    """SPEC §5.3: the kept messages, then ``<|start|>`` and the next role word."""
    messages: list[JSONDict] = conversation["messages"]
    has_fn = has_function_tools(messages)
    plan: list[PlanItem] = []
    for message in kept_messages(messages, auto_drop_analysis):
        plan.extend(message_plan(message, has_fn, content_text))
    plan.append((OP_SPECIAL, START))
    plan.append((OP_CONSTANT, next_role))
    return plan


# -- the timed functions ----------------------------------------------------------------


def render_uncached(plan: list[PlanItem], encode: Callable[[str], list[int]]) -> list[int]:
    """Every piece encoded, specials appended."""
    out: list[int] = []
    for op, value in plan:
        if op == OP_SPECIAL:
            out.append(value)
        else:
            out += encode(value)
    return out


def render_cached(plan: list[PlanItem], encode: Callable[[str], list[int]], cache: dict[str, list[int]]) -> list[int]:
    """Constant pieces from ``cache`` (one dict lookup each), text pieces encoded."""
    out: list[int] = []
    for op, value in plan:
        if op == OP_SPECIAL:
            out.append(value)
        elif op == OP_CONSTANT:
            out += cache[value]
        else:
            out += encode(value)
    return out


def constant_cache(plan: list[PlanItem], encode: Callable[[str], list[int]]) -> dict[str, list[int]]:
    return {value: encode(value) for op, value in plan if op == OP_CONSTANT}
