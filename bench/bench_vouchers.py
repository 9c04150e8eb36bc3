"""Benchmark of the voucher pipeline: the daily ingest, the month's acts, the act PDFs.

The issue's scale is 10^6 children with contracts across 10^4 providers and one
month of marks (~2·10^7; April 2026 has 22 working days). `--scale 1` (or `full`;
`make bench SCALE=1`) runs it all; a fraction (default 0.02) runs that share and
extrapolates linearly.

Stages, each run as the DAG's own task function (include/tasks/voucher_*.py, through
`.function`) in warm spawned worker processes (as a mapped task instance runs), with
its wall time, the worker's peak RSS and the machine's load average:
  1. generate the sandbox LMS/registry world inside MariaDB (include/sandbox/demo_data/
     voucher_scale.py: INSERT ... SELECT over seq_0_to_N) - not a pipeline cost;
  2. `extract_registry` (providers, norms, vouchers over HTTP);
  3. the daily ingest, one run per `--ingest-days` day: `ingest_marks` over the real
     HTTP sandbox (its own process), provider batches on `--workers` workers with
     `--lms-concurrency` LMS connections each, then `check_double_funding` (which also
     writes the day's Parquet file of marks); the first run writes every contract, a
     later one only what changed. Then the register rules side by side, once per
     provider-day against once for the batch;
  4. the month's other days written straight into the project DB (not a pipeline cost)
     and their Parquet files by the ingest's own function (timed per day);
  5. the month's acts: `apply_risk_rules`, `compute_month_lines` by MariaDB (one GROUP BY
     over voucher_mark) and by DuckDB (over the Parquet files: the DAG's path) side by
     side, `compute_acts` per region on the workers, `check_acts`;
  6. `render_acts` with Typst for every region (each task one pool of render
     processes), and the same sample of acts by Typst and WeasyPrint on one core.
Figures only; nothing is asserted; the last line is the figures as JSON. Own databases
(prefix `bench_vouchers`, or `--prefix`).

    .venv/bin/python bench/bench_vouchers.py [--scale 0.02|1] [--prefix b16]
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include.sandbox import environment  # noqa: E402

print = functools.partial(print, flush=True)  # noqa: A001  (lines interleave with workers)

PREFIX = "bench_vouchers"
CHILDREN_AT_FULL_SCALE = 1_000_000
PROVIDERS_AT_FULL_SCALE = 10_000
REGIONS = 20
PERIOD = "2026-04"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_worker(function, *args):
    """Run a task function; return (result, seconds, peak RSS in MB of this worker)."""
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started, peak_mb()


def _warm() -> None:
    import logging

    import include.tasks.voucher_act_pdfs  # noqa: F401  (Airflow, pandas: ~6 s a process, once)
    import include.tasks.voucher_acts  # noqa: F401
    import include.tasks.voucher_ingest  # noqa: F401
    import include.tasks.voucher_month_lines  # noqa: F401

    logging.getLogger("weasyprint").setLevel(logging.WARNING)


def fresh_pool(workers: int) -> ProcessPoolExecutor:
    # warm worker processes, as a Celery worker keeps its imports between tasks; the
    # peak RSS reported is the worker's high-water mark over the tasks it ran
    # spawned, not forked: this process has threads (DuckDB, Typst) by then, and a fork
    # can copy a lock one of them holds (the render stage's workers hung on a futex)
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm
    )


def generate(children: int, providers: int, days: list[date], seed: int = 20260401) -> dict:
    """Regions, providers, contracts and vouchers in the sandbox registry/LMS, and the
    LMS marks of `days`, generated inside MariaDB (include/sandbox/demo_data/
    voucher_scale.py: INSERT ... SELECT over seq_0_to_N, not Python rows)."""
    from include.sandbox.demo_data import voucher_scale
    from include.sandbox.stack import connect

    connection = connect("sandbox")
    cursor = connection.cursor()
    bins = voucher_scale.add_world(cursor, providers, REGIONS, seed)
    connection.commit()
    written = voucher_scale.add_children(cursor, children)
    connection.commit()
    marks = voucher_scale.add_marks_of_days(cursor, "lms_mark", "lms_contract", days, seed, bins)
    connection.close()
    return {"regions": min(REGIONS, providers), "providers": providers, "children": written,
            "marks": marks, "days": [d.isoformat() for d in days]}  # fmt: skip


def fill_month(days: list[date], seed: int = 7) -> tuple[int, float]:
    """The month's other working days written straight into the project DB as if
    ingested (voucher_mark in key order + voucher_ingested_day): not a pipeline cost; it
    lets the acts run on a whole month while the ingest is timed on the daily run."""
    from include.sandbox.demo_data import voucher_scale
    from include.sandbox.stack import connect

    started = time.perf_counter()
    connection = connect("pipelines")
    cursor = connection.cursor()
    cursor.execute("SELECT DISTINCT bin FROM voucher_contract")
    bins = [row[0] for row in cursor.fetchall()]
    rows = voucher_scale.add_marks_of_days(
        cursor, "voucher_mark", "voucher_contract", days, seed, bins
    )
    for day in days:
        cursor.execute(
            "INSERT INTO voucher_ingested_day (bin, register_date, marks, accepted, rejected)"
            " SELECT bin, %(day)s, COUNT(*), COUNT(*), 0 FROM voucher_contract GROUP BY bin",
            {"day": day},
        )
    connection.commit()
    connection.close()
    return rows, time.perf_counter() - started


def export_days(days: list[date]) -> list[float]:
    """Each filled day's Parquet file, by the function check_double_funding calls (a
    pipeline cost of each daily ingest, timed per day)."""
    from include.tasks.voucher_month_lines import write_day_marks
    from include.tasks.vouchers_common import project_db

    db, seconds = project_db(), []
    try:
        for day in days:
            started = time.perf_counter()
            write_day_marks(db, day)
            seconds.append(time.perf_counter() - started)
    finally:
        db.close()
    return seconds


def start_sandbox(env: dict) -> subprocess.Popen:
    code = (
        "import uvicorn; from include.sandbox.app import create_app; "
        f"uvicorn.run(create_app(), host='127.0.0.1', port={env['SANDBOX_HTTP_PORT']},"
        " log_level='warning', access_log=False)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=environment.PROJECT_ROOT, env={**os.environ, **env}
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(
                f"http://127.0.0.1:{env['SANDBOX_HTTP_PORT']}/_health", timeout=1
            )
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the sandbox did not start")


# The DAGs' task functions (`.function`: the plain callable under @task), with the
# settings dict their first task `resolve_settings` would hand them.


def ingest_settings(days, batch_size: int = 200) -> dict:
    from include.tasks.voucher_ingest import IngestRun

    return IngestRun(days=days, provider_batch_size=batch_size).model_dump(mode="json")


def acts_settings(pdf_engine: str = "typst") -> dict:
    from include.tasks.voucher_acts import ActsRun

    return ActsRun(period=PERIOD, as_of=date(2026, 5, 2), pdf_engine=pdf_engine).model_dump(
        mode="json"
    )


def extract():
    from include.tasks.vouchers_common import extract_registry

    return extract_registry.function(acts_settings(), run_id="bench")


def plan(days, batch_size):
    from include.tasks.voucher_ingest import plan_batches

    return plan_batches.function(ingest_settings(days, batch_size), {})


def ingest(bins, days, batch_size, lms_concurrency=4):
    from include.tasks.voucher_ingest import ingest_marks

    settings = ingest_settings(days, batch_size) | {"lms_concurrency": lms_concurrency}
    return ingest_marks.function(bins, settings, run_id="bench")


def double_funding(days):
    from include.tasks.voucher_ingest import check_double_funding

    return check_double_funding.function(ingest_settings(days), [])


def risk():
    from include.tasks.voucher_acts import apply_risk_rules

    return apply_risk_rules.function(acts_settings(), {}, {})


def regions_to_form():
    from include.tasks.voucher_acts import list_regions

    return list_regions.function(acts_settings(), {})


def month_lines(regions, engine):
    """`compute_month_lines`' body (the task calls it with engine="duckdb")."""
    from include.tasks.voucher_month_lines import compute_month_lines, month_lines_of

    if engine == "duckdb":
        return compute_month_lines.function(acts_settings(), regions)
    return month_lines_of(PERIOD, regions, engine)


