"""Shared fixtures and hypothesis profiles.

Profiles (select with ``HYPOTHESIS_PROFILE``): ``ci`` keeps the default run
fast and deterministic; ``parity`` leaves each test's own ``max_examples``
(the differential tests ask for >= 2,000) and derandomizes too.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import harmony_typed
from harmony_typed import HarmonyEncoding, load_harmony_encoding

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "parity", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

GOLDEN = Path(__file__).parent / "golden"

# Modules made only of differential tests: collected only when `-m parity` selects them,
# so the default run neither imports openai_harmony nor reports them as skipped.
PARITY_MODULES = frozenset({"test_render_parity.py", "test_parse_parity.py", "test_models_parity.py"})
# Differential tests against oss-harmony 0.0.11 (`nox -s parity_oss`, its own environment).
PARITY_OSS_MODULES = frozenset({"test_parity_oss.py"})


def _marker_selected(config: pytest.Config, marker: str) -> bool:
    expression = str(config.getoption("markexpr") or "")
    # Whole words: "parity" does not select the parity_oss modules, nor the other way round.
    return re.search(rf"(?<!not )\b{marker}\b", expression) is not None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name in PARITY_MODULES and not _marker_selected(config, "parity"):
        return True
    if collection_path.name in PARITY_OSS_MODULES and not _marker_selected(config, "parity_oss"):
        return True
    return None


@functools.cache
def load_oracle() -> tuple[Any, Any]:
    """``(openai_harmony, its encoding)``, offline.  Fails (never skips) if it is not installed:
    parity tests only run in the `parity` session, which installs it."""
    # Loaded by path so mypy does not see tests/golden/_oracle.py under two module names.
    spec = importlib.util.spec_from_file_location("_harmony_oracle", GOLDEN / "_oracle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    oracle_module, oracle_encoding = module.load_oracle()
    return oracle_module, oracle_encoding


@pytest.fixture(scope="session")
def enc() -> HarmonyEncoding:
    return load_harmony_encoding("HarmonyGptOss")


def pytest_report_header() -> str:
    build = "compiled (mypyc)" if harmony_typed.COMPILED else "pure Python"
    return f"harmony_typed {harmony_typed.__version__} from {Path(harmony_typed.__file__).parent}: {build}"
