"""Benchmark of the voucher pipeline: a month of attendance marks -> the month's acts.

The issue's scale is 10^6 children with contracts across 10^4 providers and one
month of marks (~2·10^7; April 2026 has 22 working days). `--scale 0.02` (the
default, to stay within ~5 minutes on a shared 2-core machine) runs 2% of it and
extrapolates linearly; `--scale 1` runs the full month.

Stages, each run as the DAG's own task function (include/tasks/voucher_*.py, through
`.function`) in a warm worker process (as a mapped task would run), with its wall time
and the worker's peak RSS:
  1. generate the sandbox LMS/registry data (not a pipeline cost);
  2. `extract_registry` (providers, norms, vouchers over HTTP);
  3. ingest: `ingest_marks` over the real HTTP sandbox (its own process),
     provider batches on 2 workers -> marks per second;
  4. `check_double_funding` for every day;
  5. `apply_risk_rules`, then `compute_acts` per region on 2 workers (SQL
     aggregation + vectorised numpy), then `check_acts` -> the acts' time;
  6. PDF render of a sample of acts -> seconds per act.
Figures only; nothing is asserted. Own databases (prefix `bench_vouchers`).

    .venv/bin/python bench/bench_vouchers.py [--scale 0.02] [--pdf-sample 10]
"""

from __future__ import annotations

import argparse
import functools
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


def generate(children: int, providers: int, seed: int = 20260401) -> dict:
    """Regions, providers, contracts, vouchers and April's marks in the sandbox DB."""
    import numpy as np

    from include.sandbox.demo_data import vouchers as demo
    from include.sandbox.stack import connect
    from include.vouchers.calendar import WorkingCalendar

    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    days = WorkingCalendar.for_period(PERIOD).working_days(date(2026, 4, 1), date(2026, 4, 30))
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
    contracts, vouchers, marks = [], [], 0
    codes = np.array(["present", "absent_excused", "absent_unexcused"])
    for n in range(children):
        born = date(2020, 1, 1) + timedelta(days=rng.randrange(5 * 365))
        iin = demo.make_iin(rng, born)
        contracts.append((f"C{n:08d}", bins[n % providers], iin, "Ребёнок", "Группа", "general",
                          date(2026, 1, 10), None))  # fmt: skip
        vouchers.append((f"V{n:08d}", iin, bins[n % providers], "active", date(2026, 1, 10)))
    for start in range(0, children, 20000):
        cursor.executemany(
            "INSERT INTO lms_contract (contract_id, bin, iin, child_name, group_name, group_type,"
            " start_date, end_date) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            contracts[start : start + 20000],
        )
        cursor.executemany(
            "INSERT INTO vr_voucher (voucher_id, iin, bin, status, issued_on)"
            " VALUES (%s, %s, %s, %s, %s)",
            vouchers[start : start + 20000],
        )
    connection.commit()
    for day in days:  # one day of every child at a time, vectorised draw
        draw = nrng.choice(3, size=children, p=[0.86, 0.08, 0.06])
        rows = [
            (c[1], c[2], day, str(codes[k]), int(k == 1))
            for c, k in zip(contracts, draw, strict=True)
        ]
        for start in range(0, len(rows), 20000):
            cursor.executemany(
                "INSERT INTO lms_mark (bin, iin, mark_date, code, document)"
                " VALUES (%s, %s, %s, %s, %s)",
                rows[start : start + 20000],
            )
        connection.commit()
        marks += len(rows)
    connection.close()
    return {"regions": len(regions), "providers": providers, "children": children,
            "marks": marks, "days": [d.isoformat() for d in days]}  # fmt: skip


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


