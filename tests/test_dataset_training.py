"""Training examples from chat-format datasets: JSONL rows, Parquet row groups, Hugging Face ``datasets``.

The expected values are always the library's own public API, record by
record (``conversation_from_chat`` + ``render_training_example``); the dataset
paths (worker pool, Parquet writer, ``Dataset.map``) must reproduce them.
Tests marked ``extras`` need ``pyarrow`` and ``datasets`` (``nox -s dataset_extras``).
"""

from __future__ import annotations

import io
import json
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dataset_support import cli_env

from harmony_typed import HarmonyEncoding, TrainingExample
from harmony_typed.chat import conversation_from_chat
from harmony_typed.dataset import (
    ParquetSink,
    RecordError,
    RenderSpec,
    open_output,
    render_dataset,
    training_features,
    training_partition,
)

_WORDS = ("weather", "Tokyo", "please", "sum", "numbers", "why", "déjà vu", "42", "{json}", "\u4f60\u597d")
_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 12)))


def chat_record(index: int, rng: random.Random) -> dict[str, Any]:
    """One chat-format record: several turns, sometimes thinking, a tool call and its result."""
    messages: list[dict[str, Any]] = []
    if rng.random() < 0.3:
        messages.append({"role": "system", "content": _text(rng)})
    for _ in range(rng.randint(1, 3)):
        messages.append({"role": "user", "content": _text(rng)})
        if rng.random() < 0.4:
            call = {
                "id": f"c{index}",
                "type": "function",
                "function": {"name": "get_weather", "arguments": {"city": "x"}},
            }
            messages.append({"role": "assistant", "thinking": _text(rng), "tool_calls": [call]})
            messages.append({"role": "tool", "tool_call_id": f"c{index}", "content": _text(rng)})
        messages.append({"role": "assistant", "content": _text(rng)})
    record: dict[str, Any] = {"id": f"r{index}", "messages": messages}
    if any("tool_calls" in m for m in messages):
        record["tools"] = _TOOLS
    return record


def write_chat_file(path: Path, count: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = [chat_record(i, rng) for i in range(count)]
    path.write_text("".join(json.dumps(r, ensure_ascii=bool(i % 2)) + "\n" for i, r in enumerate(records)), "utf-8")
    return records


def expected_example(enc: HarmonyEncoding, record: dict[str, Any], train_on: str = "assistant") -> TrainingExample:
    convo = conversation_from_chat(record["messages"], tools=record.get("tools"))
    return enc.render_training_example(convo, train_on=train_on)  # type: ignore[arg-type]


def _jsonl(enc: HarmonyEncoding, source: Path, spec: RenderSpec, workers: int = 1) -> list[dict[str, Any]]:
    sink = io.StringIO()
    with source.open("rb") as stream:
        render_dataset(stream, sink, enc, spec, workers=workers, batch_size=64)
    return [json.loads(line) for line in sink.getvalue().splitlines()]


@pytest.mark.parametrize("train_on", ["assistant", "last_turn"])
def test_jsonl_training_rows_equal_the_public_api(enc: HarmonyEncoding, tmp_path: Path, train_on: str) -> None:
    source = tmp_path / "chat.jsonl"
    records = write_chat_file(source, 300, seed=1)
    spec = RenderSpec(input_format="chat", train_on=train_on)  # type: ignore[arg-type]
    rows = _jsonl(enc, source, spec, workers=2)
    assert [list(row) for row in rows] == [["id", "input_ids", "loss_mask"]] * len(records)
    for row, record in zip(rows, records, strict=True):
        example = expected_example(enc, record, train_on)
        assert row == {"id": record["id"], "input_ids": list(example.input_ids), "loss_mask": list(example.loss_mask)}


def test_bad_chat_records_are_their_lines_errors(enc: HarmonyEncoding) -> None:
    lines = [
        '{"messages": [{"role": "robot", "content": "x"}]}',
        '{"messages": "hi"}',
        '{"messages": [3]}',
        '{"messages": [{"role": "user", "content": "x"}], "tools": 5}',
        '{"other": 1}',
    ]
    errors: list[tuple[int, str]] = []
    render_dataset(
        io.BytesIO("\n".join(lines).encode()),
        io.StringIO(),
        enc,
        RenderSpec(input_format="chat", train_on="assistant"),
        skip_errors=True,
        on_error=lambda *e: errors.append(e),
    )
    assert [n for n, _ in errors] == [1, 2, 3, 4, 5]
    assert "messages[0]" in errors[0][1] and "role" in errors[0][1]
    assert errors[1][1] == '"messages" must be an array of messages, got a string'
    assert errors[2][1] == "messages[0]: expected a message object, got a number"
    assert errors[3][1] == '"tools" must be an array of function tools, got a number'


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="train_on needs mode='training'"):
        RenderSpec(mode="completion", train_on="assistant")
    with pytest.raises(ValueError, match="output_format='parquet' writes training examples"):
        RenderSpec(output_format="parquet")
    with pytest.raises(ValueError, match="input_format must be one of harmony, chat"):
        RenderSpec(input_format="csv")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs a RowSink sink"):
        render_dataset(io.BytesIO(), io.StringIO(), None, RenderSpec(train_on="assistant", output_format="parquet"))  # type: ignore[arg-type]


