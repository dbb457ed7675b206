"""Shared by the dataset tests: generated conversation records, the expected output, running the CLI."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import harmony_typed
from harmony_typed import (
    Conversation,
    HarmonyEncoding,
    Message,
    RenderConversationConfig,
    Role,
)

# -- generated data -------------------------------------------------------------------

_WORDS = (
    "weather",
    "Tokyo",
    "Paris",
    "please",
    "summarise",
    "the",
    "report",
    "numbers",
    "why",
    "how",
    "is",
    "déjà vu",
    "日本語",
    "emoji 🎉",
    "tab\there",
    "line\nbreak",
    "<|end|>",
    "{json}",
    "42",
    "3.14",
)


def _text(rng: random.Random, low: int = 2, high: int = 12) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))


def _weather_tool() -> dict[str, object]:
    return {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }


def make_record(index: int, rng: random.Random) -> dict[str, object] | list[object]:
    """One dataset record in one of openai_harmony's to_dict() shapes; templates rotate with ``index``."""
    kind = index % 5
    if kind == 0:  # user + final answer, plain-string content
        return {
            "id": f"conv-{index}",
            "messages": [
                {"role": "user", "content": _text(rng)},
                {"role": "assistant", "channel": "final", "content": _text(rng)},
            ],
        }
    if kind == 1:  # system content, analysis then final (auto-drop applies)
        system = {
            "type": "system_content",
            "model_identity": "You are a helpful assistant.",
            "reasoning_effort": rng.choice(["Low", "Medium", "High"]),
            "conversation_start_date": f"2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "knowledge_cutoff": "2024-06",
            "channel_config": {"valid_channels": ["analysis", "commentary", "final"], "channel_required": True},
        }
        return {
            "id": index,
            "messages": [
                {"role": "system", "content": [system]},
                {"role": "user", "content": [{"type": "text", "text": _text(rng)}]},
                {"role": "assistant", "channel": "analysis", "content": _text(rng, 5, 20)},
                {"role": "assistant", "channel": "final", "content": _text(rng)},
            ],
        }
    if kind == 2:  # developer tools, a tool call and its result
        city = rng.choice(["Tokyo", "Paris", "Lima", "Oslo"])
        developer = {
            "type": "developer_content",
            "instructions": _text(rng),
            "tools": {"functions": {"name": "functions", "tools": [_weather_tool()]}},
        }
        return {
            "id": f"tool-{index}",
            "messages": [
                {"role": "system", "content": [{"type": "system_content"}]},
                {"role": "developer", "content": [developer]},
                {"role": "user", "content": f"What is the weather in {city}?"},
                {
                    "role": "assistant",
                    "channel": "commentary",
                    "recipient": "functions.get_weather",
                    "content_type": "<|constrain|>json",
                    "content": json.dumps({"city": city}),
                },
                {
                    "role": "tool",
                    "name": "functions.get_weather",
                    "channel": "commentary",
                    "content": json.dumps({"temperature": rng.randint(-10, 35)}),
                },
                {"role": "assistant", "channel": "final", "content": _text(rng)},
            ],
        }
    if kind == 3:  # a bare list of messages, several turns, no id
        messages: list[object] = []
        for _ in range(rng.randint(1, 4)):
            messages.append({"role": "user", "content": _text(rng)})
            messages.append({"role": "assistant", "channel": "final", "content": _text(rng, 1, 30)})
        return messages
    # kind == 4: ends with an analysis message (nothing dropped), several content items
    return {
        "id": f"multi-{index}",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": _text(rng)}, {"type": "text", "text": _text(rng)}]},
            {"role": "assistant", "channel": "analysis", "content": _text(rng)},
        ],
    }


def write_dataset(path: Path, count: int, seed: int = 0) -> list[dict[str, object] | list[object]]:
    rng = random.Random(seed)
    records = [make_record(i, rng) for i in range(count)]
    with path.open("w", encoding="utf-8") as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=bool(rng.getrandbits(1))) + "\n")
    return records


def reference(
    enc: HarmonyEncoding, record: object, mode: str = "training", auto_drop: bool = True
) -> dict[str, object]:
    """The expected output line, rendered one by one with the public API only."""
    if isinstance(record, list):
        convo = Conversation.from_messages([Message.from_dict(m) for m in record])
    else:
        assert isinstance(record, dict)
        convo = Conversation.from_dict(record)
    config = RenderConversationConfig(auto_drop_analysis=auto_drop)
    if mode == "training":
        tokens = enc.render_conversation_for_training(convo, config)
    elif mode == "completion":
        tokens = enc.render_conversation_for_completion(convo, Role.ASSISTANT, config)
    else:
        tokens = enc.render_conversation(convo, config)
    out: dict[str, Any] = {}
    if isinstance(record, dict) and "id" in record:
        out["id"] = record["id"]
    out["tokens"] = tokens
    return out


def read_jsonl(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- running the CLI ----------------------------------------------------------------------

_PACKAGE_PARENT = str(Path(harmony_typed.__file__).resolve().parent.parent)
# `python -m` / `-c` put the working directory first on sys.path: run from a neutral one, so that a
# harmony_typed source tree in the current directory cannot shadow the build under test.
NEUTRAL_CWD = tempfile.gettempdir()


def cli_env() -> dict[str, str]:
    """The environment for a subprocess that must import the same harmony_typed as this process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
    return env


def run_cli(*args: str | Path, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "harmony_typed", *map(str, args)],
        input=stdin.decode("utf-8") if stdin is not None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_env(),
        cwd=cwd or NEUTRAL_CWD,
        timeout=300,
        stdin=subprocess.DEVNULL if stdin is None else None,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def partition_lines(count: int, seed: int) -> tuple[list[str], list[dict[str, object] | list[object]]]:
    """``count`` generated records and their JSON lines."""
    rng = random.Random(seed)
    records = [make_record(i, rng) for i in range(count)]
    return [json.dumps(r) for r in records], records
