"""The build under test is the one the session asked for, and it matches ``_build_info.MODULES``.

The module table is the single list of compiled modules: every module of the
installed package must have an entry (a new module forces the decision), every
entry must exist, and in the compiled build exactly the compiled ones are
extension modules.  The tests marked ``slow`` build wheels (``nox -s packaging``).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import types
import zipfile
from pathlib import Path

import pytest

import harmony_typed
from harmony_typed import _build_info

PACKAGE_DIR = Path(harmony_typed.__file__).parent
ROOT = Path(__file__).resolve().parent.parent
EXTENSION_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
EXPECTED_BUILD = os.environ.get("HARMONY_TYPED_EXPECT_BUILD")


def package_modules() -> set[str]:
    """Every module of the package under test, as ``MODULES`` names them ("" is the package)."""
    names = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def module_file(name: str) -> str:
    return importlib.import_module(f"harmony_typed.{name}").__file__ or ""


def has_extension(name: str) -> bool:
    """Whether the module is an extension module (checked on disk: importing ``__main__`` would run it)."""
    path = PACKAGE_DIR.joinpath(*name.split("."))
    return (
        (path / f"__init__{EXTENSION_SUFFIX}").is_file()
        if path.is_dir()
        else path.with_name(path.name + EXTENSION_SUFFIX).is_file()
    )


def test_every_module_has_an_entry_in_the_module_table() -> None:
    missing = sorted(package_modules() - set(_build_info.MODULES))
    assert not missing, f"add these modules to harmony_typed/_build_info.py MODULES (layer, compiled, why): {missing}"


def test_every_entry_of_the_module_table_exists() -> None:
    stale = sorted(set(_build_info.MODULES) - package_modules())
    assert not stale, f"MODULES lists modules that do not exist: {stale}"


def test_every_entry_has_a_layer_and_a_reason() -> None:
    for name, (layer, _, why) in _build_info.MODULES.items():
        assert layer in _build_info.LAYERS, name
        assert why.strip(), name


def test_compiled_flag_matches_module_files() -> None:
    suffixes = {Path(module_file(name)).suffix for name in _build_info.COMPILED_MODULES}
    assert suffixes == ({".so"} if harmony_typed.COMPILED else {".py"})


def test_exactly_the_listed_modules_are_compiled_in_a_compiled_build() -> None:
    compiled = {name for name in _build_info.MODULES if has_extension(name)}
    assert compiled == (set(_build_info.COMPILED_MODULES) if harmony_typed.COMPILED else set())


@pytest.mark.skipif(EXPECTED_BUILD is None, reason="only checked inside nox sessions (the installed build)")
def test_session_runs_the_expected_build() -> None:
    assert harmony_typed.COMPILED is (EXPECTED_BUILD == "compiled")
    record = _build_info.build_record()
    assert record["built"] == EXPECTED_BUILD
    assert record["requested"] == EXPECTED_BUILD


@pytest.mark.skipif("HARMONY_TYPED_WHEEL" not in os.environ, reason="only checked inside nox sessions")
def test_the_wheel_is_tagged_for_its_build() -> None:
    wheel = Path(os.environ["HARMONY_TYPED_WHEEL"])
    # name-version-python-abi-platform.whl
    tag = "-".join(wheel.stem.split("-")[2:])
    if harmony_typed.COMPILED:
        assert tag.startswith("cp3") and not tag.endswith("-any"), wheel.name
    else:
        assert tag == "py3-none-any", wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "harmony_typed/_build.json" in names
    assert any(name.endswith("/licenses/LICENSE") for name in names), names


def test_py_typed_is_installed() -> None:
    assert (PACKAGE_DIR / "py.typed").is_file()


def test_version_line_names_the_build() -> None:
    assert _build_info.describe(True) == "compiled with mypyc"
    assert _build_info.describe(False).startswith("pure Python build")


# -- setup.py (from the checkout or the unpacked sdist) ------------------------------------

needs_setup_py = pytest.mark.skipif(not (ROOT / "setup.py").is_file(), reason="needs the source tree's setup.py")


def load_setup_py() -> types.ModuleType:
    """setup.py as a module: ``setup()`` runs only under ``__main__``, so importing it builds nothing."""
    spec = importlib.util.spec_from_file_location("harmony_typed_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_setup_py
def test_setup_py_compiles_the_modules_of_the_table() -> None:
    setup_py = load_setup_py()
    assert tuple(setup_py.compiled_modules()) == _build_info.COMPILED_MODULES
    for name in _build_info.COMPILED_MODULES:
        assert (ROOT / setup_py.module_path(name)).is_file(), name


@needs_setup_py
@pytest.mark.parametrize("failure", [SystemExit(2), RuntimeError("boom")])
def test_a_failing_mypycify_falls_back_to_pure_python(
    failure: BaseException, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # E.g. against tiktoken 0.7.0 (below our floor), mypyc stops on a type error (sys.exit) before any C is compiled.
    def mypycify(*args: object, **kwargs: object) -> list[object]:
        raise failure

    fake = types.ModuleType("mypyc.build")
    fake.mypycify = mypycify  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mypyc", types.ModuleType("mypyc"))
    monkeypatch.setitem(sys.modules, "mypyc.build", fake)
    monkeypatch.delenv("HARMONY_TYPED_PURE", raising=False)
    setup_py = load_setup_py()
    assert setup_py.ext_modules() == []
    assert setup_py.Outcome.built() == "pure"
    assert "mypyc failed" in setup_py.Outcome.reason
    assert "building pure Python instead" in capsys.readouterr().err


def test_a_fallback_build_warns_at_import(tmp_path: Path) -> None:
    # A copy of the package whose _build.json says the compiled build failed.
    shutil.copytree(PACKAGE_DIR, tmp_path / "harmony_typed", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    record = {"requested": "compiled", "built": "pure", "reason": "C compilation failed (no cc)"}
    (tmp_path / "harmony_typed" / "_build.json").write_text(json.dumps(record), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    code = "import harmony_typed, sys; print(harmony_typed.COMPILED)"
    # cwd: from the checkout root, the source tree would shadow the copy.
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "False"
    assert run.stderr.count("RuntimeWarning") == 1 and "C compilation failed (no cc)" in run.stderr
    version = [sys.executable, "-W", "ignore", "-m", "harmony_typed", "--version"]
    run = subprocess.run(version, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "pure Python build (C compilation failed (no cc))" in run.stdout


# -- real builds (slow: each builds a wheel; `nox -s packaging`) ---------------------------


def build_wheel(source: Path, out: Path, **env: str) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(out), "-q"],
        env={**os.environ, **env},
        check=True,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


def source_copy(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns(".git", ".nox", "build", "dist", "*.egg-info", "__pycache__", "*.so")
    shutil.copytree(ROOT, source, ignore=ignore)
    return source


@needs_setup_py
@pytest.mark.slow
def test_a_stale_build_dir_does_not_leak_into_a_pure_wheel(tmp_path: Path) -> None:
    source = source_copy(tmp_path)
    for lib in ("lib", f"lib.{sysconfig.get_platform()}-cpython-{sys.version_info[0]}{sys.version_info[1]}"):
        stale = source / "build" / lib / "harmony_typed" / f"_render{EXTENSION_SUFFIX}"
        stale.parent.mkdir(parents=True)
        stale.write_bytes(b"stale extension of an earlier build")
    wheel = build_wheel(source, tmp_path / "out", HARMONY_TYPED_PURE="1")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert not [name for name in archive.namelist() if name.endswith(EXTENSION_SUFFIX)]
        assert json.loads(archive.read("harmony_typed/_build.json"))["built"] == "pure"


@needs_setup_py
@pytest.mark.slow
def test_a_failing_c_compiler_gives_a_pure_wheel_that_says_why(tmp_path: Path) -> None:
    source = source_copy(tmp_path)
    wheel = build_wheel(source, tmp_path / "out", CC="/nonexistent", HARMONY_TYPED_PURE="0")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        record = json.loads(archive.read("harmony_typed/_build.json"))
    assert not [name for name in names if name.endswith(EXTENSION_SUFFIX)]
    assert not [name for name in names if ".data/" in name], "a pure wheel installs to purelib"
    assert record["requested"] == "compiled" and record["built"] == "pure"
    assert "C compilation failed" in record["reason"]