def test_training_partition(enc: HarmonyEncoding) -> None:
    rng = random.Random(3)
    records = [chat_record(i, rng) for i in range(50)]
    columns = training_partition([json.dumps(r) for r in records] + ["", '{"messages": 1}'], enc, skip_errors=True)
    assert columns["id"][:50] == [r["id"] for r in records]
    assert columns["input_ids"][:50] == [list(expected_example(enc, r).input_ids) for r in records]
    assert columns["loss_mask"][:50] == [list(expected_example(enc, r).loss_mask) for r in records]
    assert columns["error"][50] == '"messages" must be an array of messages, got a number'
    with pytest.raises(RecordError, match="^record 0 of the partition"):
        training_partition(['{"messages": 1}'], enc)


def test_training_features_columns(enc: HarmonyEncoding) -> None:
    rng = random.Random(4)
    records = [chat_record(i, rng) for i in range(40)]
    batch = {"messages": [r["messages"] for r in records], "tools": [r.get("tools") for r in records]}
    out = training_features(batch, enc)
    for i, record in enumerate(records):
        example = expected_example(enc, record)
        assert out["input_ids"][i] == list(example.input_ids)
        assert out["attention_mask"][i] == [1] * len(example)
        assert out["labels"][i] == [t if m else -100 for t, m in zip(example.input_ids, example.loss_mask, strict=True)]
    with pytest.raises(RecordError, match="^record 1 of the batch"):
        training_features({"messages": [records[0]["messages"], [{"role": "x", "content": ""}]]}, enc)


# -- with the optional packages ------------------------------------------------------------------


