"""The argument parser: every subcommand, its options, help text and examples."""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable
from typing import Final, NoReturn

from harmony_typed import (
    COMPILED,
    Role,
    __version__,
    _build_info,
)
from harmony_typed import dataset as _dataset
from harmony_typed.cli._commands import (
    cmd_decode,
    cmd_encode,
    cmd_parse,
    cmd_render_completion,
    cmd_render_convo,
    cmd_render_msg,
    cmd_render_training,
    cmd_stop,
    cmd_stream,
)
from harmony_typed.cli._common import _ROLE_NAMES, EXIT_USAGE, PROG, _positive, _role, _role_or_none
from harmony_typed.cli._demo import cmd_demo
from harmony_typed.cli.render_dataset import cmd_render_dataset

# -- the parser --------------------------------------------------------------------


class _ArgumentParser(argparse.ArgumentParser):
    """Usage errors as one ``harmony-typed: error: ...`` line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        command = self.prog[len(PROG) :].strip()
        prefix = f"{command}: " if command else ""
        self.exit(EXIT_USAGE, f"{PROG}: error: {prefix}{message} (see '{self.prog} --help')\n")


_FORMATTER: Final = argparse.RawDescriptionHelpFormatter

_MAIN_EPILOG: Final = f"""\
examples:
  $ {PROG} demo
  $ echo '{{"role": "user", "content": "Hi"}}' | {PROG} render-msg
  [200006, 1428, 200008, 12194, 200007]
  $ {PROG} render-dataset chats.jsonl tokens.jsonl --mode training

Input is JSON on standard input, or a FILE argument. Messages and
conversations use openai_harmony's to_dict() shapes: a message
{{"role": ..., "content": "text" or [{{"type": "text", "text": ...}}, ...],
"channel"?: ..., "recipient"?: ..., "content_type"?: ..., "name"?: ...}},
a conversation {{"messages": [...]}}, or an array of messages.

Exit codes: 0 success, 1 bad data, 2 bad usage.
"""

_EPILOGS: Final = {
    "stop": f"""\
example:
  $ {PROG} stop
  [200002, 200007, 200012]
  $ {PROG} stop --assistant-actions --text
  <|return|><|call|>
""",
    "decode": f"""\
input: a JSON array of token ids (or {{"tokens": [...]}}, as render-dataset writes).

example:
  $ echo '[200006, 1428, 200008, 12194, 200007]' | {PROG} decode
  "<|start|>user<|message|>Hi<|end|>"
  $ echo '[200006, 1428, 200008, 12194, 200007]' | {PROG} decode --text
  <|start|>user<|message|>Hi<|end|>
""",
    "encode": f"""\
input: a JSON string (or any text with --raw).

example:
  $ echo '"hello world"' | {PROG} encode
  [24912, 2375]
  $ echo '"<|start|>user"' | {PROG} encode --allow-special
  [200006, 1428]
  $ printf 'hello world' | {PROG} encode --raw
  [24912, 2375]
""",
    "render-msg": f"""\
input: one message, e.g. {{"role": "user", "content": "Hi"}}.

example:
  $ echo '{{"role": "user", "content": "Hi"}}' | {PROG} render-msg
  [200006, 1428, 200008, 12194, 200007]
  $ echo '{{"role": "assistant", "channel": "final", "content": "Hello!"}}' | {PROG} render-msg --text
  <|start|>assistant<|channel|>final<|message|>Hello!<|end|>
""",
    "render-convo": f"""\
input: a conversation {{"messages": [...]}}, an array of messages, or one message.

example:
  $ echo '[{{"role": "user", "content": "Hi"}}, {{"role": "assistant", "channel": "final", "content": "Hello!"}}]' \\
      | {PROG} render-convo --text
  <|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|end|>
""",
    "render-completion": f"""\
input: a conversation {{"messages": [...]}}, an array of messages, or one message.
Output: the prompt for sampling the next message, ending with <|start|>ROLE.

example:
  $ echo '{{"messages": [{{"role": "user", "content": "Hi"}}]}}' | {PROG} render-completion --role assistant
  [200006, 1428, 200008, 12194, 200007, 200006, 173781]
""",
    "render-training": f"""\
input: a conversation {{"messages": [...]}}, an array of messages, or one message.
A final assistant answer ends with <|return|> instead of <|end|>.

