"""``harmony-typed``: the command line (also ``python -m harmony_typed``).

JSON in on standard input (or from a file argument), JSON out on standard
output, one subcommand per operation of the library, plus ``demo`` (the whole
render → parse cycle on a built-in conversation) and ``render-dataset`` (a JSONL
file of conversations to a JSONL file of token ids, on every core).

Errors are one line on standard error, ``harmony-typed: error: ...``, naming
what is wrong and where; the exit code is 2 for a usage error (bad option,
unknown role, unreadable file) and 1 for bad data (invalid JSON, wrong shape,
unrenderable conversation, bad token id, parse error).  Never a traceback.

Not compiled with mypyc (see ``setup.py``): it is not hot, and ``__main__``
cannot run compiled.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import IO, Final, NoReturn

from harmony_typed import (
    COMPILED,
    Conversation,
    DeveloperContent,
    EncodeError,
    HarmonyEncoding,
    HarmonyError,
    Message,
    ParseError,
    ReasoningEffort,
    RenderConversationConfig,
    RenderOptions,
    Role,
    StreamableParser,
    SystemContent,
    ToolDescription,
    __version__,
    _build_info,
    load_harmony_encoding,
)
from harmony_typed import dataset as _dataset
from harmony_typed._specials import N_VOCAB
from harmony_typed.dataset import RecordError, RenderSpec, json_kind, one_line

__all__ = ["main"]

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


def cmd_render_convo(args: argparse.Namespace) -> int:
    value, name = _load_json(args.file)
    convo = _conversation(value, name)
    encoding = _encoding()
    config = _config(args)
    _print_tokens(_render(lambda: encoding.render_conversation(convo, config), name), encoding, args.text)
    return 0


def cmd_render_completion(args: argparse.Namespace) -> int:
    value, name = _load_json(args.file)
    convo = _conversation(value, name)
    encoding = _encoding()
    config = _config(args)
    role: Role = args.role
    tokens = _render(lambda: encoding.render_conversation_for_completion(convo, role, config), name)
    _print_tokens(tokens, encoding, args.text)
    return 0


def cmd_render_training(args: argparse.Namespace) -> int:
    value, name = _load_json(args.file)
    convo = _conversation(value, name)
    encoding = _encoding()
    config = _config(args)
    _print_tokens(_render(lambda: encoding.render_conversation_for_training(convo, config), name), encoding, args.text)
    return 0


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


# -- demo --------------------------------------------------------------------------


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


def cmd_demo(args: argparse.Namespace) -> int:
    encoding = _encoding()
    convo = demo_conversation()
    prompt = encoding.render_conversation_for_completion(convo, Role.ASSISTANT)
    completion = encoding.encode(DEMO_COMPLETION, allowed_special="all")
    parsed = encoding.parse_messages_from_completion_tokens(completion, Role.ASSISTANT)
    if args.json:
        _out(
            _dumps(
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
        return "\n".join(_dumps(message.to_dict()) for message in messages)

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
        encoding.decode_utf8(prompt),
        "",
        json.dumps(prompt),
        heading(
            3,
            f"What the model samples next: {len(completion)} tokens (scripted here; a model would stop at <|return|>)",
            "completion = [...]  # e.g. from your inference engine",
        ),
        encoding.decode_utf8(completion),
        "",
        json.dumps(completion),
        heading(
            4,
            f"Parsed back into {len(parsed)} messages",
            "messages = enc.parse_messages_from_completion_tokens(completion, Role.ASSISTANT)",
        ),
        message_lines(parsed),
        "",
        f"Next: `{PROG} demo --json` prints all of the above as JSON; `{PROG} --help` lists the commands, e.g.",
        f'  echo \'{{"role": "user", "content": "Hi"}}\' | {PROG} render-msg --text',
    ]
    _out("\n".join(sections))
    return 0


# -- render-dataset ----------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def cmd_render_dataset(args: argparse.Namespace) -> int:
    from tqdm import tqdm  # only this command needs it

    encoding = _encoding()
    spec = RenderSpec(
        mode=args.mode, role=args.role, auto_drop_analysis=not args.no_auto_drop, id_field=args.id_field or None
    )
    workers: int = args.workers if args.workers is not None else (os.cpu_count() or 1)
    in_name = "<stdin>" if args.input == "-" else args.input
    try:
        source: IO[bytes] = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")  # noqa: SIM115
    except OSError as exc:
        raise CLIError(f"cannot read {args.input}: {exc.strerror or exc}", EXIT_USAGE) from None

    show_progress = not args.quiet and sys.stderr.isatty()
    total: int | None = None
    if show_progress and args.input != "-" and os.path.isfile(args.input):
        total = _dataset.count_lines(args.input)

    to_stdout = args.output == "-"
    if not to_stdout and os.path.isdir(args.output):
        source.close()
        raise CLIError(f"cannot write {args.output}: it is a directory", EXIT_USAGE)
    commit: Callable[[], None] = lambda: None  # noqa: E731
    discard: Callable[[], None] = lambda: None  # noqa: E731
    if to_stdout:
        sink: IO[str] = sys.stdout
    else:
        try:
            sink, commit, discard = _dataset.atomic_output(args.output)
        except OSError as exc:
            source.close()
            raise CLIError(f"cannot write {args.output}: {exc.strerror or exc}", EXIT_USAGE) from None

    shown = 0
    max_shown = 50

    def on_error(line: int, message: str) -> None:
        nonlocal shown
        shown += 1
        if shown <= max_shown:
            level = "warning" if args.skip_errors else "error"
            skipped = " (skipped)" if args.skip_errors else ""
            bar.write(f"{PROG}: {level}: {in_name}:{line}: {message}{skipped}", file=sys.stderr)
        elif shown == max_shown + 1:
            bar.write(f"{PROG}: warning: more bad lines not shown (counted in the summary)", file=sys.stderr)

    # No tqdm monitor thread: the worker pool forks, and a process should not fork while it has threads.
    tqdm.monitor_interval = 0
    bar = tqdm(
        total=total,
        disable=not show_progress,
        unit=" conv",
        unit_scale=True,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )
    try:
        summary = _dataset.render_dataset(
            source,
            sink,
            encoding,
            spec,
            workers=workers,
            skip_errors=args.skip_errors,
            batch_size=args.batch_size,
            on_error=on_error,
            on_progress=bar.update,
        )
    except _dataset.DatasetAborted:
        bar.close()
        discard()
        what = "output is incomplete" if to_stdout else f"{args.output} not written"
        _err(f"error: stopped at the first bad line; {what} (pass --skip-errors to skip bad lines)")
        return EXIT_DATA
    except BaseException:
        bar.close()
        discard()
        raise
    finally:
        source.close()
    bar.close()
    if to_stdout:
        sys.stdout.flush()
    else:
        try:
            commit()
        except OSError as exc:
            discard()
            raise CLIError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    if not args.quiet:
        rate = summary.conversations / summary.seconds if summary.seconds > 0 else 0.0
        errors = _plural(summary.errors, "error") + (" (bad lines skipped)" if summary.errors else "")
        blank = f", {_plural(summary.blank_lines, 'blank line')} ignored" if summary.blank_lines else ""
        dest = "" if to_stdout else f" -> {args.output}"
        _err(
            f"{_plural(summary.conversations, 'conversation')}, {_plural(summary.tokens, 'token')} "
            f"in {summary.seconds:.2f} s ({rate:,.0f} conversations/s, {_plural(workers, 'worker')}), "
            f"{errors}{blank}{dest}"
        )
    return 0


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
        "--skip-errors", action="store_true", help="skip bad lines (reported and counted) instead of stopping"
    )
    sub.add_argument("--quiet", action="store_true", help="no progress bar and no summary (errors are still reported)")
    return parser


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc.args[0]!r}" if exc.args else "missing key"
    text = str(exc) or type(exc).__name__
    return one_line(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``harmony-typed`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        try:
            return func(args)
        finally:
            sys.stdout.flush()
    except CLIError as exc:
        _err(f"error: {exc}")
        return exc.code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, and keep Python's
        # exit-time flush from raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_DATA
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenProcessPool as exc:
        _err(f"error: a worker process died ({_describe(exc)})")
        return EXIT_DATA
    except (HarmonyError, ValueError, TypeError, KeyError, OverflowError) as exc:
        # json.JSONDecodeError and RecordError are ValueErrors.
        _err(f"error: {args.command}: {_describe(exc)}")
        return EXIT_DATA
    except OSError as exc:
        _err(f"error: {args.command}: {exc.strerror or exc}")
        return EXIT_DATA
    except Exception as exc:
        if os.environ.get("HARMONY_TYPED_DEBUG"):
            raise
        _err(
            f"internal error: {type(exc).__name__}: {_describe(exc)} "
            "(a bug: please report it; set HARMONY_TYPED_DEBUG=1 for the traceback)"
        )
        return EXIT_DATA
