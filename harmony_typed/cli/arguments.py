"""The ``harmony-typed`` argument parser: commands, options and their help."""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable
from typing import Final, NoReturn

from harmony_typed import COMPILED, Dialect, Role, __version__, _build_info
from harmony_typed import dataset as _dataset
from harmony_typed.cli.codec import cmd_decode, cmd_encode, cmd_stop
from harmony_typed.cli.demo import cmd_demo
from harmony_typed.cli.help import EPILOGS, MAIN_EPILOG
from harmony_typed.cli.inputs import ROLE_NAMES, positive, role, role_or_none
from harmony_typed.cli.output import EXIT_USAGE, PROG
from harmony_typed.cli.parse import cmd_parse, cmd_stream
from harmony_typed.cli.render import RENDER_COMMANDS, cmd_render
from harmony_typed.cli.render_dataset import cmd_render_dataset

Command = Callable[[argparse.Namespace], int]


class _ArgumentParser(argparse.ArgumentParser):
    """Usage errors as one ``harmony-typed: error: ...`` line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        command = self.prog[len(PROG) :].strip()
        prefix = f"{command}: " if command else ""
        self.exit(EXIT_USAGE, f"{PROG}: error: {prefix}{message} (see '{self.prog} --help')\n")


_FORMATTER: Final = argparse.RawDescriptionHelpFormatter


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


def _add_role(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--role", type=role, default=Role.ASSISTANT, metavar="ROLE", help=help_text)


DIALECTS: Final = tuple(dialect.value for dialect in Dialect)


def _add_encoding_options(parser: argparse.ArgumentParser) -> None:
    """Options of every command that loads an encoding (read by ``inputs.encoding``)."""
    parser.add_argument(
        "--dialect",
        choices=DIALECTS,
        default=DIALECTS[0],
        help="the reference whose token ids and errors to reproduce: openai-harmony-0.0.8 (default) or the fork "
        "oss-harmony-0.0.11 (vLLM's pin; see docs/rendering.md, Dialects)",
    )


def _add_parser_options(parser: argparse.ArgumentParser) -> None:
    """Options of ``parse`` and ``stream``."""
    parser.add_argument(
        "--role",
        type=role_or_none,
        default=Role.ASSISTANT,
        metavar="ROLE",
        help=f"role the tokens were sampled for: {ROLE_NAMES}, or none when they start with "
        "<|start|> (default: assistant)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--lenient", action="store_true", help="strict=False: tolerate malformed headers")
    mode.add_argument(
        "--recover",
        action="store_true",
        help="recover=True: repair malformed output instead of failing (docs/parsing.md, Recovery); "
        "each repair is reported",
    )


def _version() -> str:
    build = _build_info.describe(COMPILED)
    return f"{PROG} {__version__} ({build}) on {platform.python_implementation()} {platform.python_version()}"


def _add_render_dataset(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("input", metavar="IN", help="JSON Lines input, one conversation per line (- for standard input)")
    sub.add_argument("output", metavar="OUT", help="JSON Lines output (- for standard output)")
    sub.add_argument(
        "--mode",
        choices=_dataset.MODES,
        default="training",
        help="render_conversation_for_training (default), render_conversation_for_completion, or render_conversation",
    )
    _add_role(sub, "next-turn role for --mode completion (default: assistant)")
    _add_auto_drop(sub)
    sub.add_argument(
        "--workers",
        type=positive,
        default=None,
        metavar="N",
        help=f"worker processes (default: all {os.cpu_count() or 1} cores; 1 renders in this process)",
    )
    sub.add_argument(
        "--batch-size",
        type=positive,
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


def build_parser() -> argparse.ArgumentParser:
    """The ``harmony-typed`` argument parser."""
    parser = _ArgumentParser(
        prog=PROG,
        description="OpenAI Harmony chat format (gpt-oss): render conversations to token ids and parse tokens "
        "back into messages, token-exact with openai-harmony 0.0.8.",
        epilog=MAIN_EPILOG,
        formatter_class=_FORMATTER,
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, func: Command) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=help_text, description=help_text, epilog=EPILOGS[name], formatter_class=_FORMATTER
        )
        sub.set_defaults(func=func)
        _add_encoding_options(sub)
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

    for render in RENDER_COMMANDS:
        sub = command(render.name, render.help, cmd_render)
        sub.set_defaults(render_command=render)
        _add_file(sub, render.input_help)
        if render.name == "render-completion":
            _add_role(sub, f"role of the message to sample: {ROLE_NAMES} (default: assistant)")
        _add_text(sub)
        if render.conversation_config:
            _add_auto_drop(sub)
        else:
            sub.add_argument(
                "--function-tools",
                action="store_true",
                help="render system content as in a conversation with function tools (RenderOptions)",
            )

    sub = command("parse", "parse sampled token ids -> messages (JSON)", cmd_parse)
    _add_file(sub, "JSON array of token ids")
    _add_parser_options(sub)
    sub.add_argument("--pretty", action="store_true", help="indent the JSON output")

    sub = command("stream", "parse token ids one at a time -> one JSON line per token", cmd_stream)
    _add_file(sub, "token ids: whitespace-separated, JSON arrays one per line, or one JSON array")
    _add_parser_options(sub)

    sub = command("demo", "render and parse a built-in conversation, printing every step", cmd_demo)
    sub.add_argument("--json", action="store_true", help="print the demo's data as one JSON object")

    sub = command(
        "render-dataset",
        "render a JSONL file of conversations -> a JSONL file of token ids, on every core",
        cmd_render_dataset,
    )
    _add_render_dataset(sub)
    return parser
