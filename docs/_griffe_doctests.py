"""A griffe extension for the API reference (mkdocs.yml loads it; it is not part of the package).

The docstrings are written for ``pytest --doctest-modules`` and for reading in
an editor: doctest blocks (``>>>``) without Markdown fences, and Sphinx roles
such as :class:`Role`.  Rendered as Markdown, ``>>>`` would become nested
block quotes and ``[...][0]`` in an output line a broken reference link, so
before mkdocstrings renders a docstring this extension fences each doctest
block as ``pycon`` code and turns each role into inline code.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const):`~?([^`]+)`")


def _role(match: re.Match[str]) -> str:
    return f"`{match.group(1)}`"


def fence_doctests(text: str) -> str:
    """Wrap every run of lines starting with ``>>>`` (up to the next blank line) in a pycon fence."""
    out: list[str] = []
    in_fence = False
    in_doctest = False
    for line in text.splitlines():
        stripped = line.strip()
        if in_doctest and not stripped:
            out.append("```")
            in_doctest = False
        if stripped.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and not in_doctest and stripped.startswith(">>>"):
            out.append("```pycon")
            in_doctest = True
        out.append(line if in_doctest or in_fence else _ROLE.sub(_role, line))
    if in_doctest:
        out.append("```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Applies :func:`fence_doctests` to every docstring griffe loads."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
