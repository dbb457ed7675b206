"""Training examples for trainers: Hugging Face ``datasets`` batches and per-partition columns.

:func:`training_features` is the function for ``Dataset.map(batched=True,
num_proc=N)``: chat-format columns in, ``input_ids`` / ``attention_mask`` /
``labels`` (-100 where the loss mask is 0) out, columns a trainer uses
directly.  :func:`training_partition` is its counterpart for Ray Data / Spark
partitions of JSONL lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict

from harmony_typed import HarmonyEncoding, JSONValue
from harmony_typed.dataset.records import (
    InputFormat,
    Record,
    RecordError,
    RenderSpec,
    TrainOn,
    is_blank,
    parse_line,
    render_example,
)

__all__ = ["IGNORE_INDEX", "TrainingColumns", "training_features", "training_partition"]

IGNORE_INDEX = -100
"""The label of tokens without loss (PyTorch's ``CrossEntropyLoss`` default ``ignore_index``)."""


def training_features(
    batch: Mapping[str, Sequence[object]],
    encoding: HarmonyEncoding,
    *,
    train_on: TrainOn = "assistant",
    messages_column: str = "messages",
    tools_column: str = "tools",
) -> dict[str, list[list[int]]]:
    """``input_ids``, ``attention_mask`` and ``labels`` for a batch of chat records.

    ``batch[messages_column][i]`` is one record's chat messages and, when the
    column exists, ``batch[tools_column][i]`` its function tools (or ``None``).
    A bad record raises :class:`RecordError` naming its index in the batch.

    >>> from harmony_typed import load_harmony_encoding
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    >>> out = training_features({"messages": [chat]}, enc)
    >>> out["labels"][0][-6:], out["attention_mask"][0][-1]
    ([-100, 200005, 17196, 200008, 13225, 200002], 1)
    """
    spec = RenderSpec(input_format="chat", train_on=train_on, id_field=None)
    messages = batch[messages_column]
    tools = batch.get(tools_column)
    out: dict[str, list[list[int]]] = {"input_ids": [], "attention_mask": [], "labels": []}
    for index, record in enumerate(messages):
        value = {"messages": record, "tools": tools[index] if tools is not None else None}
        try:
            _, example = render_example(value, encoding, spec)
        except RecordError as exc:
            raise RecordError(f"record {index} of the batch: {exc}") from None
        out["input_ids"].append(list(example.input_ids))
        out["attention_mask"].append([1] * len(example))
        out["labels"].append(example.labels(IGNORE_INDEX))
    return out


class TrainingColumns(TypedDict):
    """Columns returned by :func:`training_partition`, one entry per non-blank input record."""

    id: list[JSONValue]
    input_ids: list[list[int] | None]
    loss_mask: list[list[int] | None]
    error: list[str | None]


def training_partition(
    records: Iterable[Record],
    encoding: HarmonyEncoding,
    *,
    input_format: InputFormat = "chat",
    train_on: TrainOn = "assistant",
    id_field: str | None = "id",
    skip_errors: bool = False,
) -> TrainingColumns:
    """Like :func:`render_partition`, with ``input_ids`` and ``loss_mask`` columns instead of ``tokens``."""
    spec = RenderSpec(input_format=input_format, train_on=train_on, id_field=id_field)
    out: TrainingColumns = {"id": [], "input_ids": [], "loss_mask": [], "error": []}
    for index, record in enumerate(records):
        if isinstance(record, (str, bytes, bytearray)) and is_blank(record):
            continue
        try:
            value = parse_line(record) if isinstance(record, (str, bytes, bytearray)) else record
            record_id, example = render_example(value, encoding, spec)
        except RecordError as exc:
            if not skip_errors:
                raise RecordError(f"record {index} of the partition: {exc}") from None
            out["id"].append(None)
            out["input_ids"].append(None)
            out["loss_mask"].append(None)
            out["error"].append(str(exc))
            continue
        out["id"].append(record_id)
        out["input_ids"].append(list(example.input_ids))
        out["loss_mask"].append(list(example.loss_mask))
        out["error"].append(None)
    return out
