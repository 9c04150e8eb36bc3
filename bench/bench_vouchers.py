"""Benchmark of the voucher pipeline: the daily ingest of a day's marks, then the month's acts.

The issue's scale is 10^6 children with contracts across 10^4 providers and one
month of marks (~2·10^7; April 2026 has 22 working days). `--scale full` (or `SCALE=full`
from `make bench`) runs it all; a fraction (default 0.02) runs that share and
extrapolates linearly.

Stages, each run as the DAG's own task function (include/tasks/voucher_*.py, through
`.function`) in warm worker processes (as a mapped task would run), with its wall time,
the worker's peak RSS and the machine's load average:
  1. generate the sandbox LMS/registry data: contracts from Python, one day's marks
     inside MariaDB (INSERT ... SELECT) - not a pipeline cost;
  2. `extract_registry` (providers, norms, vouchers over HTTP);
  3. the daily ingest: `ingest_marks` over the real HTTP sandbox (its own process),
     provider batches on `--workers` workers with `--lms-concurrency` LMS connections
     each -> marks per second; then the register rules side by side, once per
     provider-day against once for the batch;
  4. `check_double_funding` for the day;
  5. the month's other days written straight into the project DB (not a pipeline cost),
     then `apply_risk_rules`, `compute_acts` per region on the workers (one SQL GROUP BY
     each + vectorised numpy) and `check_acts` -> the acts' time;
  6. PDF render of a sample of acts -> seconds per act.
Figures only; nothing is asserted; the last line is the figures as JSON. Own databases
(prefix `bench_vouchers`, or `--prefix`).

    .venv/bin/python bench/bench_vouchers.py [--scale 0.02|full] [--prefix b15]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import resource
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
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

    import include.tasks.voucher_acts  # noqa: F401  (Airflow, pandas: ~6 s a process, once)
    import include.tasks.voucher_ingest  # noqa: F401

    logging.getLogger("weasyprint").setLevel(logging.WARNING)


def fresh_pool(workers: int) -> ProcessPoolExecutor:
    # warm worker processes, as a Celery worker keeps its imports between tasks; the
    # peak RSS reported is the worker's high-water mark over the tasks it ran
    return ProcessPoolExecutor(max_workers=workers, initializer=_warm)


def generate(children: int, providers: int, days: list[date], seed: int = 20260401) -> dict:
    """Regions, providers, contracts and vouchers in the sandbox registry/LMS, and the
    LMS marks of `days` generated inside MariaDB (INSERT ... SELECT over the contracts:
    a day of 10^6 marks is one statement, not 10^6 Python rows)."""
    from include.sandbox.demo_data import vouchers as demo
    from include.sandbox.stack import connect

    rng = random.Random(seed)
    connection = connect("sandbox")
    cursor = connection.cursor()
    regions = [f"R{n:02d}" for n in range(min(REGIONS, providers))]
    for code in regions:
        demo.add_region(cursor, code, f"Регион {code}", demo.make_bin(rng, date(2005, 3, 1)), "ГУ")
    bins = []
    for n in range(providers):
        bin_ = demo.make_bin(rng, date(2000 + n % 25, n % 12 + 1, 1))
        estimate = n % 5 == 4
        demo.add_provider(
            cursor, bin_, f"Детский сад №{n + 1}", regions[n % len(regions)],
            "estimate" if estimate else "voucher", "3000000.00" if estimate else None,
        )  # fmt: skip
        bins.append(bin_)
    start_day = date(2026, 1, 10)
    used: set[str] = set()
    for start in range(0, children, 50000):
        contracts, vouchers = [], []
        for n in range(start, min(start + 50000, children)):
            iin = demo.make_iin(rng, date(2020, 1, 1) + timedelta(days=rng.randrange(5 * 365)))
            while iin in used:  # one child, one IIN: a repeat would be a double funding
                iin = demo.make_iin(rng, date(2020, 1, 1) + timedelta(days=rng.randrange(1825)))
            used.add(iin)
            bin_ = bins[n % providers]
            contracts.append((f"C{n:08d}", bin_, iin, "Ребёнок", "Группа", "general", start_day))
            vouchers.append((f"V{n:08d}", iin, bin_, "active", start_day))
        cursor.executemany(
            "INSERT INTO lms_contract (contract_id, bin, iin, child_name, group_name, group_type,"
            " start_date, end_date) VALUES (%s, %s, %s, %s, %s, %s, %s, NULL)",
            contracts,
        )
        cursor.executemany(
            "INSERT INTO vr_voucher (voucher_id, iin, bin, status, issued_on)"
            " VALUES (%s, %s, %s, %s, %s)",
            vouchers,
        )
        connection.commit()
    for n, day in enumerate(days):
        cursor.execute(MARKS_OF_DAY.format(table="lms_mark", source="lms_contract"),
                       {"day": day, "seed": seed + n})  # fmt: skip
        connection.commit()
    connection.close()
    return {"regions": len(regions), "providers": providers, "children": children,
            "marks": children * len(days), "days": [d.isoformat() for d in days]}  # fmt: skip


# One day's mark of every contract (86% present, 8% excused with a document, 6%
# unexcused), drawn from a hash of (child, day, seed): used for the LMS's raw marks, and for the
# rest of the month's accepted marks written straight into the project DB.
MARKS_OF_DAY = """
INSERT IGNORE INTO {table} (bin, iin, mark_date, code, document)
SELECT drawn.bin, drawn.iin, %(day)s,
    CASE WHEN drawn.r < 86 THEN 'present' WHEN drawn.r < 94 THEN 'absent_excused'
        ELSE 'absent_unexcused' END,
    drawn.r >= 86 AND drawn.r < 94