def compute(region):
    from include.tasks.voucher_acts import compute_acts

    return compute_acts.function(region, acts_settings())


def check(computed):
    from include.tasks.voucher_acts import check_acts

    return check_acts.function(acts_settings(), computed)


def render(region, engine):
    from include.tasks.voucher_act_pdfs import render_acts

    return render_acts.function(region, acts_settings(engine))


def render_side_by_side(count: int) -> dict:
    """The same `count` acts by both engines, inline on one core, with the CPU seconds
    per act: the job the render pool's workers run (include/vouchers/act_pdfs.py)."""
    from include.storage import store_root
    from include.vouchers.act_pdfs import render_act_chunk

    files = sorted(
        Path(str(store_root()).replace("file://", "")).glob(f"vouchers/acts/{PERIOD}/*/*.json")
    )
    datas = [f.read_bytes() for f in files if not f.name.endswith(".esf.json")][:count]
    figures = {"acts": len(datas)}
    for engine in ("typst", "weasyprint"):
        render_act_chunk(datas[:1], date(2026, 4, 30), engine)  # a warm engine, as a worker
        cpu, started = time.process_time(), time.perf_counter()
        render_act_chunk(datas, date(2026, 4, 30), engine)
        figures[f"{engine}_cpu_s_per_act"] = (time.process_time() - cpu) / max(len(datas), 1)
        figures[f"{engine}_s_per_act"] = (time.perf_counter() - started) / max(len(datas), 1)
    return figures


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def register_rules_ratio(day: date, sample: int = 100) -> dict:
    """The register rules on one day's marks of `sample` providers, side by side: one
    call per provider-day (the old way) against one call for them all (the task's way)."""
    import pandas as pd

    from include.sandbox.stack import connect
    from include.vouchers.calendar import WorkingCalendar
    from include.vouchers.register import split_register

    calendar = WorkingCalendar.for_period(PERIOD)
    pipelines = connect("pipelines")
    contracts = pd.read_sql(
        "SELECT bin, iin, start_date, end_date FROM voucher_contract", pipelines
    )
    pipelines.close()
    bins = sorted(contracts["bin"].unique())[:sample]
    sandbox = connect("sandbox")
    marks = pd.read_sql(
        "SELECT bin, iin, mark_date, code, document FROM lms_mark WHERE mark_date = %s",
        sandbox, params=(day,),
    )  # fmt: skip
    sandbox.close()
    marks["document"] = marks["document"].astype(bool)
    marks["mark_date"] = day
    contracts = contracts[contracts["bin"].isin(bins)]
    some = marks[marks["bin"].isin(bins)]
    started = time.perf_counter()
    for bin_, group in some.groupby("bin"):
        split_register(group, contracts[contracts["bin"] == bin_], calendar)
    per_provider = time.perf_counter() - started
    started = time.perf_counter()
    split_register(some, contracts, calendar)
    at_once = time.perf_counter() - started
    return {"providers": len(bins), "marks": len(some), "per_provider_day_s": per_provider,
            "one_call_s": at_once, "ratio": per_provider / max(at_once, 1e-9)}  # fmt: skip


