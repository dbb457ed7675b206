"""Build harmony_typed, compiling the hot modules with mypyc when possible.

* ``HARMONY_TYPED_PURE=1`` builds a pure-Python package (no C compiler needed).
* Without a working C compiler (or without mypyc) the build falls back to pure
  Python with a warning instead of failing the install.

The compiled list is deliberately short.  Not compiled, and why:
``_models`` (attrs classes are non-native under mypyc anyway, and
``attrs.field(...)`` crashes compiled modules), ``_errors`` (exceptions that
subclass builtins must be non-native), ``_encoding``/``_vocab`` (I/O and thin
delegation, not hot), ``cli``/``__main__``/``strategies``/``_dataset`` (not hot;
``__main__`` cannot run compiled).
"""

from __future__ import annotations

import os
import sys
import warnings

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED_MODULES = [
    "harmony_typed/_rust.py",
    "harmony_typed/_specials.py",
    "harmony_typed/_schema_ts.py",
    "harmony_typed/_render.py",
    "harmony_typed/_parser.py",
]
# Optional split-out modules, compiled when present.
for optional in ("harmony_typed/_system_text.py", "harmony_typed/_header.py"):
    if os.path.exists(optional):
        COMPILED_MODULES.append(optional)


class OptionalBuildExt(build_ext):
    """A failed C build installs the pure-Python modules instead of failing.

    All or nothing: if one extension fails, the ones already built are removed,
    because the compiled modules share one runtime library and must not be mixed
    with interpreted ones.
    """

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            self._fall_back(exc)

    def build_extension(self, ext: object) -> None:
        try:
            super().build_extension(ext)  # type: ignore[arg-type]
        except Exception as exc:
            self._fall_back(exc)
            raise

    def _fall_back(self, exc: BaseException) -> None:
        for ext in self.extensions:
            path = self.get_ext_fullpath(ext.name)
            if os.path.exists(path):
                os.remove(path)
        warnings.warn(f"harmony_typed: C compilation failed ({exc}); installing the pure-Python build", stacklevel=1)


def _ext_modules() -> list[object]:
    if os.environ.get("HARMONY_TYPED_PURE", "") not in ("", "0"):
        print("harmony_typed: HARMONY_TYPED_PURE is set, building pure Python", file=sys.stderr)
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        warnings.warn("harmony_typed: mypyc is not available; building pure Python", stacklevel=1)
        return []
    opt_level = os.environ.get("MYPYC_OPT_LEVEL", "3")
    # group_name gives the shared runtime library a readable name (harmony_typed__mypyc.*.so).
    return list(
        mypycify(["--config-file=pyproject.toml", *COMPILED_MODULES], opt_level=opt_level, group_name="harmony_typed")
    )


setup(ext_modules=_ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
