"""``install()``: make ``import openai_harmony`` resolve to :mod:`harmony_typed.compat`.

For programs one cannot edit (vLLM, SGLang, gpt-oss servers); in the style of
``pymysql.install_as_MySQLdb()``.  See docs/compat.md for the ways to run one.
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["ENV_VAR", "install", "install_from_env"]

ENV_VAR = "HARMONY_TYPED_INSTALL_COMPAT"
_NAMES = ("openai_harmony", "openai_harmony.openai_harmony")


def install(*, force: bool = False) -> None:
    """Alias ``openai_harmony`` (and its extension submodule) to the compat layer.

    Idempotent.  If the real openai_harmony is already imported, objects built from
    it would not mix with compat ones: raises ``RuntimeError`` unless ``force``
    (then it warns and replaces the module for later imports).
    """
    # The package that re-exports this function (already imported when it runs): no import cycle.
    compat = sys.modules[__name__.rpartition(".")[0]]

    current = sys.modules.get("openai_harmony")
    if current is compat:
        return
    if current is not None:
        message = (
            "openai_harmony was imported before harmony_typed.compat.install(); "
            "objects already built from it stay openai_harmony's"
        )
        if not force:
            raise RuntimeError(message + " (call install() first, or pass force=True)")
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    for name in _NAMES:
        sys.modules[name] = compat


def install_from_env() -> bool:
    """Call :func:`install` when ``$HARMONY_TYPED_INSTALL_COMPAT`` is ``1`` (for sitecustomize / .pth)."""
    if os.environ.get(ENV_VAR, "") not in ("1", "true", "yes"):
        return False
    install()
    return True
