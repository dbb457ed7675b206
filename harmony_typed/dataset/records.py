"""One dataset record to token ids: JSON shapes, the render mode, the output line.

A record is a conversation ``{"messages": [...]}``, a list of messages or a
single message, in openai_harmony's ``to_dict()`` shapes.  Every problem with a
record is a :class:`RecordError` saying what is wrong and where inside the
record (``messages[2]: Unknown role: 'bot'``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

from harmony_typed import (
    Conversation,
    HarmonyEncoding,
    HarmonyError,
    JSONValue,
    Message,
    RenderConversationConfig,
    Role,
    TrainingExample,
)
from harmony_typed.chat import conversation_from_chat

Mode = Literal["training", "completion", "conversation"]
"""Which renderer a dataset goes through (see :class:`RenderSpec`)."""

MODES: Final[tuple[Mode, ...]] = ("training", "completion", "conversation")

InputFormat = Literal["harmony", "chat"]
"""``harmony``: openai_harmony ``to_dict()`` shapes; ``chat``: chat-messages records (:mod:`harmony_typed.chat`)."""
INPUT_FORMATS: Final[tuple[InputFormat, ...]] = ("harmony", "chat")

TrainOn = Literal["assistant", "last_turn"]
"""Which assistant messages a training example's loss mask covers (see ``render_training_example``)."""
TRAIN_ON: Final[tuple[TrainOn, ...]] = ("assistant", "last_turn")

OutputFormat = Literal["jsonl", "parquet"]
OUTPUT_FORMATS: Final[tuple[OutputFormat, ...]] = ("jsonl", "parquet")

MAX_MESSAGE: Final = 400
"""Longest error text kept for one record (long reprs of bad values are cut)."""

Record: TypeAlias = str | bytes | bytearray | Mapping[str, object] | list[object]
"""One dataset item: a JSON text line, or an already-parsed conversation / message list / message."""


class RecordError(ValueError):
    """One record is not a renderable conversation.

    ``str(error)`` names the problem and where inside the record it is
    (``messages[1]: missing key 'content'``); :func:`render_dataset` and the
    CLI add the file name and line number.
    """

    __module__ = "harmony_typed.dataset"  # its public home (pickles and tracebacks name it)


def json_kind(value: object) -> str:
    """The JSON name of a parsed value's type, with its article."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line (newlines escaped) and at most ``limit`` characters."""
    flat = text.replace("\r", "\\r").replace("\n", "\\n")
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def message_from_json(value: object, where: str = "message") -> Message:
    """A :class:`Message` from its ``to_dict()`` shape (``content`` may be a plain string).

    >>> message_from_json({"role": "user", "content": "Hi"}).content[0].text
    'Hi'
    >>> message_from_json({"role": "bot", "content": "Hi"}, "messages[0]")
    Traceback (most recent call last):
    ...
    harmony_typed.dataset.RecordError: messages[0]: Unknown role: 'bot'
    """
    if not isinstance(value, Mapping):
        raise RecordError(f"{where}: expected a message object, got {json_kind(value)}")
    try:
        return Message.from_dict(value)
    except KeyError as exc:
        key = exc.args[0] if exc.args else "?"
        raise RecordError(f"{where}: missing key {key!r}") from None
    except (ValueError, TypeError) as exc:
        raise RecordError(one_line(f"{where}: {exc}")) from None


def conversation_from_json(value: object) -> Conversation:
    """A :class:`Conversation` from any accepted shape.

    Accepted: a conversation ``{"messages": [...]}`` (other keys, such as an
    ``id``, are ignored), a list of messages, or a single message (a
    one-message conversation).

    >>> len(conversation_from_json([{"role": "user", "content": "Hi"}]))
    1
    >>> conversation_from_json({"messages": "Hi"})
    Traceback (most recent call last):
    ...
    harmony_typed.dataset.RecordError: "messages" must be an array of messages, got a string
    """
    if isinstance(value, Mapping):
        if "messages" in value:
            raw = value["messages"]
            if not isinstance(raw, (list, tuple)):
                raise RecordError(f'"messages" must be an array of messages, got {json_kind(raw)}')
            prefix = "messages"
        elif "role" in value:
            return Conversation(messages=(message_from_json(value, "message"),))
        else:
            keys = ", ".join(repr(k) for k in list(value)[:8]) or "none"
            raise RecordError(
                'expected a conversation {"messages": [...]}, an array of messages or a message '
                f'{{"role": ..., "content": ...}}; got an object with keys {keys}'
            )
    elif isinstance(value, (list, tuple)):
        raw = value
        prefix = "message "
    else:
        raise RecordError(
            f'expected a conversation {{"messages": [...]}}, an array of messages or a message, got {json_kind(value)}'
        )
    return Conversation(messages=[message_from_json(item, f"{prefix}[{i}]") for i, item in enumerate(raw)])


