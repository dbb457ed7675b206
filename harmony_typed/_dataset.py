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
* :func:`render_dataset`: ``harmony-typed render-dataset`` itself, a JSONL file
  to a JSONL file through a process pool, order preserved, with whole-line
  output only (a temporary file renamed into place at the end).

Not compiled with mypyc (see ``setup.py``): it is I/O and orchestration, the
rendering it drives is the compiled :mod:`harmony_typed._render`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Final, Literal, TypeAlias, TypedDict

from harmony_typed._encoding import HarmonyEncoding
from harmony_typed._errors import HarmonyError
from harmony_typed._models import Conversation, JSONValue, Message, RenderConversationConfig, Role

__all__ = [
    "BATCH_SIZE",
    "MODES",
    "BatchResult",
    "DatasetAborted",
    "DatasetSummary",
    "Mode",
    "PartitionColumns",
    "RecordError",
    "RenderSpec",
    "conversation_from_json",
    "count_lines",
    "json_kind",
    "one_line",
    "message_from_json",
    "render_batch",
    "render_dataset",
    "render_line",
    "render_partition",
    "render_record",
    "atomic_output",
]

Mode = Literal["training", "completion", "conversation"]
"""Which renderer a dataset goes through (see :class:`RenderSpec`)."""

MODES: Final[tuple[Mode, ...]] = ("training", "completion", "conversation")

BATCH_SIZE: Final = 256
"""Lines per task sent to a worker process: large enough to amortise the IPC, small enough to balance."""

_MAX_MESSAGE: Final = 400
"""Longest error text kept for one record (long reprs of bad values are cut)."""

Record: TypeAlias = str | bytes | bytearray | Mapping[str, object] | list[object]
"""One dataset item: a JSON text line, or an already-parsed conversation / message list / message."""


class RecordError(ValueError):
    """One record is not a renderable conversation.

    ``str(error)`` names the problem and where inside the record it is
    (``messages[1]: missing key 'content'``); :func:`render_dataset` and the
    CLI add the file name and line number.
    """


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


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
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
    harmony_typed._dataset.RecordError: messages[0]: Unknown role: 'bot'
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
    harmony_typed._dataset.RecordError: "messages" must be an array of messages, got a string
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
    carries nothing).
    """

    mode: Mode = "training"
    role: Role = Role.ASSISTANT
    auto_drop_analysis: bool = True
    id_field: str | None = "id"
    _config: RenderConversationConfig = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if not isinstance(self.role, Role):
            raise TypeError(f"role must be a Role, got {type(self.role).__name__}: {self.role!r}")
        object.__setattr__(self, "_config", RenderConversationConfig(auto_drop_analysis=self.auto_drop_analysis))

    def render(self, encoding: HarmonyEncoding, conversation: Conversation) -> list[int]:
        """Token ids of ``conversation`` in this mode."""
        if self.mode == "training":
            return encoding.render_conversation_for_training(conversation, self._config)
        if self.mode == "completion":
            return encoding.render_conversation_for_completion(conversation, self.role, self._config)
        return encoding.render_conversation(conversation, self._config)


def render_record(value: object, encoding: HarmonyEncoding, spec: RenderSpec) -> tuple[JSONValue, list[int]]:
    """``(id, tokens)`` of one parsed record; ``id`` is ``None`` when the record has none.

    Raises :class:`RecordError` for a record of the wrong shape or one the
    renderer rejects.
    """
    conversation = conversation_from_json(value)
    record_id: JSONValue = None
    if spec.id_field is not None and isinstance(value, Mapping):
        record_id = value.get(spec.id_field)
    try:
        tokens = spec.render(encoding, conversation)
    except (HarmonyError, ValueError, TypeError) as exc:
        raise RecordError(one_line(f"cannot render: {exc}")) from None
    return record_id, tokens


def _parse_line(line: str | bytes | bytearray) -> object:
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


def _output_line(id_field: str | None, record_id: JSONValue, has_id: bool, tokens: list[int]) -> str:
    # Built by hand: ~3x faster than json.dumps for long lists of ints.  ASCII only (non-ASCII
    # characters of an id are \u-escaped), so that the output never depends on a stream's encoding.
    body = '"tokens":[' + ",".join(map(str, tokens)) + "]}"
    if has_id and id_field is not None:
        return "{" + json.dumps(id_field) + ":" + json.dumps(record_id) + "," + body
    return "{" + body


def render_line(line: str | bytes | bytearray, encoding: HarmonyEncoding, spec: RenderSpec) -> tuple[str, int]:
    """Render one JSONL line: ``(output JSON line without newline, number of tokens)``.

    The output is ``{"tokens": [...]}``, with the record's ``id`` (``spec.id_field``)
    first when it has one.

    >>> from harmony_typed import load_harmony_encoding
    >>> enc = load_harmony_encoding("HarmonyGptOss")
    >>> render_line('{"id": 7, "messages": [{"role": "user", "content": "Hi"}]}', enc, RenderSpec())
    ('{"id":7,"tokens":[200006,1428,200008,12194,200007]}', 5)
    """
    value = _parse_line(line)
    record_id, tokens = render_record(value, encoding, spec)
    has_id = spec.id_field is not None and isinstance(value, Mapping) and spec.id_field in value
    return _output_line(spec.id_field, record_id, has_id, tokens), len(tokens)


def _is_blank(line: str | bytes | bytearray) -> bool:
    return not line.strip()


# -- one partition (Ray Data, Spark, Dask, ...) ----------------------------------


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
        if isinstance(record, (str, bytes, bytearray)) and _is_blank(record):
            continue
        try:
            value = _parse_line(record) if isinstance(record, (str, bytes, bytearray)) else record
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


# -- one batch of lines (a process-pool task) -------------------------------------


@dataclass(frozen=True)
class _Task:
    """A process-pool task: pickles as the encoding's name, the spec and the raw lines."""

    encoding: HarmonyEncoding
    spec: RenderSpec
    first_line: int
    lines: list[bytes]


