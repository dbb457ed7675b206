"""One encoding shared by 8 threads, rendering and parsing concurrently, gives the sequential results.

The workload is built to make threads meet in the renderer's caches: the same
message objects and equal copies of them, more distinct header pieces and
content items than the caches hold (so they are cleared while other threads
read them), system and developer content with tools, and parsing of what was
rendered (batch and streaming, valid and malformed).  A short switch interval
makes the interpreter change threads often.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from harmony_typed import (
    Conversation,
    DeveloperContent,
    HarmonyEncoding,
    HarmonyError,
    Message,
    RenderConversationConfig,
    Role,
    StreamableParser,
    SystemContent,
    ToolDescription,
    ToolNamespaceConfig,
)
from harmony_typed import strategies as hst

N_THREADS = 8
Task = Callable[[], object]


def _message(rng: random.Random, i: int) -> Message:
    role = rng.choice([Role.USER, Role.ASSISTANT, Role.ASSISTANT, Role.TOOL, Role.SYSTEM, Role.DEVELOPER])
    text = rng.choice(["Hi", "What is the weather in Tokyo?", "<|end|> injected", "\U0001f496 emoji", ""]) + str(i)
    message = Message.from_role_and_content(role, text)
    if role is Role.TOOL:
        message = message.with_author(message.author.new(Role.TOOL, f"functions.tool_{i % 300}"))
        message = message.with_recipient("assistant").with_channel("commentary")
    elif role is Role.SYSTEM and rng.random() < 0.5:
        system = SystemContent.new().with_conversation_start_date(f"2025-01-{i % 28 + 1:02d}")
        if rng.random() < 0.3:
            system = system.with_browser_tool()
        message = Message.from_role_and_content(Role.SYSTEM, system)
    elif role is Role.DEVELOPER and rng.random() < 0.5:
        tool = ToolDescription.new(
            f"f{i % 50}", "does things", {"type": "object", "properties": {"x": {"type": "string"}}}
        )
        message = Message.from_role_and_content(
            Role.DEVELOPER, DeveloperContent.new().with_instructions(f"Be brief {i % 7}").with_function_tools([tool])
        )
    elif role is Role.ASSISTANT:
        message = message.with_channel(rng.choice(["analysis", "commentary", "final"]))
        if rng.random() < 0.5:
            message = message.with_content_type(rng.choice(["<|constrain|>json", "json"]))
    if role is not Role.TOOL and rng.random() < 0.9:
        # Distinct recipients: more than the renderer's piece cache holds (it gets cleared).
        message = message.with_recipient(f"functions.f_{i}")
    return message


def _workload(enc: HarmonyEncoding) -> list[Task]:
    rng = random.Random(20250805)
    messages = [_message(rng, i) for i in range(3000)]
    conversations = [Conversation.from_messages(rng.sample(messages, rng.randint(1, 8))) for _ in range(200)]
    no_drop = RenderConversationConfig(auto_drop_analysis=False)
    tasks: list[Task] = []
    for message in messages:
        tasks.append(lambda m=message: enc.render(m))  # type: ignore[misc]
        tasks.append(lambda m=message: enc.render(Message.from_dict(m.to_dict())))  # type: ignore[misc]
        # A second distinct recipient per message: more keys than the piece cache holds.
        variant = message.with_recipient(f"{message.recipient}.v") if message.recipient else message
        tasks.append(lambda m=variant: enc.render(m))  # type: ignore[misc]
    for convo in conversations:
        tasks.append(lambda c=convo: enc.render_conversation(c))  # type: ignore[misc]
        tasks.append(lambda c=convo: enc.render_conversation_for_completion(c, Role.ASSISTANT, no_drop))  # type: ignore[misc]
        tasks.append(lambda c=convo: enc.render_conversation_for_training(c))  # type: ignore[misc]
    sequences = [enc.render_conversation(c, no_drop) for c in conversations]
    for tokens in sequences:
        tasks.append(lambda t=tokens: _parse(enc, t))  # type: ignore[misc]
        tasks.append(lambda t=tokens: _stream(enc, t))  # type: ignore[misc]
        broken = hst.mutate(tokens, rng, donor=rng.choice(sequences))
        tasks.append(lambda t=broken: _parse(enc, t, strict=False))  # type: ignore[misc]
        tasks.append(lambda t=broken: _stream(enc, t))  # type: ignore[misc]
        text = enc.decode(tokens)
        tasks.append(lambda s=text: enc.encode(s, allowed_special="all"))  # type: ignore[misc]
        tasks.append(lambda t=tokens: enc.decode_utf8(t))  # type: ignore[misc]
    return tasks


def _parse(enc: HarmonyEncoding, tokens: list[int], strict: bool = True) -> object:
    try:
        return [m.to_dict() for m in enc.parse_messages_from_completion_tokens(tokens, strict=strict)]
    except HarmonyError as exc:
        return (type(exc).__name__, str(exc))


def _stream(enc: HarmonyEncoding, tokens: list[int]) -> object:
    parser = StreamableParser(enc, None)
    trace: list[object] = []
    for token in tokens:
        try:
            parser.process(token)
        except HarmonyError as exc:
            trace.append(str(exc))
        trace.append((parser.state, parser.last_content_delta, parser.current_content, len(parser.messages)))
    try:
        parser.process_eos()
    except HarmonyError as exc:
        trace.append(str(exc))
    trace.append([m.to_dict() for m in parser.messages])
    return trace


@contextmanager
def _frequent_switches() -> Iterator[None]:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def test_shared_encoding_gives_sequential_results(enc: HarmonyEncoding) -> None:
    tasks = _workload(enc)
    expected = [task() for task in tasks]
    results: list[list[object] | None] = [None] * N_THREADS
    errors: list[BaseException] = []
    barrier = threading.Barrier(N_THREADS)

    def worker(k: int) -> None:
        order = list(range(len(tasks)))
        random.Random(k).shuffle(order)  # every thread visits the tasks in its own order
        out: list[object] = [None] * len(tasks)
        try:
            barrier.wait()
            for i in order:
                out[i] = tasks[i]()
        except BaseException as exc:
            errors.append(exc)
        results[k] = out

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(N_THREADS)]
    with _frequent_switches():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    for k, out in enumerate(results):
        assert out is not None
        mismatches = [i for i in range(len(tasks)) if out[i] != expected[i]]
        assert not mismatches, f"thread {k}: {len(mismatches)} results differ, first at task {mismatches[0]}"


def test_threads_rendering_the_same_objects(enc: HarmonyEncoding) -> None:
    """All threads hammer the same few objects (the cache-hit path) at once."""
    system = Message.from_role_and_content(Role.SYSTEM, SystemContent.new().with_browser_tool())
    developer = Message.from_role_and_content(
        Role.DEVELOPER,
        DeveloperContent.new().with_tools(ToolNamespaceConfig(name="functions", tools=[ToolDescription.new("f", "d")])),
    )
    convo = Conversation.from_messages([system, developer, Message.from_role_and_content(Role.USER, "Hi")])
    expected = (enc.render(system), enc.render(developer), enc.render_conversation(convo))
    seen: list[tuple[list[int], list[int], list[int]]] = []
    barrier = threading.Barrier(N_THREADS)

    def worker() -> None:
        barrier.wait()
        for _ in range(300):
            seen.append((enc.render(system), enc.render(developer), enc.render_conversation(convo)))

    threads = [threading.Thread(target=worker) for _ in range(N_THREADS)]
    with _frequent_switches():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(seen) == N_THREADS * 300
    assert all(result == expected for result in seen)