def scale_of(text: str) -> float:
    return 1.0 if text == "full" else float(text)


def on_workers(workers: int, function, items, *args) -> tuple[list, float, float]:
    """`function(item, *args)` for each item on `workers` warm workers, as mapped task
    instances run: (results, wall seconds, the highest worker peak RSS in MB)."""
    with fresh_pool(workers) as pool:
        list(pool.map(time.sleep, [0.5] * workers))  # every worker warm before the clock
        started = time.perf_counter()
        futures = [pool.submit(in_worker, function, item, *args) for item in items]
        done = [future.result() for future in futures]
        seconds = time.perf_counter() - started
    return [r for r, _, _ in done], seconds, max((mb for _, _, mb in done), default=0.0)


def alone(function, *args) -> tuple:
    """One task in its own fresh warm worker: (result, seconds, peak RSS MB)."""
    with fresh_pool(1) as pool:
        pool.submit(time.sleep, 0.1).result()
        return pool.submit(in_worker, function, *args).result()


def build_month(args, env, children, providers, ingest_days, other_days, figures) -> bool:
    """Fresh databases, the world, the timed daily ingest runs, then the rest of the month
    (False when `--ingest-only` stops after the ingest)."""
    from include.sandbox import stack

    db = stack.start_mariadb()
    names = stack.database_names()
    for key in ("pipelines", "sandbox"):
        db.recreate_database(names[key])
    db.load_file(stack.SANDBOX_SCHEMAS / "vouchers.sql", names["sandbox"])
    stack.migrate_pipelines_db()
    started = time.perf_counter()
    world = generate(children, providers, ingest_days)
    figures |= {"generate_s": time.perf_counter() - started, "children": world["children"],
                "generate_load1": load1()}  # fmt: skip
    print(f"generate (in MariaDB, set-based): {world['children']} contracts + vouchers +"
          f" {world['marks']} LMS marks in {figures['generate_s']:.1f} s (not a pipeline cost);"
          f" {load()}")  # fmt: skip

    sandbox = start_sandbox(env)
    try:
        _, seconds, mb = alone(extract)
        figures |= {"extract_s": seconds, "extract_peak_mb": mb, "extract_load1": load1()}
        print(f"extract_registry: {seconds:.1f} s, peak {mb:.0f} MB; {load()}")

        days = world["days"]
        batches = plan(days, args.batch_size)
        for n, day in enumerate(days):  # one daily run per day, as the schedule runs them
            results, seconds, mb = on_workers(
                args.workers, ingest, batches, [day], args.batch_size, args.lms_concurrency
            )
            ingested = sum(r.get("marks", 0) for r in results)
            rate = ingested / seconds
            how = "the first: every contract written" if n == 0 else "contracts unchanged"
            key = "ingest_first" if n == 0 else "ingest"
            figures |= {f"{key}_s": seconds, f"{key}_marks": ingested, f"{key}_peak_mb": mb,
                        f"{key}_marks_per_s": rate, f"{key}_load1": load1(),
                        "ingest_tasks": len(batches)}  # fmt: skip
            print(
                f"ingest_marks, {day} ({how}): {ingested} marks from {providers} providers in"
                f" {seconds:.1f} s on {args.workers} workers x {args.lms_concurrency} LMS"
                f" connections (a bounded thread pool per task) = {rate:,.0f} marks/s; peak"
                f" per task {mb:.0f} MB ({len(batches)} tasks of {args.batch_size} providers);"
                f" {load()}"
            )
            _, df_s, df_mb = alone(double_funding, [day])
            figures |= {f"{key}_double_funding_s": df_s, f"{key}_double_funding_peak_mb": df_mb,
                        f"{key}_double_funding_load1": load1(),
                        f"{key}_daily_s": seconds + df_s}  # fmt: skip
            print(
                f"check_double_funding, {day} (the flags, the rejects file and the day's Parquet"
                f" file of marks): {df_s:.1f} s, peak {df_mb:.0f} MB; the daily ingest"
                f" (ingest_marks + check_double_funding) {seconds + df_s:.1f} s for {ingested}"
                f" marks (aim: <= 120 s); {load()}"
            )
        ratio = register_rules_ratio(date.fromisoformat(days[0]))
        figures["register_rules"] = ratio
        print(
            f"register rules on {ratio['marks']} marks of {ratio['providers']} providers:"
            f" per provider-day {ratio['per_provider_day_s']:.2f} s, one call"
            f" {ratio['one_call_s']:.2f} s = x{ratio['ratio']:.0f}; {load()}"
        )
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)

    if args.ingest_only:
        return False
    rows, seconds = fill_month(other_days)
    figures |= {"fill_month_s": seconds, "month_marks": rows + ingested * len(ingest_days)}
    print(f"fill the month: {rows} more marks ({len(other_days)} days) in {seconds:.1f} s"
          f" (set-based, not a pipeline cost); {load()}")  # fmt: skip
    exports = export_days(other_days)
    figures |= {"export_day_s_mean": sum(exports) / len(exports), "export_load1": load1()}
    print(f"the other days' Parquet files (write_day_marks, part of each day's"
          f" check_double_funding): {figures['export_day_s_mean']:.1f} s a day on average,"
          f" max {max(exports):.1f} s; {load()}")  # fmt: skip

    return True