FROM (
    SELECT bin, iin, MOD(CRC32(CONCAT(iin, %(day)s, %(seed)s)), 100) AS r FROM {source}
) AS drawn
"""


def fill_month(days: list[date], seed: int = 7) -> tuple[int, float]:
    """The month's other working days, written straight into the project DB as if
    ingested (voucher_mark + voucher_ingested_day): not a pipeline cost; it lets the acts
    run on a whole month while the ingest is timed on the daily run."""
    from include.sandbox.stack import connect

    started = time.perf_counter()
    connection = connect("pipelines")
    cursor = connection.cursor()
    rows = 0
    for n, day in enumerate(days):
        cursor.execute(MARKS_OF_DAY.format(table="voucher_mark", source="voucher_contract"),
                       {"day": day, "seed": seed + n})  # fmt: skip
        rows += cursor.rowcount
        cursor.execute(
            "INSERT INTO voucher_ingested_day (bin, register_date, marks, accepted, rejected)"
            " SELECT bin, %(day)s, COUNT(*), COUNT(*), 0 FROM voucher_contract GROUP BY bin",
            {"day": day},
        )
        connection.commit()
    connection.close()
    return rows, time.perf_counter() - started


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


def acts_settings() -> dict:
    from include.tasks.voucher_acts import ActsRun

    return ActsRun(period=PERIOD, as_of=date(2026, 5, 2)).model_dump(mode="json")


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


def compute(region):
    from include.tasks.voucher_acts import compute_acts

    return compute_acts.function(region, acts_settings())


def check(computed):
    from include.tasks.voucher_acts import check_acts

    return check_acts.function(acts_settings(), computed)


def render_sample(count: int) -> tuple[int, float]:
    import json

    from include.render.pdf import render_pdf
    from include.storage import store_root
    from include.vouchers import acts

    files = sorted(
        Path(str(store_root()).replace("file://", "")).glob(f"vouchers/acts/{PERIOD}/*/*.json")
    )
    files = [f for f in files if not f.name.endswith(".esf.json")][:count]
    started = time.perf_counter()
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        esf = acts.esf_draft(document, date(2026, 4, 30))
        render_pdf("voucher_act.html", acts.pdf_context(document, esf), "voucher_act.css")
    return len(files), time.perf_counter() - started


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=scale_of, default=scale_of(os.environ.get("SCALE") or "0.02"),
                        help="full (10^6 children) or a fraction; default $SCALE or 0.02")  # fmt: skip
    parser.add_argument("--pdf-sample", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="ingest/acts tasks side by side")
    parser.add_argument("--lms-concurrency", type=int, default=4, help="the setting")
    parser.add_argument("--batch-size", type=int, default=200, help="providers per ingest task")
    parser.add_argument("--ingest-days", type=int, default=1,
                        help="days ingested through the LMS (the rest of the month is written"
                        " straight into the project DB)")  # fmt: skip
    parser.add_argument("--prefix", default=os.environ.get("BENCH_PREFIX", PREFIX))
    args = parser.parse_args()

    from include.sandbox.stack import free_port
    from include.vouchers.calendar import WorkingCalendar

    env = environment.isolated_environment(args.prefix, free_port())
    env["PIPELINES_RETRY_DELAY_SECONDS"] = "0"
    environment.apply(env)

    from include.sandbox import stack

    children = max(int(CHILDREN_AT_FULL_SCALE * args.scale), 100)
    providers = max(int(PROVIDERS_AT_FULL_SCALE * args.scale), 5)
    month = WorkingCalendar.for_period(PERIOD).working_days(date(2026, 4, 1), date(2026, 4, 30))
    ingest_days, other_days = month[: args.ingest_days], month[args.ingest_days :]
    db = stack.start_mariadb()
    names = stack.database_names()
    for key in ("pipelines", "sandbox"):
        db.recreate_database(names[key])
    db.load_file(stack.SANDBOX_SCHEMAS / "vouchers.sql", names["sandbox"])
    stack.migrate_pipelines_db()
    print(f"== bench_vouchers: scale {args.scale} -> {children} children, {providers} providers,"
          f" {len(month)} working days; {os.cpu_count()} cores; {load()}")  # fmt: skip
    figures: dict = {"scale": args.scale, "children": children, "providers": providers}
    started = time.perf_counter()
    world = generate(children, providers, ingest_days)
    figures["generate_s"] = time.perf_counter() - started
    print(f"generate: {children} contracts + {world['marks']} LMS marks in"
          f" {figures['generate_s']:.1f} s (not a pipeline cost); {load()}")  # fmt: skip

    sandbox = start_sandbox(env)
    try:
        with fresh_pool(1) as pool:
            _, seconds, mb = pool.submit(in_worker, extract).result()
        figures |= {"extract_s": seconds, "extract_peak_mb": mb}
        print(f"extract_registry: {seconds:.1f} s, peak {mb:.0f} MB; {load()}")

        days = world["days"]
        batches = plan(days, args.batch_size)
        started = time.perf_counter()
        peaks, ingested = [], 0
        with fresh_pool(args.workers) as pool:
            list(pool.map(time.sleep, [0.5] * args.workers))  # both warm before the clock
            started = time.perf_counter()
            futures = [
                pool.submit(in_worker, ingest, batch, days, len(batch), args.lms_concurrency)
                for batch in batches
            ]
            for future in futures:
                result, _, mb = future.result()
                peaks.append(mb)
                ingested += result.get("marks", 0)
        seconds = time.perf_counter() - started
        rate = ingested / seconds
        figures |= {"ingest_s": seconds, "ingest_marks": ingested, "ingest_marks_per_s": rate,
                    "ingest_peak_mb": max(peaks), "ingest_tasks": len(batches)}  # fmt: skip
        print(
            f"ingest: {ingested} marks from {providers} providers x {len(days)} day(s) in"
            f" {seconds:.1f} s on {args.workers} workers x {args.lms_concurrency} LMS"
            f" connections = {rate:,.0f} marks/s; peak per task {max(peaks):.0f} MB"
            f" ({len(batches)} tasks of {args.batch_size} providers); {load()}"
        )
        ratio = register_rules_ratio(date.fromisoformat(days[0]))
        figures["register_rules"] = ratio
        print(
            f"register rules on {ratio['marks']} marks of {ratio['providers']} providers:"
            f" per provider-day {ratio['per_provider_day_s']:.2f} s, one call"
            f" {ratio['one_call_s']:.2f} s = x{ratio['ratio']:.0f}; {load()}"
        )

        with fresh_pool(1) as pool:
            _, seconds, mb = pool.submit(in_worker, double_funding, days).result()
        figures |= {"double_funding_s": seconds, "double_funding_peak_mb": mb}
        print(f"check_double_funding ({len(days)} day(s)): {seconds:.1f} s, peak {mb:.0f} MB;"
              f" {load()}")  # fmt: skip

        rows, seconds = fill_month(other_days)
        figures |= {"fill_month_s": seconds, "month_marks": rows + ingested}
        print(f"fill the month: {rows} more marks ({len(other_days)} days) in {seconds:.1f} s"
              f" (not a pipeline cost); {load()}")  # fmt: skip

        peaks, acts_count, contracts, computed, region_s = [], 0, 0, [], []
        with fresh_pool(args.workers) as pool:
            list(pool.map(time.sleep, [0.5] * args.workers))  # both warm before the clock
            started = time.perf_counter()
            _, risk_s, _ = pool.submit(in_worker, risk).result()
            regions = regions_to_form()
            futures = [pool.submit(in_worker, compute, region) for region in regions]
            for future in futures:
                result, seconds, mb = future.result()
                peaks.append(mb)
                region_s.append(seconds)
                acts_count += result["acts"]
                contracts += result["contracts"]
                computed.append(result)
            checked, check_s, check_mb = pool.submit(in_worker, check, computed).result()
        acts_seconds = time.perf_counter() - started
        figures |= {"acts_s": acts_seconds, "acts": acts_count, "act_lines": contracts,
                    "region_task_max_s": max(region_s), "acts_peak_mb": max(peaks),
                    "check_acts_s": check_s, "check_acts_peak_mb": check_mb}  # fmt: skip
        print(
            f"acts: risk rules {risk_s:.1f} s + {len(regions)} region tasks (max"
            f" {max(region_s):.1f} s each) + check_acts {check_s:.1f} s = {acts_seconds:.1f} s"
            f" for {acts_count} acts / {contracts} contract lines over"
            f" {figures['month_marks']} marks ({checked['checks']}); peak per region task"
            f" {max(peaks):.0f} MB, check_acts {check_mb:.0f} MB; {load()}"
        )
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)

    _warm()
    rendered, seconds = render_sample(args.pdf_sample)
    per_pdf = seconds / max(rendered, 1)
    figures["pdf_s_per_act"] = per_pdf
    print(f"render: {rendered} act PDFs in {seconds:.1f} s = {per_pdf:.2f} s per act (1 core);"
          f" {load()}")  # fmt: skip

    factor = 1 / args.scale
    day_marks = children * factor
    figures |= {
        "full_daily_ingest_min": ingested / len(days) * factor / rate / 60,
        "full_acts_min": acts_seconds * factor / 60,
        "load_avg": os.getloadavg(),
    }
    if args.scale < 1:
        print("\n== extrapolated linearly to the issue's scale (10^6 children, 10^4 providers):")
        print(f"   daily ingest of {day_marks:,.0f} marks: {figures['full_daily_ingest_min']:.1f}"
              f" min at {rate:,.0f} marks/s (aim: <= 2 min)")  # fmt: skip
        print(f"   the month's acts (risk + compute + check): {figures['full_acts_min']:.1f} min"
              " (aim: <= 2 min)")  # fmt: skip
        print(f"   peak memory per task grows with a batch/region's size: x{factor:.0f} lines"
              " per region (a batch's size is a setting)")  # fmt: skip
    print(f"   act PDFs: {per_pdf * PROVIDERS_AT_FULL_SCALE / 60 / args.workers:.0f} min on"
          f" {args.workers} workers for {PROVIDERS_AT_FULL_SCALE} acts")  # fmt: skip
    print(json.dumps(figures, default=float, sort_keys=True))


if __name__ == "__main__":
    main()
