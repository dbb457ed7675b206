"""``harmony-typed render-dataset``: a JSONL file of conversations to token ids, on every core."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import IO, Any

from harmony_typed import dataset as _dataset
from harmony_typed.cli.inputs import encoding as load_encoding
from harmony_typed.cli.inputs import open_input
from harmony_typed.cli.output import EXIT_DATA, EXIT_USAGE, PROG, CLIError, StdoutClosed, err, flush_stdout
from harmony_typed.dataset import RenderSpec
from harmony_typed.dataset.workers import sigterm_exits

# -- render-dataset ----------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def cmd_render_dataset(args: argparse.Namespace) -> int:
    # SIGTERM unwinds like Ctrl-C, so the pool is shut down and the temporary file removed.
    with sigterm_exits():
        return _render_dataset(args)


def _render_dataset(args: argparse.Namespace) -> int:
    from tqdm import tqdm  # only this command needs it

    encoding = load_encoding(args)
    if args.output_format == "parquet" and args.train_on is None:
        raise CLIError(
            "--output-format parquet writes training examples: pass --train-on assistant|last_turn", EXIT_USAGE
        )
    if args.train_on is not None and args.mode != "training":
        raise CLIError(f"--train-on needs --mode training, got --mode {args.mode}", EXIT_USAGE)
    try:
        spec = RenderSpec(
            mode=args.mode,
            role=args.role,
            auto_drop_analysis=not args.no_auto_drop,
            id_field=args.id_field or None,
            input_format=args.input_format,
            train_on=args.train_on,
            output_format=args.output_format,
        )
    except ValueError as exc:
        raise CLIError(str(exc), EXIT_USAGE) from None
    parquet = args.output_format == "parquet"
    workers: int = args.workers if args.workers is not None else (os.cpu_count() or 1)
    in_name = "<stdin>" if args.input == "-" else args.input
    source, _ = open_input(args.input)  # a missing standard input (<&-) is a usage error there

    show_progress = not args.quiet and sys.stderr.isatty()
    total: int | None = None
    if show_progress and args.input != "-" and os.path.isfile(args.input):
        total = _dataset.count_lines(args.input)

    to_stdout = args.output == "-"
    if not to_stdout and os.path.isdir(args.output):
        source.close()
        raise CLIError(f"cannot write {args.output}: it is a directory", EXIT_USAGE)
    commit: Callable[[], None] = lambda: None  # noqa: E731
    discard: Callable[[], None] = lambda: None  # noqa: E731
    if to_stdout and sys.stdout is None:  # closed (>&-): Python sets it to None
        source.close()
        raise StdoutClosed
    stream: IO[Any] = sys.stdout.buffer if parquet and to_stdout else sys.stdout
    if not to_stdout:
        try:
            output = _dataset.open_output(args.output, source=source, binary=parquet)
        except _dataset.SameFileError as exc:
            source.close()
            raise CLIError(str(exc), EXIT_USAGE) from None
        except OSError as exc:
            source.close()
            raise CLIError(f"cannot write {args.output}: {exc.strerror or exc}", EXIT_USAGE) from None
        stream, commit, discard = output.stream, output.commit, output.discard
        for notice in output.notices:
            err(f"note: {notice}")
    sink: IO[str] | _dataset.RowSink = stream
    if parquet:
        try:
            sink = _dataset.ParquetSink(stream)
        except ImportError as exc:
            discard()
            source.close()
            raise CLIError(str(exc), EXIT_USAGE) from None

    shown = 0
    max_shown = 50

    def on_error(line: int, message: str) -> None:
        nonlocal shown
        shown += 1
        if shown <= max_shown:
            level = "warning" if args.skip_errors else "error"
            skipped = " (skipped)" if args.skip_errors else ""
            bar.write(f"{PROG}: {level}: {in_name}:{line}: {message}{skipped}", file=sys.stderr)
        elif shown == max_shown + 1:
            bar.write(f"{PROG}: warning: more bad lines not shown (counted in the summary)", file=sys.stderr)

    # No tqdm monitor thread: the worker pool forks, and a process should not fork while it has threads.
    tqdm.monitor_interval = 0
    bar = tqdm(
        total=total,
        disable=not show_progress,
        unit=" conv",
        unit_scale=True,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )
    try:
        summary = _dataset.render_dataset(
            source,
            sink,
            encoding,
            spec,
            workers=workers,
            skip_errors=args.skip_errors,
            batch_size=args.batch_size,
            on_error=on_error,
            on_progress=bar.update,
        )
    except _dataset.DatasetAborted:
        bar.close()
        discard()
        what = "output is incomplete" if to_stdout else f"{args.output} not written"
        err(f"error: stopped at the first bad line; {what} (pass --skip-errors to skip bad lines)")
        return EXIT_DATA
    except BaseException:
        bar.close()
        discard()
        raise
    finally:
        source.close()
    bar.close()
    if isinstance(sink, _dataset.ParquetSink):
        sink.close()  # the footer; the stream stays open for commit()
    if to_stdout:
        flush_stdout()
    else:
        try:
            commit()
        except OSError as exc:
            discard()
            raise CLIError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    if not args.quiet:
        rate = summary.conversations / summary.seconds if summary.seconds > 0 else 0.0
        errors = _plural(summary.errors, "error") + (" (bad lines skipped)" if summary.errors else "")
        blank = f", {_plural(summary.blank_lines, 'blank line')} ignored" if summary.blank_lines else ""
        dest = "" if to_stdout else f" -> {args.output}"
        err(
            f"{_plural(summary.conversations, 'conversation')}, {_plural(summary.tokens, 'token')} "
            f"in {summary.seconds:.2f} s ({rate:,.0f} conversations/s, {_plural(workers, 'worker')}), "
            f"{errors}{blank}{dest}"
        )
    return 0
