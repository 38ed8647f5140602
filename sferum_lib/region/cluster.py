"""Where the per-organisation work runs: a Dask cluster, local by default, or an existing one by its address.

Dask's own logs and warnings are English and meant for whoever runs the cluster; the user of ``sferum`` sees
only the product's Russian messages, so they are kept at the error level here and in the local workers.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sferum_lib.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")

#: Seconds to wait for an existing scheduler before telling the user it cannot be reached.
CONNECT_TIMEOUT_S = 10


def _quiet() -> None:
    """Keep distributed's INFO/WARNING chatter (and that of the worker processes it spawns) off the terminal."""
    # the environment reaches worker processes that a LocalCluster spawns; the config reaches this process
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    os.environ.setdefault("DASK_DISTRIBUTED__ADMIN__LOG_LENGTH", "0")
    import dask

    dask.config.set({"logging.distributed": "error", "distributed.admin.log-length": 0})
    for name in ("distributed", "distributed.scheduler", "distributed.worker", "distributed.nanny", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"distributed(\..*)?")


class Runner:
    """Maps a function over items: on a Dask client when there is one, in this process otherwise.

    The sequential runner exists so that tests can compare the cluster's result with the plain one.
    """

    def __init__(self, client: Any = None) -> None:
        self.client = client

    @property
    def where(self) -> str:
        if self.client is None:
            return "в этом процессе"
        workers = len(self.client.scheduler_info().get("workers", {}))
        return f"на кластере Dask {self.client.scheduler.address} (исполнителей: {workers})"

    def map(self, func: Callable[..., R], *iterables: Sequence[Any]) -> list[R]:
        """``[func(*args) ...]`` in order; on Dask each call is one task (``pure=False``: files change)."""
        if self.client is None:
            return [func(*args) for args in zip(*iterables, strict=True)]
        futures = self.client.map(func, *iterables, pure=False)
        return self.client.gather(futures)

    def submit_map(self, func: Callable[..., Any], *iterables: Sequence[Any]) -> list[Any]:
        """Like :meth:`map` but keeps the results where they were made (Dask futures); see :meth:`then`."""
        if self.client is None:
            return [func(*args) for args in zip(*iterables, strict=True)]
        return self.client.map(func, *iterables, pure=False)

    def then(self, func: Callable[..., R], kept: Sequence[Any], *iterables: Sequence[Any]) -> list[R]:
        """Apply ``func`` to results kept by :meth:`submit_map`, on the worker that holds each one."""
        if self.client is None:
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
    from distributed import Client, LocalCluster

    if scheduler:
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
    count = workers or os.cpu_count() or 1
    cluster = LocalCluster(
        n_workers=count,
        threads_per_worker=1,  # the work is pandas and SQLite under the GIL: processes, not threads
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster, set_as_default=False)
    try:
        yield Runner(client)
    finally:
        client.close()
        cluster.close()
