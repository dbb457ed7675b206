"""``harmony-typed``: the command line (also ``python -m harmony_typed``).

JSON in on standard input (or from a file argument), JSON out on standard
output, one subcommand per operation of the library, plus ``demo`` (the whole
render → stream-parse cycle on a built-in conversation) and ``render-dataset`` (a JSONL
file of conversations to a JSONL file of token ids, on every core).

Errors are one line on standard error, ``harmony-typed: error: ...``, naming
what is wrong and where; the exit code is 2 for a usage error (bad option,
unknown role, unreadable file) and 1 for bad data (invalid JSON, wrong shape,
unrenderable conversation, bad token id, parse error).  Never a traceback:
:func:`main` is the one error boundary.

Modules: ``arguments`` (the parser), ``help`` (help text), ``output`` (exit codes,
strict JSON, writing), ``inputs`` (reading and validating input), one module per
group of commands (``codec``, ``render``, ``parse``, ``demo``, ``render_dataset``).
Not compiled with mypyc (see ``_build_info``): it is not hot.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool

from harmony_typed import HarmonyError
from harmony_typed.cli.arguments import build_parser
from harmony_typed.cli.help import EPILOGS, MAIN_EPILOG
from harmony_typed.cli.output import EXIT_BROKEN_PIPE, EXIT_DATA, CLIError, StdoutClosed, err, flush_stdout
from harmony_typed.dataset import one_line

__all__ = ["EPILOGS", "MAIN_EPILOG", "build_parser", "main"]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc.args[0]!r}" if exc.args else "missing key"
    return one_line(str(exc) or type(exc).__name__)


def _silence_stdout() -> None:
    """Point standard output at /dev/null so that Python's exit-time flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        sys.stdout = None  # nothing left to flush


def _input_name(args: argparse.Namespace) -> str:
    path: str = getattr(args, "file", None) or getattr(args, "input", None) or "-"
    return "<stdin>" if path == "-" else path


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``harmony-typed`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        try:
            return func(args)
        finally:
            flush_stdout()
    except CLIError as exc:
        err(f"error: {exc}")
        return exc.code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as coreutils do under a shell.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except StdoutClosed:
        err("error: cannot write: standard output is closed")
        return EXIT_DATA
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    except BrokenProcessPool as exc:
        err(f"error: a worker process died ({_describe(exc)})")
        return EXIT_DATA
    except RecursionError:
        err(f"error: {args.command}: {_input_name(args)}: nested too deeply")
        return EXIT_DATA
    except (HarmonyError, ValueError, TypeError, KeyError, OverflowError) as exc:
        # json.JSONDecodeError and RecordError are ValueErrors.
        err(f"error: {args.command}: {_describe(exc)}")
        return EXIT_DATA
    except OSError as exc:
        if exc.errno == 9 and sys.stdout is not None:  # EBADF: standard output closed at the OS level
            _silence_stdout()
            err("error: cannot write: standard output is closed")
            return EXIT_DATA
        err(f"error: {args.command}: {exc.strerror or exc}")
        return EXIT_DATA
    except Exception as exc:
        if os.environ.get("HARMONY_TYPED_DEBUG"):
            raise
        err(
            f"internal error: {type(exc).__name__}: {_describe(exc)} "
            "(a bug: please report it; set HARMONY_TYPED_DEBUG=1 for the traceback)"
        )
        return EXIT_DATA
