"""``demo``: the whole render -> stream-parse cycle on a built-in conversation, printing every step."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Final

from harmony_typed import (
    Conversation,
    DeveloperContent,
    HarmonyEncoding,
    Message,
    ReasoningEffort,
    Role,
    StreamableParser,
    SystemContent,
    ToolDescription,
)
from harmony_typed.cli.inputs import encoding
from harmony_typed.cli.output import PROG, dumps, out


def demo_conversation() -> Conversation:
    """The built-in conversation of ``harmony-typed demo``."""
    system = SystemContent.new().with_reasoning_effort(ReasoningEffort.LOW).with_conversation_start_date("2025-08-05")
    developer = (
        DeveloperContent.new()
        .with_instructions("Answer in one short sentence.")
        .with_function_tools(
            [
                ToolDescription.new(
                    "get_weather",
                    "Current weather for a city.",
                    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                )
            ]
        )
    )
    return Conversation.from_messages(
        [
            Message.from_role_and_content(Role.SYSTEM, system),
            Message.from_role_and_content(Role.DEVELOPER, developer),
            Message.from_role_and_content(Role.USER, "What is 2 + 2?"),
        ]
    )


DEMO_COMPLETION: Final = (
    "<|channel|>analysis<|message|>Simple arithmetic: 2 + 2 = 4. No tool needed.<|end|>"
    "<|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|>"
)
"""What a model might sample after the demo prompt (scripted, so the demo needs no model)."""


def stream_parse(enc: HarmonyEncoding, completion: Sequence[int]) -> list[Message]:
    """Parse ``completion`` token by token, as a serving loop would while the model samples."""
    parser = StreamableParser(enc, Role.ASSISTANT)
    for token in completion:
        parser.process(token)
    parser.process_eos()
    return list(parser.messages)


def cmd_demo(args: argparse.Namespace) -> int:
    """``demo``: render the built-in conversation, stream-parse a scripted completion."""
    enc = encoding(args)
    convo = demo_conversation()
    prompt = enc.render_conversation_for_completion(convo, Role.ASSISTANT)
    completion = enc.encode(DEMO_COMPLETION, allowed_special="all")
    parsed = stream_parse(enc, completion)
    if args.json:
        out(
            dumps(
                {
                    "conversation": convo.to_dict(),
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "parsed": [message.to_dict() for message in parsed],
                },
                pretty=True,
            )
        )
        return 0

    def heading(number: int, title: str, code: str) -> str:
        return f"\n== {number}. {title}\n   {code}\n"

    def message_lines(messages: Sequence[Message]) -> str:
        return "\n".join(dumps(message.to_dict()) for message in messages)

    sections = [
        heading(
            1,
            f"A conversation of {len(convo)} messages (openai_harmony's to_dict() JSON, one per line)",
            "convo = Conversation.from_messages([...])",
        ),
        message_lines(convo.messages),
        heading(
            2,
            f"Rendered as a prompt: {len(prompt)} tokens",
            "prompt = enc.render_conversation_for_completion(convo, Role.ASSISTANT)",
        ),
        enc.decode_utf8(prompt),
        "",
        json.dumps(prompt),
        heading(
            3,
            f"What the model samples next: {len(completion)} tokens (scripted here; a model would stop at <|return|>)",
            "completion = [...]  # e.g. from your inference engine",
        ),
        enc.decode_utf8(completion),
        "",
        json.dumps(completion),
        heading(
            4,
            f"Parsed back into {len(parsed)} messages, token by token",
            "parser = StreamableParser(enc, Role.ASSISTANT); for t in completion: parser.process(t)",
        ),
        message_lines(parsed),
        "",
        f"Next: `{PROG} demo --json` prints all of the above as JSON; `{PROG} --help` lists the commands, e.g.",
        f'  echo \'{{"role": "user", "content": "Hi"}}\' | {PROG} render-msg --text',
    ]
    out("\n".join(sections))
    return 0
