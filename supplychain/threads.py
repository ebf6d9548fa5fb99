"""Independent parts of one step on the machine's other cores (threads; numpy releases the GIL).

:func:`run_parallel` runs a few independent calls, the first in the calling thread and the
others on a small pool, and returns their results in the order given: each call computes its
own arrays from inputs nobody writes meanwhile, so the results are those of the calls run one
after the other, whatever the threads' timing. With one core (or ``DEPS_ENGINE_THREADS=1``),
and inside a call already running on the pool, the calls simply run one after the other.

The number of threads is ``DEPS_ENGINE_THREADS`` when set (at least 1), else the cores this
process may run on, at most :data:`MAX_THREADS`.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["MAX_THREADS", "run_parallel", "thread_count"]

#: Threads used at most by default (the steps split into two or three parts)
MAX_THREADS = 4

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
_inside = threading.local()


def thread_count() -> int:
    """Threads a step may use: ``DEPS_ENGINE_THREADS`` if set, else the usable cores (at most :data:`MAX_THREADS`)."""
    setting = os.environ.get("DEPS_ENGINE_THREADS", "").strip()
    if setting.isdigit():
        return max(1, int(setting))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_THREADS))


def run_parallel(*calls: Callable[[], Any]) -> list[Any]:
    """Results of ``calls`` (each without arguments), in order; independent calls only.

    The first call runs in the calling thread, the others on the pool (one after the other when
    a single thread is allowed, or when called from a pool thread: no nested waits). An
    exception of any call is raised here, after every call has ended.
    """
    size = thread_count()
    if size == 1 or len(calls) < 2 or getattr(_inside, "flag", False):
        return [call() for call in calls]
    pool = _get_pool(size - 1)
    futures = [pool.submit(_on_pool, call) for call in calls[1:]]
    try:
        first = calls[0]()
    finally:
        for future in futures:  # every call ends before anything is returned or raised
            future.exception()
    return [first, *(future.result() for future in futures)]


def _on_pool(call: Callable[[], Any]) -> Any:
    _inside.flag = True
    try:
        return call()
    finally:
        _inside.flag = False


def _get_pool(workers: int) -> ThreadPoolExecutor:
    """The shared pool of ``workers`` threads (a new one when the setting changed)."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _one_malloc_arena()
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="supplychain")
            _pool_size = workers
        return _pool


def _one_malloc_arena() -> None:
    """With glibc, let threads allocate from the arenas that exist (``mallopt(M_ARENA_MAX)``).

    A new thread otherwise gets a malloc arena of its own, whose memory is fresh: every large
    array it allocates costs page faults, where the main thread reuses freed pages (measured on
    the 1M-edge benchmark: the threads' gain was lost to system time). No effect elsewhere.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(_M_ARENA_MAX, 1)


_M_ARENA_MAX = -8  # glibc's malloc.h
