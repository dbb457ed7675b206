"""render-dataset never destroys data, and never outlives its own run (issue 16).

Each test is a regression test for one reported defect, through the CLI (a
subprocess) where the defect was reported there: the input given as the
output, symbolic links, FIFOs and devices as the output, temporary files of a
killed run, lost permission bits, late per-line failures under
``--skip-errors``, non-strict JSON output, and worker processes that survive
SIGKILL / SIGTERM of their parent.
"""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from dataset_support import NEUTRAL_CWD, cli_env, run_cli

from harmony_typed import HarmonyEncoding
from harmony_typed.dataset import RenderSpec, SameFileError, open_output, render_batch, render_dataset, render_line

GOOD = '{"id": 1, "messages": [{"role": "user", "content": "Hi"}]}\n'
GOOD_OUT = '{"id":1,"tokens":[200006,1428,200008,12194,200007]}\n'

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs and signals")


def _source(tmp_path: Path, text: str = GOOD) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(text, encoding="utf-8")
    return path


# -- the input as the output -------------------------------------------------------------


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_output_is_the_input_is_refused(tmp_path: Path, link: str) -> None:
    source = _source(tmp_path)
    out = source
    if link == "symlink":
        out = tmp_path / "out.jsonl"
        out.symlink_to(source)
    elif link == "hardlink":
        out = tmp_path / "out.jsonl"
        os.link(source, out)
    with pytest.raises(SameFileError, match="is the input file"):
        open_output(out, source=source)
    with source.open("rb") as stream, pytest.raises(SameFileError):
        open_output(out, source=stream)  # e.g. standard input redirected from OUT
    assert source.read_text(encoding="utf-8") == GOOD
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"in.jsonl", out.name})  # no temporary file


# -- special outputs ---------------------------------------------------------------------------


def test_symlink_output_keeps_the_link_and_replaces_its_target(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "real.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target.name)  # relative, as links often are
    proc = run_cli("render-dataset", source, link, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == target.name
    assert target.read_text(encoding="utf-8") == GOOD_OUT
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to("created.jsonl")
    assert run_cli("render-dataset", source, dangling, "--quiet").returncode == 0
    assert dangling.is_symlink() and (tmp_path / "created.jsonl").read_text(encoding="utf-8") == GOOD_OUT


@posix_only
def test_fifo_output_is_written_through(tmp_path: Path) -> None:
    source = _source(tmp_path)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "harmony_typed", "render-dataset", str(source), str(fifo), "--quiet"],
        env=cli_env(),
        cwd=NEUTRAL_CWD,
        stderr=subprocess.PIPE,
    )
    with fifo.open(encoding="utf-8") as reader:
        data = reader.read()
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert data == GOOD_OUT
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the FIFO, not a regular file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.fifo"]


