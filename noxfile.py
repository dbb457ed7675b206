"""Quality gates, one session per concern (urllib3's shape).

The wheel is built once per source state (compiled and pure variants are kept
in ``.nox/_wheels/<hash>/``) and every test session installs it, so tests run
against what users install, never against the source tree.

    nox -s tests typecheck parity   # what CI runs (.ci/run)
    nox -s tests_pure lint docs     # more checks
    nox -s fuzz bench               # long runs, not in CI
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import nox

nox.options.sessions = ["tests", "typecheck", "parity"]
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
# A missing interpreter must fail CI, never silently skip a session.
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
TEST_DEPS = ["pytest>=8", "hypothesis>=6.100", "pytest-cov>=5", "pytest-xdist>=3"]
ORACLE = "openai-harmony==0.0.8"


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("harmony_typed/*.py"), ROOT / "setup.py", ROOT / "pyproject.toml"]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _build_wheel(session: nox.Session, *, pure: bool = False) -> Path:
    """Build the wheel for the current sources once (per source hash) and return its path."""
    kind = "pure" if pure else "compiled"
    # Compiled wheels are per interpreter (cp310, cp311, ...).
    python = str(session.python or f"{sys.version_info[0]}.{sys.version_info[1]}")
    wheel_dir = ROOT / ".nox" / "_wheels" / _source_hash() / f"{kind}-py{python}"
    if not list(wheel_dir.glob("*.whl")):
        env = {"HARMONY_TYPED_PURE": "1" if pure else "0"}
        session.run("python", "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(wheel_dir), env=env)
    (wheel,) = wheel_dir.glob("*.whl")
    return wheel


def _install_wheel(session: nox.Session, *, pure: bool = False, extras: str = "") -> Path:
    """Install the (cached) wheel and its dependencies into the session."""
    wheel = _build_wheel(session, pure=pure)
    session.install("--force-reinstall", "--no-deps", str(wheel))
    session.install(f"{wheel}[{extras}]" if extras else str(wheel))
    return wheel


def _pytest(session: nox.Session, *args: str, env: dict[str, str] | None = None) -> None:
    # The `pytest` script (not `python -m pytest`) keeps the source tree off
    # sys.path, so the installed build is the one under test.
    session.run("pytest", *args, *session.posargs, env=env or {})


def _suite(session: nox.Session, *, pure: bool) -> None:
    _install_wheel(session, pure=pure)
    session.install(*TEST_DEPS)
    # Coverage sees only interpreted modules: tests_pure measures the compiled ones too.
    _pytest(
        session,
        "-m",
        "not parity and not slow",
        "-n",
        str(min(2, os.cpu_count() or 1)),
        "--cov",
        "--cov-report=term",
        env={"HARMONY_TYPED_EXPECT_BUILD": "pure" if pure else "compiled", "HYPOTHESIS_PROFILE": "ci"},
    )


@nox.session
def tests(session: nox.Session) -> None:
    """The default test run against the mypyc-compiled wheel, with coverage."""
    _suite(session, pure=False)


@nox.session
def tests_pure(session: nox.Session) -> None:
    """The same suite against the pure-Python build (HARMONY_TYPED_PURE=1)."""
    _suite(session, pure=True)


@nox.session(python=["3.10", "3.11", "3.12", "3.13"])
def tests_versions(session: nox.Session) -> None:
    """The compiled suite on each supported Python (each interpreter must be installed; not in CI)."""
    _suite(session, pure=False)


@nox.session
def parity(session: nox.Session) -> None:
    """Differential tests against openai-harmony 0.0.8 (token ids, dicts, errors)."""
    _install_wheel(session)
    session.install(*TEST_DEPS, ORACLE)
    _pytest(session, "-m", "parity", "-n", str(min(2, os.cpu_count() or 1)), env={"HYPOTHESIS_PROFILE": "parity"})


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, the tests and the typing tests."""
    session.install("mypy==2.4.1", "attrs>=23.1", "tiktoken>=0.7", "tqdm>=4.60", "types-tqdm", *TEST_DEPS, "nox")
    # tests/typing/rejected_usage.py only passes if mypy rejects every line in it.
    session.run("mypy", "--strict", "harmony_typed", "tests", "noxfile.py")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check + format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation (warnings are errors) and doctest every example."""
    _install_wheel(session)
    session.install(
        "mkdocs>=1.6", "mkdocs-material>=9", "mkdocstrings[python]>=0.25", "pytest>=8", "ruff", "hypothesis"
    )
    session.run("pytest", "--doctest-glob=*.md", "docs", "README.md", "-p", "no:cacheprovider", "-o", "addopts=")
    # importlib mode: compiled modules ship their .py next to the .so ("import file mismatch" otherwise).
    session.run("pytest", "--doctest-modules", "--import-mode=importlib", "--pyargs", "harmony_typed", "-o", "addopts=")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / ".nox" / "_site"))


@nox.session
def distributed(session: nox.Session) -> None:
    """The Ray Data and Spark recipes of docs/distributed.md, in local mode (slow, large installs)."""
    _install_wheel(session)
    session.install(*TEST_DEPS, "ray[data]", "pyspark", "pandas")
    _pytest(session, "-m", "slow", "tests/test_dataset.py")


@nox.session
def fuzz(session: nox.Session) -> None:
    """>= 1M malformed sequences through batch and stream parsers, strict and lenient."""
    _install_wheel(session, extras="testing")
    session.run("python", "benchmarks/fuzz.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Full benchmark suite vs openai-harmony and the tiktoken floor (writes docs/benchmarks.md)."""
    _bench(session, quick=False)


@nox.session
def bench_quick(session: nox.Session) -> None:
    """A < 2 minute benchmark run for everyday use."""
    _bench(session, quick=True)


def _bench(session: nox.Session, *, quick: bool) -> None:
    # Both builds have the same package name: the pure one goes to its own target
    # directory and the runner times each contender in its own subprocess.
    pure_wheel = _build_wheel(session, pure=True)
    pure_dir = Path(session.create_tmp()) / "pure"
    session.run("python", "-m", "pip", "install", "--no-deps", "--upgrade", "--target", str(pure_dir), str(pure_wheel))
    _install_wheel(session)
    session.install(ORACLE, "matplotlib>=3.7")
    args = ["--pure-path", str(pure_dir)] + (["--quick", "--no-docs"] if quick else [])
    session.run("python", "benchmarks/run.py", *args, *session.posargs)
