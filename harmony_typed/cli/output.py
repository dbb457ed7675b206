"""The CLI's exit codes, its one error type, and how it writes to standard output and error.

Every JSON the CLI writes goes through :func:`dumps`, which is strict JSON
(``allow_nan=False``): a NaN or infinity is a data error, never ``NaN`` in the output.
"""

from __future__ import annotations

import json
import sys
from typing import Final

PROG: Final = "harmony-typed"

EXIT_DATA: Final = 1
"""Bad input data: invalid JSON, wrong shape, unrenderable or unparsable content, bad token ids."""
EXIT_USAGE: Final = 2
"""Bad command line: unknown option or role, missing or unreadable file."""
EXIT_BROKEN_PIPE: Final = 1
"""The reader of standard output went away (e.g. ``| head``): stop quietly."""


class CLIError(Exception):
    """A failure reported as one ``harmony-typed: error: ...`` line and an exit code."""

    def __init__(self, message: str, code: int = EXIT_DATA) -> None:
        super().__init__(message)
        self.code = code


class StdoutClosed(Exception):
    """Standard output is closed (``>&-``) or missing: reported once by the error boundary."""


def write_bytes(data: bytes) -> None:
    """Write ``data`` to standard output as it is."""
    stdout = sys.stdout
    if stdout is None:
        raise StdoutClosed
    buffer = getattr(stdout, "buffer", None)
    if buffer is None:  # e.g. a StringIO installed by a caller
        stdout.write(data.decode("utf-8", "backslashreplace"))
        return
    stdout.flush()
    buffer.write(data)


def out(text: str, *, flush: bool = False) -> None:
    """Write ``text`` and a newline to standard output as UTF-8, whatever the locale."""
    write_bytes((text + "\n").encode("utf-8", "backslashreplace"))
    if flush:
        flush_stdout()


def flush_stdout() -> None:
    """Flush standard output (a no-op when there is none)."""
    stdout = sys.stdout
    if stdout is None:
        return
    buffer = getattr(stdout, "buffer", None)
    (buffer if buffer is not None else stdout).flush()


def err(text: str) -> None:
    """Write ``harmony-typed: TEXT`` to standard error (nothing when there is no standard error)."""
    if sys.stderr is None:
        return
    sys.stderr.write(f"{PROG}: {text}\n")
    sys.stderr.flush()


def dumps(value: object, *, pretty: bool = False) -> str:
    """``value`` as strict JSON (no NaN or Infinity: those raise :class:`CLIError`)."""
    try:
        return json.dumps(value, ensure_ascii=False, indent=2 if pretty else None, allow_nan=False)
    except ValueError as exc:  # json's "Out of range float values are not JSON compliant"
        raise CLIError(f"cannot write strict JSON: {exc} (NaN and Infinity have no JSON form)") from None
