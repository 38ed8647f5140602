"""Where the per-organisation work runs: a Dask cluster, local by default, or an existing one by its address.

Dask's own logs and warnings are English and meant for whoever runs the cluster; the user of ``sferum`` sees
only the product's Russian messages, so they are kept at the error level here and in the local workers.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sferum_lib.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")

#: Seconds to wait for an existing scheduler before telling the user it cannot be reached.
CONNECT_TIMEOUT_S = 10

#: Dask settings of the local cluster this command starts (an existing cluster keeps its own). Its defaults
#: serve a long-lived cluster watched on a dashboard; here nobody watches, and on a small shared machine the
#: watching costs: each worker's statistical profiler samples the running task every 10 ms (nothing reads the
#: profiles without a dashboard), and the scheduler, the nannies and the workers check their event loops every
#: 20 ms, their memory every 0.1 s and the system every 0.5 s even while idle. Work stealing is off: the tasks
#: are equal and handed out as workers free up, and a stolen save would carry its snapshot to another worker.
LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


#: A warning filter (as ``PYTHONWARNINGS`` gives it) for the resource tracker's «leaked semaphore» warning.
RESOURCE_TRACKER_QUIET = "ignore:resource_tracker:UserWarning"


def _quiet() -> None:
    """Keep distributed's INFO/WARNING chatter (and that of the worker processes it spawns) off the terminal."""
    # the environment reaches worker processes that a LocalCluster spawns; the config reaches this process
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    os.environ.setdefault("DASK_DISTRIBUTED__ADMIN__LOG_LENGTH", "0")
    # multiprocessing's resource tracker (a process of its own) warns in English of semaphores a Ctrl+C left
    if RESOURCE_TRACKER_QUIET not in os.environ.get("PYTHONWARNINGS", ""):
        given = os.environ.get("PYTHONWARNINGS")
        os.environ["PYTHONWARNINGS"] = f"{given},{RESOURCE_TRACKER_QUIET}" if given else RESOURCE_TRACKER_QUIET
    import dask

    dask.config.set({"logging.distributed": "error", "distributed.admin.log-length": 0})
    for name in ("distributed", "distributed.scheduler", "distributed.worker", "distributed.nanny", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"distributed(\..*)?")


class Runner:
    """Maps a function over items: on a Dask client when there is one, in this process otherwise.

    The sequential runner exists so that tests can compare the cluster's result with the plain one. A runner
    given ``start`` starts its cluster when it is first given work: a command that finds everything already
    computed (a report after the day's audit) costs no cluster at all.
    """

    def __init__(self, client: Any = None, start: Callable[[], Any] | None = None) -> None:
        self._client = client
        self._start = start

    @property
    def client(self) -> Any:
        """The Dask client (started now if it was not yet), or None for the plain runner."""
        if self._client is None and self._start is not None:
            start, self._start = self._start, None
            self._client = start()
        return self._client

    @property
    def started(self) -> bool:
        """Whether there is a Dask client already (a lazy local cluster has not been needed yet: False)."""
        return self._client is not None

    @property
    def where(self) -> str:
        if self.client is None:
            return "в этом процессе"
        workers = len(self.client.scheduler_info().get("workers", {}))
        return f"на кластере Dask {self.client.scheduler.address} (исполнителей: {workers})"

    def map(self, func: Callable[..., R], *iterables: Sequence[Any]) -> list[R]:
        """``[func(*args) ...]`` in order; on Dask each call is one task (``pure=False``: files change)."""
        if not iterables or not len(iterables[0]) or self.client is None:
            return [func(*args) for args in zip(*iterables, strict=True)]
        futures = self.client.map(func, *iterables, pure=False)
        return self.client.gather(futures)

    def submit_map(self, func: Callable[..., Any], *iterables: Sequence[Any]) -> list[Any]:
        """Like :meth:`map` but keeps the results where they were made (Dask futures); see :meth:`then`."""
        if not iterables or not len(iterables[0]) or self.client is None:
            return [func(*args) for args in zip(*iterables, strict=True)]
        return self.client.map(func, *iterables, pure=False)

    def then(self, func: Callable[..., R], kept: Sequence[Any], *iterables: Sequence[Any]) -> list[R]:
        """Apply ``func`` to results kept by :meth:`submit_map`, on the worker that holds each one."""
        if not len(kept) or self.client is None:
            return [func(k, *args) for k, *args in zip(kept, *iterables, strict=True)]
        return self.client.gather(self.client.map(func, kept, *iterables, pure=False))


