"""render_training_example: loss masks from the renderer's message boundaries (issue 14 item 2)."""

from __future__ import annotations

import json
from collections.abc import Mapping

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import harmony_typed
from harmony_typed import (
    Author,
    Conversation,
    HarmonyEncoding,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
    TextContent,
    TrainingExample,
)
from harmony_typed._specials import END, RETURN, START
from harmony_typed.chat import conversation_from_chat

KEEP = RenderConversationConfig(auto_drop_analysis=False)


def _user(text: str) -> Message:
    return Message.from_role_and_content(Role.USER, text)


def _assistant(text: str, channel: str) -> Message:
    return Message.from_role_and_content(Role.ASSISTANT, text).with_channel(channel)


def _masked_text(enc: HarmonyEncoding, example: TrainingExample) -> str:
    return enc.decode_utf8([t for t, m in zip(example.input_ids, example.loss_mask, strict=True) if m])


# -- independent oracle ---------------------------------------------------------------


def _rendered(
    enc: HarmonyEncoding, convo: Conversation, ids: list[int], has_fn: bool
) -> list[tuple[Message, int, int]]:
    """``(message, start, end)`` of every message found in ``ids``, each rendered on its own.

    A message whose own rendering is not next in ``ids`` must be an analysis message the
    auto-drop rule removed.  (Callers use distinct texts, so matching is unambiguous.)
    """
    options = RenderOptions(conversation_has_function_tools=has_fn)
    out: list[tuple[Message, int, int]] = []
    pos = 0
    for message in convo.messages:
        piece = enc.render(message, options)
        end = pos + len(piece)
        found = ids[pos:end]
        if end == len(ids) and found[:-1] == piece[:-1] and found[-1] == RETURN and piece[-1] == END:
            found = piece  # the training ending
        if found == piece:
            out.append((message, pos, end))
            pos = end
        else:
            assert message.channel == "analysis", (message, ids[pos:])
    assert pos == len(ids)
    return out


def _expected_mask(enc: HarmonyEncoding, rendered: list[tuple[Message, int, int]], n: int, last_turn: bool) -> bytes:
    prompt_head = 1 + len(enc.encode_ordinary("assistant"))  # <|start|>assistant
    first = 0
    if last_turn:
        for k, (message, _, _) in enumerate(rendered):
            if message.author.role is not Role.ASSISTANT:
                first = k + 1
    mask = [0] * n
    for k, (message, start, end) in enumerate(rendered):
        if message.author.role is Role.ASSISTANT and k >= first:
            follows_assistant = k > 0 and rendered[k - 1][0].author.role is Role.ASSISTANT
            for i in range(start if follows_assistant else start + prompt_head, end):
                mask[i] = 1
    return bytes(mask)


def _runs(example: TrainingExample) -> list[list[int]]:
    """Maximal runs of masked tokens."""
    runs: list[list[int]] = []
    previous = 0
    for token, keep in zip(example.input_ids, example.loss_mask, strict=True):
        if keep:
            if not previous:
                runs.append([])
            runs[-1].append(token)
        previous = keep
    return runs


def _summary(message: Message) -> tuple[str | None, str | None, str | None, str]:
    text = "".join(item.text for item in message.content if isinstance(item, TextContent))
    return (message.channel, message.recipient, message.content_type, text)


def _check(
    enc: HarmonyEncoding, convo: Conversation, config: RenderConversationConfig, last_turn: bool, has_fn: bool
) -> None:
    example = enc.render_training_example(convo, config, train_on="last_turn" if last_turn else "assistant")
    ids = enc.render_conversation_for_training(convo, config)
    assert list(example.input_ids) == ids
    rendered = _rendered(enc, convo, ids, has_fn)
    assert example.loss_mask == _expected_mask(enc, rendered, len(ids), last_turn)
    # Every run starts right after a prompt's <|start|>assistant and parses back to the
    # trained assistant messages, in order.
    parsed: list[tuple[str | None, str | None, str | None, str]] = []
    for run in _runs(example):
        assert run[0] != START
        parsed.extend(_summary(m) for m in enc.parse_messages_from_completion_tokens(run, Role.ASSISTANT))
    masked = [_summary(m) for m, start, end in rendered if any(example.loss_mask[start:end])]
    assert parsed == masked


# -- hypothesis property --------------------------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


