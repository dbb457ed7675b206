"""``harmony-typed``: the command line (also ``python -m harmony_typed``).

JSON in on standard input (or from a file argument), JSON out on standard
output, one subcommand per operation of the library, plus ``demo`` (the whole
render → parse cycle on a built-in conversation) and ``render-dataset`` (a JSONL
file of conversations to a JSONL file of token ids, on every core).

Errors are one line on standard error, ``harmony-typed: error: ...``, naming
what is wrong and where; the exit code is 2 for a usage error (bad option,
unknown role, unreadable file) and 1 for bad data (invalid JSON, wrong shape,
unrenderable conversation, bad token id, parse error).  Never a traceback.

Not compiled with mypyc (see ``setup.py``): it is not hot, and ``__main__``
cannot run compiled.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool

from harmony_typed import HarmonyError
from harmony_typed.cli._arguments import build_parser
from harmony_typed.cli._common import EXIT_DATA, CLIError, _err
from harmony_typed.dataset import one_line

__all__ = ["main"]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc.args[0]!r}" if exc.args else "missing key"
    text = str(exc) or type(exc).__name__
    return one_line(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``harmony-typed`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        try:
            return func(args)
        finally:
            sys.stdout.flush()
    except CLIError as exc:
        _err(f"error: {exc}")
        return exc.code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, and keep Python's
        # exit-time flush from raising again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_DATA
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenProcessPool as exc:
        _err(f"error: a worker process died ({_describe(exc)})")
        return EXIT_DATA
    except (HarmonyError, ValueError, TypeError, KeyError, OverflowError) as exc:
        # json.JSONDecodeError and RecordError are ValueErrors.
        _err(f"error: {args.command}: {_describe(exc)}")
        return EXIT_DATA
    except OSError as exc:
        _err(f"error: {args.command}: {exc.strerror or exc}")
        return EXIT_DATA
    except Exception as exc:
        if os.environ.get("HARMONY_TYPED_DEBUG"):
            raise
        _err(
            f"internal error: {type(exc).__name__}: {_describe(exc)} "
            "(a bug: please report it; set HARMONY_TYPED_DEBUG=1 for the traceback)"
        )
        return EXIT_DATA