def chat_conversation(value: object) -> Conversation:
    """A :class:`Conversation` from a chat-format record: ``{"messages": [...], "tools": [...]}`` or a message list.

    >>> len(chat_conversation({"messages": [{"role": "user", "content": "Hi"}]}))
    2
    """
    tools: object = None
    if isinstance(value, Mapping):
        if "messages" not in value:
            raise RecordError('expected a chat record {"messages": [...]}, got an object without "messages"')
        messages, tools = value["messages"], value.get("tools")
    else:
        messages = value
    if not isinstance(messages, (list, tuple)):
        raise RecordError(f'"messages" must be an array of messages, got {json_kind(messages)}')
    if tools is not None and not isinstance(tools, (list, tuple)):
        raise RecordError(f'"tools" must be an array of function tools, got {json_kind(tools)}')
    bad = next((i for i, item in enumerate(messages) if not isinstance(item, Mapping)), None)
    if bad is not None:
        raise RecordError(f"messages[{bad}]: expected a message object, got {json_kind(messages[bad])}")
    try:
        return conversation_from_chat(messages, tools=tools)
    except (ValueError, TypeError) as exc:
        raise RecordError(one_line(str(exc))) from None


@dataclass(frozen=True)
class RenderSpec:
    """How to render each conversation of a dataset (picklable, immutable).

    * ``mode="training"``: :meth:`HarmonyEncoding.render_conversation_for_training`
      (a final answer ends with ``<|return|>``);
    * ``mode="completion"``: :meth:`HarmonyEncoding.render_conversation_for_completion`
      followed by ``<|start|>{role}`` (prompts for sampling);
    * ``mode="conversation"``: :meth:`HarmonyEncoding.render_conversation`.

    ``auto_drop_analysis`` is :class:`RenderConversationConfig`'s option;
    ``id_field`` names the record key carried through to the output (``None``
    carries nothing).  ``input_format`` says how records are read
    (:data:`InputFormat`).  ``train_on`` set (``"assistant"`` / ``"last_turn"``)
    makes training examples instead of token lists: ``input_ids`` and
    ``loss_mask`` from :meth:`HarmonyEncoding.render_training_example` (``mode``
    must then be ``"training"``).  ``output_format`` is the file format
    :func:`render_dataset` writes (``"parquet"`` needs ``train_on``).
    """

    mode: Mode = "training"
    role: Role = Role.ASSISTANT
    auto_drop_analysis: bool = True
    id_field: str | None = "id"
    input_format: InputFormat = "harmony"
    train_on: TrainOn | None = None
    output_format: OutputFormat = "jsonl"
    _config: RenderConversationConfig = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        for name, value, allowed in (
            ("input_format", self.input_format, INPUT_FORMATS),
            ("train_on", self.train_on, (*TRAIN_ON, None)),
            ("output_format", self.output_format, OUTPUT_FORMATS),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}, got {value!r}")
        if self.train_on is not None and self.mode != "training":
            raise ValueError(f"train_on needs mode='training', got mode={self.mode!r}")
        if self.output_format == "parquet" and self.train_on is None:
            raise ValueError("output_format='parquet' writes training examples: set train_on")
        if not isinstance(self.role, Role):
            raise TypeError(f"role must be a Role, got {type(self.role).__name__}: {self.role!r}")
        object.__setattr__(self, "_config", RenderConversationConfig(auto_drop_analysis=self.auto_drop_analysis))

    def conversation(self, value: object) -> Conversation:
        """The conversation of one parsed record, read as ``input_format`` says."""
        return chat_conversation(value) if self.input_format == "chat" else conversation_from_json(value)

    def render(self, encoding: HarmonyEncoding, conversation: Conversation) -> list[int]:
        """Token ids of ``conversation`` in this mode."""
        if self.mode == "training":
            return encoding.render_conversation_for_training(conversation, self._config)
        if self.mode == "completion":
            return encoding.render_conversation_for_completion(conversation, self.role, self._config)
        return encoding.render_conversation(conversation, self._config)


def _rendered(value: object, encoding: HarmonyEncoding, spec: RenderSpec) -> list[int] | TrainingExample:
    try:
        conversation = spec.conversation(value)
        if spec.train_on is not None:
            return encoding.render_training_example(conversation, spec._config, train_on=spec.train_on)
        return spec.render(encoding, conversation)
    except RecordError:
        raise
    except RecursionError:
        raise RecordError("cannot render: nested too deeply") from None
    except (HarmonyError, ValueError, TypeError, OverflowError) as exc:
        raise RecordError(one_line(f"cannot render: {exc}")) from None


def _record_id_of(value: object, spec: RenderSpec) -> JSONValue:
    if spec.id_field is not None and isinstance(value, Mapping):
        found: JSONValue = value.get(spec.id_field)
        return found
    return None


