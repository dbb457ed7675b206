"""``harmony-typed`` end to end: every command through a subprocess, as a user runs it.

Each command's ``--help`` works and shows an example; every example in the
help texts is run through bash and its printed output compared; error paths
give one ``harmony-typed: error: ...`` line, exit code 2 (usage) or 1 (data),
and never a traceback.  ``render-dataset`` is covered in ``test_dataset.py``.

The subprocesses import the same ``harmony_typed`` as this process (the
source tree or the installed wheel): ``PYTHONPATH`` is derived from
``harmony_typed.__file__``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import harmony_typed
from harmony_typed import (
    Conversation,
    HarmonyEncoding,
    Message,
    RenderConversationConfig,
    RenderOptions,
    Role,
    SystemContent,
    cli,
)

COMMANDS = [
    "stop", "decode", "encode", "render-msg", "render-convo", "render-completion", "render-training",
    "parse", "stream", "demo", "render-dataset",
]  # fmt: skip

_PACKAGE_PARENT = str(Path(harmony_typed.__file__).resolve().parent.parent)
# `python -m` puts the working directory first on sys.path: run from a neutral one, so that a
# harmony_typed source tree in the current directory cannot shadow the build under test.
NEUTRAL_CWD = tempfile.gettempdir()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
    env["COLUMNS"] = "100"  # stable help formatting
    return env


def run(*args: str, stdin: str | bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """``python -m harmony_typed ARGS`` with ``stdin``; output as bytes."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "harmony_typed", *args],
        input=data if data is not None else b"",
        capture_output=True,
        env=_env(),
        cwd=cwd or NEUTRAL_CWD,
        timeout=120,
    )
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return proc


def ok(*args: str, stdin: str | bytes | None = None) -> str:
    proc = run(*args, stdin=stdin)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b"", proc.stderr.decode()
    return proc.stdout.decode("utf-8")


