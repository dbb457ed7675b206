"""harmony_typed.strategies: each strategy produces what its docstring promises."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import TypeVar

import attrs
import pytest
from hypothesis import Phase, given, settings
from hypothesis import find as _find
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from harmony_typed import (
    Author,
    ChannelConfig,
    Conversation,
    DeveloperContent,
    HarmonyEncoding,
    Message,
    Role,
    SystemContent,
    TextContent,
    ToolDescription,
    ToolNamespaceConfig,
)
from harmony_typed import strategies as hst

START = 200006
FIRST_SPECIAL, LAST_SPECIAL, N_VOCAB, MAX_TOKEN = 199998, 201088, 201089, 2**32 - 1
NAMED = {199998, 199999, 200002, 200003, 200005, 200006, 200007, 200008, 200012}


T = TypeVar("T")


def find(strategy: SearchStrategy[T], predicate: Callable[[T], bool]) -> T:
    """Some example satisfying ``predicate`` (generation only: shrinking is what is slow).

    Derandomized, so the search is the same in every run and on every Python version.
    """
    return _find(
        strategy,
        predicate,
        settings=settings(phases=[Phase.generate], max_examples=5000, database=None, derandomize=True),
    )


def test_public_names() -> None:
    for name in hst.__all__:
        obj = getattr(hst, name)
        assert obj.__doc__, f"{name} has no docstring"
        if name not in ("Completion", "mutate"):
            assert ">>>" in obj.__doc__, f"{name} has no usage example"


@given(hst.roles())
def test_roles(role: Role) -> None:
    assert isinstance(role, Role)


def test_roles_cover_every_role() -> None:
    for role in Role:
        assert find(hst.roles(), lambda r, role=role: r is role) is role  # type: ignore[misc]


@given(hst.authors())
def test_authors_render(author: Author) -> None:
    assert isinstance(author, Author)
    if author.role is Role.TOOL:
        assert author.name is not None


@given(hst.authors([Role.USER, Role.SYSTEM]))
def test_authors_respect_roles(author: Author) -> None:
    assert author.role in (Role.USER, Role.SYSTEM)


@pytest.mark.parametrize("fragment", ["<|end|>", "<|channel|>", "<|constrain|>", "<|reserved_201088|>", "\u3000"])
def test_texts_contain_markup(fragment: str) -> None:
    assert fragment in find(hst.texts(), lambda t: fragment in t)


@given(hst.texts())
def test_texts_are_utf8(text: str) -> None:
    text.encode("utf-8")


@given(hst.text_contents())
def test_text_contents(item: TextContent) -> None:
    assert isinstance(item, TextContent)


@given(hst.json_values())
def test_json_values_are_finite_json(value: object) -> None:
    assert json.loads(json.dumps(value, allow_nan=False)) == value


@settings(max_examples=200)
@given(hst.json_schemas())
def test_json_schemas_are_json_objects(schema: dict[str, object]) -> None:
    assert isinstance(schema, dict)
    json.dumps(schema, allow_nan=False)
    assert ToolDescription.new("f", "d", schema).parameters == schema  # type: ignore[arg-type]


def test_json_schemas_cover_shapes() -> None:
    find(hst.json_schemas(), lambda s: s.get("type") == "object" and isinstance(s.get("properties"), dict))
    find(hst.json_schemas(), lambda s: isinstance(s.get("oneOf"), list) and len(s["oneOf"]) > 1)  # type: ignore[arg-type]
    find(hst.json_schemas(), lambda s: s.get("type") == "array" and "items" in s)


@given(hst.tool_descriptions(), hst.tool_namespaces(), hst.channel_configs())
def test_tool_and_channel_models(tool: ToolDescription, ns: ToolNamespaceConfig, config: ChannelConfig) -> None:
    assert isinstance(tool, ToolDescription)
    assert isinstance(ns, ToolNamespaceConfig)
    assert isinstance(config, ChannelConfig)


@given(hst.system_contents(), hst.developer_contents())
def test_system_and_developer_contents(system: SystemContent, developer: DeveloperContent) -> None:
    assert isinstance(system, SystemContent)
    assert isinstance(developer, DeveloperContent)


def test_developer_contents_have_function_tools() -> None:
    dev = find(
        hst.developer_contents(),
        lambda d: d.tools is not None and "functions" in d.tools and len(d.tools["functions"].tools) > 0,
    )
    assert dev.tools is not None


@settings(max_examples=100)
@given(hst.messages())
def test_messages_render(enc: HarmonyEncoding, message: Message) -> None:
    for item in message.content:
        if isinstance(item, SystemContent):
            assert message.author.role is Role.SYSTEM
        if isinstance(item, DeveloperContent):
            assert message.author.role is Role.DEVELOPER
    tokens = enc.render(message)
    assert tokens[0] == START


@given(hst.messages([Role.TOOL]))
def test_messages_respect_roles(message: Message) -> None:
    assert message.author.role is Role.TOOL


@settings(max_examples=30)
@given(hst.conversations(min_size=2, max_size=4))
def test_conversations_render(enc: HarmonyEncoding, convo: Conversation) -> None:
    assert 2 <= len(convo) <= 4
    enc.render_conversation(convo)
    enc.render_conversation_for_training(convo)


@given(hst.round_trip_messages(list(Role)))
def test_round_trip_messages_shape(message: Message) -> None:
    assert len(message.content) == 1 and isinstance(message.content[0], TextContent)
    assert message.recipient != "all"
    if message.content_type is not None:
        assert message.recipient is not None
    if message.author.role is Role.TOOL:
        assert message.author.name and message.recipient is not None
    else:
        assert message.author.name is None


def test_round_trip_messages_cover_roles() -> None:
    for role in Role:
        find(hst.round_trip_messages(list(Role)), lambda m, role=role: m.author.role is role)  # type: ignore[misc]


@settings(max_examples=50)
@given(hst.completions(roles=list(Role)))
def test_completions(completion: hst.Completion) -> None:
    assert completion.messages
    if completion.role is None:
        assert completion.tokens[0] == START
    else:
        assert completion.role is completion.messages[0].author.role
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        completion.tokens = ()  # type: ignore[misc]


@given(hst.completions(role_hint=True))
def test_completions_with_role_hint(completion: hst.Completion) -> None:
    assert completion.role is Role.ASSISTANT
    assert completion.tokens[:1] != (START,)


@given(hst.completion_tokens())
def test_completion_tokens_start_with_start(tokens: list[int]) -> None:
    assert tokens[0] == START


@given(hst.token_ids())
def test_token_ids_in_range(token: int) -> None:
    assert 0 <= token <= MAX_TOKEN


@pytest.mark.parametrize(
    ("what", "predicate"),
    [
        ("reserved", lambda t: FIRST_SPECIAL <= t <= LAST_SPECIAL and t not in NAMED),
        ("named special", lambda t: t in NAMED),
        ("beyond the vocabulary", lambda t: N_VOCAB <= t <= MAX_TOKEN),
        ("ordinary", lambda t: t < FIRST_SPECIAL),
        ("largest", lambda t: t == MAX_TOKEN),
    ],
)
def test_token_ids_cover(what: str, predicate: Callable[[int], bool]) -> None:
    find(hst.token_ids(), predicate)


@given(hst.overflow_token_ids())
def test_overflow_token_ids(token: int) -> None:
    assert token < 0 or token > MAX_TOKEN


@settings(max_examples=100)
@given(hst.malformed_completion_tokens())
def test_malformed_tokens_in_range(tokens: list[int]) -> None:
    assert all(isinstance(t, int) and 0 <= t <= MAX_TOKEN for t in tokens)


def test_malformed_tokens_cover() -> None:
    find(hst.malformed_completion_tokens(), lambda ts: any(t >= N_VOCAB for t in ts))
    find(hst.malformed_completion_tokens(), lambda ts: len(ts) > 0 and ts[0] != START)
    find(hst.malformed_completion_tokens(), lambda ts: ts.count(START) >= 2)


def test_mutate_is_deterministic_in_range_and_leaves_its_input_alone() -> None:
    tokens = [200006, 173781, 200005, 17196, 200008, 12194, 200002]
    original = list(tokens)
    first = [hst.mutate(tokens, random.Random(7), donor=tokens) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    assert tokens == original
    rng = random.Random(1)
    mutants = [hst.mutate(tokens, rng, donor=[1, 2, 3], max_mutations=6) for _ in range(5000)]
    assert all(0 <= t <= MAX_TOKEN for m in mutants for t in m)
    assert sum(m != tokens for m in mutants) > 4500
    assert any(not m for m in mutants)  # truncated to nothing
    assert any(t > LAST_SPECIAL for m in mutants for t in m)
    assert max(len(m) for m in mutants) < len(tokens) * 50


@given(st.lists(st.integers(0, 10), max_size=20), st.integers(0, 2**32))
def test_mutate_handles_any_input(tokens: list[int], seed: int) -> None:
    assert isinstance(hst.mutate(tokens, random.Random(seed)), list)
