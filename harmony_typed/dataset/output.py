"""Output files that only ever appear complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def atomic_output(path: str | os.PathLike[str]) -> tuple[IO[str], Callable[[], None], Callable[[], None]]:
    """A temporary text file beside ``path``, with ``commit`` (rename over ``path``) and ``discard``.

    The output file therefore only ever appears complete; a failed or
    interrupted run leaves ``path`` as it was.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
    tmp = Path(tmp_name)

    def commit() -> None:
        stream.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual mode of a new file
        os.replace(tmp, target)

    def discard() -> None:
        stream.close()
        tmp.unlink(missing_ok=True)

    return stream, commit, discard
