"""Issue 16's CLI items, each through a subprocess: streaming input, closed output, deep or huge input, strict JSON."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

import harmony_typed

_PARENT = str(Path(harmony_typed.__file__).resolve().parent.parent)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PARENT, env.get("PYTHONPATH")) if p)
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "harmony_typed", *args]


def _run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        _cli(*args), input=stdin, capture_output=True, env=_env(), cwd=tempfile.gettempdir(), timeout=120
    )


def test_stream_answers_each_id_before_the_next_is_written() -> None:
    """One id in, its event line out, while stdin stays open: the command streams."""
    proc = subprocess.Popen(
        _cli("stream"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_env(), cwd=tempfile.gettempdir()
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for index, token in enumerate([200005, 17196, 200008, 12194]):
            proc.stdin.write(f"{token}\n".encode())
            proc.stdin.flush()
            event = json.loads(proc.stdout.readline())
            assert (event["index"], event["token"]) == (index, token)
        proc.stdin.close()
        last = json.loads(proc.stdout.readline())
        assert last["token"] is None
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        if not proc.stdin.closed:
            proc.stdin.close()


def test_stream_reads_one_json_array_per_line_and_whitespace_ids() -> None:
    arrays = _run("stream", stdin=b"[200005, 17196]\n[200008, 12194, 200002]\n")
    words = _run("stream", stdin=b"200005 17196\n200008 12194 200002\n")
    whole = _run("stream", stdin=b"[200005, 17196, 200008, 12194, 200002]")
    assert arrays.returncode == words.returncode == whole.returncode == 0, arrays.stderr
    assert arrays.stdout == words.stdout == whole.stdout
    assert len(whole.stdout.splitlines()) == 6


def test_stream_names_the_position_of_a_bad_id_across_lines() -> None:
    proc = _run("stream", stdin=b"200005 17196\n200008 x\n")
    assert proc.returncode == 1
    assert b"token [3] is 'x', not a token id" in proc.stderr


def test_encode_raw_in_pieces_matches_one_piece() -> None:
    text = ("Hello world.\nSecond line, more words\n  indented\n\nPara " * 30000).encode()
    proc = _run("encode", "--raw", stdin=text)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == harmony_typed.load_harmony_encoding("HarmonyGptOss").encode(text.decode())


def test_closed_stdout_is_one_error_line_not_an_internal_error() -> None:
    proc = subprocess.run(
        [*_cli("stop")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(), cwd=tempfile.gettempdir()
    )
    assert proc.returncode == 0
    closed = subprocess.run(
        ["sh", "-c", '"$0" -m harmony_typed stop >&-', sys.executable],
        capture_output=True,
        env=_env(),
        cwd=tempfile.gettempdir(),
        timeout=120,
    )
    assert closed.returncode == 1
    assert b"internal error" not in closed.stderr and b"Traceback" not in closed.stderr
    assert b"standard output is closed" in closed.stderr


def test_deep_schema_is_a_data_error() -> None:
    depth = 3000
    schema = '{"type": "object", "properties": {"a": ' * depth + '{"type": "string"}' + "}}" * depth
    tool = f'{{"name": "f", "description": "", "parameters": {schema}}}'
    tools = f'{{"functions": {{"name": "functions", "tools": [{tool}]}}}}'
    message = f'{{"role": "developer", "content": [{{"type": "developer_content", "tools": {tools}}}]}}'
    proc = _run("render-convo", stdin=f"[{message}]".encode())
    assert proc.returncode == 1
    assert b"internal error" not in proc.stderr and b"RecursionError" not in proc.stderr
    assert proc.stderr.count(b"\n") == 1 and b"<stdin>" in proc.stderr


def test_huge_token_id_names_its_position() -> None:
    proc = _run("decode", stdin=b"[1, " + b"9" * 5000 + b"]")
    assert proc.returncode == 1
    assert b"token [1] is a number of 5,000 digits" in proc.stderr
    assert b"set_int_max_str_digits" not in proc.stderr


def test_output_json_is_strict() -> None:
    from harmony_typed.cli.output import CLIError, dumps

    try:
        dumps({"x": float("nan")})
    except CLIError as exc:
        assert "strict JSON" in str(exc)
    else:
        raise AssertionError("NaN was written")


# -- render-dataset must not destroy data (the library half is in test_dataset_safety.py) --------------

_LINE = b'{"id": 1, "messages": [{"role": "user", "content": "Hi"}]}\n'


def test_render_dataset_refuses_its_input_as_output(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(_LINE)
    (tmp_path / "link.jsonl").symlink_to(source.name)
    os.link(source, tmp_path / "hard.jsonl")
    for out in ("data.jsonl", "link.jsonl", "hard.jsonl"):
        proc = subprocess.run(
            _cli("render-dataset", str(source), str(tmp_path / out)), capture_output=True, env=_env(), timeout=120
        )
        assert proc.returncode == 2 and b"is the input file" in proc.stderr, proc.stderr
    # Standard input redirected from OUT: the same file, found by inode.
    with source.open("rb") as stdin:
        proc = subprocess.run(
            _cli("render-dataset", "-", str(source)), stdin=stdin, capture_output=True, env=_env(), timeout=120
        )
    assert proc.returncode == 2 and b"is the input file" in proc.stderr
    assert source.read_bytes() == _LINE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.jsonl", "hard.jsonl", "link.jsonl"]


def test_render_dataset_removes_a_killed_runs_temporary_file_and_says_so(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(_LINE)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.jsonl.{dead.pid}.x1y2z3.tmp"
    stale.write_bytes(b'{"id": 1, "tok')
    proc = _run("render-dataset", str(source), str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert f"note: removed {stale}".encode() in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_render_dataset_to_a_closed_stdout(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(_LINE)
    closed = subprocess.run(
        ["sh", "-c", '"$0" -m harmony_typed render-dataset "$1" - --quiet >&-', sys.executable, str(source)],
        capture_output=True,
        env=_env(),
        cwd=tempfile.gettempdir(),
        timeout=120,
    )
    assert closed.returncode == 1, closed.stderr
    assert b"internal error" not in closed.stderr and b"Traceback" not in closed.stderr
    assert b"standard output is closed" in closed.stderr
    for output in ("-", str(tmp_path / "out.jsonl")):  # closed stdout without writing to it is fine
        no_stdin = subprocess.run(
            ["sh", "-c", '"$0" -m harmony_typed render-dataset - "$1" <&-', sys.executable, output],
            capture_output=True,
            env=_env(),
            cwd=tempfile.gettempdir(),
            timeout=120,
        )
        assert no_stdin.returncode == 2 and b"no standard input to read" in no_stdin.stderr, no_stdin.stderr
    quiet = ["render-dataset", str(source), str(tmp_path / "out.jsonl"), "--quiet"]
    ok = subprocess.run(
        ["sh", "-c", '"$0" -m harmony_typed "$@" >&-', sys.executable, *quiet], capture_output=True, env=_env()
    )
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize("command", ["decode", "parse", "stream"])
def test_huge_token_id_in_every_token_command(command: str) -> None:
    proc = _run(command, stdin=b"[200005, " + b"9" * 5000 + b"]")
    assert proc.returncode == 1, proc.stderr
    assert b"token [1] is a number of 5,000 digits" in proc.stderr, proc.stderr
    assert b"set_int_max_str_digits" not in proc.stderr and b"internal error" not in proc.stderr


@pytest.mark.parametrize("command", ["render-msg", "render-convo", "render-training", "parse", "decode", "encode"])
def test_deeply_nested_json_is_a_data_error(command: str) -> None:
    proc = _run(command, stdin=b"[" * 100_000 + b"]" * 100_000)
    assert proc.returncode == 1, proc.stderr
    assert b"internal error" not in proc.stderr and b"RecursionError" not in proc.stderr
    assert proc.stderr.count(b"\n") == 1


def test_render_dataset_sigterm_with_parquet_output_leaves_nothing(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    record = {"messages": [{"role": "user", "content": "word " * 200}, {"role": "assistant", "content": "ok"}]}
    source, out = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    source.write_text((json.dumps(record) + "\n") * 200_000, "utf-8")
    args = ["render-dataset", str(source), str(out), "--input-format", "chat", "--train-on", "assistant"]
    proc = subprocess.Popen(
        _cli(*args, "--output-format", "parquet", "--quiet", "--workers", "2"),
        env=_env(),
        cwd=tempfile.gettempdir(),
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120  # a bound on waiting, not a speed assertion
        while not any(p.name.endswith(".tmp") and p.stat().st_size > 0 for p in tmp_path.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
