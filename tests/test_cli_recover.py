"""``parse --recover`` and ``stream --recover`` through a subprocess (the CLI side of recover=True)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NO_HEADER = [40, 6284, 1652, 483, 484, 13, 200002]  # "I cannot help with that.<|return|>"
STRAY_STOP = [200006, 173781, 200008, 12194, 200007, 200007]  # <|start|>assistant<|message|>Hi<|end|><|end|>


def _run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, "-m", "harmony_typed", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def test_parse_recover_repairs_and_reports() -> None:
    strict = _run("parse", stdin=json.dumps(NO_HEADER))
    assert strict.returncode == 1
    assert "Unexpected EOS while waiting for message header" in strict.stderr
    proc = _run("parse", "--recover", stdin=json.dumps(NO_HEADER))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [
        {"role": "assistant", "name": None, "content": [{"type": "text", "text": "I cannot help with that."}]}
    ]
    assert proc.stderr.splitlines() == [
        "harmony-typed: <stdin>: recovered at token 6: header without <|message|>: "
        "header text as content: 'I cannot help with that.'"
    ]


def test_parse_recover_on_well_formed_output_is_silent() -> None:
    tokens = [200005, 17196, 200008, 12194, 0, 200002]
    proc = _run("parse", "--recover", stdin=json.dumps(tokens))
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == _run("parse", stdin=json.dumps(tokens)).stdout


def test_stream_recover_reports_repairs_per_token() -> None:
    proc = _run("stream", "--role", "none", "--recover", stdin=" ".join(map(str, STRAY_STOP)))
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [event["recovered"] for event in events] == [
        [],
        [],
        [],
        [],
        [],
        [{"token_index": 5, "kind": "STRAY_STOP", "detail": "dropped <|end|>"}],
        [],
    ]
    plain = _run("stream", "--role", "none", stdin=" ".join(map(str, STRAY_STOP)))
    assert plain.returncode == 1 and "recovered" not in plain.stdout


def test_recover_and_lenient_exclude_each_other() -> None:
    proc = _run("parse", "--recover", "--lenient", stdin="[]")
    assert proc.returncode == 2
    assert "not allowed with argument" in proc.stderr