@pytest.mark.extras
def test_parquet_of_20k_chat_records_equals_the_jsonl_output(enc: HarmonyEncoding, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    source = tmp_path / "chat.jsonl"
    write_chat_file(source, 20_000, seed=7)
    jsonl = _jsonl(enc, source, RenderSpec(input_format="chat", train_on="assistant"))
    out = tmp_path / "train.parquet"
    output = open_output(out, source=source, binary=True)
    sink = ParquetSink(output.stream, rows_per_group=1_000)
    with source.open("rb") as stream:
        spec = RenderSpec(input_format="chat", train_on="assistant", output_format="parquet")
        summary = render_dataset(stream, sink, enc, spec, workers=2)
    sink.close()
    output.commit()
    assert summary.conversations == 20_000 and summary.errors == 0
    parquet = pq.ParquetFile(out)
    assert parquet.metadata.num_row_groups == 20 and parquet.metadata.num_rows == 20_000
    table = parquet.read()
    assert [str(t) for t in table.schema.types] == ["string", "list<element: int32>", "list<element: int8>"]
    rows = table.to_pylist()
    assert [json.loads(row["id"]) for row in rows] == [row["id"] for row in jsonl]
    assert [row["input_ids"] for row in rows] == [row["input_ids"] for row in jsonl]
    assert [row["loss_mask"] for row in rows] == [row["loss_mask"] for row in jsonl]


@pytest.mark.extras
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_datasets_map_recipe(enc: HarmonyEncoding, tmp_path: Path) -> None:
    """docs/distributed.md's Hugging Face ``datasets`` recipe, end to end on a local file."""
    datasets = pytest.importorskip("datasets")
    source = tmp_path / "chat.jsonl"
    records = write_chat_file(source, 400, seed=9)
    for record in records:  # a datasets column needs one type: give every record its tools (or null)
        record.setdefault("tools", None)
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    ds = datasets.load_dataset("json", data_files=str(source), split="train", cache_dir=str(tmp_path / "cache"))
    mapped = ds.map(
        training_features,
        batched=True,
        batch_size=64,
        num_proc=2,
        fn_kwargs={"encoding": enc},
        remove_columns=ds.column_names,
    )
    assert mapped.column_names == ["input_ids", "attention_mask", "labels"]
    for row, record in zip(mapped, records, strict=True):
        example = expected_example(enc, record)
        assert row["input_ids"] == list(example.input_ids)
        assert row["labels"] == example.labels()
        assert row["attention_mask"] == [1] * len(example)


# -- the distributed recipes of docs/distributed.md, emitting masks (`nox -s distributed`) -----------------


def _distributed_warnings(test: Callable[..., None]) -> Callable[..., None]:
    """The engines' own deprecation and resource warnings are theirs, not failures of the recipe."""
    for category in (
        "DeprecationWarning",
        "FutureWarning",
        "ResourceWarning",
        "pytest.PytestUnraisableExceptionWarning",
    ):
        test = pytest.mark.filterwarnings(f"ignore::{category}")(test)
    return test


def _expected_rows(enc: HarmonyEncoding, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        example = expected_example(enc, record)
        rows.append({"id": record["id"], "input_ids": list(example.input_ids), "loss_mask": list(example.loss_mask)})
    return rows


@pytest.mark.slow
@_distributed_warnings
def test_ray_data_training_recipe(enc: HarmonyEncoding, tmp_path: Path) -> None:
    """docs/distributed.md's Ray Data recipe (chat records in, input_ids and loss_mask out), in local mode."""
    ray = pytest.importorskip("ray")
    pd = pytest.importorskip("pandas")
    source = tmp_path / "chat.jsonl"
    records = write_chat_file(source, 2_000, seed=21)

    def render_batch(batch: Any) -> Any:
        columns = training_partition(batch["text"], enc, input_format="chat", train_on="assistant")
        return pd.DataFrame({"id": columns["id"], "input_ids": columns["input_ids"], "loss_mask": columns["loss_mask"]})

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    try:
        out = tmp_path / "parquet"
        ray.data.read_text(str(source)).map_batches(render_batch, batch_format="pandas", batch_size=256).write_parquet(
            str(out)
        )
        rows = ray.data.read_parquet(str(out)).take_all()
    finally:
        ray.shutdown()
    got = [
        {"id": r["id"], "input_ids": [int(t) for t in r["input_ids"]], "loss_mask": [int(m) for m in r["loss_mask"]]}
        for r in rows
    ]
    assert sorted(got, key=lambda r: int(r["id"][1:])) == _expected_rows(enc, records)


@pytest.mark.slow
@_distributed_warnings
def test_spark_training_recipe(enc: HarmonyEncoding, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/distributed.md's Spark recipe (``mapInPandas`` with an ``array<tinyint>`` mask), in local mode."""
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime")
    spark_sql = pytest.importorskip("pyspark.sql")
    pd = pytest.importorskip("pandas")
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # workers import the same harmony_typed
    monkeypatch.setenv("PYTHONPATH", cli_env()["PYTHONPATH"])
    source = tmp_path / "chat.jsonl"
    records = write_chat_file(source, 1_500, seed=22)

    def render(batches: Any) -> Any:
        for pdf in batches:
            columns = training_partition(pdf["value"], enc, input_format="chat", train_on="assistant")
            yield pd.DataFrame(
                {"id": columns["id"], "input_ids": columns["input_ids"], "loss_mask": columns["loss_mask"]}
            )

    spark = (
        spark_sql.SparkSession.builder.master("local[2]")
        .appName("harmony-typed-test")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        schema = "id string, input_ids array<int>, loss_mask array<tinyint>"
        out = str(tmp_path / "parquet")
        spark.read.text(str(source)).mapInPandas(render, schema=schema).write.parquet(out)
        rows = [row.asDict() for row in spark.read.parquet(out).collect()]
    finally:
        spark.stop()
    assert sorted(rows, key=lambda r: int(r["id"][1:])) == _expected_rows(enc, records)
