"""Shared fixtures and hypothesis profiles.

Profiles (select with ``HYPOTHESIS_PROFILE``): ``ci`` keeps the default run
fast and deterministic; ``parity`` leaves each test's own ``max_examples``
(the differential tests ask for >= 2,000) and derandomizes too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import harmony_typed
from harmony_typed import HarmonyEncoding, load_harmony_encoding

# tests/golden/_oracle.py is importable as `golden._oracle` from any test module.
sys.path.insert(0, str(Path(__file__).parent))

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "parity", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="session")
def enc() -> HarmonyEncoding:
    return load_harmony_encoding("HarmonyGptOss")


def pytest_report_header() -> str:
    build = "compiled (mypyc)" if harmony_typed.COMPILED else "pure Python"
    return f"harmony_typed {harmony_typed.__version__} from {Path(harmony_typed.__file__).parent}: {build}"
