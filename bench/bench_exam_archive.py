"""Benchmark of `exam_archive`: a session day of exam attempts archived as PDF/A.

The issue's scale is 5 000 finished attempts of 30 questions on one date (20 exam
quizzes x 250 attempts, plus the real attempts of sample-data.sql: 5 053 at `--scale 1`).
`--scale 0.1` (the default, to stay within a few minutes on a shared 2-core machine)
archives 2 quizzes x 250 attempts.

Prints, each figure with the 1-minute load average beside it (the machine is shared):
(1) CPU per attempt PDF rendered and checked in one process, per engine and layout
(Typst with its warm compiler), over distinct attempts; (2) the DAG end to end with
`dag.test()` (the same task functions the scheduler runs, in this process; Airflow's
one-time start-up taken first by a run of an empty date and printed apart) against a Moodle-schema MariaDB (own databases, prefix `bench_exam_archive`), once per
`--configs` entry (`engine:layout`): attempts per second, the render task's time and CPU,
the quality gate's time (no PDF read back), peak memory of the task process and of one
render worker; (3) the same attempts' HTML printed to PDF by headless Chromium
(`--headless --print-to-pdf`, one browser per attempt, the peer archivers' way) when
installed. Ends with one JSON line of the figures. Nothing is asserted.

    .venv/bin/python bench/bench_exam_archive.py [--scale 1] [--configs typst:table,weasyprint:compact]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from include.sandbox import environment  # noqa: E402

PREFIX = "bench_exam_archive"
QUIZZES_AT_FULL_SCALE = 20
ATTEMPTS_PER_QUIZ = 250
QUESTIONS = 30


def bench_environment() -> dict[str, str]:
    """The demo environment with this benchmark's own databases, store and Airflow home."""
    env = environment.stack_environment("bench")
    for name, value in list(env.items()):
        if name.startswith("AIRFLOW_CONN_") or name == "SANDBOX_DB":
            settings = json.loads(value)
            if "schema" in settings and settings.get("conn_type", "mysql") == "mysql":
                settings["schema"] = f"{PREFIX}_{settings['schema']}"
                env[name] = json.dumps(settings)
    env.update(environment.airflow_settings(environment.LOCAL_DIR / f"airflow-{PREFIX}"))
    env["PIPELINES_STORE_URL"] = f"file://{environment.LOCAL_DIR / f'store-{PREFIX}'}"
    env["PIPELINES_RETRY_DELAY_SECONDS"] = "0"
    return env


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def profile_one_attempt(documents: list[dict], configs: list[tuple[str, str]]) -> dict:
    """CPU seconds per attempt PDF rendered and checked as a worker does, per config, over
    distinct attempts (Typst memoises: the same attempt again would cost a fifth)."""
    from include.exams.rendering import render_checked_chunk

    figures = {}
    for engine, layout in configs:
        render_checked_chunk(documents[:1], layout, engine)  # warm: fonts, stylesheets
        sample = documents[1 : 41 if engine == "typst" else 9]
        started = time.process_time()
        render_checked_chunk(sample, layout, engine)
        figures[f"{engine}:{layout}"] = (time.process_time() - started) / len(sample)
    return figures


