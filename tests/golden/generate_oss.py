#!/usr/bin/env python3
"""Regenerate ``oss_dialect.json``: golden cases of the ``oss-harmony-0.0.11`` dialect.

Every expected value comes from calling oss-harmony 0.0.11 (the fork vLLM
pins; it installs as ``openai_harmony``), loaded offline by ``_oracle.py``;
nothing is computed by hand.  Each case is one of the fork's differences from
openai-harmony 0.0.8 (docs/rendering.md and docs/parsing.md, "Dialects").  Run
it with the fork's own interpreter, from the repository root::

    /path/to/oss-venv/bin/python tests/golden/generate_oss.py

Output is deterministic.  JSON conventions as in ``generate.py``: messages
are ``to_dict()`` shapes, errors ``{"type": ..., "message": str(exc)}``.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # keep tests/golden free of __pycache__

from _oracle import load_oracle  # noqa: E402

H, ENC = load_oracle()
VERSION = importlib.metadata.version("oss-harmony")
assert VERSION == "0.0.11", f"run with oss-harmony 0.0.11 installed, not {VERSION}"

_TOOL = {"name": "get_weather", "description": "", "parameters": {"type": "object", "properties": {}}}
_FLOATS = {"type": "object", "properties": {"a": {"type": "number", "default": 1e16}, "b": {"default": 1.5e-7}}}

RENDER: list[tuple[str, dict[str, Any]]] = [
    ("commentary call: channel before recipient", {
        "role": "assistant", "channel": "commentary", "recipient": "functions.get_weather",
        "content_type": "<|constrain|>json", "content": [{"type": "text", "text": "{}"}]}),
    ("content type without <|constrain|> gets one", {
        "role": "assistant", "channel": "commentary", "recipient": "functions.f",
        "content_type": "json", "content": [{"type": "text", "text": "{}"}]}),
    ("tool result on commentary: channel before recipient", {
        "role": "tool", "name": "functions.get_weather", "channel": "commentary", "recipient": "assistant",
        "content": [{"type": "text", "text": "sunny"}]}),
    ("analysis keeps the 0.0.8 order", {
        "role": "assistant", "channel": "analysis", "recipient": "functions.f",
        "content": [{"type": "text", "text": "x"}]}),
    ("recipient 'all' is not written", {
        "role": "assistant", "channel": "commentary", "recipient": "all", "content_type": "code",
        "content": [{"type": "text", "text": "x"}]}),
    ("empty content type: only the marker", {
        "role": "user", "content_type": "", "content": [{"type": "text", "text": "x"}]}),
    ("schema floats: e+ before a positive exponent", {
        "role": "developer", "content": [{"type": "developer_content", "tools": {"functions": {
            "name": "functions", "description": None,
            "tools": [dict(_TOOL, parameters=_FLOATS)]}}}]}),
]  # fmt: skip

PARSE: list[tuple[str, str, str | None]] = [
    ("extra channel after the recipient", "<|channel|>commentary to=functions.f<|channel|>commentary <|constrain|>json"
     "<|message|>{}<|call|>", "assistant"),
    ("several extra channels", "<|start|>assistant<|channel|>commentary to=functions.f<|channel|>analysis "
     "<|channel|>commentary <|channel|>final<|message|>x<|end|>", None),
    ("extra channel next to <|constrain|>", "<|start|>assistant<|channel|>commentary to=foo<|channel|>analysis"
     "<|constrain|>json<|message|>{}<|call|>", None),
    ("extra channel without a value", "<|start|>assistant<|channel|>final<|channel|> to=x<|message|>y<|end|>", None),
    ("empty first channel is still an error", "<|start|>assistant<|channel|> to=foo<|message|>x<|end|>", None),
    ("extra channel in a non-strict early stop", "<|channel|>final<|channel|>analysis hello<|end|>", "assistant"),
]  # fmt: skip


def _message(raw: dict[str, Any]) -> Any:
    return H.Message.from_dict(json.loads(json.dumps(raw)))


def _error(exc: BaseException) -> dict[str, str]:
    return {"type": "HarmonyError" if isinstance(exc, H.HarmonyError) else type(exc).__name__, "message": str(exc)}


def render_cases() -> list[dict[str, Any]]:
    return [{"name": name, "message": raw, "tokens": ENC.render(_message(raw))} for name, raw in RENDER]


def parse_cases() -> list[dict[str, Any]]:
    cases = []
    for name, text, role in PARSE:
        tokens = ENC.encode(text, allowed_special="all")
        strict = "non-strict" not in name
        case: dict[str, Any] = {"name": name, "tokens": tokens, "role": role, "strict": strict}
        try:
            parsed = ENC.parse_messages_from_completion_tokens(
                tokens, None if role is None else H.Role(role), strict=strict
            )
            case["messages"] = json.loads(json.dumps([m.to_dict() for m in parsed]))
        except H.HarmonyError as exc:
            case["error"] = _error(exc)
        cases.append(case)
    return cases


def main() -> None:
    data = {
        "generator": "tests/golden/generate_oss.py",
        "oracle": f"oss-harmony {VERSION}",
        "render": render_cases(),
        "parse": parse_cases(),
    }
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    (HERE / "oss_dialect.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