@posix_only
@pytest.mark.parametrize("device", ["/dev/null", "/dev/stdout"])
def test_device_output_is_written_through(tmp_path: Path, device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    before = os.stat("/dev/null")
    dev_entries = set(os.listdir("/dev"))
    proc = run_cli("render-dataset", _source(tmp_path), device, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (GOOD_OUT if device == "/dev/stdout" else "")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert not {name for name in set(os.listdir("/dev")) - dev_entries if name.endswith(".tmp")}


def test_existing_output_keeps_its_permissions(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o600)
    assert run_cli("render-dataset", _source(tmp_path), out, "--quiet").returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text(encoding="utf-8") == GOOD_OUT
    out.chmod(0o640)
    assert run_cli("render-dataset", _source(tmp_path), out, "--quiet").returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


# -- temporary files of a killed run --------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid  # reaped: no process has this id (until the kernel reuses it)


def test_leftover_temporary_files_are_cleaned_or_reported(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    stale = tmp_path / f".out.jsonl.{_dead_pid()}.abc123.tmp"
    live = tmp_path / f".out.jsonl.{os.getpid()}.def456.tmp"  # this test's process is alive
    old_style = tmp_path / ".out.jsonl.k2j3h4.tmp"  # no pid: from an older version
    for path in (stale, live, old_style):
        path.write_text("partial", encoding="utf-8")
    output = open_output(out)
    output.stream.write("x\n")
    output.commit()
    assert not stale.exists() and live.exists() and old_style.exists()
    notices = {notice.split(",")[0]: notice for notice in output.notices}
    assert set(notices) == {f"removed {stale}", f"found {live}", f"found {old_style}"}
    assert "no longer exists" in notices[f"removed {stale}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, old_style.name, "out.jsonl"])


def test_discard_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    output = open_output(out, binary=True)
    assert output.atomic
    output.stream.write(b"new\n")
    output.discard()
    assert out.read_text(encoding="utf-8") == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


# -- a bad line is always that line's error --------------------------------------------------------


def _deep_schema_line(depth: int) -> str:
    params = '{"type":"object","properties":{"a":' * depth + '{"type":"string"}' + "}}" * depth
    tools = '{"functions":{"name":"functions","tools":[{"name":"f","description":"d","parameters":' + params + "}]}}"
    return '{"messages":[{"role":"developer","content":[{"type":"developer_content","tools":' + tools + "}]}]}"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_skip_errors_reports_late_failures_per_line(tmp_path: Path, workers: str) -> None:
    lines = [
        GOOD.strip(),
        '{"id": 2, "n": ' + "7" * 5000 + ', "messages": []}',  # int() digit limit, raised while parsing
        _deep_schema_line(495),  # RecursionError while parsing or rendering, depending on the stack
        '{"id": NaN, "messages": []}',
        '{"id": 1e999, "messages": []}',
        GOOD.strip(),
    ]
    source = _source(tmp_path, "\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    proc = run_cli("render-dataset", source, out, "--skip-errors", "--workers", workers, "--batch-size", "2")
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == GOOD_OUT * 2
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert [w.split(": ")[2] for w in warnings] == [f"{source}:{n}" for n in (2, 3, 4, 5)]
    assert "a number longer than 4300 digits" in warnings[0] and "set_int_max_str_digits" not in warnings[0]
    assert "nested too deeply" in warnings[1]
    assert "'id' is nan: not valid JSON" in warnings[2] and "'id' is inf: not valid JSON" in warnings[3]
    assert "internal error" not in proc.stderr


def test_output_is_strict_json(enc: HarmonyEncoding) -> None:
    for bad_id in ("NaN", "Infinity", "-Infinity", "1e999"):
        result = render_batch([f'{{"id": {bad_id}, "messages": []}}'], enc, RenderSpec())
        assert result.output == [] and "not valid JSON" in result.errors[0][1]
    line, _ = render_line('{"id": 1e308, "messages": []}', enc, RenderSpec())
    assert json.loads(line, parse_constant=lambda name: pytest.fail(f"non-strict JSON {name}")) == {
        "id": 1e308,
        "tokens": [],
    }


def test_unexpected_exception_stays_on_its_line(enc: HarmonyEncoding, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: RenderSpec, encoding: HarmonyEncoding, conversation: object) -> list[int]:
        raise LookupError("boom")  # a class of failure nobody anticipated

    monkeypatch.setattr(RenderSpec, "render", broken)
    sink = io.StringIO()
    errors: list[tuple[int, str]] = []
    summary = render_dataset(
        io.BytesIO(GOOD.encode() * 2),
        sink,
        enc,
        RenderSpec(),
        skip_errors=True,
        on_error=lambda n, m: errors.append((n, m)),
    )
    assert summary.errors == 2 and sink.getvalue() == ""
    assert errors == [(1, "cannot render: LookupError: boom"), (2, "cannot render: LookupError: boom")]


# -- workers die with their parent ---------------------------------------------------------------


def _children(pid: int) -> set[int]:
    """Live (non-zombie) processes whose parent is ``pid``, from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2 :].split()[0] != "Z"


def _temps(directory: Path) -> list[Path]:
    """Non-empty temporary output files in ``directory``."""
    return [p for p in directory.iterdir() if p.name.endswith(".tmp") and p.stat().st_size > 0]


def _wait_until(condition: Callable[[], object], what: str, limit: float = 120.0) -> None:
    # A bound on waiting, never a speed assertion: the machine may be busy.
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_a_killed_parent(tmp_path: Path, sig: signal.Signals) -> None:
    record = {"messages": [{"role": "user", "content": "word " * 200}, {"role": "assistant", "content": "ok"}]}
    source = _source(tmp_path, (json.dumps(record) + "\n") * 300_000)
    out = tmp_path / "out.jsonl"
    log = tmp_path.parent / f"{tmp_path.name}.stderr"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harmony_typed",
                "render-dataset",
                str(source),
                str(out),
                "--workers",
                "2",
                "--quiet",
            ],
            env=cli_env(),
            cwd=NEUTRAL_CWD,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        _wait_until(lambda: len(_children(proc.pid)) == 2 and _temps(tmp_path), "two workers and a growing output")
        workers = _children(proc.pid)
        proc.send_signal(sig)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    try:
        _wait_until(lambda: not any(_alive(pid) for pid in workers), "the workers to exit")
    finally:
        for pid in filter(_alive, workers):  # a failing run must not leave orphans behind either
            os.kill(pid, signal.SIGKILL)
    assert not out.exists()
    if sig == signal.SIGTERM:
        assert code == 128 + signal.SIGTERM, log.read_text(encoding="utf-8", errors="replace")
        assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # cleaned up like Ctrl-C
    else:
        assert code == -signal.SIGKILL
        # The next run removes the killed run's temporary file and says so.
        output = open_output(out)
        output.discard()
        assert output.notices and output.notices[0].startswith("removed")
        assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
