"""Reading the CLI's input: files or standard input, JSON, token ids, conversations, option values."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import IO, Final

from harmony_typed import Conversation, Dialect, HarmonyEncoding, Role, load_harmony_encoding
from harmony_typed._specials import N_VOCAB
from harmony_typed.cli.output import EXIT_USAGE, CLIError, err
from harmony_typed.dataset import RecordError, conversation_from_json, json_kind, one_line

ROLE_NAMES: Final = ", ".join(role.value for role in Role)
STDIN_NAME: Final = "<stdin>"
_MAX_ID_DIGITS: Final = len(str(N_VOCAB)) + 1
"""Longer digit strings are never token ids; they are reported without converting them (no int-digit limit)."""


class HugeNumber(str):
    """A JSON integer too long to be a token id, kept as its digits (see :func:`load_json`)."""


def _parse_int(digits: str) -> int | HugeNumber:
    return HugeNumber(digits) if len(digits) > 4000 else int(digits)


def open_input(path: str) -> tuple[IO[bytes], str]:
    """``(binary stream, name)`` of ``path`` (``-`` is standard input)."""
    if path != "-":
        try:
            return open(path, "rb"), path
        except OSError as exc:
            raise CLIError(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE) from None
    stdin = sys.stdin
    if stdin is None:
        raise CLIError("no standard input to read; pass a FILE argument", EXIT_USAGE)
    if stdin.isatty():
        err("reading JSON from standard input (end it with Ctrl-D; see --help for examples)")
    buffer: IO[bytes] | None = getattr(stdin, "buffer", None)
    if buffer is None:  # a text stream installed by a caller
        import io

        return io.BytesIO(stdin.read().encode("utf-8")), STDIN_NAME
    return buffer, STDIN_NAME


def decode_utf8(data: bytes, name: str, offset: int = 0) -> str:
    """``data`` as UTF-8 text; ``offset`` is where ``data`` starts in the input (for the message)."""
    try:
        return data.decode("utf-8-sig" if offset == 0 else "utf-8")
    except UnicodeDecodeError as exc:
        raise CLIError(f"{name}: not UTF-8 text (invalid byte at offset {offset + exc.start})") from None


def read_input(path: str) -> tuple[str, str]:
    """``(text, name)`` of ``path`` (``-`` is standard input), decoded as UTF-8."""
    stream, name = open_input(path)
    try:
        data = stream.read()
    finally:
        if path != "-":
            stream.close()
    return decode_utf8(data, name), name


def parse_json(text: str, name: str, *, for_tokens: bool = False) -> object:
    """``text`` as JSON; errors name ``name`` and the line and column.

    With ``for_tokens``, integers too long to convert are kept as :class:`HugeNumber` so that the
    token check names their position; elsewhere they are an invalid-JSON error.
    """
    if not text.strip():
        raise CLIError(f"{name}: empty input, expected JSON")
    try:
        return json.loads(text, parse_int=_parse_int) if for_tokens else json.loads(text)
    except json.JSONDecodeError as exc:
        raise CLIError(f"{name}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except ValueError:  # int() refusing a number of more than sys.get_int_max_str_digits() digits
        raise CLIError(f"{name}: invalid JSON: an integer too long to convert (over 4,300 digits)") from None
    except RecursionError:
        raise CLIError(f"{name}: invalid JSON: nested too deeply") from None


def load_json(path: str, *, for_tokens: bool = False) -> tuple[object, str]:
    """``(value, name)``: the JSON of ``path``."""
    text, name = read_input(path)
    return parse_json(text, name, for_tokens=for_tokens), name


def bad_token(name: str, where: str, token: object) -> CLIError:
    """The error for a JSON value at ``where`` that is not a token id."""
    if isinstance(token, HugeNumber):
        what = f"a number of {len(token.lstrip('-')):,} digits"
    else:
        what = f"{json_kind(token)} ({one_line(json.dumps(token), 40)})"
    return CLIError(f"{name}: {where} is {what}, not a token id (an integer)")


def check_token(token: object, name: str, where: str) -> int:
    """``token`` if it is a valid token id, else a :class:`CLIError` naming ``where``."""
    if type(token) is not int:
        raise bad_token(name, where, token)
    if not 0 <= token < N_VOCAB:
        raise CLIError(f"{name}: {where} is {token}, not a token id (valid ids are 0..{N_VOCAB - 1})")
    return token


def token_list(value: object, name: str, start: int = 0) -> list[int]:
    """Validate a JSON array of token ids (or a ``{"tokens": [...]}`` object, as render-dataset writes)."""
    where = "token "
    if isinstance(value, Mapping) and "tokens" in value:
        value = value["tokens"]
        where = "tokens"
    if not isinstance(value, list):
        raise CLIError(f"{name}: expected a JSON array of token ids, got {json_kind(value)}")
    return [check_token(token, name, f"{where}[{start + index}]") for index, token in enumerate(value)]


def load_tokens(path: str) -> tuple[list[int], str]:
    """``(token ids, name)``: the JSON token array of ``path``."""
    value, name = load_json(path, for_tokens=True)
    return token_list(value, name), name


def load_conversation(path: str) -> tuple[Conversation, str]:
    """``(conversation, name)``: the JSON conversation of ``path``."""
    value, name = load_json(path)
    return conversation(value, name), name


def conversation(value: object, name: str) -> Conversation:
    """A JSON conversation (``{"messages": [...]}``, an array of messages, or one message)."""
    try:
        return conversation_from_json(value)
    except RecordError as exc:
        raise CLIError(f"{name}: {exc}") from None
    except RecursionError:
        raise CLIError(f"{name}: nested too deeply to render") from None


def role(text: str) -> Role:
    """argparse ``type=`` for ``--role``: a role name."""
    try:
        return Role(text.lower())
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown role {text!r} (expected one of {ROLE_NAMES})") from None


def role_or_none(text: str) -> Role | None:
    """argparse ``type=`` for ``--role`` of parse/stream, where ``none`` means "read the role from the header"."""
    if text.lower() == "none":
        return None
    try:
        return Role(text.lower())
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown role {text!r} (expected one of {ROLE_NAMES}, none)") from None


def positive(text: str) -> int:
    """argparse ``type=`` for a count of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def encoding(args: argparse.Namespace) -> HarmonyEncoding:
    """The encoding the command line asks for (``--dialect``; see ``arguments._add_encoding_options``)."""
    return load_harmony_encoding("HarmonyGptOss", dialect=getattr(args, "dialect", Dialect.OPENAI_HARMONY_0_0_8))
