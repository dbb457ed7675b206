"""What each contender does in a timed call: one module per contender kind, one task per measurement.

A *task* is a named measurement: ``run(loops)`` performs ``loops`` calls and
returns the seconds spent in the timed part only (per-call set-up such as
building fresh parsers happens outside the clock), ``units`` is the number
of work units in one call (tokens, conversation copies, ...), and ``output``
returns what the call produced, for the equality check made before timing.

The garbage collector is disabled inside every timed loop and a full
collection runs before it (see :func:`timed`); the orchestrator reports that.

Contenders:

``compiled`` / ``pure``
    harmony_typed (the same package name; the orchestrator gives each its own
    interpreter, with the pure build first on ``PYTHONPATH``).
``openai_harmony``
    the reference, 0.0.8.
``compat``
    ``harmony_typed.compat`` (openai_harmony's API over the compiled build), on the
    render and parse workloads only.
``floor`` / ``floor_cached``
    the tiktoken floor (:mod:`floor`).

The harmony_typed and openai_harmony tasks are the same code: the public API
of the two packages is the same for everything measured here.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import workloads as wl

HARMONY_CONTENDERS = ("compiled", "pure", "openai_harmony", "compat")
FLOOR_CONTENDERS = ("floor", "floor_cached")
ALL_CONTENDERS = (*HARMONY_CONTENDERS, *FLOOR_CONTENDERS)


Timing = tuple[float, float]
"""``(wall seconds, CPU seconds of the process)`` of the timed part."""


@dataclass
class Task:
    name: str
    run: Callable[[int], Timing]
    output: Callable[[], object]
    units: int = 1


def timed(call: Callable[[], object], loops: int) -> Timing:
    """Time ``loops`` calls of ``call``, with the GC collected before and disabled during."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        cpu0 = time.process_time_ns()
        start = time.perf_counter_ns()
        for _ in range(loops):
            call()
        stop = time.perf_counter_ns()
        cpu1 = time.process_time_ns()
    finally:
        if enabled:
            gc.enable()
    return (stop - start) / 1e9, (cpu1 - cpu0) / 1e9


class _Clock:
    """Accumulates timed sections of a loop whose set-up must stay off the clock (GC off inside)."""

    def __init__(self) -> None:
        self.wall_ns = 0
        self.cpu_ns = 0
        self._start = 0
        self._cpu = 0
        self._enabled = False

    def __enter__(self) -> _Clock:
        gc.collect()
        self._enabled = gc.isenabled()
        gc.disable()
        self._cpu = time.process_time_ns()
        self._start = time.perf_counter_ns()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall_ns += time.perf_counter_ns() - self._start
        self.cpu_ns += time.process_time_ns() - self._cpu
        if self._enabled:
            gc.enable()

    def result(self) -> Timing:
        return self.wall_ns / 1e9, self.cpu_ns / 1e9


def _json(value: object) -> object:
    """Plain JSON data (openai_harmony's ``to_dict()`` holds ``Role`` members)."""
    return json.loads(json.dumps(value))


# -- harmony_typed and openai_harmony -------------------------------------------------------------


def _conversation(mod: ModuleType, raw: wl.JSONDict) -> Any:
    """``Conversation`` from its ``to_dict()`` shape; openai_harmony has no ``Conversation.from_dict``."""
    return mod.Conversation.from_messages([mod.Message.from_dict(m) for m in raw["messages"]])


