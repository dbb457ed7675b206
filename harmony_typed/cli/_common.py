"""Shared pieces of the command line: exit codes, the error type, output and input helpers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Final

from harmony_typed import (
    Conversation,
    HarmonyEncoding,
    Role,
    load_harmony_encoding,
)
from harmony_typed import dataset as _dataset
from harmony_typed._specials import N_VOCAB
from harmony_typed.dataset import RecordError, json_kind, one_line

PROG: Final = "harmony-typed"

EXIT_DATA: Final = 1
"""Bad input data: invalid JSON, wrong shape, unrenderable or unparsable content, bad token ids."""
EXIT_USAGE: Final = 2
"""Bad command line: unknown option or role, missing or unreadable file."""

_ROLE_NAMES: Final = ", ".join(role.value for role in Role)


class CLIError(Exception):
    """A failure reported as one ``harmony-typed: error: ...`` line and an exit code."""

    def __init__(self, message: str, code: int = EXIT_DATA) -> None:
        super().__init__(message)
        self.code = code


# -- output ------------------------------------------------------------------------


def _out(text: str) -> None:
    """Write ``text`` and a newline to standard output as UTF-8, whatever the locale."""
    data = (text + "\n").encode("utf-8", "backslashreplace")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # e.g. a StringIO installed by a caller
        sys.stdout.write(text + "\n")
        return
    sys.stdout.flush()
    buffer.write(data)


def _err(text: str) -> None:
    sys.stderr.write(f"{PROG}: {text}\n")
    sys.stderr.flush()


def _dumps(value: object, *, pretty: bool = False) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2 if pretty else None)


# -- input -------------------------------------------------------------------------


def _read_input(path: str) -> tuple[str, str]:
    """``(text, name)`` of ``path`` (``-`` is standard input), decoded as UTF-8."""
    if path == "-":
        stdin = sys.stdin
        if stdin is None:
            raise CLIError("no standard input to read; pass a FILE argument", EXIT_USAGE)
        if stdin.isatty():
            _err("reading JSON from standard input (end it with Ctrl-D; see --help for examples)")
        data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode("utf-8")
        name = "<stdin>"
    else:
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError as exc:
            raise CLIError(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE) from None
        name = path
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        raise CLIError(f"{name}: not UTF-8 text (invalid byte at offset {exc.start})") from None


def _load_json(path: str) -> tuple[object, str]:
    text, name = _read_input(path)
    if not text.strip():
        raise CLIError(f"{name}: empty input, expected JSON")
    try:
        return json.loads(text), name
    except json.JSONDecodeError as exc:
        raise CLIError(f"{name}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise CLIError(f"{name}: invalid JSON: nested too deeply") from None


def _tokens(value: object, name: str) -> list[int]:
    """Validate a JSON array of token ids (or a ``{"tokens": [...]}`` object, as render-dataset writes)."""
    where = "token "
    if isinstance(value, Mapping) and "tokens" in value:
        value = value["tokens"]
        where = "tokens"
    if not isinstance(value, list):
        raise CLIError(f"{name}: expected a JSON array of token ids, got {json_kind(value)}")
    limit = N_VOCAB
    tokens: list[int] = []
    for index, token in enumerate(value):
        if type(token) is not int:
            raise CLIError(
                f"{name}: {where}[{index}] is {json_kind(token)} ({one_line(json.dumps(token), 40)}), "
                "not a token id (an integer)"
            )
        if not 0 <= token < limit:
            raise CLIError(f"{name}: {where}[{index}] is {token}, not a token id (valid ids are 0..{limit - 1})")
        tokens.append(token)
    return tokens


def _conversation(value: object, name: str) -> Conversation:
    try:
        return _dataset.conversation_from_json(value)
    except RecordError as exc:
        raise CLIError(f"{name}: {exc}") from None


def _role(text: str) -> Role:
    """argparse ``type=`` for ``--role``: a role name."""
    try:
        return Role(text.lower())
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown role {text!r} (expected one of {_ROLE_NAMES})") from None


def _role_or_none(text: str) -> Role | None:
    """argparse ``type=`` for ``--role`` of parse/stream, where ``none`` means "read the role from the header"."""
    if text.lower() == "none":
        return None
    try:
        return Role(text.lower())
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown role {text!r} (expected one of {_ROLE_NAMES}, none)") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _encoding() -> HarmonyEncoding:
    return load_harmony_encoding("HarmonyGptOss")


def _print_tokens(tokens: list[int], encoding: HarmonyEncoding, as_text: bool) -> None:
    _out(encoding.decode(tokens) if as_text else json.dumps(tokens))