def worker_peak_rss(documents: list[dict], layout: str, engine: str) -> float:
    """Peak RSS of one render worker of the task's own kind of pool
    (include/render/worker_pool.py) after rendering and checking `documents`."""
    from include.exams.rendering import render_checked_chunk
    from include.render.worker_pool import isolated_process_pool, workers_peak_rss_mb

    with isolated_process_pool(1) as pool:
        pool.submit(render_checked_chunk, documents, layout, engine).result()
        return workers_peak_rss_mb(pool, 1)


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_seconds_per_attempt(documents: list[dict]) -> tuple[float, float, int] | None:
    """Wall seconds per attempt printed by headless Chromium, one browser per attempt (as
    an archiver driving a browser page per attempt does), the same HTML and CSS."""
    binary = chromium_binary()
    if not binary:
        return None
    from include.exams import rendering
    from include.render.pdf import STATIC_DIR

    css = (STATIC_DIR / rendering.EXAM_STYLESHEET).read_text(encoding="utf-8")
    import resource

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    with tempfile.TemporaryDirectory() as folder:
        started, cpu_started = time.monotonic(), children_cpu()
        for index, document in enumerate(documents):
            html = rendering.attempt_html(document).replace(
                "</head>", f"<style>{css}</style></head>", 1
            )
            source = Path(folder) / f"a{index}.html"
            source.write_text(html, encoding="utf-8")
            subprocess.run(
                [
                    binary,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={folder}/a{index}.pdf",
                    source.as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        elapsed, cpu = time.monotonic() - started, children_cpu() - cpu_started
        size = sum(p.stat().st_size for p in Path(folder).glob("*.pdf"))
    return elapsed / len(documents), cpu / len(documents), size // max(1, len(documents))


def end_to_end(engine: str, layout: str, day: str, finished: int, sample: list) -> dict:
    """One `dag.test()` run of the date with `pdf_engine=engine`, `attempt_layout=layout`
    on an empty store; its figures."""
    from tests.airflow_runs import run_dag

    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    load_before = load1()
    started = time.monotonic()
    result = run_dag(
        "exam_archive",
        conf={"date": day, "name_pattern": None, "category_ids": None},
        settings={"attempt_layout": layout, "pdf_engine": engine},
    )
    wall = time.monotonic() - started
    label = f"{engine}:{layout}"
    batches = result.xcom("plan_quizzes") or []
    tasks = [t for t in (result.xcom("render_quiz_archive", i) for i in range(len(batches))) if t]
    rendered = sum(t["attempts"] for t in tasks)
    render_seconds = sum(t["seconds"] for t in tasks)
    cpu = sum(t["cpu_seconds"] for t in tasks)
    worker_mb = worker_peak_rss(sample, layout, engine)
    figures = {
        "state": result.state,
        "attempts": rendered,
        "wall_s": round(wall, 1),
        "attempts_per_s": round(finished / wall, 1),
        "render_tasks": len(tasks),
        "render_s": round(render_seconds, 1),
        "render_attempts_per_s": round(rendered / render_seconds, 1) if render_seconds else None,
        "cpu_s_per_attempt": round(cpu / rendered, 4) if rendered else None,
        "gate_s": round(result.duration("check_archive_files"), 1),
        "record_manifest_s": round(result.duration("record_manifest"), 1),
        "select_s": round(result.duration("select_exam_attempts"), 1),
        "task_peak_rss_mb": max((t["task_peak_rss_mb"] for t in tasks), default=None),
        "task_workers_peak_rss_mb": max(
            (t["worker_peak_rss_mb"] or 0 for t in tasks), default=None
        ),
        "worker_peak_rss_mb": round(worker_mb),
        "load1_before": load_before,
        "load1_after": load1(),
    }
    print(
        f"\n(2) [{label}] dag.test() end to end: {result.state}; {finished} attempts in "
        f"{wall:.1f} s = {figures['attempts_per_s']} attempts/s "
        f"[load {load_before} -> {figures['load1_after']}]"
    )
    print(
        f"    render: {len(tasks)} task(s), one pool each, {render_seconds:.1f} s = "
        f"{figures['render_attempts_per_s']} attempts/s while rendering and checking; "
        f"{figures['cpu_s_per_attempt']} CPU s/attempt (task + workers)"
    )
    print(
        f"    select_exam_attempts {figures['select_s']} s, record_manifest "
        f"{figures['record_manifest_s']} s, check_archive_files {figures['gate_s']} s "
        "(the workers' checks: no PDF read back)"
    )
    print(
        f"    peak RSS: task process {figures['task_peak_rss_mb']} MB (dag.test(): every task "
        f"so far shares this process, an upper bound); the task's render workers "
        f"{figures['task_workers_peak_rss_mb']} MB at the end; a fresh worker "
        f"{figures['worker_peak_rss_mb']} MB after {len(sample)} attempts"
    )
    return figures


def under_the_scheduler(
    env: dict[str, str], configs: list[tuple[str, str]], day: str, finished: int
) -> dict:
    """The same runs under `airflow standalone` (scheduler, dag-processor, API server,
    LocalExecutor, the task runner), as tests/e2e does: settings as the Variable, the run
    triggered and read back over REST; its wall time is the run's start to end."""
    from include.sandbox import stack
    from tests.e2e.airflow_api import AirflowApi

    home = environment.LOCAL_DIR / f"airflow-{PREFIX}-standalone"
    started = time.monotonic()
    port, pid_file, _ = stack.start_airflow_for_triggered_runs(env, home, task_slots=None)
    figures = {}
    try:
        api = AirflowApi(port, home)
        api.wait_for_dags(["exam_archive"])
        api.unpause("exam_archive")
        print(f"\n(2s) airflow standalone up in {time.monotonic() - started:.0f} s "
              f"[load {load1()}]")  # fmt: skip
        for engine, layout in configs:
            shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
            api.set_variable("exam_archive", {"pdf_engine": engine, "attempt_layout": layout})
            load_before = load1()
            run_id = api.trigger("exam_archive", {"date": day})
            outcome = api.wait_for_run("exam_archive", run_id, timeout=3600)
            run = outcome.run
            wall = (
                datetime.fromisoformat(run["end_date"]) - datetime.fromisoformat(run["start_date"])
            ).total_seconds()
            durations = {}
            for ti in outcome.task_instances:
                durations[ti["task_id"]] = durations.get(ti["task_id"], 0) + (ti["duration"] or 0)
            figures[f"{engine}:{layout}"] = {
                "state": outcome.state,
                "wall_s": round(wall, 1),
                "attempts_per_s": round(finished / wall, 1),
                "render_s": round(durations.get("render_quiz_archive", 0), 1),
                "gate_s": round(durations.get("check_archive_files", 0), 1),
                "load1_before": load_before,
                "load1_after": load1(),
            }
            f = figures[f"{engine}:{layout}"]
            print(
                f"    [{engine}:{layout}] under the scheduler: {outcome.state}; {finished} "
                f"attempts in {wall:.1f} s (the run's start to end) = {f['attempts_per_s']} "
                f"attempts/s; render task {f['render_s']} s, gate {f['gate_s']} s "
                f"[load {load_before} -> {f['load1_after']}]"
            )
    finally:
        stack.stop_process_group(pid_file)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="1 = 5 000 attempts")
    parser.add_argument("--chromium-sample", type=int, default=10)
    parser.add_argument(
        "--configs",
        default="typst:table,weasyprint:compact",
        help="engine:layout pairs to run end to end (weasyprint:table is the slowest)",
    )
    parser.add_argument(
        "--scheduler",
        action="store_true",
        help="also run the configs under airflow standalone (the real scheduler), over REST",
    )
    parser.add_argument(
        "--no-dag-test", action="store_true", help="skip the dag.test() runs (with --scheduler)"
    )
    args = parser.parse_args()
    configs = [tuple(c.split(":")) for c in args.configs.split(",")]
    quizzes = max(1, round(QUIZZES_AT_FULL_SCALE * args.scale))
    env = bench_environment()
    environment.apply(env)

    from include.sandbox import stack
    from include.sandbox.demo_data.exams import DEMO_DATE

    print(
        f"== exam_archive benchmark: {quizzes} quizzes x {ATTEMPTS_PER_QUIZ} attempts x "
        f"{QUESTIONS} questions on {DEMO_DATE}; {os.cpu_count()} CPU(s); load {load1()}"
    )
    db = stack.start_mariadb()
    started = time.monotonic()
    stack.reset_data(
        db,
        sizes={
            "exam_quizzes": quizzes,
            "exam_attempts_per_quiz": ATTEMPTS_PER_QUIZ,
            "exam_questions": QUESTIONS,
        },
    )
    print(f"seeded Moodle-schema databases in {time.monotonic() - started:.1f} s")
    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    stack.migrate_airflow_db(env)

    from datetime import UTC

    from include.config import ExamArchiveSettings
    from include.connectors.hooks import moodle_db
    from include.exams import documents as docs
    from include.exams import selection as exam_selection
    from include.tasks import exam_archive as tasks

    settings = ExamArchiveSettings()
    resolved = settings.model_dump(mode="json")
    run = exam_selection.archive_run(datetime.now(UTC), settings.timezone, DEMO_DATE.isoformat())
    selection = tasks.select_exam_attempts.function(resolved, run)
    biggest = max(selection["quizzes"], key=lambda q: q["attempts"])
    moodle = moodle_db()
    try:
        data = tasks.read_quiz(moodle, biggest["quiz_id"], run)
    finally:
        moodle.close()
    started = time.process_time()
    documents, _ = docs.quiz_documents(data, settings.institution, run)
    building = (time.process_time() - started) / len(documents)
    profiled = sorted({*configs, ("typst", "table"), ("weasyprint", "compact"),
                       ("weasyprint", "table")})  # fmt: skip
    profile = profile_one_attempt(documents, profiled)
    print(f"\n(1) one attempt of {QUESTIONS} questions, CPU s per PDF rendered and checked "
          f"in one process [load {load1()}]")  # fmt: skip
    for label, seconds in profile.items():
        print(f"    {label:20s}: {seconds:.4f} s")
    print(f"    its context built from Moodle's frames: {building:.4f} s per attempt")

    finished = selection["counts"]["finished"]
    from tests.airflow_runs import run_dag

    started = time.monotonic()  # Airflow's one-time start-up in this process, kept apart
    if not args.no_dag_test:
        warm = run_dag("exam_archive", conf={"date": "2026-09-06"})  # a Sunday: no attempts
    startup = time.monotonic() - started
    if not args.no_dag_test:
        print(f"\n    warm-up run of an empty date ({warm.state}): {startup:.1f} s, Airflow's "
              f"and the libraries' start-up in this process, not counted below "
              f"[load {load1()}]")  # fmt: skip
    runs = {}
    for engine, layout in [] if args.no_dag_test else configs:
        runs[f"{engine}:{layout}"] = end_to_end(
            engine, layout, DEMO_DATE.isoformat(), finished, documents[:100]
        )

    scheduled = None
    if args.scheduler:
        scheduled = under_the_scheduler(env, configs, DEMO_DATE.isoformat(), finished)

    sample = documents[: args.chromium_sample]
    chromium = chromium_seconds_per_attempt(sample)
    print(f"\n(3) headless Chromium --print-to-pdf, one browser per attempt, same HTML + CSS "
          f"[load {load1()}]")  # fmt: skip
    chromium_figures = None
    if chromium is None:
        print("    chromium is not installed (apt-get install -y chromium): skipped")
    else:
        seconds, cpu, size = chromium
        chromium_figures = {"wall_s_per_attempt": round(seconds, 3),
                            "cpu_s_per_attempt": round(cpu, 3), "kb": size // 1024,
                            "load1": load1()}  # fmt: skip
        for label, own in profile.items():
            print(f"    vs {label}: Chromium needs {cpu / own:.0f}x the CPU per attempt")
        print(
            f"    {len(sample)} attempts: Chromium {cpu:.2f} CPU s/attempt ({seconds:.2f} s "
            f"wall, {size // 1024} KB each)"
        )
    print(
        json.dumps(
            {
                "bench": "exam_archive",
                "scale": args.scale,
                "attempts": finished,
                "questions": QUESTIONS,
                "cpus": os.cpu_count(),
                "cpu_s_per_pdf": {k: round(v, 4) for k, v in profile.items()},
                "context_cpu_s_per_attempt": round(building, 4),
                "warm_up_run_s": round(startup, 1),
                "end_to_end": runs,
                "under_the_scheduler": scheduled,
                "chromium": chromium_figures,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
