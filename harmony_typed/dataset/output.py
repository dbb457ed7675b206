"""Output files that never destroy data: complete or untouched, never the input, never a replaced special file.

:func:`open_output` decides how to write ``OUT`` from what it is:

* a regular file, or a name that does not exist yet: a temporary file
  ``.NAME.PID.RANDOM.tmp`` beside it, renamed over it by
  :meth:`SafeOutput.commit`, so ``OUT`` only ever appears complete; an
  existing file keeps its permission bits (and owner, when allowed);
* a symbolic link: the same, applied to the file it points to; the link
  itself is never replaced by a regular file;
* a FIFO, character device or socket (``/dev/null``, ``/dev/stdout``, a
  named pipe): written through, never renamed over, no temporary file
  created beside it (that would be in ``/dev``);
* the input itself (same inode: also through symbolic or hard links, or
  when the input is standard input redirected from ``OUT``): refused with
  :class:`SameFileError` before anything is created.

Temporary files left by a killed run are found by their name: one whose
process id is dead on this machine is removed, any other is reported in
:attr:`SafeOutput.notices`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["SafeOutput", "SameFileError", "atomic_output", "open_output"]


class SameFileError(ValueError):
    """``OUT`` is the input file: writing it would destroy the input."""

    __module__ = "harmony_typed.dataset"


class SafeOutput:
    """An output being written: :attr:`stream`, then :meth:`commit` or :meth:`discard`."""

    def __init__(
        self, stream: IO[Any], target: Path, tmp: Path | None, mode: int | None, owner: tuple[int, int] | None
    ) -> None:
        self.stream = stream
        """Where to write (text or binary, as :func:`open_output` was asked)."""
        self.target = target
        """The file that receives the data (a symbolic link's target, resolved)."""
        self.notices: list[str] = []
        """Things found beside the target worth telling the user (leftover temporary files)."""
        self._tmp = tmp
        self._mode = mode
        self._owner = owner

    @property
    def atomic(self) -> bool:
        """True when the data goes to a temporary file renamed into place (false: written through)."""
        return self._tmp is not None

    def commit(self) -> None:
        """Close the stream and, for a regular file, move the complete data into place."""
        if self._tmp is None:
            self.stream.close()
            return
        self.stream.flush()
        os.fsync(self.stream.fileno())  # the rename must not be durable before the data is
        self.stream.close()
        if self._owner is not None:
            # Only root (or the owner, for the group) may; the mode is kept either way.
            with contextlib.suppress(OSError):
                os.chown(self._tmp, *self._owner)
        os.chmod(self._tmp, self._mode if self._mode is not None else _new_file_mode())
        os.replace(self._tmp, self.target)
        self._tmp = None

    def discard(self) -> None:
        """Close the stream and remove the temporary file; the target stays as it was."""
        self.stream.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask  # mkstemp creates 0600; give the usual mode of a new file


def _our_ids() -> tuple[int, int]:
    if hasattr(os, "geteuid"):
        return os.geteuid(), os.getegid()
    return (-1, -1)  # no owners to keep (Windows)


def _same_file(st: os.stat_result, other: os.stat_result) -> bool:
    return (st.st_dev, st.st_ino) == (other.st_dev, other.st_ino)


def _source_stat(source: IO[Any] | str | os.PathLike[str] | None) -> os.stat_result | None:
    if source is None:
        return None
    try:
        if isinstance(source, (str, os.PathLike)):
            return os.stat(source)
        return os.fstat(source.fileno())
    except (OSError, ValueError):  # ValueError: a closed or in-memory stream
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else (EPERM)
    return True


def _leftover_temps(target: Path) -> list[str]:
    """Clean (dead process) or report (anything else) temporary files earlier runs left beside ``target``."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(?:(\d+)\.)?[A-Za-z0-9_]+\.tmp")
    notices: list[str] = []
    try:
        names = sorted(os.listdir(target.parent))
    except OSError:
        return notices
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        path = target.parent / name
        pid = match.group(1)
        if pid is not None and not _pid_alive(int(pid)):
            try:
                path.unlink()
            except OSError:
                pass
            else:
                notices.append(f"removed {path}, left by an interrupted run (process {pid} no longer exists)")
                continue
        notices.append(f"found {path}, a temporary file of another run: delete it if no other run is writing {target}")
    return notices


def open_output(
    path: str | os.PathLike[str], *, source: IO[Any] | str | os.PathLike[str] | None = None, binary: bool = False
) -> SafeOutput:
    """Open ``path`` for writing as the module docstring describes.

    ``source`` (the input, as a path or an open stream) is compared by inode:
    the same file raises :class:`SameFileError`.  A directory raises
    :class:`IsADirectoryError`; other problems are the :class:`OSError` of
    the failing call.  Text streams are UTF-8 with ``\\n`` line ends.
    """
    named = Path(path)
    try:
        st: os.stat_result | None = os.stat(named)  # follows symbolic links
    except FileNotFoundError:
        st = None  # a new file, or a dangling link (written at its target)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "it is a directory", str(path))
        source_st = _source_stat(source)
        if source_st is not None and _same_file(st, source_st) and stat.S_ISREG(st.st_mode):
            raise SameFileError(f"{path} is the input file (writing it would destroy the input)")
        if not stat.S_ISREG(st.st_mode):
            # FIFO, device or socket: a rename would replace the node itself with a regular file.
            stream: IO[Any] = open(named, "wb") if binary else open(named, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            return SafeOutput(stream, named, None, None, None)
    target = Path(os.path.realpath(named))
    notices = _leftover_temps(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    stream = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
    mode = stat.S_IMODE(st.st_mode) if st is not None else None
    owner = (st.st_uid, st.st_gid) if st is not None and (st.st_uid, st.st_gid) != _our_ids() else None
    output = SafeOutput(stream, target, Path(tmp_name), mode, owner)
    output.notices.extend(notices)
    return output


def atomic_output(path: str | os.PathLike[str]) -> tuple[IO[str], Callable[[], None], Callable[[], None]]:
    """``(stream, commit, discard)`` of :func:`open_output` (text), for callers that unpack a tuple."""
    output = open_output(path)
    return output.stream, output.commit, output.discard
