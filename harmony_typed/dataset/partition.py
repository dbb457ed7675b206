"""One partition of a dataset to columns: the per-worker function of Ray Data, Spark, Dask, ..."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TypedDict

from harmony_typed import HarmonyEncoding, JSONValue, Role
from harmony_typed.dataset.records import (
    Mode,
    Record,
    RecordError,
    RenderSpec,
    is_blank,
    parse_line,
    render_record,
)


class PartitionColumns(TypedDict):
    """Columns returned by :func:`render_partition`, one entry per non-blank input record."""

    id: list[JSONValue]
    """The record's ``id`` (``id_field``), or ``None``."""
    tokens: list[list[int] | None]
    """Token ids, or ``None`` for a bad record (only with ``skip_errors=True``)."""
    error: list[str | None]
    """``None``, or what is wrong with the record (only with ``skip_errors=True``)."""


def render_partition(
    records: Iterable[Record],
    encoding: HarmonyEncoding,
    *,
    mode: Mode = "training",
    role: Role | str = Role.ASSISTANT,
    auto_drop_analysis: bool = True,
    id_field: str | None = "id",
    skip_errors: bool = False,
) -> PartitionColumns:
    """Render a partition of a dataset: the per-worker function of a distributed job.

    ``records`` are JSONL text lines (``str`` or ``bytes``, e.g. a pandas
    column from ``ray.data.read_text`` or ``spark.read.text``) or records
    already parsed from JSON (dicts / lists).  Blank lines are skipped.  The
    result is columnar, ready for ``pandas.DataFrame(...)``.

    A bad record raises :class:`RecordError` naming its position in the
    partition, unless ``skip_errors`` is true: then its ``tokens`` is ``None``
    and ``error`` says what is wrong, so no record disappears silently.

    >>> import pickle
    >>> from harmony_typed import load_harmony_encoding
    >>> enc = pickle.loads(pickle.dumps(load_harmony_encoding("HarmonyGptOss")))
    >>> lines = ['{"id": "a", "messages": [{"role": "user", "content": "Hi"}]}', '{"messages": 3}']
    >>> cols = render_partition(lines, enc, skip_errors=True)
    >>> cols["id"], cols["tokens"][0], cols["error"][1]
    (['a', None], [200006, 1428, 200008, 12194, 200007], '"messages" must be an array of messages, got a number')
    """
    spec = RenderSpec(
        mode=mode,
        role=role if isinstance(role, Role) else Role(role),
        auto_drop_analysis=auto_drop_analysis,
        id_field=id_field,
    )
    out: PartitionColumns = {"id": [], "tokens": [], "error": []}
    for index, record in enumerate(records):
        if isinstance(record, (str, bytes, bytearray)) and is_blank(record):
            continue
        try:
            value = parse_line(record) if isinstance(record, (str, bytes, bytearray)) else record
            record_id, tokens = render_record(value, encoding, spec)
        except RecordError as exc:
            if not skip_errors:
                raise RecordError(f"record {index} of the partition: {exc}") from None
            out["id"].append(_record_id(record, id_field))
            out["tokens"].append(None)
            out["error"].append(str(exc))
            continue
        out["id"].append(record_id)
        out["tokens"].append(tokens)
        out["error"].append(None)
    return out


def _record_id(record: Record, id_field: str | None) -> JSONValue:
    """The id of a (possibly bad) record, when it can be found."""
    if id_field is None:
        return None
    value: object = record
    if isinstance(record, (str, bytes, bytearray)):
        try:
            value = json.loads(record)
        except (ValueError, RecursionError):
            return None
    if isinstance(value, Mapping):
        found: JSONValue = value.get(id_field)
        return found
    return None
