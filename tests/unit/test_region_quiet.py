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