@dataclass
class BatchResult:
    """What a batch of lines rendered to."""

    output: list[str] = field(default_factory=list)
    """One JSON line (no newline) per good input line, in input order."""
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
        if _is_blank(line):
            result.blank_lines += 1
            continue
        try:
            text, count = render_line(line, encoding, spec)
        except RecordError as exc:
            result.errors.append((number, str(exc)))
            continue
        output.append(text)
        result.tokens += count
    return result


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


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork on Linux: workers inherit the already-loaded encoding and start in
    # milliseconds (the executor launches them all before its manager thread,
    # so no thread exists at fork time).  Elsewhere the platform default.
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _ignore_sigint() -> None:
    # Ctrl-C is handled by the parent, which cancels the pool; workers would only print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
    sink: IO[str],
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

    ``workers > 1`` renders batches of ``batch_size`` lines in a process pool
    (the encoding travels by name); results are written in input order.
    ``on_error(line, message)`` is called for every bad line; with
    ``skip_errors`` false the first one raises :class:`DatasetAborted` (lines
    before it may already be in ``sink``: callers that must not leave a
    partial file write to a temporary file).  ``on_progress(n)`` is called
    after each batch with the number of input lines it held.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    summary = DatasetSummary(workers=workers)
    start = time.perf_counter()
    tasks = (_Task(encoding, spec, first, lines) for first, lines in _batches(source, batch_size))
    executor: ProcessPoolExecutor | None = None
    try:
        results: Iterator[BatchResult]
        if workers == 1:
            results = (_run_task(task) for task in tasks)
        else:
            executor = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=_ignore_sigint)
            results = _ordered(executor, tasks, window=4 * workers)
        for result in results:
            if result.errors:
                for line, message in result.errors:
                    if on_error is not None:
                        on_error(line, message)
                    if not skip_errors:
                        raise DatasetAborted(line, message)
                summary.errors += len(result.errors)
            if result.output:
                sink.write("\n".join(result.output))
                sink.write("\n")
            summary.conversations += len(result.output)
            summary.tokens += result.tokens
            summary.blank_lines += result.blank_lines
            if on_progress is not None:
                on_progress(len(result.output) + len(result.errors) + result.blank_lines)
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    summary.seconds = time.perf_counter() - start
    return summary


def atomic_output(path: str | os.PathLike[str]) -> tuple[IO[str], Callable[[], None], Callable[[], None]]:
    """A temporary text file beside ``path``, with ``commit`` (rename over ``path``) and ``discard``.

    The output file therefore only ever appears complete; a failed or
    interrupted run leaves ``path`` as it was.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
    tmp = Path(tmp_name)

    def commit() -> None:
        stream.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual mode of a new file
        os.replace(tmp, target)

    def discard() -> None:
        stream.close()
        tmp.unlink(missing_ok=True)

    return stream, commit, discard
