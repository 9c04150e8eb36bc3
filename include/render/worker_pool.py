"""A process pool whose workers import only what their jobs need: never Airflow.

Why by hand: a spawned worker of `multiprocessing` first re-runs its parent's
`__main__`. In a task process that is Airflow's own entry point (the `airflow` CLI
under the LocalExecutor's task runner, or a Celery worker), so the worker would
re-initialise Airflow from the task's environment, where the metadata DB's URL is
deliberately unusable: it died with "Could not parse SQLAlchemy URL" and the task saw
`BrokenProcessPool`, while under `dag.test()` (a pytest or demo `__main__`) the same
work succeeded. The pool therefore hides `__main__` while its workers start, so the
same code runs identically under the task runner, a Celery worker and `dag.test()`.
What a worker gets from its parent is explicit: `sys.path` and the working directory
(multiprocessing's preparation data), the environment, and the functions it is sent.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

log = logging.getLogger(__name__)


class WorkerImportedAirflow(RuntimeError):
    """A pool worker imported Airflow: the isolation this module promises is broken."""


def _peak_rss_mb() -> float:
    """This process's own peak RSS (MB): Linux's VmHWM, which belongs to the image and
    starts again at exec. (`ru_maxrss` survives exec: in a spawned worker it still holds
    the parent's RSS at the moment of the fork.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def worker_facts(*_job) -> dict:
    """A worker's pid, its own peak RSS so far (MB) and the top-level packages it imported
    that a worker must not."""
    leaked = sorted({m.split(".")[0] for m in sys.modules} & {"airflow", "MySQLdb"})
    return {"pid": os.getpid(), "peak_rss_mb": _peak_rss_mb(), "forbidden_imports": leaked}


def workers_peak_rss_mb(pool, processes: int) -> float | None:
    """The highest peak RSS among the pool's workers that answer one small job each."""
    if pool is None:
        return None
    return max(fact["peak_rss_mb"] for fact in pool.map(worker_facts, range(processes)))


@contextmanager
def _main_hidden() -> Iterator[None]:
    """A stand-in `__main__` without a file or spec: spawn then imports no main module."""
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real


@contextmanager
def isolated_process_pool(processes: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of `processes` spawned workers, started under a hidden `__main__` (kept
    hidden while the pool lives, so a worker started later is isolated too) and checked
    to hold no Airflow; `None` where this process may not have children (a daemonic
    Celery prefork child): the caller then works inline."""
    if multiprocessing.current_process().daemon:
        log.warning("a daemonic process cannot start workers: working inline")
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=processes, mp_context=multiprocessing.get_context("spawn")
    )
    with _main_hidden():
        try:
            # each submit starts one more worker until `processes` run (Python 3.11+)
            started = [pool.submit(worker_facts) for _ in range(processes)]
            facts = [future.result() for future in started]
            leaked = sorted({name for fact in facts for name in fact["forbidden_imports"]})
            if leaked:
                raise WorkerImportedAirflow(f"pool workers imported {', '.join(leaked)}")
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
