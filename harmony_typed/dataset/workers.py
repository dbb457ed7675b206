"""Worker processes that live no longer than their parent, and a parent that stops cleanly on SIGTERM.

A ``ProcessPoolExecutor`` worker blocks reading its task queue.  If the
parent is killed (SIGKILL, or SIGTERM without a handler), nothing wakes it:
the other workers hold the queue's write end too, so no end of file ever
comes, and the orphans live forever holding the input, the temporary output
and the parent's stdout/stderr (a pipeline reading those hangs).  So each
worker arranges to die with its parent: on Linux the kernel sends it SIGKILL
(``prctl(PR_SET_PDEATHSIG)``); elsewhere, or when ``prctl`` is unavailable,
a daemon thread polls the parent pid.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = ["pool_context", "sigterm_exits", "start_worker"]

_PR_SET_PDEATHSIG: Final = 1  # <linux/prctl.h>
_POLL_SECONDS: Final = 0.5


def pool_context() -> multiprocessing.context.BaseContext:
    """``fork`` on Linux, else the platform default.

    With ``fork`` workers inherit the already-loaded encoding and start in
    milliseconds (the executor launches them all before its manager thread,
    so no thread exists at fork time).
    """
    if sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _parent_death_signal() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; false where that cannot be done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_POLL_SECONDS)
    os._exit(1)  # orphaned: nobody reads our results any more


def start_worker(parent_pid: int) -> None:
    """Pool initializer: die with the parent ``parent_pid``; leave Ctrl-C to the parent.

    The parent handles SIGINT (it cancels the pool); workers would only print
    tracebacks.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _parent_death_signal():
        threading.Thread(target=_watch_parent, args=(parent_pid,), name="watch-parent", daemon=True).start()
    elif os.getppid() != parent_pid:
        os._exit(1)  # the parent died before prctl took effect


@contextmanager
def sigterm_exits() -> Iterator[None]:
    """Inside the block, SIGTERM raises ``SystemExit(143)`` (like Ctrl-C raises KeyboardInterrupt).

    So ``finally`` blocks run: the pool is shut down and temporary files are
    removed instead of being left behind.  Only installed from the main thread
    and when SIGTERM has its default action (an application's own handler
    wins); a second SIGTERM during the cleanup is ignored.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def on_sigterm(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
