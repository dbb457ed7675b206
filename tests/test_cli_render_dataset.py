"""``harmony-typed render-dataset`` with chat input and training examples, through a subprocess.

``--input-format chat``, ``--train-on assistant|last_turn`` and ``--output-format
parquet`` end to end: the expected rows are the library's public API record by
record, and the Parquet file read back by pyarrow equals the JSONL output.
Memory is measured as the child's peak RSS (``wait4``); it must not grow with
the number of records (Parquet is written in row groups).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from dataset_support import NEUTRAL_CWD, cli_env, run_cli
from test_dataset_training import expected_example, write_chat_file

from harmony_typed import HarmonyEncoding


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("train_on", ["assistant", "last_turn"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_chat_input_to_training_rows(enc: HarmonyEncoding, tmp_path: Path, train_on: str, workers: str) -> None:
    source, out = tmp_path / "chat.jsonl", tmp_path / "train.jsonl"
    records = write_chat_file(source, 200, seed=3)
    args = ["--input-format", "chat", "--train-on", train_on, "--workers", workers, "--batch-size", "32"]
    proc = run_cli("render-dataset", source, out, *args)
    assert proc.returncode == 0, proc.stderr
    assert "200 conversations" in proc.stderr and "0 errors" in proc.stderr
    for row, record in zip(_rows(out), records, strict=True):
        example = expected_example(enc, record, train_on)
        assert row == {"id": record["id"], "input_ids": list(example.input_ids), "loss_mask": list(example.loss_mask)}


def test_last_turn_masks_less_than_assistant(tmp_path: Path) -> None:
    source = tmp_path / "chat.jsonl"
    source.write_text(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": "a"},
                    {"role": "assistant", "content": "b"},
                    {"role": "user", "content": "c"},
                    {"role": "assistant", "content": "d"},
                ]
            }
        )
        + "\n",
        "utf-8",
    )
    masks = {}
    for train_on in ("assistant", "last_turn"):
        out = tmp_path / f"{train_on}.jsonl"
        proc = run_cli("render-dataset", source, out, "--input-format", "chat", "--train-on", train_on, "--quiet")
        assert proc.returncode == 0, proc.stderr
        (row,) = _rows(out)
        masks[train_on] = row["loss_mask"]
    assert 0 < sum(masks["last_turn"]) < sum(masks["assistant"])
    assert all(a >= b for a, b in zip(masks["assistant"], masks["last_turn"], strict=True))


def test_chat_errors_name_the_line_and_skip(tmp_path: Path) -> None:
    source, out = tmp_path / "chat.jsonl", tmp_path / "train.jsonl"
    good = {"id": "g", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]}
    source.write_text(
        "\n".join(
            [
                json.dumps(good),
                json.dumps({"messages": [{"role": "robot", "content": "x"}]}),
                json.dumps({"messages": [{"role": "system", "content": "a"}, {"role": "system", "content": "b"}]}),
                json.dumps({"messages": [{"role": "tool", "content": "x"}]}),
            ]
        )
        + "\n",
        "utf-8",
    )
    args = ["--input-format", "chat", "--train-on", "assistant"]
    stopped = run_cli("render-dataset", source, out, *args)
    assert stopped.returncode == 1 and not out.exists()
    assert f"{source}:2: messages[0]" in stopped.stderr and "role" in stopped.stderr
    skipped = run_cli("render-dataset", source, out, *args, "--skip-errors")
    assert skipped.returncode == 0, skipped.stderr
    assert [row["id"] for row in _rows(out)] == ["g"]
    warnings = [line for line in skipped.stderr.splitlines() if "warning" in line]
    assert [w.split(f"{source}:")[1].split(":")[0] for w in warnings] == ["2", "3", "4"], warnings
    assert "3 errors (bad lines skipped)" in skipped.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--output-format", "parquet"], "--output-format parquet writes training examples: pass --train-on"),
        (["--train-on", "assistant", "--mode", "completion"], "--train-on needs --mode training"),
        (["--input-format", "csv"], "argument --input-format: invalid choice: 'csv'"),
        (["--train-on", "all"], "argument --train-on: invalid choice: 'all'"),
    ],
)
def test_option_errors_are_usage_errors(tmp_path: Path, args: list[str], fragment: str) -> None:
    source = tmp_path / "chat.jsonl"
    source.write_text('{"messages": []}\n', "utf-8")
    proc = run_cli("render-dataset", source, tmp_path / "out", *args)
    assert proc.returncode == 2 and fragment in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


# -- Parquet (needs pyarrow) --------------------------------------------------------------------------


def _peak_rss_mib(args: list[str]) -> float:
    """Run the CLI and return its peak resident set in MiB (including waited-for workers).

    Started from a small launcher, not from this (large) test process: ``ru_maxrss``
    survives ``exec``, so a child forked from pytest would report pytest's size.
    """
    launcher = (
        "import os, subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-m', 'harmony_typed', *sys.argv[1:]])\n"
        "_, status, usage = os.wait4(p.pid, 0)\n"
        "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", launcher, *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        cwd=NEUTRAL_CWD,
        timeout=600,
    )
    code, kib = proc.stdout.split()
    assert code == "0", proc.stderr
    return int(kib) / 1024


@pytest.mark.extras
def test_parquet_of_20k_chat_records_equals_the_jsonl_output(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    source = tmp_path / "chat.jsonl"
    write_chat_file(source, 20_000, seed=7)
    common = ["render-dataset", str(source), "--input-format", "chat", "--train-on", "assistant", "--quiet"]
    jsonl, parquet = tmp_path / "train.jsonl", tmp_path / "train.parquet"
    assert run_cli(*common[:2], jsonl, *common[2:]).returncode == 0
    assert run_cli(*common[:2], parquet, *common[2:], "--output-format", "parquet").returncode == 0
    rows = _rows(jsonl)
    table = pq.read_table(parquet)
    assert table.num_rows == 20_000
    assert table.column_names == ["id", "input_ids", "loss_mask"]
    assert table.column("id").to_pylist() == [json.dumps(row["id"]) for row in rows]
    assert table.column("input_ids").to_pylist() == [row["input_ids"] for row in rows]
    assert table.column("loss_mask").to_pylist() == [row["loss_mask"] for row in rows]


@pytest.mark.extras
def test_parquet_to_standard_output(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    source = tmp_path / "chat.jsonl"
    write_chat_file(source, 50, seed=5)
    args = [sys.executable, "-m", "harmony_typed", "render-dataset", str(source), "-", "--input-format", "chat"]
    args += ["--train-on", "last_turn", "--output-format", "parquet", "--quiet"]
    proc = subprocess.run(args, capture_output=True, env=cli_env(), cwd=NEUTRAL_CWD, timeout=300)
    assert proc.returncode == 0, proc.stderr
    jsonl = tmp_path / "train.jsonl"
    run_cli("render-dataset", source, jsonl, "--input-format", "chat", "--train-on", "last_turn", "--quiet")
    rows = _rows(jsonl)
    table = pq.read_table(io.BytesIO(proc.stdout))
    assert table.column("loss_mask").to_pylist() == [row["loss_mask"] for row in rows]


@pytest.mark.extras
def test_parquet_memory_does_not_grow_with_the_dataset(tmp_path: Path) -> None:
    """Peak RSS for 5,000 and for 40,000 records (both past the first 4,096-row group) is about the same.

    Holding the rows instead would cost about 200 MiB more for the 35,000 extra records
    (~140 ids per record, 36 bytes per id as a list entry and int object, 8 per mask entry);
    the measured difference is a few MiB (see the issue note for the figures).
    """
    pytest.importorskip("pyarrow")
    peaks = {}
    for count in (5_000, 40_000):
        source = tmp_path / f"chat{count}.jsonl"
        write_chat_file(source, count, seed=11)
        args = ["render-dataset", str(source), str(tmp_path / f"out{count}.parquet"), "--input-format", "chat"]
        peaks[count] = _peak_rss_mib([*args, "--train-on", "assistant", "--output-format", "parquet", "--quiet"])
    print(f"peak RSS: 5k records {peaks[5_000]:.0f} MiB, 40k records {peaks[40_000]:.0f} MiB")
    assert peaks[40_000] - peaks[5_000] < 40, peaks


def test_jsonl_memory_does_not_grow_with_the_dataset(tmp_path: Path) -> None:
    peaks = {}
    for count in (1_000, 20_000):
        source = tmp_path / f"chat{count}.jsonl"
        write_chat_file(source, count, seed=12)
        args = ["render-dataset", str(source), str(tmp_path / f"out{count}.jsonl"), "--input-format", "chat"]
        peaks[count] = _peak_rss_mib([*args, "--train-on", "assistant", "--workers", "2", "--quiet"])
    print(f"peak RSS: 1k records {peaks[1_000]:.0f} MiB, 20k records {peaks[20_000]:.0f} MiB")
    assert peaks[20_000] - peaks[1_000] < 30, peaks
