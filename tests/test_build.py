"""The build under test is the one the session asked for (compiled or pure)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

import harmony_typed

COMPILED_MODULES = ["_specials", "_schema_ts", "_render", "_parser"]


def test_compiled_flag_matches_module_files() -> None:
    suffixes = {Path(importlib.import_module(f"harmony_typed.{m}").__file__ or "").suffix for m in COMPILED_MODULES}
    assert suffixes == ({".so"} if harmony_typed.COMPILED else {".py"})


@pytest.mark.skipif("HARMONY_TYPED_EXPECT_BUILD" not in os.environ, reason="only checked inside nox sessions")
def test_session_runs_the_expected_build() -> None:
    expected = os.environ["HARMONY_TYPED_EXPECT_BUILD"]
    assert harmony_typed.COMPILED is (expected == "compiled")


def test_models_and_errors_stay_interpreted() -> None:
    # attrs classes and builtin-exception subclasses must not be compiled (docs/architecture.md).
    for name in ("_models", "_errors", "_encoding", "_vocab"):
        assert (importlib.import_module(f"harmony_typed.{name}").__file__ or "").endswith(".py")


def test_py_typed_is_installed() -> None:
    assert (Path(harmony_typed.__file__).parent / "py.typed").is_file()
