"""Per-request loop: compat vs openai_harmony vs strict (docs/benchmarks.md, "compat").

One request = build the conversation from dicts with string roles, render it for
completion, then stream-parse a ~200-token completion reading the per-token
properties and ``.messages`` after every token, as vLLM's serving loop does.

    python benchmarks/compat_bench.py [--repeat 30]

Run it against an installed compiled wheel (see docs/compat.md); needs
``openai-harmony==0.0.8`` and a vocabulary reachable offline
(``TIKTOKEN_ENCODINGS_BASE``) for the openai_harmony contender.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

REQUEST: list[dict[str, Any]] = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "What is the weather in Paris today? Answer briefly."},
    {"role": "assistant", "content": '{"city": "Paris"}', "channel": "commentary", "recipient": "functions.weather"},
    {"role": "tool", "name": "functions.weather", "content": "sunny, 21 C"},
    {"role": "user", "content": "And tomorrow?"},
]
COMPLETION = (
    "<|channel|>analysis<|message|>"
    + "The user asks about tomorrow's weather in Paris; I should answer from the tool output. " * 6
    + "<|end|><|start|>assistant<|channel|>final<|message|>"
    + "Tomorrow in Paris it should stay sunny, around twenty-one degrees, light wind. " * 4
    + "<|return|>"
)


def _compat_style(h: ModuleType, role_of: Callable[[str], Any]) -> Callable[[Any, list[int]], int]:
    """The loop body for an openai_harmony-shaped module (``h``)."""

    def run(enc: Any, completion: list[int]) -> int:
        messages = []
        for raw in REQUEST:
            author = (
                h.Author.new(role_of(raw["role"]), raw["name"])
                if "name" in raw
                else h.Author(role=role_of(raw["role"]))
            )
            msg = h.Message.from_author_and_content(author, raw["content"])
            if "channel" in raw:
                msg = msg.with_channel(raw["channel"])
            if "recipient" in raw:
                msg = msg.with_recipient(raw["recipient"])
            messages.append(msg)
        prompt = enc.render_conversation_for_completion(h.Conversation.from_messages(messages), h.Role.ASSISTANT)
        parser = h.StreamableParser(enc, h.Role.ASSISTANT)
        seen = 0
        for token in completion:
            parser.process(token)
            _ = (parser.current_channel, parser.current_recipient, parser.last_content_delta)
            seen += len(parser.messages)
        return len(prompt) + seen

    return run


def _time(run: Callable[[Any, list[int]], int], enc: Any, completion: list[int], repeat: int) -> float:
    run(enc, completion)  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(enc, completion)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import openai_harmony

    import harmony_typed
    import harmony_typed.compat

    strict_enc = harmony_typed.load_harmony_encoding("HarmonyGptOss")
    completion = strict_enc.encode(COMPLETION, allowed_special="all")  # follows <|start|>assistant
    contenders = {
        "openai_harmony": (_compat_style(openai_harmony, str), openai_harmony.load_harmony_encoding("HarmonyGptOss")),
        "harmony_typed.compat": (
            _compat_style(harmony_typed.compat, str),
            harmony_typed.compat.load_harmony_encoding("HarmonyGptOss"),
        ),
        "harmony_typed (strict)": (_compat_style(harmony_typed, harmony_typed.Role), strict_enc),
    }
    print(f"compiled={harmony_typed.COMPILED} completion_tokens={len(completion)} repeat={args.repeat}")
    times = {name: _time(run, enc, completion, args.repeat) for name, (run, enc) in contenders.items()}
    base = times["openai_harmony"]
    for name, seconds in times.items():
        print(f"{name:24} {seconds * 1e3:8.3f} ms/request  {base / seconds:6.1f}x openai_harmony")


if __name__ == "__main__":
    main()
