"""``parse`` and ``stream``: sampled token ids back into messages.

``stream`` reads its input incrementally (see :func:`token_batches`) and writes each
event line as soon as the token that caused it has been read.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from typing import IO

from harmony_typed import HarmonyError, Message, ParseError, Recovery, StreamableParser
from harmony_typed.cli.inputs import check_token, decode_utf8, encoding, load_tokens, open_input, parse_json, token_list
from harmony_typed.cli.output import CLIError, dumps, err, out
from harmony_typed.dataset import one_line


def parse_error(name: str, exc: HarmonyError, count: int) -> CLIError:
    """A parser error with where it happened (``count`` tokens were read in all)."""
    where = ""
    if isinstance(exc, ParseError) and exc.token_index is not None:
        where = f" (token {exc.token_index}"
        if exc.token is not None:
            where += f", id {exc.token}"
        where += ")"
    elif isinstance(exc, ParseError):
        where = f" (at end of input, after {count} tokens)"
    return CLIError(f"{name}: cannot parse: {one_line(str(exc))}{where}")


def cmd_parse(args: argparse.Namespace) -> int:
    """``parse``: a whole token array to messages."""
    tokens, name = load_tokens(args.file)
    enc = encoding(args)
    try:
        if args.recover:
            messages, recoveries = enc.parse_messages_with_recoveries(tokens, args.role)
            for recovery in recoveries:
                err(f"{name}: {_recovery_text(recovery)}")
        else:
            messages = enc.parse_messages_from_completion_tokens(tokens, args.role, strict=not args.lenient)
    except HarmonyError as exc:
        raise parse_error(name, exc, len(tokens)) from None
    out(dumps([message.to_dict() for message in messages], pretty=args.pretty))
    return 0


def _recovery_text(recovery: Recovery) -> str:
    return f"recovered at token {recovery.token_index}: {recovery.kind.value}: {one_line(recovery.detail)}"


def token_batches(stream: IO[bytes], name: str) -> Iterator[list[int]]:
    """The token ids of ``stream``, one batch per input line, as the lines arrive.

    The input format is chosen by its first non-blank character: a digit means
    whitespace-separated ids; ``[`` means one JSON array per line (an array may also
    span lines: lines are gathered until one ending in ``]`` completes it); anything
    else (``{"tokens": [...]}``) is read whole, as ``parse`` does.
    """
    start = 0
    offset = 0
    pending: list[str] = []
    mode = ""
    for raw in iter(stream.readline, b""):
        line = decode_utf8(raw, name, offset)
        offset += len(raw)
        if not mode:
            stripped = line.strip()
            if not stripped:
                continue
            mode = "ids" if stripped[0].isdigit() or stripped[0] in "+-" else "json"
        if mode == "ids":
            words = line.split()
            yield [_id_word(word, name, start + index) for index, word in enumerate(words)]
            start += len(words)
            continue
        pending.append(line)
        if pending[0].lstrip().startswith("[") and line.rstrip().endswith("]"):
            try:
                value = json.loads("".join(pending))
            except (json.JSONDecodeError, RecursionError):
                continue  # the array goes on (or the error is reported at the end)
            except ValueError:
                value = None  # an over-long integer: reported with its position below
            if value is not None:
                batch = token_list(value, name, start)
                start += len(batch)
                pending.clear()
                yield batch
                continue
            yield token_list(parse_json("".join(pending), name, for_tokens=True), name, start)
    if pending:
        yield token_list(parse_json("".join(pending), name, for_tokens=True), name, start)
    elif not mode:
        raise CLIError(f"{name}: empty input, expected JSON")


def _id_word(word: str, name: str, index: int) -> int:
    where = f"token [{index}]"
    if not word.isdigit() or len(word) > 7:
        shown = word if len(word) <= 40 else f"{word[:37]}..."
        raise CLIError(f"{name}: {where} is {shown!r}, not a token id (an integer)")
    return check_token(int(word), name, where)


def _stream_line(
    parser: StreamableParser,
    index: int,
    token: int | None,
    finished: Sequence[Message],
    recovered: Sequence[Recovery] | None,
) -> str:
    role = parser.current_role
    event: dict[str, object] = {
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
    if recovered is not None:  # --recover: the repairs this token (or the end of input) caused
        event["recovered"] = [
            {"token_index": r.token_index, "kind": r.kind.name, "detail": r.detail} for r in recovered
        ]
    return dumps(event)


def cmd_stream(args: argparse.Namespace) -> int:
    """``stream``: one event line per token, written as the tokens arrive."""
    source, name = open_input(args.file)
    enc = encoding(args)
    parser = StreamableParser(enc, args.role, strict=not args.lenient, recover=args.recover)
    done = 0  # messages already reported as finished
    repaired = 0  # recoveries already reported
    index = 0

    def event(token: int | None) -> str:
        nonlocal done, repaired
        messages = parser.messages  # an O(1) snapshot; only the ones since the last event are new
        fresh = messages[done:] if len(messages) > done else ()
        done = len(messages)
        recovered: Sequence[Recovery] | None = None
        if args.recover:
            recoveries = parser.recoveries
            recovered = recoveries[repaired:]
            repaired = len(recoveries)
        return _stream_line(parser, index, token, fresh, recovered)

    lines: list[str] = []
    try:
        for batch in token_batches(source, name):
            for token in batch:
                parser.process(token)
                lines.append(event(token))
                index += 1
                if len(lines) >= 256:
                    out("\n".join(lines))
                    lines.clear()
            if lines:
                out("\n".join(lines), flush=True)
                lines.clear()
        parser.process_eos()
        out(event(None))
    except HarmonyError as exc:
        if lines:
            out("\n".join(lines))
        raise parse_error(name, exc, index) from None
    finally:
        if args.file != "-":
            source.close()
    return 0
