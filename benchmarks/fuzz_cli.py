"""Fuzz the command line and the dataset paths with random and hostile input; count internal errors.

Run by ``nox -s fuzz_cli`` (against the installed wheel), or directly::

    python benchmarks/fuzz_cli.py                     # 20,000 cases
    python benchmarks/fuzz_cli.py --cases 2000 --seed 3
    python benchmarks/fuzz_cli.py --replay 1234       # one case, printed with its output

Each case is generated from ``(seed, index)`` alone and is one of:

* a CLI command run in this process through ``harmony_typed.cli.main([...])``
  with a generated standard input (or ``FILE``): token commands (``decode``,
  ``parse``, ``stream``) get mutated real completions, random ids, ids out of
  range, 5,000-digit numbers, floats, strings, deep arrays, whitespace or
  line-per-array forms, invalid UTF-8; ``encode`` gets random text and special
  tokens; the render commands get messages and conversations built from a
  grammar of the ``to_dict()`` shapes with hostile values (wrong types, lone
  surrogates, NaN, huge numbers, deep or odd tool schemas, unknown roles);
  ``render-dataset`` (``--workers 1``, in this process) gets JSONL files of such
  records and of chat-format records, in every mode, input and output format,
  with and without ``--skip-errors``;
* a direct call of ``render_partition`` / ``training_partition`` on a list of
  such lines.

An *internal error* is: an exception escaping ``main`` (other than argparse's
``SystemExit(2)``), an exit code outside 0/1/2, ``internal error`` or
``Traceback`` on standard error, more than one error line for a stopped run of
a non-dataset command, or, from the partition functions, any exception but
:class:`RecordError` (none at all with ``skip_errors=True``).  Exit status 0
only when there were none.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from harmony_typed import HarmonyEncoding, load_harmony_encoding
from harmony_typed.cli import main as cli_main
from harmony_typed.dataset import RecordError, render_partition, training_partition
from harmony_typed.strategies import mutate

N_VOCAB: Final = 201088
_SPECIALS: Final = (
    "<|start|>",
    "<|end|>",
    "<|message|>",
    "<|channel|>",
    "<|constrain|>",
    "<|return|>",
    "<|call|>",
    "<|endoftext|>",
)
_TEXTS: Final = (
    "",
    "Hi",
    "déjà vu",
    "日本語",
    "🎉",
    "\ud800",
    "\udfff x",
    "\x00",
    "tab\tnew\nline",
    "functions.f",
    "<|start|>assistant",
    *_SPECIALS,
    " " * 50,
    "x" * 3000,
    "to=functions.get_weather",
    "json",
    "<|constrain|>json",
)
_ROLES: Final = ("user", "assistant", "system", "developer", "tool", "bot", "", "USER", "Assistant")
_CHANNELS: Final = ("analysis", "commentary", "final", "", "bogus", None)


@dataclass
class Outcome:
    kind: str
    code: int
    stderr: str
    problem: str | None


# -- generated values --------------------------------------------------------------------------------------


def _hostile_scalar(rng: random.Random) -> object:
    return rng.choice(
        [
            None,
            True,
            0,
            -1,
            2**70,
            1.5,
            float("nan"),
            float("inf"),
            rng.choice(_TEXTS),
            [],
            {},
            [1, 2],
            {"a": 1},
        ]
    )


def _text(rng: random.Random) -> object:
    if rng.random() < 0.1:
        return _hostile_scalar(rng)
    return " ".join(rng.choice(_TEXTS) for _ in range(rng.randint(0, 4)))


_DEEP: Final = "\x00deep:"


def _deep(depth: int) -> str:
    """A marker that :func:`_dumps` replaces by a schema nested ``depth`` deep (too deep for json.dumps)."""
    return f"{_DEEP}{depth}\x00"


def _deep_text(depth: int) -> str:
    return '{"type": "object", "properties": {"a": ' * depth + '{"type": "string"}' + "}}" * depth


def _schema(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.05:
        return _deep(rng.choice((50, 399, 401, 600, 3000)))
    if roll < 0.15:
        return _hostile_scalar(rng)
    kinds = ["string", "number", "integer", "boolean", "array", "object", "null", "bogus", 3]
    schema: dict[str, object] = {"type": rng.choice(kinds)}
    if rng.random() < 0.5:
        schema["properties"] = {str(rng.choice(_TEXTS)): _schema(rng) if rng.random() < 0.3 else {"type": "string"}}
    if rng.random() < 0.3:
        schema["enum"] = [_hostile_scalar(rng) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.2:
        schema["description"] = _text(rng)
    if rng.random() < 0.2:
        schema["default"] = _hostile_scalar(rng)
    if rng.random() < 0.1:
        schema["anyOf"] = [_schema(rng), _schema(rng)]
    if rng.random() < 0.1:
        schema["required"] = _hostile_scalar(rng)
    return schema


def _tool(rng: random.Random) -> object:
    if rng.random() < 0.05:
        return _hostile_scalar(rng)
    tool: dict[str, object] = {
        "name": rng.choice(("f", "get_weather", "", "a b", "\ud800", 3)),
        "description": _text(rng),
    }
    if rng.random() < 0.8:
        tool["parameters"] = _schema(rng)
    return tool


def _content_item(rng: random.Random) -> object:
    kind = rng.random()
    if kind < 0.6:
        return {"type": "text", "text": _text(rng)}
    if kind < 0.75:
        item: dict[str, object] = {"type": "system_content"}
        for key, values in (
            ("model_identity", [_text(rng)]),
            ("reasoning_effort", ["Low", "Medium", "High", "low", "extreme", 3]),
            ("conversation_start_date", ["2025-01-01", _text(rng)]),
            ("knowledge_cutoff", ["2024-06", None]),
            ("channel_config", [{"valid_channels": ["analysis", "final"], "channel_required": True}, 5, {}]),
        ):
            if rng.random() < 0.5:
                item[key] = rng.choice(values)
        if rng.random() < 0.3:
            item["tools"] = {"browser": {"name": "browser", "tools": [_tool(rng)]}}
        return item
    if kind < 0.95:
        developer: dict[str, object] = {"type": "developer_content", "instructions": _text(rng)}
        if rng.random() < 0.8:
            tools = [_tool(rng) for _ in range(rng.randint(0, 3))]
            developer["tools"] = {"functions": {"name": "functions", "tools": tools}}
        if rng.random() < 0.1:
            developer["tools"] = _hostile_scalar(rng)
        return developer
    return _hostile_scalar(rng)


def harmony_message(rng: random.Random) -> object:
    if rng.random() < 0.03:
        return _hostile_scalar(rng)
    message: dict[str, object] = {"role": rng.choice(_ROLES if rng.random() < 0.2 else _ROLES[:5])}
    roll = rng.random()
    if roll < 0.4:
        message["content"] = _text(rng)
    elif roll < 0.95:
        message["content"] = [_content_item(rng) for _ in range(rng.randint(0, 3))]
    for key, values in (
        ("channel", _CHANNELS),
        ("recipient", ("functions.f", "assistant", "", None, 3)),
        ("content_type", ("json", "<|constrain|>json", "", None, [])),
        ("name", ("functions.f", "", None, 7)),
    ):
        if rng.random() < 0.3:
            message[key] = rng.choice(values)
    return message


def harmony_record(rng: random.Random) -> object:
    messages = [harmony_message(rng) for _ in range(rng.randint(0, 6))]
    roll = rng.random()
    if roll < 0.15:
        return messages
    if roll < 0.2:
        return messages[0] if messages else {}
    record: dict[str, object] = {"messages": messages}
    if rng.random() < 0.7:
        record["id"] = rng.choice((f"r{rng.randint(0, 99)}", rng.randint(0, 9), None, float("nan"), 2**80, [1]))
    if rng.random() < 0.03:
        record["messages"] = _hostile_scalar(rng)
    return record


def chat_record(rng: random.Random) -> object:
    messages: list[object] = []
    call_ids: list[str] = []
    for _ in range(rng.randint(0, 6)):
        role = rng.choice(("user", "assistant", "assistant", "tool", "system", "developer", "bot"))
        message: dict[str, object] = {"role": role}
        if rng.random() < 0.8:
            message["content"] = (
                _text(rng)
                if rng.random() < 0.7
                else [rng.choice(({"type": "text", "text": _text(rng)}, {"type": "image"}, 3))]
            )
        if role == "assistant":
            for key in ("thinking", "reasoning_content", "reasoning"):
                if rng.random() < 0.15:
                    message[key] = _text(rng)
            if rng.random() < 0.4:
                calls = []
                for _ in range(rng.randint(0, 3)):
                    call_id = f"c{rng.randint(0, 9)}"
                    call_ids.append(call_id)
                    arguments = rng.choice(('{"a": 1}', {"a": [1]}, "", "not json", None, 3, {"x": float("nan")}))
                    function = {"name": rng.choice(("f", "get_weather", "", None)), "arguments": arguments}
                    calls.append(rng.choice(({"id": call_id, "type": "function", "function": function}, 5, {})))
                message["tool_calls"] = calls if rng.random() < 0.95 else _hostile_scalar(rng)
        if role == "tool":
            if rng.random() < 0.5:
                message["name"] = rng.choice(("f", "", None, 3))
            if rng.random() < 0.6:
                message["tool_call_id"] = rng.choice([*call_ids, "nope", None]) if call_ids else "nope"
        messages.append(message)
    record: dict[str, object] = {"messages": messages, "id": rng.randint(0, 99)}
    if rng.random() < 0.4:
        tools = [{"type": "function", "function": _tool(rng)} for _ in range(rng.randint(0, 3))]
        record["tools"] = tools if rng.random() < 0.9 else _hostile_scalar(rng)
    if rng.random() < 0.03:
        return _hostile_scalar(rng)
    return record


def _dumps(value: object, rng: random.Random) -> str:
    # allow_nan: NaN / Infinity are what hostile files hold; deep markers become text json.dumps cannot nest.
    text = json.dumps(value, ensure_ascii=rng.random() < 0.7, allow_nan=True)
    opening, closing = '"\\u0000deep:', '\\u0000"'
    while (start := text.find(opening)) >= 0:
        end = text.index(closing, start + len(opening))
        text = text[:start] + _deep_text(int(text[start + len(opening) : end])) + text[end + len(closing) :]
    return text


def _corrupt(data: bytes, rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.6 or not data:
        return data
    if roll < 0.7:
        return data[: rng.randint(0, len(data))]
    if roll < 0.8:
        cut = rng.randint(0, len(data))
        return data[:cut] + bytes([rng.choice((0xFF, 0xC3, 0xED, 0x00, 0x80))]) + data[cut:]
    if roll < 0.9:
        return b"\xef\xbb\xbf" + data
    if roll < 0.95:
        return b"[" * rng.choice((1000, 100_000)) + data
    return data


# -- token inputs -------------------------------------------------------------------------------------------


class TokenSource:
    """Real completions to mutate: rendered messages of every kind."""

    def __init__(self, enc: HarmonyEncoding) -> None:
        self.enc = enc
        rng = random.Random(0)
        self.bases: list[list[int]] = []
        from harmony_typed import Conversation
        from harmony_typed.dataset import conversation_from_json

        while len(self.bases) < 64:
            record = harmony_record(rng)
            try:
                convo: Conversation = conversation_from_json(record)
                self.bases.append(enc.render_conversation(convo))
            except Exception:  # generated records are often bad: keep the good ones
                continue
        self.donor = [t for base in self.bases for t in base]

    def tokens(self, rng: random.Random) -> object:
        roll = rng.random()
        if roll < 0.6:
            base = rng.choice(self.bases)
            if rng.random() < 0.5 and base:
                base = base[rng.randint(0, len(base) - 1) :]
            return mutate(base, rng, donor=self.donor, max_mutations=rng.choice((0, 1, 2, 4, 8)))
        if roll < 0.75:
            return [rng.randint(0, N_VOCAB + 10) for _ in range(rng.randint(0, 50))]
        return [_hostile_token(rng) for _ in range(rng.randint(0, 5))]


def _hostile_token(rng: random.Random) -> object:
    return rng.choice([-1, N_VOCAB, 2**32, 2**64, 1.0, "1", None, True, [1], {"a": 1}, 200006, 0])


def _token_text(value: object, rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.1:
        sign = b"-" if roll < 0.03 else b""
        return b"[1, " + sign + b"9" * rng.choice((8, 4301, 5000)) + b"]"
    if roll < 0.2 and isinstance(value, list):
        return json.dumps({"tokens": value}).encode()
    if roll < 0.45 and isinstance(value, list) and all(type(t) is int for t in value):
        words = [str(t) for t in value]
        sep = rng.choice((" ", "\n", "\t", "  \n"))
        return sep.join(words).encode()
    if roll < 0.6 and isinstance(value, list):
        half = len(value) // 2
        return (json.dumps(value[:half]) + "\n" + json.dumps(value[half:]) + "\n").encode()
    return _corrupt(json.dumps(value).encode(), rng)


# -- running a command in this process -------------------------------------------------------------------


@contextlib.contextmanager
def _stdio(stdin: bytes) -> Iterator[tuple[io.BytesIO, io.StringIO]]:
    saved = sys.stdin, sys.stdout, sys.stderr
    out = io.BytesIO()
    err = io.StringIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = err
    try:
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def run_main(argv: list[str], stdin: bytes) -> tuple[int, str, str | None]:
    """``(exit code, stderr, problem or None)`` of ``main(argv)`` in this process."""
    problem = None
    with _stdio(stdin) as (_, err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            if code != 2:
                problem = f"SystemExit({exc.code!r}) from main"
        except BaseException as exc:  # the error boundary let something through
            code = -1
            problem = "escaped main: " + "".join(traceback.format_exception_only(type(exc), exc)).strip()
    stderr = err.getvalue()
    if problem is None and code not in (0, 1, 2):
        problem = f"exit code {code}"
    if problem is None and ("internal error" in stderr or "Traceback" in stderr):
        problem = "stderr: " + stderr.strip()[:300]
    if problem is None and code == 1 and argv[0] != "render-dataset":
        lines = [line for line in stderr.splitlines() if line.startswith("harmony-typed: error")]
        if len(lines) != 1:
            problem = f"{len(lines)} error lines: {stderr[:300]}"
    return code, stderr, problem


class Fuzzer:
    def __init__(self, enc: HarmonyEncoding, seed: int, workdir: Path) -> None:
        self.enc = enc
        self.seed = seed
        self.workdir = workdir
        self.tokens = TokenSource(enc)
        self.kinds: list[tuple[str, Callable[[random.Random], Outcome]]] = [
            ("decode", self._decode),
            ("parse", self._parse),
            ("stream", self._stream),
            ("encode", self._encode),
            ("render", self._render),
            ("render-dataset", self._render_dataset),
            ("partition", self._partition),
        ]

    def case(self, index: int) -> Outcome:
        rng = random.Random(self.seed * 1_000_003 + index)
        _, run = self.kinds[index % len(self.kinds)]
        return run(rng)

    def _cli(self, kind: str, argv: list[str], stdin: bytes, rng: random.Random) -> Outcome:
        if rng.random() < 0.1 and argv[0] != "render-dataset":  # the same input as a FILE argument
            path = self.workdir / "input"
            path.write_bytes(stdin)
            argv, stdin = [*argv, str(path)], b""
        if rng.random() < 0.2:
            argv = [*argv, "--dialect", "oss-harmony-0.0.11"]
        code, stderr, problem = run_main(argv, stdin)
        return Outcome(kind, code, stderr, problem and f"{argv}: {problem}")

    def _decode(self, rng: random.Random) -> Outcome:
        argv = ["decode", *rng.choice(([], ["--text"], ["--bytes"]))]
        return self._cli("decode", argv, _token_text(self.tokens.tokens(rng), rng), rng)

    def _parser_args(self, rng: random.Random) -> list[str]:
        args = ["--role", "none" if rng.random() < 0.6 else rng.choice(("assistant", "user", "tool", "system"))]
        return args + (["--lenient"] if rng.random() < 0.4 else [])

    def _parse(self, rng: random.Random) -> Outcome:
        argv = ["parse", *self._parser_args(rng), *(["--pretty"] if rng.random() < 0.2 else [])]
        return self._cli("parse", argv, _token_text(self.tokens.tokens(rng), rng), rng)

    def _stream(self, rng: random.Random) -> Outcome:
        return self._cli("stream", ["stream", *self._parser_args(rng)], _token_text(self.tokens.tokens(rng), rng), rng)

    def _encode(self, rng: random.Random) -> Outcome:
        text = "".join(rng.choice((*_TEXTS, "\n", "\nword", " ")) for _ in range(rng.randint(0, 20)))
        raw = rng.random() < 0.5
        argv = ["encode", *(["--raw"] if raw else []), *(["--allow-special"] if rng.random() < 0.5 else [])]
        data = text.encode("utf-8", "surrogatepass") if raw else _dumps(text, rng).encode("utf-8", "surrogatepass")
        return self._cli("encode", argv, _corrupt(data, rng), rng)

    def _render(self, rng: random.Random) -> Outcome:
        command = rng.choice(("render-msg", "render-convo", "render-completion", "render-training"))
        argv = [command, *(["--text"] if rng.random() < 0.2 else [])]
        if command == "render-msg":
            value = harmony_message(rng)
            argv += ["--function-tools"] if rng.random() < 0.3 else []
        else:
            value = harmony_record(rng)
            argv += ["--no-auto-drop"] if rng.random() < 0.3 else []
            if command == "render-completion":
                argv += ["--role", rng.choice(_ROLES[:5])]
        data = _dumps(value, rng).encode("utf-8", "surrogatepass")
        return self._cli("render", argv, _corrupt(data, rng), rng)

    def _lines(self, rng: random.Random, chat: bool) -> bytes:
        lines = []
        for _ in range(rng.randint(0, 12)):
            record = chat_record(rng) if chat else harmony_record(rng)
            line = _dumps(record, rng).encode("utf-8", "surrogatepass")
            lines.append(_corrupt(line, rng) if rng.random() < 0.15 else line)
            if rng.random() < 0.05:
                lines.append(rng.choice((b"", b"   ", b"\r", b'{"id": ' + b"7" * 5000 + b"}")))
        return b"\n".join(lines) + rng.choice((b"\n", b"", b"\r\n"))

    def _render_dataset(self, rng: random.Random) -> Outcome:
        chat = rng.random() < 0.5
        argv = ["render-dataset", "-", "-", "--workers", "1", "--quiet", "--batch-size", str(rng.choice((1, 3, 256)))]
        argv += ["--input-format", "chat" if chat else "harmony"]
        train = chat or rng.random() < 0.3
        if train:
            argv += ["--train-on", rng.choice(("assistant", "last_turn"))]
            if rng.random() < 0.2:
                argv += ["--output-format", "parquet"]
        else:
            argv += ["--mode", rng.choice(("training", "completion", "conversation"))]
        if rng.random() < 0.6:
            argv.append("--skip-errors")
        if rng.random() < 0.2:
            argv += ["--id-field", rng.choice(("", "messages", "nope"))]
        return self._cli("render-dataset", argv, self._lines(rng, chat), rng)

    def _partition(self, rng: random.Random) -> Outcome:
        chat = rng.random() < 0.5
        lines: list[Any] = self._lines(rng, chat).split(b"\n")
        if rng.random() < 0.3:  # records already parsed, as pandas / datasets hand them over
            lines = [chat_record(rng) if chat else harmony_record(rng) for _ in range(rng.randint(0, 8))]
        skip = rng.random() < 0.5
        try:
            if chat:
                training_partition(lines, self.enc, train_on=rng.choice(("assistant", "last_turn")), skip_errors=skip)
            else:
                render_partition(lines, self.enc, mode=rng.choice(("training", "completion")), skip_errors=skip)
        except RecordError as exc:
            if skip:
                return Outcome("partition", 1, str(exc), f"RecordError with skip_errors=True: {exc}")
            return Outcome("partition", 1, str(exc), None)
        except Exception as exc:
            return Outcome("partition", -1, "", "".join(traceback.format_exception(exc))[-1500:])
        return Outcome("partition", 0, "", None)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--replay", type=int, default=None, metavar="INDEX", help="run one case and print it")
    parser.add_argument("--show", type=int, default=5, help="internal errors to print in full")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    os.environ.pop("HARMONY_TYPED_DEBUG", None)  # the error boundary must do its job, not re-raise
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    enc = load_harmony_encoding("HarmonyGptOss")
    with tempfile.TemporaryDirectory() as tmp:
        fuzzer = Fuzzer(enc, args.seed, Path(tmp))
        if args.replay is not None:
            outcome = fuzzer.case(args.replay)
            print(outcome)
            return 0 if outcome.problem is None else 1
        start = time.perf_counter()
        codes: Counter[tuple[str, int]] = Counter()
        problems: list[tuple[int, str]] = []
        for index in range(args.cases):
            outcome = fuzzer.case(index)
            codes[outcome.kind, outcome.code] += 1
            if outcome.problem is not None:
                problems.append((index, outcome.problem))
        seconds = time.perf_counter() - start
    by_kind: dict[str, dict[int, int]] = {}
    for (kind, code), count in sorted(codes.items()):
        by_kind.setdefault(kind, {})[code] = count
    print(f"{args.cases:,} cases (seed {args.seed}) in {seconds:.1f} s ({args.cases / max(seconds, 1e-9):,.0f}/s)")
    for kind, counts in by_kind.items():
        print(f"  {kind:15} " + ", ".join(f"exit {code}: {count:,}" for code, count in counts.items()))
    print(f"internal errors: {len(problems)}")
    for index, problem in problems[: args.show]:
        print(f"--- case {index} (replay with --seed {args.seed} --replay {index})\n{problem}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
