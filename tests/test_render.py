"""Rendering: golden cases from openai-harmony 0.0.8, caches, invariants.

Runs without openai_harmony: every expected value comes from the golden files
(``tests/golden/render.json``, ``tests/golden/schema_ts.json``) and the
benchmark workloads (``benchmarks/workloads.json``), all generated from the
reference.  The differential test against the live reference is
``tests/test_render_parity.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harmony_typed import (
    Author,
    ChannelConfig,
    Conversation,
    DeveloperContent,
    HarmonyEncoding,
    HarmonyError,
    Message,
    ReasoningEffort,
    RenderConversationConfig,
    RenderError,
    RenderOptions,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
    load_harmony_encoding,
)
from harmony_typed._render import Renderer

ROOT: Final = Path(__file__).resolve().parent.parent
GOLDEN: Final = ROOT / "tests" / "golden"
WORKLOADS: Final = ROOT / "benchmarks" / "workloads.json"

START: Final = 200006
END: Final = 200007
MESSAGE: Final = 200008
CALL: Final = 200012
RETURN: Final = 200002
ASSISTANT_WORD: Final = [173781]


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


RENDER_CASES: Final[list[dict[str, Any]]] = _load(GOLDEN / "render.json")["cases"]
SCHEMA_CASES: Final[list[dict[str, Any]]] = _load(GOLDEN / "schema_ts.json")["cases"]
WORKLOAD_DATA: Final[dict[str, Any]] = _load(WORKLOADS)["workloads"]
RENDER_WORKLOADS: Final = sorted(name for name in WORKLOAD_DATA if name.startswith("render_"))


def _run_case(enc: HarmonyEncoding, case: dict[str, Any]) -> list[int]:
    call = case["call"]
    if call == "render":
        options = case["render_options"]
        return enc.render(
            Message.from_dict(case["message"]),
            None if options is None else RenderOptions(**options),
        )
    conversation = Conversation.from_dict(case["conversation"])
    raw_config = case["config"]
    config = None if raw_config is None else RenderConversationConfig(**raw_config)
    if call == "render_conversation":
        return enc.render_conversation(conversation, config)
    if call == "render_conversation_for_training":
        return enc.render_conversation_for_training(conversation, config)
    assert call == "render_conversation_for_completion", call
    return enc.render_conversation_for_completion(conversation, Role(case["next_turn_role"]), config)


# -- golden files --------------------------------------------------------------


@pytest.mark.parametrize("case", RENDER_CASES, ids=[c["id"] for c in RENDER_CASES])
def test_golden_render(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(RuntimeError) as info:
            _run_case(enc, case)
        assert isinstance(info.value, HarmonyError)
        assert isinstance(info.value, RenderError)
        assert str(info.value) == expected["error"]["message"]
    else:
        tokens = _run_case(enc, case)
        assert tokens == expected["tokens"]
        assert enc.decode_utf8(tokens) == expected["text"]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c["id"] for c in SCHEMA_CASES])
def test_golden_schema_developer_tokens(enc: HarmonyEncoding, case: dict[str, Any]) -> None:
    tool = ToolDescription.new("f", "d", parameters=case["parameters"])
    message = Message.from_role_and_content(Role.DEVELOPER, DeveloperContent.new().with_function_tools([tool]))
    assert enc.render(message) == case["developer_tokens"]


def test_golden_files_are_not_empty() -> None:
    assert len(RENDER_CASES) >= 170
    assert len(SCHEMA_CASES) >= 97
    assert len(RENDER_WORKLOADS) == 3


# -- benchmark workloads -------------------------------------------------------


def _workload(name: str) -> tuple[Conversation, dict[str, Any]]:
    workload = WORKLOAD_DATA[name]
    raw = workload["conversation"]
    if isinstance(raw, str):  # "same as render_large_autodrop"
        raw = WORKLOAD_DATA[raw.removeprefix("same as ")]["conversation"]
    return Conversation.from_dict(raw), workload


@pytest.mark.parametrize("name", RENDER_WORKLOADS)
def test_workload_render(enc: HarmonyEncoding, name: str) -> None:
    conversation, workload = _workload(name)
    assert workload["next_role"] == "assistant"
    config = RenderConversationConfig(auto_drop_analysis=workload["auto_drop_analysis"])
    tokens = enc.render_conversation_for_completion(conversation, Role.ASSISTANT, config)
    if "expected_tokens" in workload:
        assert tokens == workload["expected_tokens"]
    assert len(tokens) == workload.get("expected_len", len(tokens))
    assert tokens[-2:] == [START, *ASSISTANT_WORD]
    # Rendering twice (warm caches) gives the same tokens.
    assert enc.render_conversation_for_completion(conversation, Role.ASSISTANT, config) == tokens


def test_workload_large_autodrop_drops_exactly_the_early_analysis(enc: HarmonyEncoding) -> None:
    conversation, _ = _workload("render_large_autodrop")
    kept = enc.render_conversation(conversation, RenderConversationConfig(auto_drop_analysis=False))
    dropped = enc.render_conversation(conversation, RenderConversationConfig(auto_drop_analysis=True))
    messages = conversation.messages
    first_final = next(i for i, m in enumerate(messages) if m.channel == "final")
    survivors = [m for i, m in enumerate(messages) if not (i < first_final and m.channel == "analysis")]
    assert len(survivors) < len(messages)
    assert dropped == enc.render_conversation(Conversation(messages=survivors), None)
    assert kept.count(START) == len(messages)
    assert dropped.count(START) == len(survivors)


# -- errors and argument types -------------------------------------------------


@pytest.mark.parametrize(
    ("message", "text"),
    [
        (Message.from_role_and_content(Role.TOOL, "x"), "Tools should have a name!"),
        (
            Message.from_role_and_content(Role.ASSISTANT, SystemContent.new()),
            "SystemContent may only appear in system messages, found in Assistant",
        ),
        (
            Message.from_role_and_content(Role.TOOL, DeveloperContent.new()).with_author(Author.new(Role.TOOL, "t")),
            "DeveloperContent may only appear in developer messages, found in Tool",
        ),
        (
            Message.from_role_and_content(Role.DEVELOPER, SystemContent.new()),
            "SystemContent may only appear in system messages, found in Developer",
        ),
    ],
)
def test_render_errors(enc: HarmonyEncoding, message: Message, text: str) -> None:
    calls: list[Callable[[], list[int]]] = [
        lambda: enc.render(message),
        lambda: enc.render_conversation(Conversation(messages=[message])),
        lambda: enc.render_conversation_for_training(Conversation(messages=[message])),
        lambda: enc.render_conversation_for_completion(Conversation(messages=[message]), Role.USER),
    ]
    for call in calls:
        with pytest.raises(RenderError) as info:
            call()
        assert isinstance(info.value, RuntimeError)
        assert str(info.value) == text


def test_header_error_comes_before_content_errors(enc: HarmonyEncoding) -> None:
    message = Message.from_role_and_contents(Role.TOOL, [SystemContent.new(), DeveloperContent.new()])
    with pytest.raises(RenderError, match=r"^Tools should have a name!$"):
        enc.render(message)


def test_first_invalid_content_item_wins(enc: HarmonyEncoding) -> None:
    message = Message.from_role_and_contents(
        Role.USER, [TextContent(text="ok"), DeveloperContent.new(), SystemContent.new()]
    )
    with pytest.raises(RenderError, match=r"^DeveloperContent may only appear"):
        enc.render(message)


def test_wrong_argument_types(enc: HarmonyEncoding) -> None:
    renderer = Renderer(enc.encode_ordinary)
    conversation = Conversation(messages=[Message.from_role_and_content(Role.USER, "Hi")])
    bad: Any = "assistant"
    with pytest.raises(
        TypeError, match=r"next_turn_role must be a Role, got str: 'assistant' \(use Role\('assistant'\)\)"
    ):
        enc.render_conversation_for_completion(conversation, bad)
    with pytest.raises(TypeError, match="message must be a Message, got str"):
        renderer.render(bad, False)
    with pytest.raises(TypeError, match="conversation must be a Conversation, got list"):
        renderer.render_conversation([Message.from_role_and_content(Role.USER, "Hi")], True)  # type: ignore[arg-type]
    for method in (renderer.render_conversation_for_training, renderer.render_conversation):
        with pytest.raises(TypeError, match="conversation must be a Conversation"):
            method(bad, True)
    with pytest.raises(TypeError, match="conversation must be a Conversation"):
        renderer.render_conversation_for_completion(bad, Role.USER, True)


# -- specific rules (small, readable restatements of the spec) -------------------


def test_completion_suffix_for_every_role(enc: HarmonyEncoding) -> None:
    empty = Conversation()
    for role in Role:
        assert enc.render_conversation_for_completion(empty, role) == [START, *enc.encode_ordinary(role.value)]


def test_training_replaces_call_with_return(enc: HarmonyEncoding) -> None:
    conversation = Conversation(
        messages=[
            Message.from_role_and_content(Role.USER, "q"),
            Message.from_role_and_content(Role.ASSISTANT, "x").with_channel("final").with_recipient("functions.f"),
        ]
    )
    regular = enc.render_conversation(conversation)
    training = enc.render_conversation_for_training(conversation)
    assert regular[-1] == CALL
    assert training == [*regular[:-1], RETURN]


def test_training_without_final_equals_regular(enc: HarmonyEncoding) -> None:
    conversation = Conversation(
        messages=[
            Message.from_role_and_content(Role.ASSISTANT, "x").with_channel("final"),
            Message.from_role_and_content(Role.USER, "q"),
        ]
    )
    assert enc.render_conversation_for_training(conversation) == enc.render_conversation(conversation)
    assert enc.render_conversation_for_training(Conversation()) == []


def test_pieces_are_tokenised_separately(enc: HarmonyEncoding) -> None:
    message = Message.from_role_and_contents(
        Role.USER, [TextContent(text="a"), TextContent(text="b"), TextContent(text=" c")]
    )
    assert enc.render(message) == [START, 1428, MESSAGE, 64, 65, 274, END]


# -- caches ----------------------------------------------------------------------


class CountingEncoder:
    """``encode_ordinary`` that records every text it is asked to tokenise."""

    def __init__(self, enc: HarmonyEncoding) -> None:
        self.enc = enc
        self.calls: list[str] = []

    def __call__(self, text: str) -> list[int]:
        self.calls.append(text)
        return self.enc.encode_ordinary(text)


def _system_message(content: SystemContent) -> Message:
    return Message.from_role_and_content(Role.SYSTEM, content)


def test_cache_returns_fresh_lists_and_is_not_poisoned(enc: HarmonyEncoding) -> None:
    renderer = Renderer(enc.encode_ordinary)
    message = _system_message(SystemContent.new().with_browser_tool())
    first = renderer.render(message, False)
    second = renderer.render(message, False)
    assert first == second
    assert first is not second
    expected = list(first)
    first.clear()
    second.append(-1)
    second[3] = -7
    assert renderer.render(message, False) == expected
    # The same holds for header pieces (channel, recipient, content type) and developer content.
    call = (
        Message.from_role_and_content(Role.ASSISTANT, "{}")
        .with_channel("commentary")
        .with_recipient("functions.f")
        .with_content_type("<|constrain|>json")
    )
    developer = Message.from_role_and_content(
        Role.DEVELOPER, DeveloperContent.new().with_function_tools([ToolDescription.new("f", "d")])
    )
    for msg in (call, developer):
        reference = renderer.render(msg, False)
        got = renderer.render(msg, False)
        got[:] = [0] * len(got)
        assert renderer.render(msg, False) == reference


def test_content_rendered_once_per_object_and_flag(enc: HarmonyEncoding) -> None:
    counter = CountingEncoder(enc)
    renderer = Renderer(counter)
    content = SystemContent.new().with_python_tool()  # has a tools map: cached by identity only
    message = _system_message(content)
    plain = renderer.render(message, False)
    with_line = renderer.render(message, True)
    assert plain != with_line
    calls_after_first = len(counter.calls)
    for _ in range(3):
        assert renderer.render(message, False) == plain
        assert renderer.render(message, True) == with_line
    assert len(counter.calls) == calls_after_first
    # Identical values in a *new* unhashable object: its text is built again, and
    # its tokens come from the text-keyed cache (no BPE call), correctly.
    again = renderer.render(_system_message(SystemContent.new().with_python_tool()), False)
    assert again == plain
    assert len(counter.calls) == calls_after_first


def test_equal_hashable_contents_share_a_cache_entry(enc: HarmonyEncoding) -> None:
    counter = CountingEncoder(enc)
    renderer = Renderer(counter)
    one = SystemContent.new().with_reasoning_effort(ReasoningEffort.HIGH)
    two = SystemContent.from_dict(one.to_dict())
    assert one == two
    assert one is not two
    assert renderer.render(_system_message(one), False) == renderer.render(_system_message(two), False)
    system_texts = [text for text in counter.calls if text.startswith("You are ChatGPT")]
    assert len(system_texts) == 1
    # A different value is not confused with it.
    three = SystemContent.new().with_reasoning_effort(ReasoningEffort.LOW)
    assert renderer.render(_system_message(three), False) != renderer.render(_system_message(one), False)
    dev_one = DeveloperContent.new().with_instructions("Be brief.")
    dev_two = DeveloperContent.new().with_instructions("Be brief.")
    developer_calls = len(counter.calls)
    renderer.render(Message.from_role_and_content(Role.DEVELOPER, dev_one), False)
    renderer.render(Message.from_role_and_content(Role.DEVELOPER, dev_two), False)
    assert len(counter.calls) == developer_calls + 1


def test_caches_are_bounded(enc: HarmonyEncoding) -> None:
    renderer = Renderer(enc.encode_ordinary)
    for i in range(5000):
        message = Message.from_role_and_content(Role.USER, "x").with_channel(f"c{i}").with_recipient(f"r{i}")
        renderer.render(message, False)
    assert 0 < len(renderer._plain) <= 4096
    assert 0 < len(renderer._recipients) <= 4096
    for i in range(1100):
        renderer.render(_system_message(SystemContent.new().with_conversation_start_date(str(i))), False)
    assert 0 < len(renderer._system.by_id) <= 1024
    assert 0 < len(renderer._system.by_value) <= 1024
    long_channel = "c" * 1000
    renderer.render(Message.from_role_and_content(Role.USER, "x").with_channel(long_channel), False)
    assert long_channel not in renderer._plain
    renderer.clear_caches()
    assert len(renderer._plain) == 0
    assert len(renderer._system.by_id) == 0


def test_encoding_renderer_is_shared_and_reentrant(enc: HarmonyEncoding) -> None:
    message = _system_message(SystemContent.new())
    assert load_harmony_encoding("HarmonyGptOss").render(message) == enc.render(message)


# -- properties ----------------------------------------------------------------

_TEXT: Final = st.one_of(
    st.sampled_from(["", "Hi", "analysis", "final", "<|end|>", "<|constrain|>json", "José", " to=x", "all"]),
    st.text(max_size=12),
)
_ROLES: Final = st.sampled_from(list(Role))


@st.composite
def simple_messages(draw: st.DrawFn) -> Message:
    role = draw(_ROLES)
    name = draw(st.one_of(st.none(), _TEXT))
    if role is Role.TOOL and name is None:
        name = "functions.f"
    items: list[TextContent | SystemContent | DeveloperContent] = [
        TextContent(text=t) for t in draw(st.lists(_TEXT, max_size=3))
    ]
    if role is Role.SYSTEM and draw(st.booleans()):
        items.append(SystemContent.new())
    if role is Role.DEVELOPER and draw(st.booleans()):
        items.append(DeveloperContent.new().with_function_tools([ToolDescription.new("f", "d")]))
    return Message(
        author=Author(role=role, name=name),
        content=items,
        channel=draw(st.one_of(st.none(), _TEXT)),
        recipient=draw(st.one_of(st.none(), _TEXT)),
        content_type=draw(st.one_of(st.none(), _TEXT)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=simple_messages())
def test_render_equals_single_message_conversation(enc: HarmonyEncoding, message: Message) -> None:
    conversation = Conversation(messages=[message])
    single = enc.render(message)
    assert single == enc.render_conversation(conversation)
    assert single == enc.render_conversation(conversation, RenderConversationConfig(auto_drop_analysis=False))
    assert single[0] == START
    assert single[-1] in (END, CALL)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(simple_messages(), max_size=5), role=_ROLES, auto_drop=st.booleans())
def test_completion_is_conversation_plus_role(
    enc: HarmonyEncoding, messages: list[Message], role: Role, auto_drop: bool
) -> None:
    conversation = Conversation(messages=messages)
    config = RenderConversationConfig(auto_drop_analysis=auto_drop)
    expected = [*enc.render_conversation(conversation, config), START, *enc.encode_ordinary(role.value)]
    assert enc.render_conversation_for_completion(conversation, role, config) == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(simple_messages(), max_size=5), auto_drop=st.booleans())
def test_training_differs_from_conversation_at_most_in_the_last_token(
    enc: HarmonyEncoding, messages: list[Message], auto_drop: bool
) -> None:
    conversation = Conversation(messages=messages)
    config = RenderConversationConfig(auto_drop_analysis=auto_drop)
    regular = enc.render_conversation(conversation, config)
    training = enc.render_conversation_for_training(conversation, config)
    last = messages[-1] if messages else None
    if last is not None and last.author.role is Role.ASSISTANT and last.channel == "final":
        assert training == [*regular[:-1], RETURN]
    else:
        assert training == regular


def test_channel_config_text(enc: HarmonyEncoding) -> None:
    content = SystemContent(
        model_identity=None,
        reasoning_effort=None,
        knowledge_cutoff=None,
        channel_config=ChannelConfig(valid_channels=["a", "b"], channel_required=False),
    )
    tokens = enc.render(_system_message(content), RenderOptions(conversation_has_function_tools=True))
    assert enc.decode_utf8(tokens) == (
        "<|start|>system<|message|># Valid channels: a, b.\n"
        "Calls to these tools must go to the commentary channel: 'functions'.<|end|>"
    )


def test_namespaces_sorted_by_key(enc: HarmonyEncoding) -> None:
    tools = {
        "b": ToolNamespaceConfig(name="y", tools=[]),
        "a": ToolNamespaceConfig(name="z", tools=[]),
    }
    message = Message.from_role_and_content(Role.DEVELOPER, DeveloperContent(tools=tools))
    assert enc.decode_utf8(enc.render(message)) == "<|start|>developer<|message|># Tools\n\n## z\n\n\n## y\n<|end|>"
