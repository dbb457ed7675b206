"""The module table (layer, compiled or not, and why) and what the installed build is.

``MODULES`` is the one place that says, for every module of the package, which
layer it belongs to and whether mypyc compiles it.  ``setup.py`` reads it as
text (``ast.literal_eval``, no import, so the build needs no dependencies),
``tests/test_build.py`` checks the installed build against it,
``tests/test_layout.py`` checks the imports against the layers, and the table
in ``docs/architecture.md`` is generated from it.  A new module fails those
tests until it has an entry here: compiling a module means flipping its flag.

At build time ``setup.py`` writes ``_build.json`` next to this file, saying
which build was requested and which one was made (and why it fell back).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Final

LAYERS: Final = ("base", "models", "tokenizer", "engines", "facade", "applications")
"""Bottom to top: a module imports only from its own layer or the ones below it."""

MODULES: Final[dict[str, tuple[str, bool, str]]] = {
    # module (dotted, without the package prefix; "" is the package itself): (layer, compiled, why)
    "_build_info": ("base", False, "read as text by setup.py; runs once at import"),
    "_errors": ("base", False, "exception classes that subclass builtins must be non-native"),
    "_specials": ("base", True, "read by both hot paths; `Final` ints are inlined"),
    "_rust": ("base", True, "Rust-compatible formatting (`{:?}` escaping, f64 display) in render and parse paths"),
    "_enums": ("models", False, "enum classes; nothing hot"),
    "_validation": ("models", False, "validation helpers of the (uncompiled) attrs models"),
    "_tools": (
        "models",
        False,
        "attrs classes are non-native under mypyc (no speed-up), and `attrs.field(...)` fails in compiled modules",
    ),
    "_system_contents": (
        "models",
        False,
        "attrs classes are non-native under mypyc (no speed-up), and `attrs.field(...)` fails in compiled modules",
    ),
    "_models": (
        "models",
        False,
        "attrs classes are non-native under mypyc (no speed-up), and `attrs.field(...)` fails in compiled modules",
    ),
    "_pydantic_schema": (
        "models",
        False,
        "pydantic field support; runs once per pydantic model class, imports pydantic lazily",
    ),
    "_surrogates": ("models", False, "error path only: openai_harmony's lone-surrogate ValueError"),
    "_dialect": ("models", False, "an enum and flag functions, read once per encoding and parser"),
    "_vocab": ("tokenizer", False, "file I/O, runs once per process"),
    "_tokenizer": ("tokenizer", False, "builds tables once per process; per-token work is in the engines"),
    "_schema_ts": ("engines", True, "string building over JSON values"),
    "_system_text": ("engines", True, "string building for every system/developer message"),
    "_render": ("engines", True, "hot path of every prompt"),
    "_header": ("engines", True, "runs once per parsed message"),
    "_transitions": ("engines", True, "the parser's transition table; its `Final` codes are inlined in the parser"),
    "_content": ("engines", True, "streaming UTF-8 of message content: the parser's compiled base class"),
    "_header_text": ("engines", True, "decodes each parsed header's ids"),
    "_parser_args": ("engines", True, "argument checks, run for every parser (four calls from compiled code)"),
    "_parser": ("engines", True, "per-token hot path"),
    "_messages_view": ("engines", True, "read per token by serving loops (`parser.messages`)"),
    "_parse_batch": ("engines", True, "the batch entry point drives the machine without per-token checks"),
    "_training": ("engines", False, "one pass over the renderer's message boundaries per example"),
    "_encoding": ("facade", False, "thin delegation to the engines"),
    "": ("facade", False, "re-exports only"),
    "dataset": ("applications", False, "not hot: I/O and process pools around the compiled renderer"),
    "dataset.records": ("applications", False, "not hot: JSON records to models"),
    "dataset.partition": ("applications", False, "not hot: column batches around the compiled renderer"),
    "dataset.pool": ("applications", False, "not hot: process pool plumbing"),
    "dataset.output": ("applications", False, "not hot: atomic output files"),
    "dataset.workers": ("applications", False, "not hot: worker process lifetime and signals"),
    "dataset.training": ("applications", False, "not hot: batches of training examples for trainers"),
    "dataset.parquet": ("applications", False, "not hot: row groups through pyarrow (optional extra)"),
    "chat": ("applications", False, "not hot: chat-format records to models"),
    "cli.arguments": ("applications", False, "not hot: the argument parser"),
    "cli.help": ("applications", False, "not hot: help text"),
    "cli.output": ("applications", False, "not hot: writing output"),
    "cli.inputs": ("applications", False, "not hot: reading input"),
    "cli.codec": ("applications", False, "not hot: stop/decode/encode commands"),
    "cli.render": ("applications", False, "not hot: render commands"),
    "cli.parse": ("applications", False, "not hot: parse/stream commands"),
    "cli.demo": ("applications", False, "not hot: the demo"),
    "cli.render_dataset": ("applications", False, "not hot: the render-dataset command"),
    "cli": ("applications", False, "not hot: main() and its one error boundary"),
    "__main__": ("applications", False, "`python -m` runs it as a script, which cannot be a compiled module"),
    "compat": ("applications", False, "the openai_harmony-compatible door: thin wrappers over the compiled core"),
    "compat._base": ("applications", False, "compat: pydantic-like mutable base"),
    "compat._models": ("applications", False, "compat: enums, authors, contents, tools, configs"),
    "compat._messages": ("applications", False, "compat: Message and Conversation"),
    "compat._convert": ("applications", False, "compat: conversion to and from the strict models"),
    "compat._encoding": ("applications", False, "compat: HarmonyEncoding and StreamableParser"),
    "compat._pydantic": ("applications", False, "compat: pydantic core schemas, imported lazily"),
    "compat._install": ("applications", False, "compat: install() as openai_harmony"),
    "strategies": ("applications", False, "test-time hypothesis code (optional extra)"),
    "strategies._models": ("applications", False, "test-time hypothesis code: model strategies"),
    "strategies._completions": ("applications", False, "test-time hypothesis code: valid completions"),
    "strategies._garbage": ("applications", False, "test-time hypothesis code: malformed token ids"),
}

COMPILED_MODULES: Final = tuple(name for name, (_, compiled, _) in MODULES.items() if compiled)
"""The modules mypyc compiles (``setup.py`` derives the same tuple from ``MODULES``)."""

BUILD_FILE: Final = "_build.json"


def build_record() -> dict[str, str]:
    """What ``setup.py`` recorded: ``requested``/``built`` ("compiled" or "pure") and ``reason``.

    Empty when running from a source tree (nothing was built).
    """
    try:
        text = (Path(__file__).parent / BUILD_FILE).read_text(encoding="utf-8")
    except OSError:
        return {}
    record = json.loads(text)
    return {str(key): str(value) for key, value in record.items()} if isinstance(record, dict) else {}


def describe(compiled: bool) -> str:
    """One line for ``--version``: which build runs, and why a pure build is pure."""
    if compiled:
        return "compiled with mypyc"
    reason = build_record().get("reason", "")
    return f"pure Python build ({reason})" if reason else "pure Python build"


def warn_if_fallback(compiled: bool) -> None:
    """Warn (once, at import) when a compiled build was requested but pure Python is running."""
    record = build_record()
    if not compiled and record.get("requested") == "compiled":
        warnings.warn(
            "harmony_typed: running the pure-Python build (several times slower) because the compiled build "
            f"failed: {record.get('reason', 'unknown reason')}. Reinstall with a C compiler to compile it.",
            RuntimeWarning,
            stacklevel=3,
        )
