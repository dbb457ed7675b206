"""Dataset rendering: ``harmony-typed render-dataset`` end to end, and the distributed recipes.

The 20,000-conversation file is generated here from a few templates with
varied text; the CLI's output must equal rendering each conversation one by
one in this process with the public API, with 1 and 2 worker processes alike.
Speed is never asserted (see the issue note for the 1 vs 2 worker timings).
"""

from __future__ import annotations

import json
import pickle
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dataset_support import cli_env, make_record, partition_lines, read_jsonl, reference, run_cli, write_dataset

from harmony_typed import (
    Conversation,
    HarmonyEncoding,
    Message,
    Role,
    load_harmony_encoding,
)
from harmony_typed.dataset import (
    DatasetAborted,
    RecordError,
    RenderSpec,
    conversation_from_json,
    count_lines,
    render_batch,
    render_dataset,
    render_line,
    render_partition,
)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object] | list[object]]]:
    path = tmp_path_factory.mktemp("big") / "chats.jsonl"
    return path, write_dataset(path, 20_000)


@pytest.fixture(scope="module")
def big_expected(big: tuple[Path, list[dict[str, object] | list[object]]]) -> list[dict[str, Any]]:
    enc = load_harmony_encoding("HarmonyGptOss")
    return [reference(enc, record) for record in big[1]]


# -- render-dataset end to end -------------------------------------------------------------


def test_render_dataset_20k_equals_one_by_one(
    big: tuple[Path, list[dict[str, object] | list[object]]],
    big_expected: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    source, _ = big
    total_tokens = sum(len(e["tokens"]) for e in big_expected)
    outputs: list[bytes] = []
    for workers, batch_size in ((1, "256"), (2, "97")):  # small batches: many tasks interleave across 2 workers
        out = tmp_path / f"tokens-{workers}.jsonl"
        proc = run_cli("render-dataset", source, out, "--workers", str(workers), "--batch-size", batch_size)
        assert proc.returncode == 0, proc.stderr
        # The summary: conversations, tokens, seconds, errors (no progress bar: stderr is not a TTY).
        summary = proc.stderr.strip()
        assert summary.startswith("harmony-typed: 20,000 conversations, ")
        assert f"{total_tokens:,} tokens in " in summary
        assert f"{workers} worker" in summary and " 0 errors" in summary
        assert "\r" not in proc.stderr and "\n" not in summary
        outputs.append(out.read_bytes())
    # 1 and 2 workers write the same bytes, and that is rendering one by one in this process.
    assert outputs[0] == outputs[1]
    assert read_jsonl(tmp_path / "tokens-2.jsonl") == big_expected


@pytest.mark.parametrize("mode", ["completion", "conversation"])
def test_render_dataset_modes(enc: HarmonyEncoding, tmp_path: Path, mode: str) -> None:
    source = tmp_path / "in.jsonl"
    records = write_dataset(source, 600, seed=1)
    out = tmp_path / "out.jsonl"
    proc = run_cli("render-dataset", source, out, "--mode", mode, "--no-auto-drop", "--workers", "2", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert read_jsonl(out) == [reference(enc, r, mode, auto_drop=False) for r in records]


def test_render_dataset_completion_role(enc: HarmonyEncoding, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps([{"role": "user", "content": "Hi"}]) + "\n")
    proc = run_cli("render-dataset", source, "-", "--mode", "completion", "--role", "user", "--quiet")
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    assert enc.decode_utf8(json.loads(line)["tokens"]) == "<|start|>user<|message|>Hi<|end|><|start|>user"


def _bad_file(tmp_path: Path) -> tuple[Path, list[dict[str, object] | list[object]], dict[int, str]]:
    """600 lines, four of them bad: {line number: what the message must mention}."""
    source = tmp_path / "bad.jsonl"
    rng = random.Random(7)
    good = [make_record(i, rng) for i in range(596)]
    bad = {
        5: ('{"messages": [', "invalid JSON"),
        250: ("42", "expected a conversation"),
        400: ('{"id": "x", "messages": [{"role": "robot", "content": "hi"}]}', "messages[0]: Unknown role: 'robot'"),
        599: ('{"messages": [{"role": "tool", "content": "no name"}]}', "cannot render: Tools should have a name!"),
    }
    lines: list[str] = []
    records = iter(good)
    for number in range(1, 601):
        lines.append(bad[number][0] if number in bad else json.dumps(next(records)))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source, good, {number: fragment for number, (_, fragment) in bad.items()}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_render_dataset_stops_at_first_bad_line(tmp_path: Path, workers: str) -> None:
    source, _, bad = _bad_file(tmp_path)
    out = tmp_path / "out.jsonl"
    out.write_text("previous contents\n")
    proc = run_cli("render-dataset", source, out, "--workers", workers)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == f"harmony-typed: error: {source}:5: {bad[5]}: Expecting value at column 15"
    assert "stopped at the first bad line" in lines[-1] and f"{out} not written" in lines[-1]
    assert len(lines) == 2  # no report of later lines, no summary
    # The output file is untouched and no temporary file is left behind.
    assert out.read_text() == "previous contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "out.jsonl"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_render_dataset_skip_errors(enc: HarmonyEncoding, tmp_path: Path, workers: str) -> None:
    source, good, bad = _bad_file(tmp_path)
    out = tmp_path / "out.jsonl"
    proc = run_cli("render-dataset", source, out, "--workers", workers, "--skip-errors", "--batch-size", "64")
    assert proc.returncode == 0, proc.stderr
    assert read_jsonl(out) == [reference(enc, record) for record in good]
    *warnings, summary = proc.stderr.splitlines()
    assert len(warnings) == len(bad)
    for warning, (number, fragment) in zip(warnings, sorted(bad.items()), strict=True):
        assert warning.startswith(f"harmony-typed: warning: {source}:{number}: ")
        assert fragment in warning and warning.endswith("(skipped)")
    assert "596 conversations" in summary and "4 errors (bad lines skipped)" in summary


def test_render_dataset_stdin_stdout_blank_lines_and_ids(enc: HarmonyEncoding, tmp_path: Path) -> None:
    records: list[object] = [
        {"id": "a", "messages": [{"role": "user", "content": "Hi"}]},
        {"id": {"nested": [1, 2]}, "messages": [{"role": "user", "content": "Hé"}]},
        {"uid": 3, "messages": [{"role": "user", "content": "x"}]},
    ]
    data = "\n".join(json.dumps(r) for r in records[:2]) + "\n\n   \n" + json.dumps(records[2]) + "\n"
    proc = run_cli("render-dataset", "-", "-", "--workers", "1", stdin=data.encode())
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line) for line in proc.stdout.splitlines()] == [reference(enc, r) for r in records]
    assert "3 conversations" in proc.stderr and "2 blank lines ignored" in proc.stderr
    # --id-field picks another key; "" carries none.
    proc = run_cli("render-dataset", "-", "-", "--id-field", "uid", "--quiet", stdin=data.encode())
    assert [sorted(json.loads(line)) for line in proc.stdout.splitlines()] == [
        ["tokens"],
        ["tokens"],
        ["tokens", "uid"],
    ]
    proc = run_cli("render-dataset", "-", "-", "--id-field", "", "--quiet", stdin=data.encode())
    assert all(list(json.loads(line)) == ["tokens"] for line in proc.stdout.splitlines())


