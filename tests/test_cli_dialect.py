"""``--dialect`` on every command that loads an encoding, through a subprocess.

The expected values are the library's own, loaded with the same dialect; the
inputs are chosen where the two dialects differ (a commentary tool call renders
its header in another order; extra ``<|channel|>`` markers parse only in the fork).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dataset_support import run_cli

from harmony_typed import Conversation, Dialect, Message, Role, load_harmony_encoding
from harmony_typed.cli import build_parser

DIALECTS = [dialect.value for dialect in Dialect]
CALL = {
    "role": "assistant",
    "channel": "commentary",
    "recipient": "functions.f",
    "content_type": "json",
    "content": '{"x": 1}',
}
CONVO = {"messages": [{"role": "user", "content": "Hi"}, CALL]}
# <|start|>assistant<|channel|>analysis<|channel|>final<|message|>{}<|end|>: two channel markers.
TWO_CHANNELS = [200006, 173781, 200005, 35644, 200005, 17196, 200008, 12083, 200007]


def _commands() -> list[str]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


def test_every_command_takes_dialect() -> None:
    parser = build_parser()
    for command in _commands():
        args = ["render-dataset", "in", "out"] if command == "render-dataset" else [command]
        for dialect in DIALECTS:
            assert parser.parse_args([*args, "--dialect", dialect]).dialect == dialect
        assert parser.parse_args(args).dialect == Dialect.OPENAI_HARMONY_0_0_8.value


def test_unknown_dialect_is_a_usage_error() -> None:
    proc = run_cli("stop", "--dialect", "openai")
    assert proc.returncode == 2
    assert "argument --dialect: invalid choice: 'openai'" in proc.stderr


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("command", ["render-msg", "render-convo", "render-completion", "render-training"])
def test_render_commands_render_in_the_dialect(command: str, dialect: str) -> None:
    enc = load_harmony_encoding("HarmonyGptOss", dialect=dialect)
    if command == "render-msg":
        expected = enc.render(Message.from_dict(CALL))
        stdin = CALL
    else:
        convo = Conversation.from_dict(CONVO)
        stdin = CONVO  # type: ignore[assignment]
        if command == "render-convo":
            expected = enc.render_conversation(convo)
        elif command == "render-completion":
            expected = enc.render_conversation_for_completion(convo, Role.ASSISTANT)
        else:
            expected = enc.render_conversation_for_training(convo)
    proc = run_cli(command, "--dialect", dialect, stdin=json.dumps(stdin).encode())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == expected


def test_the_dialects_differ_on_the_test_input() -> None:
    """Guards the other tests: they would pass vacuously if both dialects rendered alike."""
    outputs = {run_cli("render-msg", "--dialect", d, stdin=json.dumps(CALL).encode()).stdout for d in DIALECTS}
    assert len(outputs) == 2


def test_parse_and_stream_parse_in_the_dialect() -> None:
    stdin = json.dumps(TWO_CHANNELS).encode()
    strict = run_cli("parse", "--role", "none", stdin=stdin)
    assert strict.returncode == 1 and "cannot parse" in strict.stderr
    fork = run_cli("parse", "--role", "none", "--dialect", "oss-harmony-0.0.11", stdin=stdin)
    assert fork.returncode == 0, fork.stderr
    assert json.loads(fork.stdout)[0]["channel"] == "analysis"
    stream = run_cli("stream", "--role", "none", "--dialect", "oss-harmony-0.0.11", stdin=stdin)
    assert stream.returncode == 0, stream.stderr
    events = [json.loads(line) for line in stream.stdout.splitlines()]
    assert [m["channel"] for e in events for m in e["finished"]] == ["analysis"]
    assert run_cli("stream", "--role", "none", stdin=stdin).returncode == 1


@pytest.mark.parametrize("dialect", DIALECTS)
def test_token_commands_and_demo_accept_the_dialect(dialect: str) -> None:
    enc = load_harmony_encoding("HarmonyGptOss", dialect=dialect)
    stop = run_cli("stop", "--dialect", dialect)
    assert json.loads(stop.stdout) == enc.stop_tokens()
    encode = run_cli("encode", "--dialect", dialect, stdin=b'"Hello"')
    assert json.loads(encode.stdout) == enc.encode("Hello")
    decode = run_cli("decode", "--dialect", dialect, "--text", stdin=encode.stdout.encode())
    assert decode.stdout == "Hello\n"
    demo = run_cli("demo", "--json", "--dialect", dialect)
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_render_dataset_renders_in_the_dialect_in_every_worker(tmp_path: Path, workers: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, **CONVO}) + "\n" for i in range(300)), "utf-8")
    out = tmp_path / "out.jsonl"
    dialect = "oss-harmony-0.0.11"
    proc = run_cli("render-dataset", source, out, "--workers", workers, "--batch-size", "16", "--dialect", dialect)
    assert proc.returncode == 0, proc.stderr
    expected = load_harmony_encoding("HarmonyGptOss", dialect=dialect).render_conversation_for_training(
        Conversation.from_dict(CONVO)
    )
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert rows == [{"id": i, "tokens": expected} for i in range(300)]
    assert expected != load_harmony_encoding("HarmonyGptOss").render_conversation_for_training(
        Conversation.from_dict(CONVO)
    )