@st.composite
def chat_records(draw: st.DrawFn) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Chat records (with distinct texts) and a tools list, as a dataset would hold them."""
    counter = iter(range(10_000))

    def text() -> str:
        return f"{draw(_TEXT)}#{next(counter)}"

    records: list[dict[str, object]] = []
    if draw(st.booleans()):
        records.append({"role": draw(st.sampled_from(["system", "developer"])), "content": text()})
    for _ in range(draw(st.integers(1, 3))):
        records.append({"role": "user", "content": text()})
        for _ in range(draw(st.integers(0, 3))):
            record: dict[str, object] = {"role": "assistant"}
            if draw(st.booleans()):
                record[draw(st.sampled_from(["thinking", "reasoning_content", "reasoning"]))] = text()
            calls = []
            for _ in range(draw(st.integers(0, 2))):
                call_id = f"call{next(counter)}"
                arguments: object = draw(st.sampled_from([text(), {"q": text(), "n": 1}]))
                calls.append(
                    {"id": call_id, "type": "function", "function": {"name": "lookup", "arguments": arguments}}
                )
            if calls:
                record["tool_calls"] = calls
            if not calls or draw(st.booleans()):
                record["content"] = text()
            records.append(record)
            records.extend({"role": "tool", "tool_call_id": c["id"], "content": text()} for c in calls)
    tools: list[dict[str, object]] = []
    if draw(st.booleans()):
        tools.append({"type": "function", "function": {"name": "lookup", "description": "Look up."}})
    return records, tools


@settings(max_examples=150)
@given(chat_records(), st.booleans(), st.booleans())
def test_mask_is_exactly_the_generated_spans(
    enc: HarmonyEncoding,
    chat: tuple[list[dict[str, object]], list[dict[str, object]]],
    auto_drop: bool,
    last_turn: bool,
) -> None:
    records, tools = chat
    convo = conversation_from_chat(records, tools=tools)
    _check(enc, convo, RenderConversationConfig(auto_drop_analysis=auto_drop), last_turn, bool(tools))


# -- rules, one by one ------------------------------------------------------------------


def test_user_then_final(enc: HarmonyEncoding) -> None:
    convo = Conversation.from_messages([_user("Hi"), _assistant("Hello!", "final")])
    example = enc.render_training_example(convo)
    assert _masked_text(enc, example) == "<|channel|>final<|message|>Hello!<|return|>"
    assert example.input_ids[-1] == RETURN and example.loss_mask[-1] == 1


def test_consecutive_assistant_messages_are_whole(enc: HarmonyEncoding) -> None:
    convo = Conversation.from_messages([_user("Hi"), _assistant("think", "analysis"), _assistant("4", "final")])
    example = enc.render_training_example(convo, KEEP)
    assert _masked_text(enc, example) == (
        "<|channel|>analysis<|message|>think<|end|><|start|>assistant<|channel|>final<|message|>4<|return|>"
    )


def test_assistant_first_has_prompt_head(enc: HarmonyEncoding) -> None:
    example = enc.render_training_example(Conversation.from_messages([_assistant("x", "final")]))
    assert list(example.loss_mask[:2]) == [0, 0] and all(example.loss_mask[2:])


def test_assistant_name_is_generated(enc: HarmonyEncoding) -> None:
    named = Message(author=Author(role=Role.ASSISTANT, name="bot"), content=(TextContent(text="x"),), channel="final")
    example = enc.render_training_example(Conversation.from_messages([_user("Hi"), named]))
    assert _masked_text(enc, example) == ":bot<|channel|>final<|message|>x<|return|>"


def test_tool_call_and_result(enc: HarmonyEncoding) -> None:
    records: list[Mapping[str, object]] = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "tool_calls": [{"function": {"name": "w", "arguments": "{}"}}]},
        {"role": "tool", "content": "sunny"},
        {"role": "assistant", "content": "Sunny."},
    ]
    convo = conversation_from_chat(records, tools=[{"name": "w"}])
    example = enc.render_training_example(convo)
    assert _masked_text(enc, example) == (
        " to=functions.w<|channel|>commentary <|constrain|>json<|message|>{}<|call|>"
        "<|channel|>final<|message|>Sunny.<|return|>"
    )
    _check(enc, convo, RenderConversationConfig(), False, True)


def test_call_ending_when_last(enc: HarmonyEncoding) -> None:
    convo = conversation_from_chat(
        [{"role": "user", "content": "go"}, {"role": "assistant", "tool_calls": [{"name": "f", "arguments": "{}"}]}]
    )
    example = enc.render_training_example(convo)
    assert _masked_text(enc, example).endswith("{}<|call|>")


def test_dropped_analysis_is_not_in_the_boundaries(enc: HarmonyEncoding) -> None:
    convo = Conversation.from_messages([_user("Hi"), _assistant("think", "analysis"), _assistant("4", "final")])
    dropped = enc.render_training_example(convo)
    assert _masked_text(enc, dropped) == "<|channel|>final<|message|>4<|return|>"
    assert len(dropped) < len(enc.render_training_example(convo, KEEP))


def test_dropped_message_changes_what_the_final_follows(enc: HarmonyEncoding) -> None:
    # A user message on the analysis channel is dropped too (SPEC §5.2), so the final then
    # directly follows the assistant commentary and is trained on whole.
    convo = Conversation.from_messages(
        [_assistant("c", "commentary"), _user("u").with_channel("analysis"), _assistant("f", "final")]
    )
    whole = "<|start|>assistant<|channel|>final<|message|>f<|return|>"
    assert _masked_text(enc, enc.render_training_example(convo)).endswith("c<|end|>" + whole)
    assert not _masked_text(enc, enc.render_training_example(convo, KEEP)).endswith(whole)
    for config in (RenderConversationConfig(), KEEP):
        _check(enc, convo, config, False, False)


def test_last_turn(enc: HarmonyEncoding) -> None:
    convo = Conversation.from_messages(
        [_user("a"), _assistant("A", "final"), _user("b"), _assistant("t", "analysis"), _assistant("B", "final")]
    )
    example = enc.render_training_example(convo, KEEP, train_on="last_turn")
    assert _masked_text(enc, example) == (
        "<|channel|>analysis<|message|>t<|end|><|start|>assistant<|channel|>final<|message|>B<|return|>"
    )
    assert "A" in _masked_text(enc, enc.render_training_example(convo, KEEP))


@pytest.mark.parametrize("train_on", ["assistant", "last_turn"])
def test_nothing_to_train(enc: HarmonyEncoding, train_on: str) -> None:
    for convo in (Conversation.from_messages([]), Conversation.from_messages([_user("a")])):
        example = enc.render_training_example(convo, train_on=train_on)  # type: ignore[arg-type]
        assert not any(example.loss_mask)
    tail = Conversation.from_messages([_user("a"), _assistant("A", "final"), _user("b")])
    assert any(enc.render_training_example(tail).loss_mask)
    assert not any(enc.render_training_example(tail, train_on="last_turn").loss_mask)


def test_bad_arguments(enc: HarmonyEncoding) -> None:
    convo = Conversation.from_messages([_user("a")])
    with pytest.raises(ValueError, match="train_on must be 'assistant' or 'last_turn', got 'all'"):
        enc.render_training_example(convo, train_on="all")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        enc.render_training_example("convo")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        enc.render_training_example(convo, {"auto_drop_analysis": False})  # type: ignore[arg-type]


# -- TrainingExample --------------------------------------------------------------------


def test_training_example_value_object() -> None:
    example = TrainingExample((5, 6), b"\x00\x01")
    assert example == TrainingExample((5, 6), b"\x00\x01") and hash(example) == hash(
        TrainingExample((5, 6), b"\x00\x01")
    )
    assert len(example) == 2 and example.labels() == [-100, 6] and example.labels(-1) == [-1, 6]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        example.input_ids = ()  # type: ignore[misc]
    assert harmony_typed.TrainingExample is TrainingExample and "TrainingExample" in harmony_typed.__all__
    json.dumps({"input_ids": list(example.input_ids), "loss_mask": list(example.loss_mask)})


@pytest.mark.parametrize(
    ("ids", "mask", "error", "match"),
    [
        ((1, 2), b"\x01", ValueError, "2 input_ids but 1 loss_mask"),
        ((1,), b"\x02", ValueError, "must be 0 or 1"),
        ([1], b"\x01", TypeError, "input_ids must be a tuple"),
        ((1,), [1], TypeError, "loss_mask must be bytes"),
    ],
)
def test_training_example_validation(ids: object, mask: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        TrainingExample(ids, mask)  # type: ignore[arg-type]