def main() -> None:  # noqa: PLR0915  (one stage after the other, each printed)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=scale_of, default=scale_of(os.environ.get("SCALE") or "0.02"),
                        help="full or 1 (10^6 children) or a fraction; default $SCALE or 0.02")  # fmt: skip
    parser.add_argument("--pdf-sample", type=int, default=20,
                        help="acts rendered by both engines side by side")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2, help="task instances side by side")
    parser.add_argument("--lms-concurrency", type=int, default=4, help="the setting")
    parser.add_argument("--batch-size", type=int, default=200, help="providers per ingest task")
    parser.add_argument("--ingest-days", type=int, default=2,
                        help="days ingested through the LMS, one daily run each (the rest of the"
                        " month is written straight into the project DB)")  # fmt: skip
    parser.add_argument("--skip-render", action="store_true", help="no PDF stage")
    parser.add_argument("--ingest-only", action="store_true", help="stop after the ingest")
    parser.add_argument("--reuse", action="store_true",
                        help="the acts and PDFs on the month an earlier run of --prefix built")  # fmt: skip
    parser.add_argument("--prefix", default=os.environ.get("BENCH_PREFIX", PREFIX))
    args = parser.parse_args()

    from include.sandbox.stack import free_port
    from include.vouchers.calendar import WorkingCalendar

    env = environment.isolated_environment(args.prefix, free_port())
    env["PIPELINES_RETRY_DELAY_SECONDS"] = "0"
    environment.apply(env)

    children = max(int(CHILDREN_AT_FULL_SCALE * args.scale), 100)
    providers = max(int(PROVIDERS_AT_FULL_SCALE * args.scale), 5)
    month = WorkingCalendar.for_period(PERIOD).working_days(date(2026, 4, 1), date(2026, 4, 30))
    ingest_days, other_days = month[: args.ingest_days], month[args.ingest_days :]
    print(f"== bench_vouchers: scale {args.scale} -> {children} children, {providers} providers,"
          f" {len(month)} working days; {os.cpu_count()} cores; {load()}")  # fmt: skip
    figures: dict = {"scale": args.scale, "providers": providers, "cores": os.cpu_count()}
    if args.reuse:  # the databases and store of an earlier run of the same prefix
        from include.sandbox.stack import connect

        connection = connect("pipelines")
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM voucher_mark")
        figures |= {"reused": True, "month_marks": cursor.fetchone()[0]}
        connection.close()
        print(f"reusing {args.prefix}'s month: {figures['month_marks']} marks; {load()}")
    elif not build_month(args, env, children, providers, ingest_days, other_days, figures):
        print(json.dumps(figures | {"load_avg": os.getloadavg()}, default=float, sort_keys=True))
        return
    _, risk_s, risk_mb = alone(risk)
    regions = regions_to_form()
    print(f"apply_risk_rules: {risk_s:.1f} s, peak {risk_mb:.0f} MB; {load()}")
    # the one aggregation, both ways, side by side (MariaDB first: its buffer pool is as
    # warm as the fill left it; DuckDB reads the files the page cache holds)
    for engine in ("mariadb", "duckdb"):
        _, seconds, mb = alone(month_lines, regions, engine)
        figures |= {f"month_lines_{engine}_s": seconds, f"month_lines_{engine}_peak_mb": mb,
                    f"month_lines_{engine}_load1": load1()}  # fmt: skip
        print(f"compute_month_lines by {engine}: one GROUP BY over {figures['month_marks']}"
              f" marks in {seconds:.1f} s, peak {mb:.0f} MB; {load()}")  # fmt: skip
    computed, regions_s, mb = on_workers(args.workers, compute, regions)
    figures |= {"compute_acts_s": regions_s, "compute_acts_peak_mb": mb}
    print(f"compute_acts: {len(regions)} region tasks on {args.workers} workers in"
          f" {regions_s:.1f} s, peak per task {mb:.0f} MB; {load()}")  # fmt: skip
    checked, check_s, check_mb = alone(check, computed)
    acts_count = sum(r["acts"] for r in computed)
    acts_s = risk_s + figures["month_lines_duckdb_s"] + regions_s + check_s
    figures |= {"check_acts_s": check_s, "check_acts_peak_mb": check_mb, "acts": acts_count,
                "act_lines": sum(r["contracts"] for r in computed), "acts_s": acts_s,
                "acts_load1": load1()}  # fmt: skip
    print(
        f"the month's acts: risk {risk_s:.1f} s + month lines (duckdb) "
        f"{figures['month_lines_duckdb_s']:.1f} s + compute_acts {regions_s:.1f} s +"
        f" check_acts {check_s:.1f} s ({checked['checks']}, peak {check_mb:.0f} MB) ="
        f" {acts_s:.1f} s for {acts_count} acts / {figures['act_lines']} lines over"
        f" {figures['month_marks']} marks (aim: <= 120 s); {load()}"
    )

    if not args.skip_render:
        side = render_side_by_side(args.pdf_sample)
        figures["render_side_by_side"] = side
        print(
            f"act PDFs side by side, {side['acts']} acts on one core: typst"
            f" {side['typst_cpu_s_per_act']:.3f} s CPU per act, weasyprint"
            f" {side['weasyprint_cpu_s_per_act']:.3f} s = x"
            f"{side['weasyprint_cpu_s_per_act'] / max(side['typst_cpu_s_per_act'], 1e-9):.0f};"
            f" {load()}"
        )
        results, seconds, mb = on_workers(args.workers, render, regions, "typst")
        rendered = sum(r["rendered"] for r in results)
        cpu = sum(r["cpu_seconds"] for r in results)
        figures |= {"render_typst_s": seconds, "render_typst_acts": rendered,
                    "render_typst_cpu_s": cpu,
                    "render_typst_acts_per_s": rendered / seconds, "render_peak_mb": mb,
                    "render_load1": load1()}  # fmt: skip
        print(
            f"render_acts (typst): {rendered} act PDFs + ESF drafts in {seconds:.1f} s ="
            f" {rendered / seconds:.1f} acts/s ({len(regions)} region tasks on {args.workers}"
            f" workers, each with a pool of {results[0]['render_pool_workers']} render"
            f" processes; aim for 10^4: <= 15 min); task peak {mb:.0f} MB; {load()}"
        )
        print(
            f"   their CPU: {cpu:.0f} s (tasks + render workers) = {cpu / 2 / 60:.1f} min on"
            f" 2 idle cores; {load()}"
        )
    factor = 1 / args.scale
    figures["load_avg"] = os.getloadavg()
    if args.scale < 1:
        print("\n== extrapolated linearly to the issue's scale (10^6 children, 10^4 providers):")
        print(
            f"   daily ingest: {figures.get('ingest_daily_s', figures['ingest_first_daily_s']) * factor / 60:.1f} min (aim: <= 2)"
        )
        print(f"   the month's acts: {acts_s * factor / 60:.1f} min (aim: <= 2)")
        if not args.skip_render:
            print(f"   10^4 act PDFs (typst): {figures['render_typst_s'] * factor / 60:.1f} min"
                  " (aim: <= 15)")  # fmt: skip
    print(json.dumps(figures, default=float, sort_keys=True))


if __name__ == "__main__":
    main()