def test_render_dataset_usage_errors(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"messages": []}\n')
    cases: list[tuple[list[str | Path], str]] = [
        (["render-dataset", tmp_path / "missing.jsonl", tmp_path / "o.jsonl"], "cannot read"),
        (["render-dataset", source, tmp_path / "no-such-dir" / "o.jsonl"], "cannot write"),
        (["render-dataset", source, tmp_path], "it is a directory"),
        (["render-dataset", source, tmp_path / "o.jsonl", "--workers", "0"], "argument --workers: must be at least 1"),
        (["render-dataset", source, tmp_path / "o.jsonl", "--mode", "chat"], "argument --mode: invalid choice"),
        (["render-dataset", source], "the following arguments are required: OUT"),
    ]
    for args, fragment in cases:
        proc = run_cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("harmony-typed: error: ") and fragment in proc.stderr, proc.stderr
        assert len(proc.stderr.splitlines()) == 1
    assert not (tmp_path / "o.jsonl").exists()


# -- the library functions (in process) ---------------------------------------------------


def test_render_dataset_in_process(enc: HarmonyEncoding, tmp_path: Path) -> None:
    import io

    source = tmp_path / "in.jsonl"
    records = write_dataset(source, 300, seed=3)
    sink = io.StringIO()
    progress: list[int] = []
    with source.open("rb") as stream:
        summary = render_dataset(stream, sink, enc, RenderSpec(), batch_size=50, on_progress=progress.append)
    assert [json.loads(line) for line in sink.getvalue().splitlines()] == [reference(enc, r) for r in records]
    assert summary.conversations == 300 and summary.errors == 0 and sum(progress) == 300 and len(progress) == 6
    assert summary.tokens == sum(len(json.loads(line)["tokens"]) for line in sink.getvalue().splitlines())
    assert count_lines(source) == 300

    errors: list[tuple[int, str]] = []
    bad = io.BytesIO(b'{"messages": []}\nnot json\n')
    with pytest.raises(DatasetAborted) as info:
        render_dataset(bad, io.StringIO(), enc, RenderSpec(), on_error=lambda n, m: errors.append((n, m)))
    assert info.value.line == 2 and errors == [(2, "invalid JSON: Expecting value at column 1")]
    with pytest.raises(ValueError, match="workers must be >= 1"):
        render_dataset(io.BytesIO(), io.StringIO(), enc, RenderSpec(), workers=0)


def test_count_lines(tmp_path: Path) -> None:
    path = tmp_path / "f"
    for data, expected in ((b"", 0), (b"a", 1), (b"a\n", 1), (b"a\nb", 2), (b"\n\n", 2)):
        path.write_bytes(data)
        assert count_lines(path) == expected


