"""The token, render and parse commands (stop, decode, encode, render-*, parse, stream)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from harmony_typed import (
    Conversation,
    EncodeError,
    HarmonyEncoding,
    HarmonyError,
    Message,
    ParseError,
    RenderConversationConfig,
    RenderOptions,
    StreamableParser,
)
from harmony_typed import dataset as _dataset
from harmony_typed.cli._common import (
    CLIError,
    _conversation,
    _dumps,
    _encoding,
    _load_json,
    _out,
    _print_tokens,
    _read_input,
    _tokens,
)
from harmony_typed.dataset import RecordError, json_kind, one_line

# -- commands ----------------------------------------------------------------------


def cmd_stop(args: argparse.Namespace) -> int:
    encoding = _encoding()
    tokens = encoding.stop_tokens_for_assistant_actions() if args.assistant_actions else encoding.stop_tokens()
    _print_tokens(tokens, encoding, args.text)
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    value, name = _load_json(args.file)
    tokens = _tokens(value, name)
    encoding = _encoding()
    if args.bytes:
        buffer = getattr(sys.stdout, "buffer", None)
        data = encoding.decode_bytes(tokens)
        if buffer is None:
            sys.stdout.write(data.decode("utf-8", "backslashreplace"))
        else:
            sys.stdout.flush()
            buffer.write(data)
        return 0
    try:
        text = encoding.decode_utf8(tokens)
    except HarmonyError as exc:
        raise CLIError(f"{name}: {exc} (use --bytes for the raw bytes)") from None
    _out(text if args.text else _dumps(text))
    return 0


def cmd_encode(args: argparse.Namespace) -> int:
    if args.raw:
        text, name = _read_input(args.file)
    else:
        value, name = _load_json(args.file)
        if not isinstance(value, str):
            raise CLIError(
                f'{name}: expected a JSON string such as "hello", got {json_kind(value)} '
                "(use --raw to encode the input text as it is)"
            )
        text = value
    encoding = _encoding()
    try:
        tokens = encoding.encode(text, allowed_special="all") if args.allow_special else encoding.encode(text)
    except EncodeError as exc:
        first = str(exc).splitlines()[0]
        raise CLIError(f"{name}: {first} Pass --allow-special to encode it as a special token.") from None
    _out(json.dumps(tokens))
    return 0


def cmd_render_msg(args: argparse.Namespace) -> int:
    value, name = _load_json(args.file)
    if isinstance(value, list) or (isinstance(value, Mapping) and "messages" in value):
        raise CLIError(f"{name}: render-msg renders one message, got a conversation (use render-convo)")
    try:
        message = _dataset.message_from_json(value, "message")
    except RecordError as exc:
        raise CLIError(f"{name}: {exc}") from None
    encoding = _encoding()
    options = RenderOptions(conversation_has_function_tools=args.function_tools)
    _print_tokens(_render(lambda: encoding.render(message, options), name), encoding, args.text)
    return 0


def _render(call: Callable[[], list[int]], name: str) -> list[int]:
    try:
        return call()
    except HarmonyError as exc:
        raise CLIError(f"{name}: cannot render: {one_line(str(exc))}") from None


def _config(args: argparse.Namespace) -> RenderConversationConfig:
    return RenderConversationConfig(auto_drop_analysis=not args.no_auto_drop)


def _render_conversation(args: argparse.Namespace, render: _ConversationRenderer) -> int:
    # The one body of render-convo, render-completion and render-training.
    value, name = _load_json(args.file)
    convo = _conversation(value, name)
    encoding = _encoding()
    config = _config(args)
    _print_tokens(_render(lambda: render(encoding, convo, args, config), name), encoding, args.text)
    return 0


_ConversationRenderer = Callable[
    [HarmonyEncoding, Conversation, argparse.Namespace, RenderConversationConfig], list[int]
]
"""How one conversation command renders: the encoding method it calls, with the command's arguments."""

_CONVERSATION_RENDERERS: Final[dict[str, _ConversationRenderer]] = {
    "render-convo": lambda enc, convo, args, config: enc.render_conversation(convo, config),
    "render-completion": lambda enc, convo, args, config: enc.render_conversation_for_completion(
        convo, args.role, config
    ),
    "render-training": lambda enc, convo, args, config: enc.render_conversation_for_training(convo, config),
}


def cmd_render_convo(args: argparse.Namespace) -> int:
    return _render_conversation(args, _CONVERSATION_RENDERERS["render-convo"])


def cmd_render_completion(args: argparse.Namespace) -> int:
    return _render_conversation(args, _CONVERSATION_RENDERERS["render-completion"])


def cmd_render_training(args: argparse.Namespace) -> int:
    return _render_conversation(args, _CONVERSATION_RENDERERS["render-training"])


def _parse_error(name: str, exc: HarmonyError, tokens: Sequence[int]) -> CLIError:
    where = ""
    if isinstance(exc, ParseError) and exc.token_index is not None:
        where = f" (token {exc.token_index}"
        if exc.token is not None:
            where += f", id {exc.token}"
        where += ")"
    elif isinstance(exc, ParseError):
        where = f" (at end of input, after {len(tokens)} tokens)"
    return CLIError(f"{name}: cannot parse: {one_line(str(exc))}{where}")


def cmd_parse(args: argparse.Namespace) -> int:
    value, name = _load_json(args.file)
    tokens = _tokens(value, name)
    encoding = _encoding()
    try:
        messages = encoding.parse_messages_from_completion_tokens(tokens, args.role, strict=not args.lenient)
    except HarmonyError as exc:
        raise _parse_error(name, exc, tokens) from None
    _out(_dumps([message.to_dict() for message in messages], pretty=args.pretty))
    return 0


def _stream_line(parser: StreamableParser, index: int, token: int | None, finished: list[Message]) -> str:
    role = parser.current_role
    return _dumps(
        {
            "index": index,
            "token": token,
            "state": parser.state.value,
            "delta": parser.last_content_delta,
            "role": None if role is None else role.value,
            "channel": parser.current_channel,
            "recipient": parser.current_recipient,
            "content_type": parser.current_content_type,
            "finished": [message.to_dict() for message in finished],
        }
    )


def cmd_stream(args: argparse.Namespace) -> int:
    value, name = _load_json(args.file)
    tokens = _tokens(value, name)
    encoding = _encoding()
    parser = StreamableParser(encoding, args.role, strict=not args.lenient)
    lines: list[str] = []
    done = 0

    def new_messages() -> list[Message]:
        # `messages` is an O(1) snapshot; only the messages completed since the last call are new.
        nonlocal done
        messages = parser.messages
        if len(messages) == done:
            return []
        fresh = list(messages[done:])
        done = len(messages)
        return fresh

    try:
        for index, token in enumerate(tokens):
            parser.process(token)
            lines.append(_stream_line(parser, index, token, new_messages()))
            if len(lines) >= 256:
                _out("\n".join(lines))
                lines.clear()
        parser.process_eos()
        lines.append(_stream_line(parser, len(tokens), None, new_messages()))
    except HarmonyError as exc:
        if lines:
            _out("\n".join(lines))
        raise _parse_error(name, exc, tokens) from None
    _out("\n".join(lines))
    return 0
