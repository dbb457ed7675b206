"""A whole JSONL file through a process pool: batches of lines, results in input order."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Final, Protocol, TypeAlias, runtime_checkable

from harmony_typed import HarmonyEncoding
from harmony_typed.dataset.records import (
    RecordError,
    RenderSpec,
    is_blank,
    json_id,
    one_line,
    parse_line,
    render_example,
    render_line,
)
from harmony_typed.dataset.workers import pool_context, sigterm_exits, start_worker

BATCH_SIZE: Final = 256
"""Lines per task sent to a worker process: large enough to amortise the IPC, small enough to balance."""


@dataclass(frozen=True)
class _Task:
    """A process-pool task: pickles as the encoding's name, the spec and the raw lines."""

    encoding: HarmonyEncoding
    spec: RenderSpec
    first_line: int
    lines: list[bytes]


Row: TypeAlias = tuple[str | None, tuple[int, ...], bytes]
"""One training example for a columnar sink: ``(id as JSON text or None, input_ids, loss_mask)``."""


@runtime_checkable
class RowSink(Protocol):
    """Where :func:`render_dataset` writes training rows (``output_format="parquet"``), e.g. ``ParquetSink``."""

    def write_rows(self, rows: list[Row]) -> None:
        """Append ``rows`` in order."""


@dataclass
class BatchResult:
    """What a batch of lines rendered to."""

    output: list[str] = field(default_factory=list)
    """One JSON line (no newline) per good input line, in input order (``output_format="jsonl"``)."""
    rows: list[Row] = field(default_factory=list)
    """One row per good input line, in input order (``output_format="parquet"``)."""
    errors: list[tuple[int, str]] = field(default_factory=list)
    """``(line number, message)`` per bad line, in input order."""
    blank_lines: int = 0
    tokens: int = 0


def render_batch(
    lines: Iterable[str | bytes | bytearray], encoding: HarmonyEncoding, spec: RenderSpec, first_line: int = 1
) -> BatchResult:
    """Render consecutive JSONL lines numbered from ``first_line``; bad lines are collected, not raised."""
    result = BatchResult()
    output = result.output
    for number, line in enumerate(lines, first_line):
        if is_blank(line):
            result.blank_lines += 1
            continue
        try:
            if spec.output_format == "parquet":
                result.rows.append(_row(line, encoding, spec))
                result.tokens += len(result.rows[-1][1])
                continue
            text, count = render_line(line, encoding, spec)
        except RecordError as exc:
            result.errors.append((number, str(exc)))
            continue
        except Exception as exc:  # a bad line is always that line's error, never the run's
            result.errors.append((number, one_line(f"cannot render: {type(exc).__name__}: {exc}")))
            continue
        output.append(text)
        result.tokens += count
    return result


def _row(line: str | bytes | bytearray, encoding: HarmonyEncoding, spec: RenderSpec) -> Row:
    value = parse_line(line)
    record_id, example = render_example(value, encoding, spec)
    has_id = spec.id_field is not None and isinstance(value, Mapping) and spec.id_field in value
    id_text = json_id(spec.id_field, record_id) if has_id and spec.id_field is not None else None
    return id_text, example.input_ids, example.loss_mask


def _run_task(task: _Task) -> BatchResult:
    return render_batch(task.lines, task.encoding, task.spec, task.first_line)


# -- a whole file ------------------------------------------------------------------


@dataclass
class DatasetSummary:
    """Totals of a :func:`render_dataset` run."""

    conversations: int = 0
    tokens: int = 0
    errors: int = 0
    blank_lines: int = 0
    seconds: float = 0.0
    workers: int = 1


class DatasetAborted(Exception):
    """The run stopped at a bad line (``skip_errors`` was false); nothing was committed to the output file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def _batches(stream: IO[bytes], batch_size: int) -> Iterator[tuple[int, list[bytes]]]:
    batch: list[bytes] = []
    first = 1
    number = 0
    for number, line in enumerate(stream, 1):
        batch.append(line)
        if len(batch) >= batch_size:
            yield first, batch
            batch = []
            first = number + 1
    if batch:
        yield first, batch


def count_lines(path: str | os.PathLike[str]) -> int:
    """Number of lines in a file (a last line without newline counts), read in 1 MiB blocks."""
    count = 0
    last = b"\n"
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _ordered(executor: Executor, tasks: Iterator[_Task], window: int) -> Iterator[BatchResult]:
    """Results of ``tasks`` in submission order, with at most ``window`` tasks in flight."""
    pending: deque[Future[BatchResult]] = deque()
    for task in tasks:
        pending.append(executor.submit(_run_task, task))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def render_dataset(
    source: IO[bytes],
    sink: IO[str] | RowSink,
    encoding: HarmonyEncoding,
    spec: RenderSpec,
    *,
    workers: int = 1,
    skip_errors: bool = False,
    batch_size: int = BATCH_SIZE,
    on_error: Callable[[int, str], None] | None = None,
    on_progress: Callable[[int], object] | None = None,
) -> DatasetSummary:
    """Render every JSONL line of ``source`` and write one output line per conversation to ``sink``.

    With ``spec.output_format="parquet"`` the sink is a :class:`RowSink`
    (``ParquetSink``) and receives one row per conversation instead.

    ``workers > 1`` renders batches of ``batch_size`` lines in a process pool
    (the encoding travels by name); results are written in input order.
    ``on_error(line, message)`` is called for every bad line; with
    ``skip_errors`` false the first one raises :class:`DatasetAborted` (lines
    before it may already be in ``sink``: callers that must not leave a
    partial file write to a temporary file).  ``on_progress(n)`` is called
    after each batch with the number of input lines it held.

    Workers die with this process (even on SIGKILL); SIGTERM raises
    ``SystemExit(143)`` here, after the pool is shut down (see
    :func:`harmony_typed.dataset.workers.sigterm_exits`).
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    row_sink = sink if isinstance(sink, RowSink) else None
    text_sink = None if isinstance(sink, RowSink) else sink
    if (row_sink is not None) != (spec.output_format == "parquet"):
        raise TypeError(
            f"output_format={spec.output_format!r} needs {'a RowSink' if row_sink is None else 'a text'} sink"
        )
    summary = DatasetSummary(workers=workers)
    start = time.perf_counter()
    tasks = (_Task(encoding, spec, first, lines) for first, lines in _batches(source, batch_size))
    executor: ProcessPoolExecutor | None = None
    with sigterm_exits():  # SIGTERM, like Ctrl-C, shuts the pool down and lets the caller clean up
        try:
            results: Iterator[BatchResult]
            if workers == 1:
                results = (_run_task(task) for task in tasks)
            else:
                executor = ProcessPoolExecutor(
                    max_workers=workers, mp_context=pool_context(), initializer=start_worker, initargs=(os.getpid(),)
                )
                results = _ordered(executor, tasks, window=4 * workers)
            for result in results:
                if result.errors:
                    for line, message in result.errors:
                        if on_error is not None:
                            on_error(line, message)
                        if not skip_errors:
                            raise DatasetAborted(line, message)
                    summary.errors += len(result.errors)
                if result.output and text_sink is not None:
                    text_sink.write("\n".join(result.output))
                    text_sink.write("\n")
                if result.rows and row_sink is not None:
                    row_sink.write_rows(result.rows)
                summary.conversations += len(result.output) + len(result.rows)
                summary.tokens += result.tokens
                summary.blank_lines += result.blank_lines
                if on_progress is not None:
                    on_progress(len(result.output) + len(result.rows) + len(result.errors) + result.blank_lines)
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)
    summary.seconds = time.perf_counter() - start
    return summary
