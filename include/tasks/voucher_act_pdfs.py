"""`voucher_acts`' render task: each ready act's PDF (Russian) and ESF draft from its
stored data, in one long-lived worker pool per task (include/render/worker_pool.py),
by the engine the setting `pdf_engine` names (WeasyPrint by default, or Typst)."""

from __future__ import annotations

import logging
import os
import time

from airflow.sdk import task

from include.dag_defaults import HEAVY_TIMEOUT
from include.tasks.settings import settings_of
from include.tasks.vouchers_common import STORE_FOLDER, project_db
from include.vouchers.calendar import month_bounds

log = logging.getLogger(__name__)


def render_processes() -> int:
    """Render workers per task: one per CPU this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _cpu_seconds() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool, once shut down
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@task(max_active_tis_per_dagrun=4, execution_timeout=HEAVY_TIMEOUT, queue="render")
def render_acts(region: str, settings: dict) -> dict:
    """The act PDF (Russian) and the ESF draft (JSON) of every act ready to sign; both are
    derived from the stored act data, so identical data gives identical files. The acts
    are rendered in one worker pool for the task (inline below `POOL_FROM` acts)."""
    from contextlib import nullcontext

    from include.render.worker_pool import isolated_process_pool
    from include.storage import sha256_bytes, store_path, write_bytes_if_changed
    from include.tasks.voucher_acts import ActsRun
    from include.vouchers.act_pdfs import POOL_FROM, chunk_size, render_act_chunk

    run = settings_of(ActsRun, settings)
    engine, processes = run.pdf_engine, render_processes()
    _, last = month_bounds(run.period)
    started, cpu_started = time.monotonic(), _cpu_seconds()
    db = project_db()
    try:
        acts = db.read_frame(
            db.query("voucher_acts_to_render"), {"period": run.period, "region": region}
        )
        folder = store_path(STORE_FOLDER, "acts", run.period, region, "x").parent
        todo, skipped = [], 0
        for act in acts.to_dict("records"):
            number = act["act_number"]
            pdf_path, esf_path = folder / f"{number}.pdf", folder / f"{number}.esf.json"
            data = (folder / f"{number}.json").read_bytes()
            if sha256_bytes(data) != act["data_sha256"]:
                raise RuntimeError(f"act {number}: stored data does not match the DB")
            if act["pdf_path"] == str(pdf_path) and pdf_path.exists():
                skipped += 1  # rendered from these very bytes before (the sha is checked above)
                continue
            todo.append((number, pdf_path, esf_path, data))
        pooled = processes > 1 and len(todo) >= POOL_FROM[engine]
        size = chunk_size(len(todo), processes, engine)
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        with isolated_process_pool(processes) if pooled else nullcontext() as pool:
            jobs = [
                (chunk, [item[3] for item in chunk], last, engine) for chunk in chunks
            ]  # the workers get bytes and give bytes back: no store, no DB, no Airflow
            futures = [
                pool.submit(render_act_chunk, *job[1:]) if pool is not None else None
                for job in jobs
            ]
            files = []
            for (chunk, datas, issued_on, name), future in zip(jobs, futures, strict=True):
                made = (
                    future.result()
                    if future is not None
                    else render_act_chunk(datas, issued_on, name)
                )
                for (number, pdf_path, esf_path, _), (esf, pdf) in zip(chunk, made, strict=True):
                    write_bytes_if_changed(esf_path, esf)
                    write_bytes_if_changed(pdf_path, pdf)
                    files.append(
                        {"pdf_path": str(pdf_path), "esf_path": str(esf_path), "act_number": number}
                    )
        with db.transaction() as cursor:
            cursor.executemany(db.query("voucher_set_act_files"), files)
    finally:
        db.close()
    seconds = time.monotonic() - started
    result = {
        "region": region,
        "rendered": len(files),
        "unchanged": skipped,
        "pdf_engine": engine,
        "render_pool_workers": processes if pooled else 0,
        "seconds": round(seconds, 2),
        # this process and its finished render workers: the time on idle cores
        "cpu_seconds": round(_cpu_seconds() - cpu_started, 2),
    }
    log.info("%s", result)
    return result
