"""Issue 16's CLI items, each through a subprocess: streaming input, closed output, deep or huge input, strict JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

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