def fails(args: list[str], stdin: str | bytes | None, code: int, *fragments: str) -> str:
    """Run, expecting exit ``code`` and one error line containing every fragment; return that line."""
    proc = run(*args, stdin=stdin)
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == code, (proc.returncode, stderr)
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("harmony-typed: error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def call(*args: str, stdin: str | bytes = b"") -> tuple[int, bytes, str]:
    """``cli.main(args)`` in this process (same checks as :func:`run`, no interpreter start-up)."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = io.BytesIO(), io.StringIO()
    stdin_wrapper = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    stdout_wrapper = io.TextIOWrapper(out, encoding="utf-8")
    sys.stdin, sys.stdout, sys.stderr = stdin_wrapper, stdout_wrapper, err
    try:
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        stdout_wrapper.flush()
        output = out.getvalue()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    assert "Traceback" not in err.getvalue()
    return code, output, err.getvalue()


def call_ok(*args: str, stdin: str | bytes = b"") -> str:
    code, out, err = call(*args, stdin=stdin)
    assert (code, err) == (0, ""), err
    return out.decode("utf-8")


def test_command_list_is_complete() -> None:
    parser = cli.build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == COMMANDS


# -- --help and --version ----------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command: str) -> None:
    out = ok(command, "--help")
    assert out.startswith(f"usage: harmony-typed {command} ")
    assert re.search(r"^examples?:$", out, re.MULTILINE), out
    assert f"  $ harmony-typed {command}" in out or f"| harmony-typed {command}" in out


def test_main_help_and_version() -> None:
    out = ok("--help")
    assert out.startswith("usage: harmony-typed ")
    for command in COMMANDS:
        assert re.search(rf"^    {command}\b", out, re.MULTILINE), command
    assert "Exit codes: 0 success, 1 bad data, 2 bad usage." in out
    version = ok("--version").strip()
    build = "compiled with mypyc" if harmony_typed.COMPILED else "pure Python build"
    assert version.startswith(f"harmony-typed {harmony_typed.__version__} ({build}")


# -- every example of every --help, run through bash --------------------------------


def _examples() -> list[tuple[str, str, list[str]]]:
    """``(help text name, shell command, expected output lines)`` from every epilog, each command once."""
    found: list[tuple[str, str, list[str]]] = []
    seen: set[str] = set()
    for name, text in [*cli.EPILOGS.items(), ("harmony-typed", cli.MAIN_EPILOG)]:
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.startswith("  $ "):
                i += 1
                continue
            command = line[4:]
            while command.endswith("\\"):
                i += 1
                command = command[:-1].rstrip() + " " + lines[i].strip()
            expected: list[str] = []
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and not lines[i].startswith("  $ "):
                expected.append(lines[i][2:])
                i += 1
            if command not in seen:
                seen.add(command)
                found.append((name, command, expected))
    return found


EXAMPLES = _examples()


def test_every_command_has_examples() -> None:
    assert {name for name, _, _ in EXAMPLES} >= set(COMMANDS)
    assert len(EXAMPLES) >= 18


@pytest.mark.skipif(shutil.which("bash") is None, reason="the help examples are bash command lines")
@pytest.mark.parametrize(
    ("name", "command", "expected"), EXAMPLES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(EXAMPLES)]
)
def test_help_example_runs(tmp_path: Path, name: str, command: str, expected: list[str]) -> None:
    # The examples refer to chats.jsonl; give them one.
    records = [{"id": i, "messages": [{"role": "user", "content": f"Hi {i}"}]} for i in range(3)]
    (tmp_path / "chats.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    script = 'harmony-typed() { "$HT_PYTHON" -m harmony_typed "$@"; }\nset -o pipefail\n' + command + "\n"
    env = _env() | {"HT_PYTHON": sys.executable}
    proc = subprocess.run(["bash", "-c", script], capture_output=True, env=env, cwd=tmp_path, timeout=120)
    stderr = proc.stderr.decode()
    assert proc.returncode == 0, (command, stderr)
    assert "Traceback" not in stderr and "harmony-typed: error" not in stderr, stderr
    if expected:
        assert proc.stdout.decode("utf-8").splitlines() == expected, command
    else:
        assert proc.stdout or "render-dataset" in command


DOCS = Path(__file__).resolve().parent.parent / "docs"


def _doc_blocks(path: Path) -> list[list[tuple[str, list[str]]]]:
    """The ```console blocks of a Markdown page: per block, ``(command, expected output lines)``."""
    blocks: list[list[tuple[str, list[str]]]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        i += 1
        block: list[tuple[str, list[str]]] = []
        while lines[i].strip() != "```":
            if lines[i].startswith("$ "):
                block.append((lines[i][2:], []))
            else:
                block[-1][1].append(lines[i])
            i += 1
        blocks.append(block)
    return blocks


def _matches(expected: list[str], output: str) -> bool:
    """``...`` in the expected text matches anything (within a line, or whole lines on its own)."""
    pattern = ".*?".join(re.escape(part) for part in "\n".join(expected).split("..."))
    return re.fullmatch(pattern, output.rstrip("\n"), re.DOTALL) is not None


CLI_DOC_BLOCKS = _doc_blocks(DOCS / "cli.md") if (DOCS / "cli.md").is_file() else []


@pytest.mark.skipif(not CLI_DOC_BLOCKS, reason="docs/cli.md is not next to the tests")
@pytest.mark.skipif(shutil.which("bash") is None, reason="the examples are bash command lines")
@pytest.mark.parametrize("block", range(len(CLI_DOC_BLOCKS)))
def test_cli_doc_examples(tmp_path: Path, block: int) -> None:
    """Every `$ ...` example of docs/cli.md prints what the page shows."""
    in_help = {command: expected for _, command, expected in EXAMPLES}
    for command, expected in CLI_DOC_BLOCKS[block]:
        if command in in_help and expected and not any("..." in line for line in expected):
            assert expected == in_help[command], command  # already run by test_help_example_runs
            continue
        script = 'harmony-typed() { "$HT_PYTHON" -m harmony_typed "$@"; }\nset -o pipefail\n' + command + "\n"
        env = _env() | {"HT_PYTHON": sys.executable}
        proc = subprocess.run(
            ["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, timeout=120
        )
        output = proc.stdout.decode("utf-8")
        assert "Traceback" not in output, output
        assert _matches(expected, output), f"$ {command}\n--- expected\n" + "\n".join(expected) + f"\n--- got\n{output}"
        failing = any("harmony-typed: error:" in line for line in expected)
        assert (proc.returncode != 0) == failing, (command, proc.returncode, output)


def test_console_script() -> None:
    """The `harmony-typed` script itself (installed by the wheel)."""
    script = shutil.which("harmony-typed")
    if script is None:
        pytest.skip("the harmony-typed script is not on PATH (run against an installed wheel)")
    proc = subprocess.run(
        [script, "render-msg"], input=b'{"role": "user", "content": "Hi"}', capture_output=True, env=_env(), timeout=120
    )
    assert proc.returncode == 0 and proc.stdout == b"[200006, 1428, 200008, 12194, 200007]\n", proc.stderr
    proc = subprocess.run([script, "--version"], capture_output=True, env=_env(), timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith(b"harmony-typed ")


# -- the commands, beyond their examples ---------------------------------------------


def test_decode_bytes_and_invalid_utf8(enc: HarmonyEncoding) -> None:
    # Token 9552 is b' \xf0\x9f': the start of an emoji, not valid UTF-8 on its own.
    line = fails(["decode"], "[9552]", 1, "Invalid utf-8 sequence", "use --bytes")
    assert line.startswith("harmony-typed: error: <stdin>: ")
    proc = run("decode", "--bytes", stdin="[9552]")
    assert proc.returncode == 0 and proc.stdout == b" \xf0\x9f"
    assert json.loads(call_ok("decode", stdin='{"tokens": [12194, 0]}')) == "Hi!"
    fails(["decode", "--bytes", "--text"], "[1]", 2, "not allowed with argument")


def test_encode_errors_and_file_argument(tmp_path: Path) -> None:
    fails(["encode"], '"<|end|>"', 1, "disallowed special token '<|end|>'", "--allow-special")
    fails(["encode"], '["hello"]', 1, "expected a JSON string", "got an array", "--raw")
    path = tmp_path / "text.json"
    path.write_text(json.dumps("héllo 日本"), encoding="utf-8")
    ids = json.loads(call_ok("encode", str(path)))
    assert json.loads(call_ok("decode", stdin=json.dumps(ids))) == "héllo 日本"
    assert json.loads(call_ok("encode", "--raw", "--allow-special", stdin="x<|end|>\n")) == [87, 200007, 198]


def test_render_commands_match_the_library(enc: HarmonyEncoding, tmp_path: Path) -> None:
    system = SystemContent.new().with_conversation_start_date("2025-01-01")
    convo = Conversation.from_messages(
        [
            Message.from_role_and_content(Role.SYSTEM, system),
            Message.from_role_and_content(Role.USER, "What is 2+2?"),
            Message.from_role_and_content(Role.ASSISTANT, "Easy.").with_channel("analysis"),
            Message.from_role_and_content(Role.ASSISTANT, "4").with_channel("final"),
        ]
    )
    payload = convo.to_json()
    keep = RenderConversationConfig(auto_drop_analysis=False)
    assert json.loads(call_ok("render-convo", stdin=payload)) == enc.render_conversation(convo)
    assert json.loads(call_ok("render-convo", "--no-auto-drop", stdin=payload)) == enc.render_conversation(convo, keep)
    assert enc.render_conversation(convo) != enc.render_conversation(convo, keep)
    assert json.loads(call_ok("render-training", stdin=payload)) == enc.render_conversation_for_training(convo)
    assert json.loads(call_ok("render-training", "--no-auto-drop", stdin=payload)) == (
        enc.render_conversation_for_training(convo, keep)
    )
    assert json.loads(call_ok("render-completion", "--role", "user", stdin=payload)) == (
        enc.render_conversation_for_completion(convo, Role.USER)
    )
    # The same conversation as a bare list of messages, from a file argument.
    path = tmp_path / "convo.json"
    path.write_text(json.dumps(convo.to_dict()["messages"]), encoding="utf-8")
    assert call_ok("render-completion", str(path), "--text") == (
        enc.decode_utf8(enc.render_conversation_for_completion(convo, Role.ASSISTANT)) + "\n"
    )
    # render-msg with RenderOptions(conversation_has_function_tools=True).
    message = convo.messages[0]
    assert json.loads(call_ok("render-msg", "--function-tools", stdin=message.to_json())) == enc.render(
        message, RenderOptions(conversation_has_function_tools=True)
    )


def test_parse(enc: HarmonyEncoding) -> None:
    tokens = enc.encode(
        "<|channel|>analysis<|message|>Hm.<|end|><|start|>assistant<|channel|>final<|message|>Yes<|return|>",
        allowed_special="all",
    )
    parsed = json.loads(call_ok("parse", stdin=json.dumps(tokens)))
    assert parsed == [m.to_dict() for m in enc.parse_messages_from_completion_tokens(tokens, Role.ASSISTANT)]
    assert [m["channel"] for m in parsed] == ["analysis", "final"]
    pretty = call_ok("parse", "--pretty", stdin=json.dumps(tokens))
    assert json.loads(pretty) == parsed and pretty.count("\n") > 10
    # --role none: the tokens carry their own header.
    with_header = [200006, *enc.encode("user"), 200008, *enc.encode("Hi"), 200007]
    assert json.loads(call_ok("parse", "--role", "none", stdin=json.dumps(with_header)))[0]["role"] == "user"
    # Strict rejects what lenient accepts (SPEC P084: a stop token right after the role).
    fails(["parse"], "[173781, 200007]", 1, "cannot parse: ")
    assert json.loads(call_ok("parse", "--lenient", stdin="[173781, 200007]"))[0]["content"] == [
        {"type": "text", "text": ""}
    ]
    fails(["parse"], "[200006, 1428]", 1, "cannot parse: ", "at end of input, after 2 tokens")


def test_stream(enc: HarmonyEncoding) -> None:
    text = "<|channel|>commentary to=functions.f <|constrain|>json<|message|>{}<|call|>"
    tokens = enc.encode(text, allowed_special="all")
    lines = [json.loads(line) for line in call_ok("stream", stdin=json.dumps(tokens)).splitlines()]
    assert len(lines) == len(tokens) + 1
    assert [line["index"] for line in lines] == list(range(len(tokens) + 1))
    assert [line["token"] for line in lines] == [*tokens, None]
    assert {tuple(sorted(line)) for line in lines} == {
        ("channel", "content_type", "delta", "finished", "index", "recipient", "role", "state", "token")
    }
    assert lines[0]["state"] == "Header"
    content = [line for line in lines if line["state"] == "Content"]
    assert content and all(line["recipient"] == "functions.f" and line["channel"] == "commentary" for line in content)
    assert "".join(line["delta"] or "" for line in lines) == "{}"
    finished = [m for line in lines for m in line["finished"]]
    assert finished == [m.to_dict() for m in enc.parse_messages_from_completion_tokens(tokens, Role.ASSISTANT)]
    assert lines[-2]["finished"] == finished  # the <|call|> token finished it
    # At end of stream, a message still in progress is finished by process_eos.
    open_ended = enc.encode("<|channel|>final<|message|>Hi", allowed_special="all")
    last = json.loads(call_ok("stream", stdin=json.dumps(open_ended)).splitlines()[-1])
    assert last["token"] is None and [m["content"][0]["text"] for m in last["finished"]] == ["Hi"]


def test_stream_error_keeps_earlier_lines(enc: HarmonyEncoding) -> None:
    tokens = [*enc.encode("<|channel|>final<|message|>Hi<|end|>", allowed_special="all"), 200008]
    proc = run("stream", stdin=json.dumps(tokens))
    assert proc.returncode == 1
    assert len(proc.stdout.decode().splitlines()) == len(tokens) - 1
    stderr = proc.stderr.decode()
    assert stderr.startswith("harmony-typed: error: <stdin>: cannot parse: ") and len(stderr.splitlines()) == 1
    assert f"(token {len(tokens) - 1}, id 200008)" in stderr


def test_demo(enc: HarmonyEncoding) -> None:
    out = ok("demo")
    for heading in (
        "== 1. A conversation",
        "== 2. Rendered as a prompt",
        "== 3. What the model samples",
        "== 4. Parsed back into 2 messages, token by token",
    ):
        assert heading in out
    data = json.loads(call_ok("demo", "--json"))
    convo = Conversation.from_dict(data["conversation"])
    assert data["prompt_tokens"] == enc.render_conversation_for_completion(convo, Role.ASSISTANT)
    assert enc.decode_utf8(data["prompt_tokens"]) in out
    parsed = enc.parse_messages_from_completion_tokens(data["completion_tokens"], Role.ASSISTANT)
    assert data["parsed"] == [m.to_dict() for m in parsed]
    assert [m["channel"] for m in data["parsed"]] == ["analysis", "final"]


# -- error paths ----------------------------------------------------------------------

DATA_ERRORS = [
    (["render-msg"], '{"role": "user"', "<stdin>: invalid JSON: Expecting ',' delimiter (line 1, column 16)"),
    (["render-msg"], "", "<stdin>: empty input, expected JSON"),
    (["render-msg"], b"\xff\xfe[", "<stdin>: not UTF-8 text"),
    (["render-msg"], '{"role": "bot", "content": "Hi"}', "<stdin>: message: Unknown role: 'bot'"),
    (["render-msg"], '{"role": "user"}', "<stdin>: message: missing key 'content'"),
    (["render-msg"], '[{"role": "user", "content": "Hi"}]', "render-msg renders one message", "use render-convo"),
    (["render-msg"], '{"role": "tool", "content": "x"}', "<stdin>: cannot render: Tools should have a name!"),
    (["render-convo"], '{"messages": [{"role": "user", "content": 5}]}', "messages[0]: Message content must be"),
    (["render-convo"], '"hello"', 'expected a conversation {"messages": [...]}', "got a string"),
    (
        ["render-training"],
        '{"messages": [{"role": "user", "content": [{"type": "image"}]}]}',
        "messages[0]: Unknown content variant",
    ),
    (["render-completion"], '{"msgs": []}', "got an object with keys 'msgs'"),
    (["decode"], '[1, "x"]', 'token [1] is a string ("x"), not a token id'),
    (["decode"], "[1, -5]", "token [1] is -5, not a token id (valid ids are 0..201088)"),
    (["decode"], "[1.5]", "token [0] is a number (1.5)"),
    (["parse"], "[300000]", "token [0] is 300000, not a token id"),
    (["parse"], '{"tokens": [true]}', "tokens[0] is a boolean (true)"),
    (["stream"], '{"role": "user"}', "expected a JSON array of token ids, got an object"),
    (["encode"], "[", "<stdin>: invalid JSON: Expecting value (line 1, column 2)"),
]


@pytest.mark.parametrize(
    ("args", "stdin", "fragments"),
    [(a, s, f) for a, s, *f in DATA_ERRORS],
    ids=[f"{e[0][0]}-{i}" for i, e in enumerate(DATA_ERRORS)],
)
def test_data_errors(args: list[str], stdin: str | bytes, fragments: list[str]) -> None:
    fails(args, stdin, 1, *fragments)


USAGE_ERRORS = [
    (["nosuch"], "argument COMMAND: invalid choice: 'nosuch'"),
    ([], "the following arguments are required: COMMAND"),
    (["render-completion", "--role", "bot"], "render-completion: argument --role: unknown role 'bot'"),
    (["parse", "--role", "robot"], "parse: argument --role: unknown role 'robot'", "none"),
    (["stream", "--bogus"], "unrecognized arguments: --bogus"),
    (["render-convo", "/nonexistent/convo.json"], "cannot read /nonexistent/convo.json: No such file or directory"),
    (["decode", "a.json", "b.json"], "unrecognized arguments: b.json"),
]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [(a, f) for a, *f in USAGE_ERRORS],
    ids=[" ".join(e[0]) or "no-command" for e in USAGE_ERRORS],
)
def test_usage_errors(args: list[str], fragments: list[str]) -> None:
    line = fails(args, "[]", 2, *fragments)
    if "cannot read" not in line:
        assert line.endswith("--help')")  # points at the right help


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs a shell pipeline")
def test_broken_pipe_is_quiet(enc: HarmonyEncoding, tmp_path: Path) -> None:
    tokens = enc.encode("<|channel|>final<|message|>" + "word " * 20_000 + "<|return|>", allowed_special="all")
    (tmp_path / "tokens.json").write_text(json.dumps(tokens))
    script = f'"{sys.executable}" -m harmony_typed stream tokens.json | head -n 1'
    proc = subprocess.run(["bash", "-c", script], capture_output=True, env=_env(), cwd=tmp_path, timeout=120)
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 1
    assert proc.stderr == b""