class HarmonyContender:
    """Tasks for a package with openai_harmony's API (harmony_typed or openai_harmony itself)."""

    def __init__(self, name: str, scales: tuple[int, ...]) -> None:
        self.name = name
        self.scales = scales
        module_name = {"openai_harmony": "openai_harmony", "compat": "harmony_typed.compat"}.get(name, "harmony_typed")
        if module_name == "openai_harmony":
            # It would try to download the vocabulary otherwise.
            os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(wl.vocabulary_dir())
        t0 = time.perf_counter()
        self.mod: ModuleType = importlib.import_module(module_name)
        t1 = time.perf_counter()
        self.enc: Any = self.mod.load_harmony_encoding(self.mod.HarmonyEncodingName.HARMONY_GPT_OSS)
        t2 = time.perf_counter()
        self.import_s = t1 - t0
        self.load_s = t2 - t1
        self.raw = wl.load_raw()["workloads"]

    def info(self) -> dict[str, object]:
        mod = self.mod
        version = getattr(mod, "__version__", None)
        if version is None:
            from importlib.metadata import version as dist_version

            version = dist_version("openai-harmony")
        compiled = getattr(mod, "COMPILED", None)
        if self.name == "compat":
            import harmony_typed

            version, compiled = harmony_typed.__version__, harmony_typed.COMPILED
        return {
            "module": mod.__name__,
            "file": mod.__file__,
            "version": version,
            "compiled": compiled,
            "import_s": self.import_s,
            "load_s": self.load_s,
        }

    # -- task builders -------------------------------------------------------------------------

    def _render(self, name: str, spec: wl.RenderSpec, mode: str = "steady") -> Task:
        mod, enc = self.mod, self.enc
        conversation = _conversation(mod, spec.conversation)
        role = mod.Role(spec.next_role)
        config = mod.RenderConversationConfig(auto_drop_analysis=spec.auto_drop_analysis)
        render = enc.render_conversation_for_completion
        raw_conversation = spec.conversation

        if mode == "steady":

            def call() -> object:
                return render(conversation, role, config)

        elif mode == "from_dict":

            def call() -> object:
                return render(_conversation(mod, raw_conversation), role, config)

        else:  # "cold_cache": harmony_typed's renderer caches pieces; forget them before every call
            clear = enc._renderer.clear_caches

            def call() -> object:
                clear()
                return render(conversation, role, config)

        return Task(name, lambda loops: timed(call, loops), call)

    def _agent_loop(self) -> Task:
        """``AGENT_ROUNDS`` requests, each the conversation so far as dicts, built and rendered for completion."""
        mod, enc = self.mod, self.enc
        requests = wl.agent_requests()
        role = mod.Role.ASSISTANT
        config = mod.RenderConversationConfig(auto_drop_analysis=True)
        render = enc.render_conversation_for_completion

        def call() -> object:
            return [render(_conversation(mod, request), role, config) for request in requests]

        return Task(wl.AGENT_TASK, lambda loops: timed(call, loops), call, units=len(requests))

    def _parse(self, name: str, tokens: list[int], stream: bool) -> Task:
        mod, enc = self.mod, self.enc
        if stream:
            parser_class = mod.StreamableParser

            def run_stream() -> Any:
                parser = parser_class(enc, None)
                process = parser.process
                for token in tokens:
                    process(token)
                parser.process_eos()
                return parser

            def output() -> object:
                return _json([m.to_dict() for m in run_stream().messages])

            return Task(name, lambda loops: timed(run_stream, loops), output)

        parse = enc.parse_messages_from_completion_tokens

        def call() -> object:
            return parse(tokens, None)

        def output_batch() -> object:
            return _json([m.to_dict() for m in parse(tokens, None)])

        return Task(name, lambda loops: timed(call, loops), output_batch)

    def _content_tokens(self) -> Task:
        """ns per content token: ``CONTENT_PARSERS`` parsers, each past its header, fed a message body."""
        mod, enc = self.mod, self.enc
        header, content = wl.content_stream(self.raw)

        def run(loops: int) -> Timing:
            clock = _Clock()
            for _ in range(loops):
                parsers = []
                for _ in range(wl.CONTENT_PARSERS):
                    parser = mod.StreamableParser(enc, None)
                    for token in header:
                        parser.process(token)
                    parsers.append(parser)
                with clock:
                    for parser in parsers:
                        process = parser.process
                        for token in content:
                            process(token)
            return clock.result()

        def output() -> object:
            parser = mod.StreamableParser(enc, None)
            for token in header + content:
                parser.process(token)
            return parser.current_content

        return Task("stream_content_token", run, output, units=wl.CONTENT_PARSERS * len(content))

    def _header_tokens(self) -> Task:
        """ns per header token: ``HEADER_PARSERS`` fresh parsers each fed the tool-call header."""
        mod, enc = self.mod, self.enc
        header = wl.header_tokens(self.raw)

        def run(loops: int) -> Timing:
            clock = _Clock()
            for _ in range(loops):
                parsers = [mod.StreamableParser(enc, None) for _ in range(wl.HEADER_PARSERS)]
                with clock:
                    for parser in parsers:
                        process = parser.process
                        for token in header:
                            process(token)
            return clock.result()

        def output() -> object:
            parser = mod.StreamableParser(enc, None)
            for token in header:
                parser.process(token)
            role = parser.current_role
            return [
                role.value if role is not None else None,
                parser.current_channel,
                parser.current_recipient,
                parser.current_content_type,
            ]

        return Task("stream_header_token", run, output, units=wl.HEADER_PARSERS * len(header))

    def _construction(self) -> Task:
        parser_class, enc = self.mod.StreamableParser, self.enc

        def run(loops: int) -> Timing:
            # The constructor itself in the loop (no wrapper call): its cost is a few µs at most.
            gc.collect()
            enabled = gc.isenabled()
            gc.disable()
            try:
                cpu0 = time.process_time_ns()
                start = time.perf_counter_ns()
                for _ in range(loops):
                    parser_class(enc, None)
                stop = time.perf_counter_ns()
                cpu1 = time.process_time_ns()
            finally:
                if enabled:
                    gc.enable()
            return (stop - start) / 1e9, (cpu1 - cpu0) / 1e9

        return Task("parser_construction", run, lambda: parser_class(enc, None).state.value)

    def _messages_every_token(self, read_messages: bool) -> Task:
        mod, enc = self.mod, self.enc
        tokens = wl.messages_stream_tokens(self.raw)

        def call() -> Any:
            parser = mod.StreamableParser(enc, None)
            process = parser.process
            if read_messages:
                for token in tokens:
                    process(token)
                    parser.messages  # noqa: B018 - reading the property is the measured work
            else:
                for token in tokens:
                    process(token)
            return parser

        def output() -> object:
            return _json([m.to_dict() for m in call().messages])

        name = "messages_every_token" if read_messages else "stream_10k_tokens"
        return Task(name, lambda loops: timed(call, loops), output, units=len(tokens))

    def tasks(self) -> list[Task]:
        raw = self.raw
        out: list[Task] = []
        for name in wl.MAIN_WORKLOADS:
            if name.startswith("render_"):
                out.append(self._render(name, wl.render_spec(raw, name)))
            else:
                parse = wl.parse_spec(raw, name)
                out.append(self._parse(name, parse.tokens, parse.stream))
        for name in wl.MAIN_WORKLOADS[:3]:
            out.append(self._render(name + "@from_dict", wl.render_spec(raw, name), "from_dict"))
            if self.name != "openai_harmony" and hasattr(self.enc, "_renderer"):
                out.append(self._render(name + "@cold_cache", wl.render_spec(raw, name), "cold_cache"))
        out.append(self._agent_loop())
        if self.name == "compat":
            return out  # the render and parse workloads only
        out.append(self._content_tokens())
        out.append(self._header_tokens())
        out.append(self._construction())
        out.append(self._messages_every_token(True))
        out.append(self._messages_every_token(False))
        for k in self.scales:
            scaled = wl.RenderSpec(wl.scaled_conversation(raw, k), "assistant", False)
            task = self._render(f"scale_render_x{k}", scaled)
            task.units = k
            out.append(task)
            tokens = wl.scaled_tokens(raw, k)
            task = self._parse(f"scale_parse_x{k}", tokens, stream=False)
            task.units = k
            out.append(task)
            task = self._parse(f"scale_stream_x{k}", tokens, stream=True)
            task.units = k
            out.append(task)
        return out


