"""A Ctrl+C during a region command: «Прервано.» and nothing of Dask's (its workers ignore the key)."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import sys

import pytest

from sferum_lib.region import cluster


def _report_sigint(queue) -> None:
    queue.put(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)


def test_processes_started_for_the_cluster_ignore_ctrl_c_and_this_one_keeps_it():
    ctx = multiprocessing.get_context("spawn")  # as Dask starts its worker processes
    queue = ctx.Queue()
    with cluster._workers_ignore_ctrl_c():
        process = ctx.Process(target=_report_sigint, args=(queue,))
        process.start()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # a Ctrl+C here still stops us
    process.join(60)
    assert queue.get(timeout=60) is True
    later = ctx.Process(target=_report_sigint, args=(queue,))  # outside the cluster's start: as before
    later.start()
    later.join(60)
    assert queue.get(timeout=60) is False
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _sigint_disposition() -> int | None:
    """The kernel's SIGINT handler address for this process (1 is «ignored»), as ``sigaction`` reports it."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    current = ctypes.create_string_buffer(256)
    assert libc.sigaction(int(signal.SIGINT), None, current) == 0
    return ctypes.c_void_p.from_buffer(current).value


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sigaction's layout is checked on Linux")
def test_workers_started_from_two_threads_at_once_leave_ctrl_c_working():
    """Dask starts the worker processes from several threads: the first in, the first out must not strand «ignored»."""
    import threading

    own = _sigint_disposition()
    assert own not in (None, 1)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    while_second_starts: list[int | None] = []

    def first() -> None:
        with cluster._sigint_ignored():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with cluster._sigint_ignored():
            second_in.set()
            first_out.wait(10)
            while_second_starts.append(_sigint_disposition())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert first_out.is_set() and second_in.is_set()
    assert while_second_starts == [1]  # the second was still starting its process: Ctrl+C ignored then
    assert _sigint_disposition() == own  # and this process's own handler is back


def test_an_interrupted_region_command_silences_dask_and_asyncio(monkeypatch):
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    logging.getLogger("distributed.client").setLevel(logging.WARNING)  # as Dask's logging configuration sets it
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("asyncio", "distributed")]
    levels = {n: logging.getLogger(n).level for n in {"asyncio", "distributed", *names}}
    try:
        with pytest.raises(KeyboardInterrupt), cluster.runner(workers=1):
            raise KeyboardInterrupt
        assert logging.getLogger("asyncio").getEffectiveLevel() > logging.CRITICAL
        assert logging.getLogger("distributed.client").getEffectiveLevel() > logging.CRITICAL
        assert sys.unraisablehook is not sys.__unraisablehook__
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).propagate = True


def test_the_resource_trackers_english_warning_is_filtered(monkeypatch):
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    cluster._quiet()
    import os

    assert os.environ["PYTHONWARNINGS"] == f"default,{cluster.RESOURCE_TRACKER_QUIET}"
