"""Rendering datasets of conversations to token ids, on every core or on a cluster.

Three layers, each usable on its own:

* :func:`conversation_from_json` / :func:`render_record` / :func:`render_line`:
  one record (a conversation ``{"messages": [...]}``, a list of messages or a
  single message, in openai_harmony's ``to_dict()`` shapes) to token ids.
  Every problem with the record is a :class:`RecordError` saying what is wrong
  and where inside the record (``messages[2]: Unknown role: 'bot'``).
* :func:`render_partition`: a whole partition (JSONL text lines or parsed
  records) to the columns ``id`` / ``tokens`` / ``error``; this is what the
  Ray Data ``map_batches`` and Spark ``mapInPandas`` recipes in
  ``docs/distributed.md`` call on each worker.  Its arguments pickle cheaply:
  the encoding pickles by name and is rebuilt (once per process) on arrival.
* :func:`render_dataset`: the engine of ``harmony-typed render-dataset``, a
  JSONL stream to a text sink through a process pool, order preserved;
  :func:`open_output` gives the sink that never destroys data (complete or
  untouched, never the input, never a replaced symlink, FIFO or device).

Submodules, one job each: :mod:`.records` (one record), :mod:`.partition`
(one partition), :mod:`.pool` (a file through worker processes),
:mod:`.training` (training examples for Hugging Face ``datasets`` and
partitions), :mod:`.parquet` (row-group Parquet output),
:mod:`.workers` (worker processes that die with their parent), :mod:`.output`
(safe output files).  Import from ``harmony_typed.dataset``.

Not compiled with mypyc (see ``setup.py``): it is I/O and orchestration; the
rendering it drives is compiled.
"""

from __future__ import annotations

from harmony_typed.dataset.output import SafeOutput, SameFileError, atomic_output, open_output
from harmony_typed.dataset.parquet import ParquetSink
from harmony_typed.dataset.partition import PartitionColumns, render_partition
from harmony_typed.dataset.pool import (
    BATCH_SIZE,
    BatchResult,
    DatasetAborted,
    DatasetSummary,
    Row,
    RowSink,
    count_lines,
    render_batch,
    render_dataset,
)
from harmony_typed.dataset.records import (
    INPUT_FORMATS,
    MODES,
    OUTPUT_FORMATS,
    TRAIN_ON,
    InputFormat,
    Mode,
    OutputFormat,
    Record,
    RecordError,
    RenderSpec,
    TrainOn,
    chat_conversation,
    conversation_from_json,
    json_kind,
    message_from_json,
    one_line,
    render_example,
    render_line,
    render_record,
)
from harmony_typed.dataset.training import IGNORE_INDEX, TrainingColumns, training_features, training_partition

__all__ = [
    "IGNORE_INDEX",
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "TRAIN_ON",
    "InputFormat",
    "OutputFormat",
    "ParquetSink",
    "Row",
    "RowSink",
    "TrainOn",
    "TrainingColumns",
    "chat_conversation",
    "render_example",
    "training_features",
    "training_partition",
    "BATCH_SIZE",
    "MODES",
    "BatchResult",
    "DatasetAborted",
    "DatasetSummary",
    "Mode",
    "PartitionColumns",
    "Record",
    "RecordError",
    "RenderSpec",
    "SafeOutput",
    "SameFileError",
    "atomic_output",
    "conversation_from_json",
    "count_lines",
    "json_kind",
    "message_from_json",
    "one_line",
    "open_output",
    "render_batch",
    "render_dataset",
    "render_line",
    "render_partition",
    "render_record",
]