# -- the tiktoken floor ------------------------------------------------------------------------


class FloorContender:
    """The tiktoken floor (see :mod:`floor`): BPE of the pieces + special ids; decoding for parses."""

    def __init__(self, name: str, scales: tuple[int, ...]) -> None:
        import floor
        import tiktoken

        self.name = name
        self.cached = name == "floor_cached"
        self.scales = scales
        self.raw = wl.load_raw()["workloads"]
        vocab = wl.vocabulary_dir()
        t0 = time.perf_counter()
        self.enc = floor.load_encoding(vocab)
        self.load_s = time.perf_counter() - t0
        self.tiktoken_version = tiktoken.__version__ if hasattr(tiktoken, "__version__") else None
        self._floor = floor
        # Only to derive the system/developer text pieces (SPEC §3) once, before timing.
        os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(vocab)
        self._oracle: Any = importlib.import_module("openai_harmony")
        self._oracle_enc: Any = self._oracle.load_harmony_encoding(self._oracle.HarmonyEncodingName.HARMONY_GPT_OSS)

    def info(self) -> dict[str, object]:
        from importlib.metadata import version

        return {
            "module": "tiktoken",
            "version": version("tiktoken"),
            "compiled": None,
            "cached_constants": self.cached,
            "load_s": self.load_s,
        }

    def _content_text(self, message: wl.JSONDict, item: wl.JSONDict, has_fn: bool) -> str:
        """Text of a system/developer content item, as openai_harmony renders it."""
        oracle = self._oracle
        single = {"role": message["role"], "name": message.get("name"), "content": [item]}
        tokens = self._oracle_enc.render(
            oracle.Message.from_dict(single),
            render_options=oracle.RenderOptions(conversation_has_function_tools=has_fn),
        )
        body = tokens[tokens.index(wl.MESSAGE) + 1 : -1]
        text: str = self._oracle_enc.decode_utf8(body)
        return text

    def _render(self, name: str, spec: wl.RenderSpec) -> Task:
        floor = self._floor
        plan = floor.completion_plan(spec.conversation, spec.next_role, spec.auto_drop_analysis, self._content_text)
        encode = self.enc.encode_ordinary
        if self.cached:
            cache = floor.constant_cache(plan, encode)
            render_cached = floor.render_cached

            def call() -> object:
                return render_cached(plan, encode, cache)

        else:
            render_uncached = floor.render_uncached

            def call() -> object:
                return render_uncached(plan, encode)

        return Task(name, lambda loops: timed(call, loops), call)

    def _decode(self, name: str, tokens: list[int]) -> Task:
        decode_bytes = self.enc.decode_bytes

        def call() -> object:
            return decode_bytes(tokens).decode("utf-8")

        return Task(name, lambda loops: timed(call, loops), call)

    def tasks(self) -> list[Task]:
        raw = self.raw
        out: list[Task] = []
        for name in wl.MAIN_WORKLOADS:
            if name.startswith("render_"):
                out.append(self._render(name, wl.render_spec(raw, name)))
            elif not self.cached:  # decoding has no constant pieces: one floor for parsing
                out.append(self._decode(name, wl.parse_spec(raw, name).tokens))
        return out


def make(name: str, scales: tuple[int, ...]) -> HarmonyContender | FloorContender:
    if name in HARMONY_CONTENDERS:
        return HarmonyContender(name, scales)
    if name in FLOOR_CONTENDERS:
        return FloorContender(name, scales)
    raise ValueError(f"unknown contender {name!r}; expected one of {ALL_CONTENDERS}")
