"""Fuzz the parsers with malformed completions, then check that streaming cost is linear.

Run by ``nox -s fuzz`` (against the installed, compiled wheel), or directly::

    python benchmarks/fuzz.py                      # 1,000,000 cases + the linear-time check
    python benchmarks/fuzz.py --cases 20000 --seed 7
    python benchmarks/fuzz.py --replay 123456      # re-run one case, with its traceback
    python benchmarks/fuzz.py --recover            # the same cases through recover=True parsers

**Fuzzing.** Every case is a valid completion (rendered Harmony messages, with
or without the leading ``<|start|>{role}``) mutated by
:func:`harmony_typed.strategies.mutate` -- special tokens dropped, duplicated
or swapped, truncation, splices, random / reserved / out-of-vocabulary ids up to
``2**32 - 1``, partial UTF-8 -- or, for a few, random ids.  Each case goes
through the batch parser and through a :class:`StreamableParser` fed token by
token (which keeps going after an error: the parser must stay usable), with a
random role hint and ``strict`` on or off; one case in twenty also reads every
observable member after every token.  A case is *generated from (seed, index)
alone*, so any case can be replayed.

Checked: no exception other than ``HarmonyError`` subclasses (ids are all in
``[0, 2**32)``, so not even ``OverflowError``), the stream agrees with the batch
(same messages, or the same first error), no case slower than ``--slow`` seconds,
no hang: a watchdog in the parent process kills a worker that stays on one case
for ``--hang`` seconds and prints that case.  (A process watchdog, because a
compiled loop that never returns to the interpreter would starve a watchdog
thread or a signal handler in the same process.)

**Linear time and memory.** A 1M-token stream against a 100k-token stream
with members read after every token: the time ratio is ~10 when the cost is
linear.  Shapes: many short messages (``.messages`` and ``current_content``
read), a message frozen by an unknown id (SPEC §6.4), a header with a
1M-token recipient, one long message (``.messages`` and
``last_content_delta``) -- all must be linear -- and, for information, one long
message with ``current_content`` read after every token, which is O(length)
per read by nature (a new ``str`` each time).  Then the memory a parser holds
per emitted message and per token, beyond the messages themselves
(tracemalloc).

``--recover`` runs the same cases through recovering parsers
(``recover=True``): then *any* exception is a failure, and the stream must
give the batch's messages and recoveries.

Exit status 0 only if nothing unexpected was seen.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import multiprocessing
import os
import queue
import random
import sys
import time
import traceback
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import harmony_typed
from harmony_typed import (
    HarmonyEncoding,
    HarmonyError,
    Message,
    Role,
    StreamableParser,
    load_harmony_encoding,
)
from harmony_typed.strategies import mutate

START: Final = 200006
END: Final = 200007
RETURN: Final = 200002
MESSAGE: Final = 200008
MAX_TOKEN: Final = 2**32 - 1
CORPUS_SIZE: Final = 3000
PROBE_EVERY: Final = 20
"""One case in this many reads every parser member after every token."""

# -- the corpus: valid completions -------------------------------------------------------

_TEXTS: Final = (
    "Hi",
    "The weather in Tokyo is sunny, 22 °C.",
    "Let me think about this step by step.\n\n1. First",
    '{"location": "Tokyo", "unit": "celsius"}',
    "print('hello')\n",
    "\U0001f496\U0001f468\u200d\U0001f469 ok",
    "日本語のテキスト、絵文字🎉も。",
    "a<|end|>b<|start|>c<|channel|>d",  # markup as plain text
    "  spaced  \n\t",
    "",
    "x" * 300,
    "e\u0301\u0301 \ufffd \x00 \u2028",
)
_CHANNELS: Final = ("analysis", "commentary", "final")
_TOOLS: Final = ("functions.get_weather", "browser.search", "python", "functions.lookup_user")


def _random_message(rng: random.Random) -> Message:
    text = rng.choice(_TEXTS)
    if rng.random() < 0.3:
        text += " " + rng.choice(_TEXTS)
    kind = rng.random()
    if kind < 0.55:  # assistant turn on a channel
        message = Message.from_role_and_content(Role.ASSISTANT, text).with_channel(rng.choice(_CHANNELS))
    elif kind < 0.75:  # tool call
        message = (
            Message.from_role_and_content(Role.ASSISTANT, text)
            .with_channel("commentary")
            .with_recipient(rng.choice(_TOOLS))
        )
        if rng.random() < 0.7:
            message = message.with_content_type(rng.choice(["<|constrain|>json", "json", "code"]))
    elif kind < 0.85:  # tool result
        author = Message.from_role_and_content(Role.TOOL, text).author.new(Role.TOOL, rng.choice(_TOOLS))
        message = Message.from_author_and_content(author, text).with_recipient("assistant").with_channel("commentary")
    else:
        message = Message.from_role_and_content(rng.choice([Role.USER, Role.SYSTEM, Role.DEVELOPER]), text)
    return message


def build_corpus(enc: HarmonyEncoding, seed: int, size: int = CORPUS_SIZE) -> list[tuple[list[int], Role | None]]:
    """Valid completions ``(tokens, role_hint)``: 1-4 rendered messages, endings varied."""
    rng = random.Random(seed)
    corpus: list[tuple[list[int], Role | None]] = []
    for _ in range(size):
        messages = [_random_message(rng) for _ in range(rng.randint(1, 4))]
        tokens = [t for m in messages for t in enc.render(m)]
        role: Role | None = None
        first = messages[0].author.role
        if first is not Role.TOOL and rng.random() < 0.4:
            prefix = [START, *enc.encode_ordinary(first.value)]
            del tokens[: len(prefix)]
            role = first
        ending = rng.random()
        if ending < 0.3:
            tokens[-1] = RETURN
        elif ending < 0.45:
            tokens.pop()
        corpus.append((tokens, role))
    return corpus


# -- cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    index: int
    tokens: list[int]
    role: Role | None
    strict: bool
    probe: bool
    recover: bool = False

    def describe(self) -> str:
        return (
            f"case {self.index}: role={self.role!r} strict={self.strict} recover={self.recover} probe={self.probe} "
            f"({len(self.tokens)} tokens)\n  tokens={self.tokens!r}"
        )


_ROLE_CHOICES: Final = (None, None, None, Role.ASSISTANT, Role.ASSISTANT, Role.USER, Role.TOOL)


def make_case(corpus: Sequence[tuple[list[int], Role | None]], seed: int, index: int, recover: bool = False) -> Case:
    """Case ``index`` of the run with ``seed``: a function of both alone."""
    rng = random.Random(seed * 1_000_003 + index)
    base, hint = corpus[rng.randrange(len(corpus))]
    if rng.random() < 0.05:  # random ids, no structure at all
        tokens = [_random_id(rng) for _ in range(rng.randint(0, 40))]
    else:
        donor = corpus[rng.randrange(len(corpus))][0]
        tokens = mutate(base, rng, donor=donor, max_mutations=rng.choice((1, 2, 4, 8)))
    role = hint if rng.random() < 0.6 else rng.choice(_ROLE_CHOICES)
    return Case(index, tokens, role, rng.random() < 0.5, index % PROBE_EVERY == 0, recover)


def _random_id(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.5:
        return rng.randrange(199_998)
    if r < 0.8:
        return rng.randrange(199_998, 201_089)
    return rng.randrange(201_089, MAX_TOKEN + 1)


# -- running one case ----------------------------------------------------------------------

Outcome = tuple[object, ...]


def _outcome(exc: HarmonyError) -> Outcome:
    return ("error", type(exc).__name__, str(exc), getattr(exc, "token_index", None), getattr(exc, "token", None))


def _probe(parser: StreamableParser) -> None:
    """Read every observable member (each must work in every state)."""
    parser.state_data  # noqa: B018
    parser.current_role  # noqa: B018
    parser.current_channel  # noqa: B018
    parser.current_recipient  # noqa: B018
    parser.current_content_type  # noqa: B018
    parser.current_content  # noqa: B018
    parser.last_content_delta  # noqa: B018
    parser.messages  # noqa: B018
    parser.tokens  # noqa: B018
    parser.state  # noqa: B018


def run_case(enc: HarmonyEncoding, case: Case, counts: Counter[str]) -> str | None:
    """Run one case; count outcomes; return a description of a stream/batch mismatch, if any.

    Exceptions other than ``HarmonyError`` propagate: they are what we look for
    (with ``recover``, every exception: a recovering parser raises none).
    """
    if case.recover:
        return _run_recovering(enc, case, counts)
    tokens, role, strict = case.tokens, case.role, case.strict
    try:
        batch: Outcome = ("ok", enc.parse_messages_from_completion_tokens(tokens, role, strict=strict))
        counts["batch: ok"] += 1
    except HarmonyError as exc:
        batch = _outcome(exc)
        counts[f"batch: {type(exc).__name__}"] += 1

    parser = StreamableParser(enc, role, strict=strict)
    first_error: Outcome | None = None
    steps: list[int | None] = [*tokens, None]  # None: end of stream
    for token in steps:
        try:
            if token is None:
                parser.process_eos()
            else:
                parser.process(token)
        except HarmonyError as exc:  # keep feeding: the parser must stay usable
            if first_error is None:
                first_error = _outcome(exc)
                counts[f"stream: {type(exc).__name__}"] += 1
            else:
                counts[f"stream, after the first error: {type(exc).__name__}"] += 1
        if case.probe:
            _probe(parser)
    stream: Outcome = first_error if first_error is not None else ("ok", parser.messages)
    if first_error is None:
        counts["stream: ok"] += 1
    if stream != batch:
        return f"stream {stream!r:.300} != batch {batch!r:.300}"
    return None


def _run_recovering(enc: HarmonyEncoding, case: Case, counts: Counter[str]) -> str | None:
    batch = enc.parse_messages_with_recoveries(case.tokens, case.role)
    parser = StreamableParser(enc, case.role, recover=True)
    for token in case.tokens:
        parser.process(token)
        if case.probe:
            _probe(parser)
    parser.process_eos()
    counts["recover: repaired" if batch.recoveries else "recover: well-formed"] += 1
    counts["recoveries"] += len(batch.recoveries)
    stream = (list(parser.messages), parser.recoveries)
    if stream != (batch.messages, batch.recoveries):
        return f"stream {stream!r:.300} != batch {tuple(batch)!r:.300}"
    return None


# -- workers -------------------------------------------------------------------------------


@dataclass
class WorkerReport:
    cases: int = 0
    tokens: int = 0
    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, list[str]] = field(default_factory=dict)
    crash_counts: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    mismatch_count: int = 0
    slow: list[tuple[float, int, int]] = field(default_factory=list)
    slowest: tuple[float, int, int] = (0.0, -1, 0)


def fuzz_range(
    enc: HarmonyEncoding,
    corpus: Sequence[tuple[list[int], Role | None]],
    seed: int,
    start: int,
    stop: int,
    slow_seconds: float,
    progress: Callable[[int], None],
    recover: bool = False,
) -> WorkerReport:
    report = WorkerReport()
    clock = time.perf_counter
    began = clock()
    for index in range(start, stop):
        progress(index)
        case = make_case(corpus, seed, index, recover)
        t0 = clock()
        try:
            mismatch = run_case(enc, case, report.counts)
        except Exception as exc:
            name = type(exc).__name__
            report.crash_counts[name] += 1
            examples = report.crashes.setdefault(name, [])
            if len(examples) < 3:
                examples.append(f"{case.describe()}\n{traceback.format_exc()}")
            mismatch = None
        elapsed = clock() - t0
        if mismatch is not None:
            report.mismatch_count += 1
            if len(report.mismatches) < 5:
                report.mismatches.append(f"{case.describe()}\n  {mismatch}")
        if elapsed > report.slowest[0]:
            report.slowest = (elapsed, index, len(case.tokens))
        if elapsed > slow_seconds and len(report.slow) < 20:
            report.slow.append((elapsed, index, len(case.tokens)))
        report.cases += 1
        report.tokens += len(case.tokens)
    report.seconds = clock() - began
    return report


def _worker_main(
    seed: int,
    start: int,
    stop: int,
    slow_seconds: float,
    current: Any,
    results: Any,
    slot: int,
    recover: bool,
) -> None:
    enc = load_harmony_encoding("HarmonyGptOss")
    corpus = build_corpus(enc, seed)

    def progress(index: int) -> None:
        current.value = index  # one shared-memory store per case: the watchdog reads it

    report = fuzz_range(enc, corpus, seed, start, stop, slow_seconds, progress, recover)
    results.put((slot, report))


def fuzz(args: argparse.Namespace, enc: HarmonyEncoding) -> tuple[WorkerReport, float, list[str]]:
    """Run ``args.cases`` cases on ``args.jobs`` worker processes under a watchdog."""
    # fork: workers inherit the loaded encoding; spawn where there is no fork.
    ctx: Any = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    jobs = max(1, args.jobs)
    bounds = [args.cases * k // jobs for k in range(jobs + 1)]
    results = ctx.Queue()
    currents = [ctx.Value("q", -1, lock=False) for _ in range(jobs)]
    workers = [
        ctx.Process(
            target=_worker_main,
            args=(args.seed, bounds[k], bounds[k + 1], args.slow, currents[k], results, k, args.recover),
            daemon=True,
        )
        for k in range(jobs)
    ]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    reports: dict[int, WorkerReport] = {}
    hangs: list[str] = []
    pending = set(range(jobs))
    last_seen = [(-2, time.monotonic()) for _ in range(jobs)]
    next_print = time.monotonic() + 15
    corpus: list[tuple[list[int], Role | None]] | None = None
    while pending:
        try:
            slot, report = results.get(timeout=0.5)
            reports[slot] = report
            pending.discard(slot)
            continue
        except queue.Empty:
            pass
        now = time.monotonic()
        for k in sorted(pending):
            worker, index = workers[k], currents[k].value
            if not worker.is_alive():
                if worker.exitcode != 0:  # a crash of the interpreter itself (segfault, abort...)
                    hangs.append(f"DIED: worker {k} exited with code {worker.exitcode} during case {index}")
                    pending.discard(k)
                continue  # exited cleanly: its report is on the way
            if index != last_seen[k][0]:
                last_seen[k] = (index, now)
            elif now - last_seen[k][1] > args.hang:
                worker.kill()
                if corpus is None:
                    corpus = build_corpus(enc, args.seed)
                case = make_case(corpus, args.seed, index, args.recover)
                hangs.append(f"HANG: worker {k} spent > {args.hang:g} s on {case.describe()}")
                print(hangs[-1], file=sys.stderr, flush=True)
                pending.discard(k)
        if now >= next_print:
            done = sum(max(0, currents[k].value - bounds[k]) for k in range(jobs))
            rate = done / (time.perf_counter() - began)
            print(f"  ... {done:,} / {args.cases:,} cases ({rate:,.0f}/s)", file=sys.stderr, flush=True)
            next_print = now + 30
    for worker in workers:
        worker.join(timeout=5)
    wall = time.perf_counter() - began
    total = WorkerReport()
    for report in reports.values():
        total.cases += report.cases
        total.tokens += report.tokens
        total.counts.update(report.counts)
        total.crash_counts.update(report.crash_counts)
        for name, examples in report.crashes.items():
            total.crashes.setdefault(name, []).extend(examples)
        total.mismatch_count += report.mismatch_count
        total.mismatches.extend(report.mismatches)
        total.slow.extend(report.slow)
        total.slowest = max(total.slowest, report.slowest)
    return total, wall, hangs


# -- linear time and memory ----------------------------------------------------------------


def _many_messages(enc: HarmonyEncoding, n_tokens: int) -> list[int]:
    rng = random.Random(0)
    unit: list[int] = []
    while len(unit) < 2000:
        unit.extend(enc.render(_random_message(rng)))
    stream = unit * (n_tokens // len(unit) + 1)
    # Cut at a message boundary at or before n_tokens (the stream parses cleanly).
    cut = n_tokens
    while stream[cut] != START:
        cut -= 1
    return stream[:cut]


def _one_long_message(enc: HarmonyEncoding, n_tokens: int) -> list[int]:
    header = [START, *enc.encode_ordinary("assistant"), 200005, *enc.encode_ordinary("final"), MESSAGE]
    words = enc.encode_ordinary(" ".join(["lorem ipsum dolor sit amet 日本語 🎉"] * 200))
    body = (words * (n_tokens // len(words) + 1))[: n_tokens - len(header) - 1]
    return header + body + [END]


def _frozen_message(enc: HarmonyEncoding, n_tokens: int) -> list[int]:
    """An unknown id early in the content: every later token is undecodable (SPEC §6.4, T5)."""
    header = [START, *enc.encode_ordinary("assistant"), MESSAGE, 32, MAX_TOKEN]
    return header + [33] * (n_tokens - len(header) - 1) + [END]


def _long_header(enc: HarmonyEncoding, n_tokens: int) -> list[int]:
    """A header that never seems to end: ``to=xxxx...`` (one long recipient), then a short message."""
    head = [START, *enc.encode_ordinary("assistant to=")]
    return head + [87] * (n_tokens - len(head) - 3) + [MESSAGE, 87, END]


def _read_messages_and_content(parser: StreamableParser) -> None:
    parser.messages  # noqa: B018
    parser.current_content  # noqa: B018


def _read_messages_and_delta(parser: StreamableParser) -> None:
    parser.messages  # noqa: B018
    parser.last_content_delta  # noqa: B018


@dataclass(frozen=True)
class Shape:
    name: str
    build: Callable[[HarmonyEncoding, int], list[int]]
    read: Callable[[StreamableParser], None]
    reads: str
    must_be_linear: bool = True


SHAPES: Final = (
    Shape("many messages", _many_messages, _read_messages_and_content, ".messages, current_content"),
    Shape("unknown id in content", _frozen_message, _read_messages_and_content, ".messages, current_content"),
    Shape("long header", _long_header, _read_messages_and_content, ".messages, current_content"),
    Shape("one long message", _one_long_message, _read_messages_and_delta, ".messages, last_content_delta"),
    # Informational: each current_content read returns a new str of the whole message so far, so
    # reading it after every token of ONE long message is O(length) per read by nature (openai_harmony
    # re-decodes the whole message per read, which is worse).  Streaming clients read last_content_delta.
    Shape(
        "one long message",
        _one_long_message,
        _read_messages_and_content,
        ".messages, current_content",
        must_be_linear=False,
    ),
)


def stream_reading(enc: HarmonyEncoding, tokens: Sequence[int], read: Callable[[StreamableParser], None]) -> float:
    """Seconds to stream ``tokens`` with ``read(parser)`` after every token."""
    parser = StreamableParser(enc, None)
    clock = time.perf_counter
    t0 = clock()
    for token in tokens:
        parser.process(token)
        read(parser)
    parser.process_eos()
    elapsed = clock() - t0
    assert parser.messages, "the stream must parse"
    return elapsed


@dataclass
class LinearResult:
    shape: Shape
    times: dict[int, float]
    note: str = ""
    large: int = 1_000_000

    @property
    def ratio(self) -> float | None:
        small, large = self.times.get(100_000), self.times.get(self.large)
        return None if small is None or large is None or self.large == 100_000 else large / small


def linear_time(enc: HarmonyEncoding, large: int, budget: float) -> list[LinearResult]:
    """Times at 10k, 100k and ``large`` tokens; the large run is skipped if it would exceed ``budget``."""
    out: list[LinearResult] = []
    for shape in SHAPES:
        result = LinearResult(shape, {}, large=large)
        for n in (10_000, 100_000, large):
            if n in result.times:
                continue
            if n == large and 100_000 in result.times:
                growth = result.times[100_000] / max(result.times[10_000], 1e-9)
                exponent = max(1.0, min(2.5, math.log10(max(growth, 1.0))))
                projected = result.times[100_000] * (large / 100_000) ** exponent
                if projected > budget or not shape.must_be_linear:
                    result.note = (
                        f"{large:,}-token run skipped: projected {projected:,.0f} s "
                        f"(10k->100k grew x{growth:.1f}, i.e. O(n^{exponent:.2f}))"
                    )
                    break
            tokens = shape.build(enc, n)
            gc.collect()
            # Best of 3 (each run is ~1 s at most): on a busy machine one hiccup would skew the ratio.
            repeats = 3 if shape.must_be_linear else 1
            result.times[n] = min(stream_reading(enc, tokens, shape.read) for _ in range(repeats))
        out.append(result)
    return out


@dataclass
class MemoryResult:
    messages: int
    tokens: int
    stream_bytes: int
    messages_bytes: int

    @property
    def per_message(self) -> float:
        return self.stream_bytes / self.messages

    @property
    def beyond_messages_per_token(self) -> float:
        return (self.stream_bytes - self.messages_bytes) / self.tokens


def memory_growth(enc: HarmonyEncoding, n_tokens: int) -> MemoryResult:
    """Marginal memory of a streaming parser per message and per token, vs. the messages alone.

    Measured over the *second half* of a ``2 * n_tokens`` stream (tracemalloc), so one-time
    costs (the per-encoding table of decoded token texts, first-use caches) are excluded.
    """
    tokens = _many_messages(enc, 2 * n_tokens)
    half = n_tokens
    while tokens[half] != START:
        half -= 1
    gc.collect()
    tracemalloc.start()
    parser = StreamableParser(enc, None)
    for token in tokens[:half]:
        parser.process(token)
        parser.messages  # noqa: B018
    gc.collect()
    before, count_before = tracemalloc.get_traced_memory()[0], len(parser.messages)
    for token in tokens[half:]:
        parser.process(token)
        parser.messages  # noqa: B018
    parser.process_eos()
    gc.collect()
    stream_bytes = tracemalloc.get_traced_memory()[0] - before
    count = len(parser.messages) - count_before
    del parser
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    # The same messages, held on their own (parsed message by message: no parser stays alive).
    held: list[Message] = []
    start = half
    while start < len(tokens):
        stop = start + 1
        while stop < len(tokens) and tokens[stop] != START:
            stop += 1
        held.extend(enc.parse_messages_from_completion_tokens(tokens[start:stop]))
        start = stop
    gc.collect()
    messages_bytes = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert len(held) == count
    return MemoryResult(count, len(tokens) - half, stream_bytes, messages_bytes)


def _max_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # pragma: no cover
        return float("nan")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- main ------------------------------------------------------------------------------------


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=1_000_000, help="malformed sequences to run (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=0, help="run seed (a case is a function of seed and index)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--slow", type=float, default=1.0, help="flag any case slower than this (seconds)")
    parser.add_argument("--hang", type=float, default=20.0, help="abort a case stuck this long (seconds)")
    parser.add_argument("--linear-tokens", type=int, default=1_000_000, help="size of the large linear-time run")
    parser.add_argument("--linear-budget", type=float, default=300.0, help="skip a large run projected to exceed this")
    parser.add_argument("--memory-tokens", type=int, default=300_000, help="stream size of the memory check")
    parser.add_argument("--skip-linear", action="store_true", help="fuzz only")
    parser.add_argument(
        "--recover", action="store_true", help="parse with recover=True: any exception at all is a failure"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the summary as JSON")
    parser.add_argument("--replay", type=int, metavar="INDEX", help="run case INDEX in-process and show it")
    return parser.parse_args(argv)


def _replay(enc: HarmonyEncoding, args: argparse.Namespace) -> int:
    case = make_case(build_corpus(enc, args.seed), args.seed, args.replay, args.recover)
    print(case.describe())
    counts: Counter[str] = Counter()
    mismatch = run_case(enc, case, counts)
    print(dict(counts))
    print(mismatch or "stream == batch")
    return 1 if mismatch else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    enc = load_harmony_encoding("HarmonyGptOss")
    if args.replay is not None:
        return _replay(enc, args)
    build = "compiled (mypyc)" if harmony_typed.COMPILED else "pure Python"
    print(f"harmony_typed {harmony_typed.__version__} ({build}) from {os.path.dirname(harmony_typed.__file__)}")
    print(f"fuzzing {args.cases:,} cases, seed {args.seed}, {args.jobs} worker(s)", flush=True)
    report, wall, hangs = fuzz(args, enc)
    summary: dict[str, Any] = {
        "build": build,
        "cases": report.cases,
        "seed": args.seed,
        "outcomes": dict(sorted(report.counts.items())),
        "unexpected_exceptions": dict(report.crash_counts),
        "stream_batch_mismatches": report.mismatch_count,
        "hangs": len(hangs),
        "slow_cases": len(report.slow),
        "slowest_case": {"seconds": report.slowest[0], "index": report.slowest[1], "tokens": report.slowest[2]},
        "wall_seconds": wall,
        "cases_per_second": report.cases / wall if wall else 0.0,
        "tokens_per_second": report.tokens / wall if wall else 0.0,
    }
    lines = [
        "",
        "== fuzz summary ==",
        f"build:               {build}",
        f"cases:               {report.cases:,} (seed {args.seed}; {report.tokens:,} tokens, "
        f"{report.tokens / max(report.cases, 1):.1f} per case)",
        "outcomes per case (ok, or the class of the first error; the stream is fed to the end regardless):",
        *[f"  {name:<46} {count:>10,}" for name, count in sorted(report.counts.items())],
        f"unexpected exceptions: {sum(report.crash_counts.values())} "
        + (str(dict(report.crash_counts)) if report.crash_counts else "(none)"),
        f"stream/batch mismatches: {report.mismatch_count}",
        f"hangs (> {args.hang:g} s):     {len(hangs)}",
        f"slow cases (> {args.slow:g} s): {len(report.slow)}",
        f"slowest case:        {report.slowest[0] * 1000:.2f} ms (case {report.slowest[1]}, "
        f"{report.slowest[2]} tokens; replay with --seed {args.seed} --replay {report.slowest[1]})",
        f"throughput:          {report.cases / wall:,.0f} cases/s, {report.tokens / wall:,.0f} tokens/s "
        f"({wall:,.1f} s wall, {args.jobs} worker(s); each case = batch parse + token-by-token stream)",
    ]
    print("\n".join(lines), flush=True)
    for name, examples in report.crashes.items():
        print(f"\n-- {name} ({report.crash_counts[name]} cases), first examples:")
        for example in examples[:3]:
            print(example)
    for mismatch in report.mismatches:
        print(f"\n-- stream/batch mismatch:\n{mismatch}")
    for elapsed, index, size in report.slow:
        print(f"\n-- slow case {index}: {elapsed:.2f} s, {size} tokens (--replay {index})")
    for hang in hangs:
        print(f"\n-- {hang}")

    nonlinear = 0
    if not args.skip_linear:
        print("\n== linear time: streaming with [members] read after every token ==", flush=True)
        linear = linear_time(enc, args.linear_tokens, args.linear_budget)
        summary["linear_time"] = []
        expected = args.linear_tokens / 100_000
        for result in linear:
            shape = result.shape
            times = ", ".join(f"{n:,}: {t:.2f} s" for n, t in sorted(result.times.items()))
            ratio = result.ratio
            label = f"{shape.name} [{shape.reads}]"
            print(f"{label}\n    {times}")
            if ratio is not None:
                # Linear gives ~expected (10), quadratic ~expected**2 (100): 3x expected separates
                # them with room for a busy machine, where the 100k run (~0.02 s) is mostly noise.
                linear_ok = ratio < 3 * expected
                print(
                    f"    ratio {args.linear_tokens:,}/100,000 = {ratio:.1f} "
                    f"({'linear' if linear_ok else 'NOT linear'}; linear is ~{expected:g})"
                )
                nonlinear += shape.must_be_linear and not linear_ok
            if result.note:
                print(f"    {result.note}")
                nonlinear += shape.must_be_linear  # skipped because it would take too long
            if not shape.must_be_linear:
                print("    (informational: every current_content read copies the whole message text)")
            summary["linear_time"].append(
                {
                    "shape": shape.name,
                    "reads": shape.reads,
                    "must_be_linear": shape.must_be_linear,
                    "seconds": {str(n): t for n, t in result.times.items()},
                    "ratio_large_100k": ratio,
                    "note": result.note,
                }
            )
        memory = memory_growth(enc, args.memory_tokens)
        print(
            f"\n== memory (tracemalloc: growth over {memory.tokens:,} more tokens, {memory.messages:,} more messages, "
            f"of a parser that has already emitted as many) ==\n"
            f"parser holding its messages: {memory.stream_bytes / 1e6:.2f} MB = "
            f"{memory.per_message:,.0f} B per message\n"
            f"the same messages alone:     {memory.messages_bytes / 1e6:.2f} MB = "
            f"{memory.messages_bytes / memory.messages:,.0f} B per message\n"
            f"beyond the messages:         {memory.beyond_messages_per_token:.1f} B per token "
            f"(the parser's .tokens list: an 8-byte reference per token, plus a 28-byte int object\n"
            f"                             per token when compiled code boxes each id anew)\n"
            f"peak RSS of this process:    {_max_rss_mb():,.0f} MB"
        )
        summary["memory"] = {
            "tokens": memory.tokens,
            "messages": memory.messages,
            "stream_bytes_per_message": memory.per_message,
            "messages_bytes_per_message": memory.messages_bytes / memory.messages,
            "beyond_messages_bytes_per_token": memory.beyond_messages_per_token,
            "peak_rss_mb": _max_rss_mb(),
        }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(summary, out, indent=1)
    failed = bool(report.crash_counts or report.mismatch_count or hangs or report.slow or nonlinear)
    print(f"\nresult: {'FAILED' if failed else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
