"""The distributed recipes' per-partition function (the recipes themselves run in test_dataset.py, marked slow)."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from dataset_support import NEUTRAL_CWD, cli_env, partition_lines, reference

from harmony_typed import HarmonyEncoding, load_harmony_encoding
from harmony_typed.dataset import RecordError, render_partition

# -- the distributed recipe's per-partition function --------------------------------------


def test_render_partition_after_pickling_the_encoding(enc: HarmonyEncoding) -> None:
    shipped = pickle.loads(pickle.dumps(enc))  # what a Ray / Spark worker receives
    assert isinstance(shipped, HarmonyEncoding) and shipped.name == enc.name
    assert len(pickle.dumps(enc)) < 200  # pickled by name, not by vocabulary
    lines, records = partition_lines(250, seed=11)
    columns = render_partition(lines, shipped)
    expected = [reference(enc, r) for r in records]
    assert columns["tokens"] == [e["tokens"] for e in expected]
    assert columns["id"] == [e.get("id") for e in expected]
    assert columns["error"] == [None] * 250
    # bytes lines, parsed records, and every mode give the same as the public API.
    assert render_partition([line.encode() for line in lines], shipped)["tokens"] == columns["tokens"]
    assert render_partition(records, shipped)["tokens"] == columns["tokens"]
    for mode in ("completion", "conversation"):
        got = render_partition(lines, shipped, mode=mode, role="assistant")
        assert got["tokens"] == [reference(enc, r, mode)["tokens"] for r in records]


def test_render_partition_errors(enc: HarmonyEncoding) -> None:
    lines = ['{"id": 1, "messages": []}', "", '{"id": 2, "messages": [{"role": "x", "content": ""}]}', "{bad"]
    with pytest.raises(RecordError, match=r"^record 2 of the partition: messages\[0\]: Unknown role: 'x'$"):
        render_partition(lines, enc)
    columns = render_partition(lines, enc, skip_errors=True)
    assert columns["id"] == [1, 2, None]  # the blank line is skipped; the id of a bad record is kept
    assert columns["tokens"] == [[], None, None]
    assert columns["error"][0] is None
    assert columns["error"][1] == "messages[0]: Unknown role: 'x'"
    assert columns["error"][2] is not None and columns["error"][2].startswith("invalid JSON")
    with pytest.raises(ValueError, match="Unknown role"):
        render_partition([], enc, role="bot")


def _partition_in_subprocess(lines: list[str]) -> list[list[int] | None]:
    # A fresh interpreter unpickles the encoding by name, as a cluster worker does.
    enc = load_harmony_encoding("HarmonyGptOss")
    payload = pickle.dumps((enc, lines))
    code = (
        "import pickle, sys\n"
        "from harmony_typed.dataset import render_partition\n"
        "enc, lines = pickle.loads(sys.stdin.buffer.read())\n"
        "sys.stdout.buffer.write(pickle.dumps(render_partition(lines, enc)['tokens']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], input=payload, capture_output=True, env=cli_env(), cwd=NEUTRAL_CWD, timeout=120
    )
    assert proc.returncode == 0, proc.stderr.decode()
    result: list[list[int] | None] = pickle.loads(proc.stdout)
    return result


def test_render_partition_in_a_fresh_process(enc: HarmonyEncoding) -> None:
    lines, records = partition_lines(100, seed=5)
    assert _partition_in_subprocess(lines) == [reference(enc, r)["tokens"] for r in records]