def _probe(address: str, error: UsageError) -> None:
    """Refuse at once a TCP address where nothing listens (distributed itself would retry until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    if not address.startswith("tcp://"):
        return  # other transports (tls://, inproc://) are left to distributed
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port or 8786
    except ValueError:
        raise error from None
    if not host:
        raise error
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError:
        raise error from None


@contextmanager
def runner(scheduler: str | None = None, workers: int | None = None) -> Iterator[Runner]:
    """A :class:`Runner` on ``scheduler`` (``tcp://HOST:8786``) or on a local cluster of worker processes."""
    _quiet()
    if scheduler:
        from distributed import Client

        unreachable = UsageError(
            f"Не удалось подключиться к планировщику Dask «{scheduler}». Проверьте адрес (вид: tcp://АДРЕС:8786) "
            "и что планировщик запущен (dask scheduler), а на исполнителях установлен sferum_lib и видна папка региона."
        )
        _probe(scheduler, unreachable)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except Exception:  # OSError, TimeoutError, ValueError for a malformed address: all the user's
            raise unreachable from None
        try:
            yield Runner(client)
        finally:
            client.close()
        return
    import dask

    count = workers or os.cpu_count() or 1
    started: list[Any] = []  # closed in reverse at the end, if the cluster was started at all

    def start() -> Any:
        from distributed import Client, LocalCluster  # a second of imports, only when there is work

        with dask.config.set(LOCAL_CONFIG), _workers_ignore_ctrl_c():  # config read as the processes start
            started.append(
                LocalCluster(
                    n_workers=count,
                    threads_per_worker=1,  # the work is pandas and SQLite under the GIL: processes, not threads
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
        started.append(Client(started[0], set_as_default=False))
        return started[-1]

    try:
        yield Runner(start=start)
    except BaseException:  # Ctrl+C (or a failure): the product says «Прервано.», Dask's shutdown says nothing
        _silence()
        raise
    finally:
        for part in reversed(started):
            part.close()


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start the local cluster's processes with Ctrl+C ignored: they are stopped by this process, not by the key.

    A Ctrl+C reaches every process of the terminal's group; each worker then printed its own English traceback
    (KeyboardInterrupt in the nanny's loop). A Python process started with SIGINT ignored keeps ignoring it, so
    SIGINT is ignored for the instant each worker process is started (``multiprocessing.util.spawnv_passfds``,
    which Dask's process start calls in its own thread), and this process keeps its Ctrl+C all along. A blocked
    signal would not do: the processes are started with a fresh signal mask.
    """
    import multiprocessing.util as mp_util

    spawn = mp_util.spawnv_passfds

    def spawn_ignoring_ctrl_c(path: Any, args: Any, passfds: Any) -> Any:
        with _sigint_ignored():
            return spawn(path, args, passfds)

    mp_util.spawnv_passfds = spawn_ignoring_ctrl_c
    try:
        yield
    finally:
        mp_util.spawnv_passfds = spawn


#: Worker processes are started from several threads at once: the first to ignore SIGINT keeps this process's own
#: handler and the last to finish puts it back. Each saving and restoring its own would let a later thread save
#: «ignored» while an earlier one still held it, and restore «ignored» for good: Ctrl+C dead in this process.
_SIGINT_LOCK = threading.Lock()
_SIGINT_HOLD: dict[str, Any] = {"count": 0, "previous": None}


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored process-wide for a moment, from any thread (``signal.signal`` only works in the main one).

    Done with the C library's ``sigaction``, which restores this process's own handler exactly; where that is not
    available (not Linux or macOS), nothing changes. Nested and concurrent uses share one saved handler.
    """
    import ctypes
    import ctypes.util
    import signal

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        action = libc.sigaction
    except (OSError, AttributeError, TypeError):
        yield
        return
    with _SIGINT_LOCK:
        if _SIGINT_HOLD["count"] == 0:
            ignore = ctypes.create_string_buffer(256)  # a zeroed struct sigaction, larger than any platform's
            ctypes.memmove(ignore, ctypes.byref(ctypes.c_void_p(1)), ctypes.sizeof(ctypes.c_void_p))  # SIG_IGN
            previous = ctypes.create_string_buffer(256)
            if action(int(signal.SIGINT), ignore, previous) != 0:
                previous = None
            _SIGINT_HOLD["previous"] = previous
        _SIGINT_HOLD["count"] += 1
    try:
        yield
    finally:
        with _SIGINT_LOCK:
            _SIGINT_HOLD["count"] -= 1
            if _SIGINT_HOLD["count"] == 0 and _SIGINT_HOLD["previous"] is not None:
                action(int(signal.SIGINT), _SIGINT_HOLD["previous"], None)
                _SIGINT_HOLD["previous"] = None


def _silence() -> None:
    """No more output from Dask or asyncio in this process: it is stopping, and the command says why in Russian.

    An interrupted gather leaves asyncio tasks whose «exception was never retrieved» (AllExit) is logged when they
    are collected, and the closing client and cluster log their lost connections: none of it is for the user.
    """
    roots = ("asyncio", "distributed", "tornado", "bokeh")
    # Dask's logging configuration gives some of its loggers («distributed.client», …) levels of their own
    known = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in roots]
    for name in (*roots, *known):
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False
    # a cluster stopped while it started cannot be closed by Dask's exit hook, which then prints its AssertionError
    # as an «exception ignored in atexit callback»: what is left at exit is ignored quietly
    sys.unraisablehook = lambda unraisable: None