example:
  $ echo '[{{"role": "user", "content": "Hi"}}, {{"role": "assistant", "channel": "final", "content": "Hello!"}}]' \\
      | {PROG} render-training --text
  <|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello!<|return|>
""",
    "parse": f"""\
input: a JSON array of token ids sampled after <|start|>ROLE (or {{"tokens": [...]}}).
Output: a JSON array of messages (openai_harmony's to_dict() shape).

example:
  $ echo '"<|channel|>final<|message|>Hi!<|return|>"' | {PROG} encode --allow-special \\
      | {PROG} parse --role assistant
  [{{"role": "assistant", "name": null, "content": [{{"type": "text", "text": "Hi!"}}], "channel": "final"}}]
""",
    "stream": f"""\
input: a JSON array of token ids (or {{"tokens": [...]}}), fed to a StreamableParser one at a time.
Output: one JSON line per token: index, token, state (ExpectStart, Header or
Content), delta (the text this token added, or null), role, channel, recipient,
content_type, and finished (the messages this token completed); then one last
line with "token": null for the end of the stream.

example:
  $ echo '"<|channel|>final<|message|>Hi!<|return|>"' | {PROG} encode --allow-special \\
      | {PROG} stream --role assistant
""",
    "demo": f"""\
example:
  $ {PROG} demo
  $ {PROG} demo --json
""",
    "render-dataset": f"""\
input: JSON Lines, one conversation per line ({{"messages": [...]}}, an array
of messages, or one message). A key "id" (see --id-field) is carried through.
Output: JSON Lines, one {{"id"?: ..., "tokens": [...]}} per conversation, in
input order. Blank lines are ignored. The output file is written to a
temporary file beside it and renamed at the end, so it only ever appears whole.

A bad line (invalid JSON, wrong shape, render error) is reported with its line
number; the run stops with exit code 1 and OUT is not written, or with
--skip-errors the line is skipped and counted in the summary.

example:
  $ {PROG} render-dataset chats.jsonl tokens.jsonl --mode training
  $ {PROG} render-dataset chats.jsonl prompts.jsonl --mode completion --role assistant --workers 4
  $ cat chats.jsonl | {PROG} render-dataset - - --quiet --skip-errors > tokens.jsonl
""",
}


def _add_file(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help=f"{what} (default: standard input)")


def _add_text(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", action="store_true", help="print the decoded text instead of the token ids")


def _add_auto_drop(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-auto-drop",
        action="store_true",
        help="keep every analysis message (by default, when the last assistant message is a final answer, analysis "
        "messages before the first final message are dropped): RenderConversationConfig(auto_drop_analysis=False)",
    )


def _version() -> str:
    build = _build_info.describe(COMPILED)
    return f"{PROG} {__version__} ({build}) on {platform.python_implementation()} {platform.python_version()}"


def build_parser() -> argparse.ArgumentParser:
    """The ``harmony-typed`` argument parser."""
    parser = _ArgumentParser(
        prog=PROG,
        description="OpenAI Harmony chat format (gpt-oss): render conversations to token ids and parse tokens "
        "back into messages, token-exact with openai-harmony 0.0.8.",
        epilog=_MAIN_EPILOG,
        formatter_class=_FORMATTER,
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=help_text, description=help_text, epilog=_EPILOGS[name], formatter_class=_FORMATTER
        )
        sub.set_defaults(func=func)
        return sub

    sub = command("stop", "print the stop tokens (<|return|>, <|end|>, <|call|>)", cmd_stop)
    sub.add_argument(
        "--assistant-actions", action="store_true", help="only the tokens that end an assistant action (no <|end|>)"
    )
    _add_text(sub)

    sub = command("decode", "token ids -> text (a JSON string)", cmd_decode)
    _add_file(sub, "JSON array of token ids")
    group = sub.add_mutually_exclusive_group()
    group.add_argument("--text", action="store_true", help="print the text itself, not a JSON string")
    group.add_argument("--bytes", action="store_true", help="write the raw bytes (no UTF-8 check, no JSON, no newline)")

    sub = command("encode", "text (a JSON string) -> token ids", cmd_encode)
    _add_file(sub, "JSON string to encode")
    sub.add_argument(
        "--allow-special", action="store_true", help="encode special-token text such as <|start|> as special tokens"
    )
    sub.add_argument("--raw", action="store_true", help="encode the input text as it is instead of a JSON string")

    sub = command("render-msg", "render one message -> token ids", cmd_render_msg)
    _add_file(sub, "JSON message")
    _add_text(sub)
    sub.add_argument(
        "--function-tools",
        action="store_true",
        help="render system content as in a conversation with function tools (RenderOptions)",
    )

    sub = command("render-convo", "render a conversation -> token ids", cmd_render_convo)
    _add_file(sub, "JSON conversation")
    _add_text(sub)
    _add_auto_drop(sub)

    sub = command(
        "render-completion",
        "render a conversation as a prompt for the next message -> token ids",
        cmd_render_completion,
    )
    _add_file(sub, "JSON conversation")
    sub.add_argument(
        "--role",
        type=_role,
        default=Role.ASSISTANT,
        metavar="ROLE",
        help=f"role of the message to sample: {_ROLE_NAMES} (default: assistant)",
    )
    _add_text(sub)
    _add_auto_drop(sub)

    sub = command("render-training", "render a conversation for training -> token ids", cmd_render_training)
    _add_file(sub, "JSON conversation")
    _add_text(sub)
    _add_auto_drop(sub)

    for name, help_text, func in (
        ("parse", "parse sampled token ids -> messages (JSON)", cmd_parse),
        ("stream", "parse token ids one at a time -> one JSON line per token", cmd_stream),
    ):
        sub = command(name, help_text, func)
        _add_file(sub, "JSON array of token ids")
        sub.add_argument(
            "--role",
            type=_role_or_none,
            default=Role.ASSISTANT,
            metavar="ROLE",
            help=f"role the tokens were sampled for: {_ROLE_NAMES}, or none when they start with "
            "<|start|> (default: assistant)",
        )
        sub.add_argument("--lenient", action="store_true", help="strict=False: tolerate malformed headers")
        if name == "parse":
            sub.add_argument("--pretty", action="store_true", help="indent the JSON output")

    sub = command("demo", "render and parse a built-in conversation, printing every step", cmd_demo)
    sub.add_argument("--json", action="store_true", help="print the demo's data as one JSON object")

    sub = command(
        "render-dataset",
        "render a JSONL file of conversations -> a JSONL file of token ids, on every core",
        cmd_render_dataset,
    )
    sub.add_argument("input", metavar="IN", help="JSON Lines input, one conversation per line (- for standard input)")
    sub.add_argument("output", metavar="OUT", help="JSON Lines output (- for standard output)")
    sub.add_argument(
        "--mode",
        choices=_dataset.MODES,
        default="training",
        help="render_conversation_for_training (default), render_conversation_for_completion, or render_conversation",
    )
    sub.add_argument(
        "--role",
        type=_role,
        default=Role.ASSISTANT,
        metavar="ROLE",
        help="next-turn role for --mode completion (default: assistant)",
    )
    _add_auto_drop(sub)
    sub.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help=f"worker processes (default: all {os.cpu_count() or 1} cores; 1 renders in this process)",
    )
    sub.add_argument(
        "--batch-size",
        type=_positive,
        default=_dataset.BATCH_SIZE,
        metavar="N",
        help=f"lines per task sent to a worker (default: {_dataset.BATCH_SIZE})",
    )
    sub.add_argument(
        "--id-field",
        default="id",
        metavar="KEY",
        help='input key carried through to the output (default: "id"; "" for none)',
    )
    sub.add_argument(
        "--input-format",
        choices=_dataset.INPUT_FORMATS,
        default="harmony",
        help="harmony: openai_harmony to_dict() conversations (default); chat: chat-format records "
        '({"messages": [...], "tools": [...]}, see docs/training.md)',
    )
    sub.add_argument(
        "--train-on",
        choices=_dataset.TRAIN_ON,
        default=None,
        help='write training examples ({"input_ids", "loss_mask"}) with the loss on every assistant message '
        "or on the last turn only (needs --mode training)",
    )
    sub.add_argument(
        "--output-format",
        choices=_dataset.OUTPUT_FORMATS,
        default="jsonl",
        help='jsonl (default) or parquet (needs --train-on and pyarrow: pip install "harmony-typed[parquet]")',
    )
    sub.add_argument(
        "--skip-errors", action="store_true", help="skip bad lines (reported and counted) instead of stopping"
    )
    sub.add_argument("--quiet", action="store_true", help="no progress bar and no summary (errors are still reported)")
    return parser