def test_render_line_and_batch(enc: HarmonyEncoding) -> None:
    spec = RenderSpec()
    line, count = render_line(b'{"id": "\\u00e9", "messages": [{"role": "user", "content": "Hi"}]}', enc, spec)
    assert line == '{"id":"\\u00e9","tokens":[200006,1428,200008,12194,200007]}' and count == 5
    result = render_batch(['[{"role": "user", "content": "Hi"}]', "", "[1]", "{}"], enc, spec, first_line=10)
    assert result.output == ['{"tokens":[200006,1428,200008,12194,200007]}']
    assert result.blank_lines == 1 and result.tokens == 5
    assert [number for number, _ in result.errors] == [12, 13]
    assert result.errors[0][1] == "message [0]: expected a message object, got a number"
    assert result.errors[1][1].startswith('expected a conversation {"messages": [...]}')


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "got null"),
        ("text", "got a string"),
        ({"messages": {"role": "user"}}, '"messages" must be an array of messages, got an object'),
        ({"text": "hi"}, "got an object with keys 'text'"),
        ([{"role": "user"}], "message [0]: missing key 'content'"),
        ({"messages": [{"role": "user", "content": "x"}, {"role": 5, "content": "x"}]}, "messages[1]: Message role"),
        ([{"role": "user", "content": [{"type": "image"}]}], "message [0]: Unknown content variant"),
        ([{"role": "user", "content": "x", "channel": 3}], "message [0]: Message.channel must be a str"),
        ({"role": "system", "content": [{"type": "system_content", "reasoning_effort": "max"}]}, "message:"),
    ],
)
def test_conversation_from_json_errors(value: object, message: str) -> None:
    with pytest.raises(RecordError) as info:
        conversation_from_json(value)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_conversation_from_json_shapes() -> None:
    message = {"role": "user", "content": "Hi"}
    expected = Conversation.from_messages([Message.from_role_and_content(Role.USER, "Hi")])
    assert conversation_from_json({"messages": [message], "id": 1}) == expected
    assert conversation_from_json([message]) == expected
    assert conversation_from_json(message) == expected
    assert conversation_from_json({"role": "user", "content": [{"type": "text", "text": "Hi"}]}) == expected


def test_render_spec_validation() -> None:
    with pytest.raises(ValueError, match="mode must be one of training, completion, conversation"):
        RenderSpec(mode="chat")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="role must be a Role"):
        RenderSpec(role="assistant")  # type: ignore[arg-type]
    spec = RenderSpec(mode="completion", role=Role.USER, auto_drop_analysis=False)
    assert pickle.loads(pickle.dumps(spec)) == spec


# -- the distributed recipes of docs/distributed.md (slow; skipped without the engine) ------


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_ray_data_recipe(enc: HarmonyEncoding, tmp_path: Path) -> None:
    """docs/distributed.md's Ray Data recipe, in local mode (needs `pip install "ray[data]"`)."""
    ray = pytest.importorskip("ray")
    pd = pytest.importorskip("pandas")
    # A real dataset has one id type; pandas / Arrow columns need it.
    rng = random.Random(9)
    records: list[object] = []
    for i in range(2_000):
        record = make_record(i, rng)
        messages = record["messages"] if isinstance(record, dict) else record
        records.append({"id": f"row-{i}", "messages": messages})
    source = tmp_path / "chats.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    def render_batch_df(batch: object) -> object:
        columns = render_partition(batch["text"], enc)  # type: ignore[index]
        return pd.DataFrame({"id": columns["id"], "tokens": columns["tokens"]})

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    try:
        ds = ray.data.read_text(str(source)).map_batches(render_batch_df, batch_format="pandas", batch_size=256)
        rows = ds.take_all()
    finally:
        ray.shutdown()
    expected = [reference(enc, r) for r in records]
    got = [{"id": row["id"], "tokens": [int(t) for t in row["tokens"]]} for row in rows]
    assert sorted(got, key=lambda r: int(str(r["id"])[4:])) == expected


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_recipe(enc: HarmonyEncoding, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/distributed.md's Spark recipe, in local mode (needs `pip install pyspark` and a Java runtime)."""
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime")
    spark_sql = pytest.importorskip("pyspark.sql")
    pd = pytest.importorskip("pandas")

    # Spark's Python workers must import the same harmony_typed as this process.
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    monkeypatch.setenv("PYTHONPATH", cli_env()["PYTHONPATH"])
    lines, records = partition_lines(1_500, seed=13)
    source = tmp_path / "chats.jsonl"
    source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    def render(batches: Iterator[object]) -> Iterator[object]:
        for pdf in batches:
            columns = render_partition(pdf["value"], enc)  # type: ignore[index]
            yield pd.DataFrame({"id": [json.dumps(i) for i in columns["id"]], "tokens": columns["tokens"]})

    spark = (
        spark_sql.SparkSession.builder.master("local[2]")
        .appName("harmony-typed-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    try:
        rows = spark.read.text(str(source)).mapInPandas(render, schema="id string, tokens array<int>").collect()
    finally:
        spark.stop()
    expected = [reference(enc, r) for r in records]
    assert [{"id": json.loads(row["id"]), "tokens": row["tokens"]} for row in rows] == [
        {"id": e.get("id"), "tokens": e["tokens"]} for e in expected
    ]
