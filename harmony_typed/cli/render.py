"""The render commands, from one table: ``render-msg``, ``render-convo``, ``render-completion``, ``render-training``."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Final

import attrs

from harmony_typed import (
    Conversation,
    HarmonyEncoding,
    HarmonyError,
    RenderConversationConfig,
    RenderOptions,
)
from harmony_typed.cli.codec import print_tokens
from harmony_typed.cli.inputs import conversation, encoding, load_json
from harmony_typed.cli.output import CLIError
from harmony_typed.dataset import RecordError, message_from_json, one_line

Renderer = Callable[[HarmonyEncoding, object, str, argparse.Namespace], list[int]]


@attrs.frozen
class RenderCommand:
    """One render command: its name, help, input and how it renders."""

    name: str
    help: str
    input_help: str
    render: Renderer
    conversation_config: bool
    """Whether the command takes ``--no-auto-drop`` (a :class:`RenderConversationConfig`)."""


def _config(args: argparse.Namespace) -> RenderConversationConfig:
    return RenderConversationConfig(auto_drop_analysis=not args.no_auto_drop)


def _convo(value: object, name: str) -> Conversation:
    return conversation(value, name)


def _render_msg(enc: HarmonyEncoding, value: object, name: str, args: argparse.Namespace) -> list[int]:
    if isinstance(value, list) or (isinstance(value, Mapping) and "messages" in value):
        raise CLIError(f"{name}: render-msg renders one message, got a conversation (use render-convo)")
    try:
        message = message_from_json(value, "message")
    except RecordError as exc:
        raise CLIError(f"{name}: {exc}") from None
    return enc.render(message, RenderOptions(conversation_has_function_tools=args.function_tools))


def _render_convo(enc: HarmonyEncoding, value: object, name: str, args: argparse.Namespace) -> list[int]:
    return enc.render_conversation(_convo(value, name), _config(args))


def _render_completion(enc: HarmonyEncoding, value: object, name: str, args: argparse.Namespace) -> list[int]:
    return enc.render_conversation_for_completion(_convo(value, name), args.role, _config(args))


def _render_training(enc: HarmonyEncoding, value: object, name: str, args: argparse.Namespace) -> list[int]:
    return enc.render_conversation_for_training(_convo(value, name), _config(args))


RENDER_COMMANDS: Final = (
    RenderCommand("render-msg", "render one message -> token ids", "JSON message", _render_msg, False),
    RenderCommand("render-convo", "render a conversation -> token ids", "JSON conversation", _render_convo, True),
    RenderCommand(
        "render-completion",
        "render a conversation as a prompt for the next message -> token ids",
        "JSON conversation",
        _render_completion,
        True,
    ),
    RenderCommand(
        "render-training",
        "render a conversation for training -> token ids",
        "JSON conversation",
        _render_training,
        True,
    ),
)


def cmd_render(args: argparse.Namespace) -> int:
    """Any render command: ``args.render_command`` says which."""
    command: RenderCommand = args.render_command
    value, name = load_json(args.file)
    enc = encoding(args)
    try:
        tokens = command.render(enc, value, name, args)
    except HarmonyError as exc:
        raise CLIError(f"{name}: cannot render: {one_line(str(exc))}") from None
    except RecursionError:
        raise CLIError(f"{name}: cannot render: nested too deeply") from None
    print_tokens(tokens, enc, args.text)
    return 0
