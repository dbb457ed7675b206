"""``stop``, ``decode`` and ``encode``: token ids and text, without rendering or parsing."""

from __future__ import annotations

import argparse
import codecs
import json
from collections.abc import Iterator
from typing import IO, Final

from harmony_typed import EncodeError, HarmonyEncoding, HarmonyError
from harmony_typed.cli.inputs import encoding, load_json, load_tokens, open_input
from harmony_typed.cli.output import CLIError, dumps, out, write_bytes
from harmony_typed.dataset import json_kind

CHUNK_BYTES: Final = 1 << 20
"""``encode --raw`` reads this much at a time."""


def print_tokens(tokens: list[int], enc: HarmonyEncoding, as_text: bool) -> None:
    """Token ids as a JSON array, or with ``as_text`` as the decoded text."""
    out(enc.decode(tokens) if as_text else json.dumps(tokens))


def cmd_stop(args: argparse.Namespace) -> int:
    """``stop``: the stop tokens."""
    enc = encoding(args)
    tokens = enc.stop_tokens_for_assistant_actions() if args.assistant_actions else enc.stop_tokens()
    print_tokens(tokens, enc, args.text)
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    """``decode``: token ids to text."""
    tokens, name = load_tokens(args.file)
    enc = encoding(args)
    if args.bytes:
        write_bytes(enc.decode_bytes(tokens))
        return 0
    try:
        text = enc.decode_utf8(tokens)
    except HarmonyError as exc:
        raise CLIError(f"{name}: {exc} (use --bytes for the raw bytes)") from None
    out(text if args.text else dumps(text))
    return 0


def safe_pieces(stream: IO[bytes], name: str) -> Iterator[str]:
    """The text of ``stream`` in pieces that tokenize independently.

    A cut is made only after a newline followed by a letter: no pre-tokenizer piece of the
    o200k pattern spans that point (letters never take a newline as their prefix, and the
    whitespace and punctuation pieces end at it), and no special token contains a newline.
    A text without such points (one huge line) is held whole, as before.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    offset = 0
    while True:
        data = stream.read(CHUNK_BYTES)
        try:
            pending += decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise CLIError(f"{name}: not UTF-8 text (invalid byte at offset {offset + exc.start})") from None
        offset += len(data)
        if not data:
            if pending:
                yield pending
            return
        cut = _last_safe_cut(pending)
        if cut > 0:
            yield pending[:cut]
            pending = pending[cut:]


def _last_safe_cut(text: str) -> int:
    """The last index ``i`` with ``text[i - 1] == "\\n"`` and ``text[i]`` a letter, or 0."""
    index = text.rfind("\n", 0, len(text) - 1)
    while index >= 0:
        if text[index + 1].isalpha():
            return index + 1
        index = text.rfind("\n", 0, index)
    return 0


def _encode(enc: HarmonyEncoding, text: str, name: str, allow_special: bool) -> list[int]:
    try:
        return enc.encode(text, allowed_special="all") if allow_special else enc.encode(text)
    except EncodeError as exc:
        first = str(exc).splitlines()[0]
        raise CLIError(f"{name}: {first} Pass --allow-special to encode it as a special token.") from None


def cmd_encode(args: argparse.Namespace) -> int:
    """``encode``: text to token ids (``--raw`` input is read and encoded piece by piece)."""
    enc = encoding(args)
    if not args.raw:
        value, name = load_json(args.file)
        if not isinstance(value, str):
            raise CLIError(
                f'{name}: expected a JSON string such as "hello", got {json_kind(value)} '
                "(use --raw to encode the input text as it is)"
            )
        out(json.dumps(_encode(enc, value, name, args.allow_special)))
        return 0
    stream, name = open_input(args.file)
    try:
        separator = "["
        for piece in safe_pieces(stream, name):
            tokens = _encode(enc, piece, name, args.allow_special)
            if tokens:
                write_bytes((separator + json.dumps(tokens)[1:-1]).encode())
                separator = ", "
        write_bytes(b"[]\n" if separator == "[" else b"]\n")
    finally:
        if args.file != "-":
            stream.close()
    return 0
