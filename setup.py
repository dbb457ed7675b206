"""Build harmony_typed, compiling the modules marked compiled in ``_build_info.MODULES`` with mypyc.

* ``HARMONY_TYPED_PURE=1`` builds a pure-Python package (no C compiler needed).
* When compilation fails (no mypyc, a type error found by mypyc, no working C
  compiler) the build falls back to pure Python instead of failing the install.
  The fallback is all or nothing, the wheel is then tagged ``py3-none-any``, and
  the reason is recorded in ``harmony_typed/_build.json`` so that the installed
  package warns at import and ``harmony-typed --version`` says why.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

if sys.version_info < (3, 10):  # noqa: UP036 -- the whole point: a clear message on old Pythons
    sys.exit(f"harmony_typed requires Python >= 3.10 (this is Python {sys.version.split()[0]})")

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build import build
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
PACKAGE = "harmony_typed"
BUILD_FILE = "_build.json"


def compiled_modules() -> list[str]:
    """The compiled modules from ``_build_info.MODULES``, read without importing the package."""
    tree = ast.parse((ROOT / PACKAGE / "_build_info.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "MODULES":
            assert node.value is not None
            modules: dict[str, tuple[str, bool, str]] = ast.literal_eval(node.value)
            return [name for name, (_, compiled, _) in modules.items() if compiled]
    raise RuntimeError("harmony_typed/_build_info.py defines no MODULES table")


def module_path(name: str) -> str:
    """``_parser`` -> ``harmony_typed/_parser.py`` (a package's ``__init__.py`` for a package)."""
    base = "/".join([PACKAGE, *name.split(".")])
    return base + ".py" if (ROOT / (base + ".py")).is_file() else base + "/__init__.py"


class Outcome:
    """Which build was requested and which one is being made (written to ``_build.json``)."""

    requested = "compiled"
    reason = ""

    @classmethod
    def fall_back(cls, reason: str) -> None:
        cls.reason = cls.reason or reason
        # pip shows a build's output only with -v; the installed package repeats this at import.
        print(f"WARNING: harmony_typed: {reason}; building pure Python instead", file=sys.stderr)

    @classmethod
    def built(cls) -> str:
        return "pure" if cls.requested == "pure" or cls.reason else "compiled"


def ext_modules() -> list[Any]:
    """mypyc's extensions for the compiled modules, or none (pure build) with the reason recorded."""
    if os.environ.get("HARMONY_TYPED_PURE", "") not in ("", "0"):
        Outcome.requested = "pure"
        Outcome.reason = "HARMONY_TYPED_PURE is set"
        return []
    try:
        from mypyc.build import mypycify
    except ImportError as exc:
        Outcome.fall_back(f"mypyc is not available ({exc})")
        return []
    opt_level = os.environ.get("MYPYC_OPT_LEVEL", "3")
    paths = [module_path(name) for name in compiled_modules()]
    report = io.StringIO()
    try:
        # group_name gives the shared runtime library a readable name (harmony_typed__mypyc.*.so).
        with contextlib.redirect_stdout(report):
            return list(mypycify(["--config-file=pyproject.toml", *paths], opt_level=opt_level, group_name=PACKAGE))
    except (Exception, SystemExit) as exc:  # mypyc reports type errors with sys.exit
        # The first error goes into the recorded reason: pip hides the build's output without -v.
        errors = [line for line in report.getvalue().splitlines() if ": error:" in line]
        first = f"; first error: {errors[0]}" if errors else ""
        Outcome.fall_back(f"mypyc failed ({type(exc).__name__}: {exc}{first})")
        return []
    finally:
        sys.stderr.write(report.getvalue())


class CleanBuild(build):
    """Start from an empty ``build/lib/harmony_typed``, so no stale extension of an earlier build leaks in."""

    def run(self) -> None:
        stale = Path(self.build_lib) / PACKAGE
        if stale.exists():
            shutil.rmtree(stale)
        super().run()
        record = {"requested": Outcome.requested, "built": Outcome.built(), "reason": Outcome.reason}
        target = stale / BUILD_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")


class OptionalBuildExt(build_ext):
    """A failed C build installs the pure-Python modules (all of them) instead of failing."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            self._fall_back(exc)

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._fall_back(exc)
            raise

    def _fall_back(self, exc: BaseException) -> None:
        if Outcome.reason:
            return
        Outcome.fall_back(f"C compilation failed ({type(exc).__name__}: {exc})")
        # The compiled modules share one runtime library: never mix them with interpreted ones.
        for ext in self.extensions:
            path = self.get_ext_fullpath(ext.name)
            if os.path.exists(path):
                os.remove(path)
        # Without extensions the wheel is pure: py3-none-any, installed to purelib.
        self.distribution.ext_modules = []
        wheel = self.distribution.command_obj.get("bdist_wheel")
        if isinstance(wheel, bdist_wheel):
            wheel.root_is_pure = True


if __name__ == "__main__":
    setup(
        ext_modules=ext_modules(),
        cmdclass={"build": CleanBuild, "build_ext": OptionalBuildExt},
    )