def ingest(bins, days, batch_size):
    from include.tasks.voucher_ingest import ingest_marks

    return ingest_marks.function(bins, ingest_settings(days, batch_size), run_id="bench")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--pdf-sample", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from include.sandbox.stack import free_port

    env = environment.isolated_environment(PREFIX, free_port())
    env["PIPELINES_RETRY_DELAY_SECONDS"] = "0"
    environment.apply(env)

    from include.sandbox import stack

    children = max(int(CHILDREN_AT_FULL_SCALE * args.scale), 100)
    providers = max(int(PROVIDERS_AT_FULL_SCALE * args.scale), 5)
    db = stack.start_mariadb()
    names = stack.database_names()
    for key in ("pipelines", "sandbox"):
        db.recreate_database(names[key])
    db.load_file(stack.SANDBOX_SCHEMAS / "vouchers.sql", names["sandbox"])
    stack.migrate_pipelines_db()
    print(f"== bench_vouchers: scale {args.scale} -> {children} children, {providers} providers")
    started = time.perf_counter()
    world = generate(children, providers)
    print(
        f"generate: {world['marks']} marks in {time.perf_counter() - started:.1f} s (not a pipeline cost)"
    )

    sandbox = start_sandbox(env)
    figures = {}
    try:
        with fresh_pool(1) as pool:
            _, seconds, mb = pool.submit(in_worker, extract).result()
        print(f"extract_registry: {seconds:.1f} s, peak {mb:.0f} MB")
        figures["extract"] = seconds

        batches = plan(world["days"], max(providers // 8, 1))
        started = time.perf_counter()
        peaks, ingested = [], 0
        with fresh_pool(args.workers) as pool:
            futures = [
                pool.submit(in_worker, ingest, batch, world["days"], len(batch))
                for batch in batches
            ]
            for future in futures:
                result, _, mb = future.result()
                peaks.append(mb)
                ingested += result.get("marks", 0)
        seconds = time.perf_counter() - started
        rate = ingested / seconds
        figures["ingest"] = seconds
        print(
            f"ingest: {ingested} marks from {providers} providers x {len(world['days'])} days in"
            f" {seconds:.1f} s on {args.workers} workers = {rate:,.0f} marks/s;"
            f" peak per task {max(peaks):.0f} MB ({len(batches)} batch tasks)"
        )

        started = time.perf_counter()
        with fresh_pool(1) as pool:
            _, seconds, mb = pool.submit(in_worker, double_funding, world["days"]).result()
        figures["double_funding"] = seconds
        print(
            f"check_double_funding ({len(world['days'])} days): {seconds:.1f} s, peak {mb:.0f} MB"
        )

        started = time.perf_counter()
        with fresh_pool(1) as pool:
            _, risk_s, _ = pool.submit(in_worker, risk).result()
        regions = regions_to_form()
        peaks, acts_count, contracts, computed = [], 0, 0, []
        with fresh_pool(args.workers) as pool:
            futures = [pool.submit(in_worker, compute, region) for region in regions]
            for future in futures:
                result, _, mb = future.result()
                peaks.append(mb)
                acts_count += result["acts"]
                contracts += result["contracts"]
                computed.append(result)
        with fresh_pool(1) as pool:
            checked, check_s, check_mb = pool.submit(in_worker, check, computed).result()
        acts_seconds = time.perf_counter() - started
        figures["acts"] = acts_seconds
        print(
            f"acts: risk rules {risk_s:.1f} s + {len(regions)} region tasks + check_acts"
            f" {check_s:.1f} s = {acts_seconds:.1f} s for {acts_count} acts / {contracts}"
            f" contract lines ({checked['checks']}); peak per region task {max(peaks):.0f} MB,"
            f" check_acts {check_mb:.0f} MB"
        )
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)

    _warm()
    rendered, seconds = render_sample(args.pdf_sample)
    per_pdf = seconds / max(rendered, 1)
    print(f"render: {rendered} act PDFs in {seconds:.1f} s = {per_pdf:.2f} s per act (1 core)")

    factor = 1 / args.scale
    print("\n== extrapolated linearly to the issue's scale (10^6 children, 10^4 providers):")
    print(f"   marks: {world['marks'] * factor:,.0f}")
    print(f"   ingest of the month: {figures['ingest'] * factor / 60:.0f} min at {rate:,.0f} marks/s"
          f" (a day's register: {figures['ingest'] * factor / len(world['days']) / 60:.1f} min)")  # fmt: skip
    print(
        f"   double-funding check: {figures['double_funding'] * factor / len(world['days']):.0f} s per day"
    )
    print(f"   the month's acts (risk + compute + check): {figures['acts'] * factor / 60:.1f} min"
          " (aim: < 10 min)")  # fmt: skip
    print(f"   act PDFs: {per_pdf * PROVIDERS_AT_FULL_SCALE / 60 / args.workers:.0f} min on"
          f" {args.workers} workers for {PROVIDERS_AT_FULL_SCALE} acts")  # fmt: skip
    print(
        f"   peak memory per task grows with a batch/region's size: x{factor:.0f} lines per region"
    )


if __name__ == "__main__":
    main()