def render_record(value: object, encoding: HarmonyEncoding, spec: RenderSpec) -> tuple[JSONValue, list[int]]:
    """``(id, tokens)`` of one parsed record; ``id`` is ``None`` when the record has none.

    Raises :class:`RecordError` for a record of the wrong shape or one the
    renderer rejects, including one nested too deeply to render.  With
    ``spec.train_on`` set, the tokens are the training example's ``input_ids``.
    """
    rendered = _rendered(value, encoding, spec)
    tokens = list(rendered.input_ids) if isinstance(rendered, TrainingExample) else rendered
    return _record_id_of(value, spec), tokens


def render_example(value: object, encoding: HarmonyEncoding, spec: RenderSpec) -> tuple[JSONValue, TrainingExample]:
    """``(id, training example)`` of one parsed record (``spec.train_on`` defaults to ``"assistant"``)."""
    if spec.train_on is None:
        spec = RenderSpec(spec.mode, spec.role, spec.auto_drop_analysis, spec.id_field, spec.input_format, "assistant")
    rendered = _rendered(value, encoding, spec)
    assert isinstance(rendered, TrainingExample)  # train_on is set
    return _record_id_of(value, spec), rendered


def parse_line(line: str | bytes | bytearray) -> object:
    # Without its line break, so that error columns count from the start of the line.
    line = line.rstrip("\r\n") if isinstance(line, str) else line.rstrip(b"\r\n")
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise RecordError(f"invalid UTF-8 at byte {exc.start}") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply") from None
    except ValueError:
        # The only other ValueError json.loads raises: int() refusing a huge number.
        raise RecordError(f"invalid JSON: a number longer than {sys.get_int_max_str_digits()} digits") from None


def json_id(id_field: str, record_id: JSONValue) -> str:
    """``record_id`` as strict JSON (ASCII), or a :class:`RecordError` (NaN, infinities, huge integers)."""
    try:
        return json.dumps(record_id, allow_nan=False)
    except (ValueError, TypeError):
        try:
            shown = one_line(repr(record_id), 60)
        except ValueError:  # repr() of an integer past the digit limit
            shown = "a huge integer"
        raise RecordError(f"{id_field!r} is {shown}: not valid JSON (no NaN, infinity or huge number)") from None


def _ids(tokens: Iterable[int]) -> str:
    # Built by hand: ~3x faster than json.dumps for long lists of ints.
    return "[" + ",".join(map(str, tokens)) + "]"


def output_line(id_field: str | None, record_id: JSONValue, has_id: bool, tokens: list[int]) -> str:
    """``{"id": ..., "tokens": [...]}`` (the id only when ``has_id``), ASCII only, strict JSON."""
    return _with_id(id_field, record_id, has_id, '"tokens":' + _ids(tokens) + "}")


def example_line(id_field: str | None, record_id: JSONValue, has_id: bool, example: TrainingExample) -> str:
    """``{"id": ..., "input_ids": [...], "loss_mask": [...]}``, like :func:`output_line`."""
    return _with_id(
        id_field,
        record_id,
        has_id,
        '"input_ids":' + _ids(example.input_ids) + ',"loss_mask":' + _ids(example.loss_mask) + "}",
    )


def _with_id(id_field: str | None, record_id: JSONValue, has_id: bool, body: str) -> str:
    # ASCII only (non-ASCII characters of an id are \u-escaped): the output never depends on a stream's encoding.
    if has_id and id_field is not None:
        return "{" + json.dumps(id_field) + ":" + json_id(id_field, record_id) + "," + body
    return "{" + body


def render_line(line: str | bytes | bytearray, encoding: HarmonyEncoding, spec: RenderSpec) -> tuple[str, int]:
    """Render one JSONL line: ``(output JSON line without newline, number of tokens)``.

    The output is ``{"tokens": [...]}`` (``{"input_ids": [...], "loss_mask":
    [...]}`` with ``spec.train_on``), with the record's ``id``
    (``spec.id_field``) first when it has one.

    >>> from harmony_typed import load_harmony_encoding
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> render_line('{"id": 7, "messages": [{"role": "user", "content": "Hi"}]}', enc, RenderSpec())
    ('{"id":7,"tokens":[200006,1428,200008,12194,200007]}', 5)
    """
    value = parse_line(line)
    has_id = spec.id_field is not None and isinstance(value, Mapping) and spec.id_field in value
    if spec.train_on is not None:
        record_id, example = render_example(value, encoding, spec)
        return example_line(spec.id_field, record_id, has_id, example), len(example)
    record_id, tokens = render_record(value, encoding, spec)
    return output_line(spec.id_field, record_id, has_id, tokens), len(tokens)


def is_blank(line: str | bytes | bytearray) -> bool:
    return not line.strip()
