"""One process pool for the optimiser's batches, started once and shared inputs per worker.

Starting worker processes costs about a second and pickling the inputs for every task costs
more than solving a chunk of small scenarios (docs/performance.md), so:

* the pool (``forkserver`` start method: a forked HiGHS thread pool is unsafe) is created on
  first use and kept for later batches of the same size; :func:`shutdown` ends it (also at exit);
* a batch's inputs are pickled once into bytes and sent with each task under a token; a worker
  unpickles them only the first time it sees the token and keeps its built models between tasks
  (:data:`WORKER_STATE`), so every later task of the batch on that worker costs only its scenarios.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["WORKER_STATE", "die_with_parent", "get_pool", "own_session", "shutdown", "start_worker", "worker_state"]

_LOCK = threading.Lock()
_POOL: ProcessPoolExecutor | None = None
_SIZE: int | None = None
WORKER_STATE: dict[str, Any] = {}
"""Per worker process: token -> state of the batch (inputs, policy, models); one token kept."""


def get_pool(max_workers: int | None) -> ProcessPoolExecutor:
    """The shared pool with ``max_workers`` processes (default: the CPU count)."""
    global _POOL, _SIZE
    size = max_workers or multiprocessing.cpu_count()
    with _LOCK:
        if _POOL is not None and size == _SIZE:
            return _POOL
        if _POOL is not None:
            _POOL.shutdown(wait=True, cancel_futures=True)
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["optimizer.batch"])
        _POOL = ProcessPoolExecutor(max_workers=size, mp_context=ctx, initializer=start_worker, initargs=(os.getpid(),))
        _SIZE = size
        return _POOL


def shutdown() -> None:
    """End the shared pool (idempotent)."""
    global _POOL, _SIZE
    with _LOCK:
        if _POOL is not None:
            _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL, _SIZE = None, None


def worker_state(token: str, load: Any) -> Any:
    """The state of batch ``token`` in this process, made by ``load()`` the first time."""
    if token not in WORKER_STATE:
        WORKER_STATE.clear()  # one batch at a time per worker: free the previous one
        WORKER_STATE[token] = load()
    return WORKER_STATE[token]


def start_worker(main_pid: int) -> None:
    """Worker start-up: a session of its own (:func:`own_session`) and an end with the main process
    (:func:`die_with_parent`)."""
    own_session()
    die_with_parent(main_pid)


def own_session() -> None:
    """Put this worker process in a session of its own (``setsid``).

    Linux's scheduler shares the CPU fairly between sessions before it shares a session's part between its
    processes (autogroup, sched(7)).  Workers started from one command share that command's session, so on a machine
    kept busy by another session they get one session's share together, no more than the serial path gets alone,
    and a batch on two workers could not finish before one on a single process.  In sessions of their own they get
    the share any separately started program gets.  Signals from the terminal then reach the main process only,
    which ends the pool on its way out; :func:`die_with_parent` ends a worker whose main process is gone.  Where
    the call is refused (the process already leads a group) or missing, nothing changes.
    """
    try:
        os.setsid()
    except (AttributeError, OSError):
        return


def die_with_parent(main_pid: int) -> None:
    """Worker start-up: end this worker when the batch's main process ``main_pid`` is gone (``kill -9`` included).

    Workers are children of multiprocessing's fork server, which stays alive while any worker holds its pipe, so
    neither would notice the main process dying.  A daemon thread therefore checks every half second that
    ``main_pid`` still runs (on Linux from ``/proc``, where a killed but unreaped process shows as a zombie) and
    ends the worker otherwise; the fork server then exits with its last worker, and the resource tracker when the
    last process holding its pipe is gone.  On Linux the worker also asks the kernel (``PR_SET_PDEATHSIG``) to be
    killed if the fork server itself dies.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    threading.Thread(target=_watch, args=(main_pid,), name="watch-main-process", daemon=True).start()


#: ``prctl`` option number from linux/prctl.h.
_PR_SET_PDEATHSIG = 1


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel (a zombie still counts as alive there)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _watch(pid: int) -> None:
    import time

    while _alive(pid):
        time.sleep(0.5)
    os._exit(1)


atexit.register(shutdown)
