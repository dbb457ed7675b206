"""Batch parsing: a whole completion through the parser machine, with openai_harmony's conversion errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set
from operator import index as _index
from typing import NamedTuple, SupportsIndex

from harmony_typed._errors import ParseError
from harmony_typed._models import Message, Role
from harmony_typed._parser import StreamableParser
from harmony_typed._parser_args import not_an_int, out_of_range
from harmony_typed._specials import MAX_TOKEN
from harmony_typed._tokenizer import HasTokenizer
from harmony_typed._transitions import I_EOS, Recovery

__all__ = ["RecoveredParse", "parse_completion", "parse_completion_recovering", "run_parser"]


def parse_completion(
    encoding: HasTokenizer, tokens: Sequence[int], role: Role | None, strict: bool, recover: bool = False
) -> list[Message]:
    """Parse a whole completion (``HarmonyEncoding.parse_messages_from_completion_tokens``).

    The parser machine fed token by token, then end of stream; the first
    error aborts the call.  openai_harmony converts the whole token list
    before parsing, so a non-int or out-of-range id anywhere in ``tokens``
    wins over a parse error: the ids after a parse error are checked before
    it is raised (the successful path pays nothing extra).  Like
    openai_harmony, any object with ``__index__`` is accepted as an id.
    """
    return run_parser(StreamableParser(encoding, role, strict=strict, recover=recover), tokens)._messages


class RecoveredParse(NamedTuple):
    """What ``HarmonyEncoding.parse_messages_with_recoveries`` returns."""

    messages: list[Message]
    recoveries: tuple[Recovery, ...]
    """Every repair made, in order (empty for well-formed output)."""


def parse_completion_recovering(encoding: HasTokenizer, tokens: Sequence[int], role: Role | None) -> RecoveredParse:
    """Parse a whole completion with ``recover=True``: the messages and the repairs made."""
    parser = run_parser(StreamableParser(encoding, role, recover=True), tokens)
    return RecoveredParse(parser._messages, parser.recoveries)


def run_parser(parser: StreamableParser, tokens: Sequence[int]) -> StreamableParser:
    """Feed a fresh ``parser`` every id of ``tokens``, then end of stream; returns it."""
    if isinstance(tokens, (Mapping, Set)):
        # Deliberately stricter than openai_harmony, which parses a dict's keys in hash order.
        raise TypeError(f"tokens must be a sequence of int token ids, got {type(tokens).__name__}")
    items: Sequence[object] = tokens
    position = -1
    try:
        for position, item in enumerate(items):
            token = item if isinstance(item, int) else _as_token(item)
            if token < 0 or token > MAX_TOKEN:
                raise out_of_range(token)
            # `tokens` is not recorded: nobody can see this parser's.
            parser._step(token, position)
        parser._transition(I_EOS, -1, position + 1)
    except ParseError:
        _check_rest(items, position + 1)
        raise
    return parser


def _as_token(item: object) -> int:
    if isinstance(item, SupportsIndex):
        return _index(item)
    raise not_an_int("tokens", item)


def _check_rest(items: Sequence[object], start: int) -> None:
    # The conversion errors openai_harmony would have raised before parsing.
    if isinstance(items, Iterator):  # an iterator: what is left starts after the failing id
        start = 0
    for position, item in enumerate(items):
        if position >= start:
            token = item if isinstance(item, int) else _as_token(item)
            if token < 0 or token > MAX_TOKEN:
                raise out_of_range(token)
