"""Benchmark of `exam_archive`: a session day of exam attempts archived as PDF/A.

The issue's scale is 5 000 finished attempts of 30 questions on one date (20 exam
quizzes x 250 attempts). `--scale 0.1` (the default, to stay within ~5 minutes on a
shared 2-core machine) archives 2 quizzes x 250 attempts and extrapolates; `--scale 1`
runs the full day.

Prints: (1) a profile of one attempt PDF (template, WeasyPrint layout, PDF writing)
for both attempt layouts (`table`, the default, and `compact`); (2) the DAG end to end
with `dag.test()` against a Moodle-schema MariaDB (own databases, prefix
`bench_exam_archive`), once per layout: attempts per second, CPU per attempt, the
quality gate's time and peak memory per task; (3) the same attempts' HTML printed to
PDF by Debian's headless Chromium (`--headless --print-to-pdf`), when installed, and
the ratio. Figures only; nothing is asserted.

    .venv/bin/python bench/bench_exam_archive.py [--scale 1] [--layouts table,compact]
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


def profile_one_attempt(document: dict, repeat: int = 8) -> dict:
    """CPU seconds per attempt PDF, split into its stages (single process), per layout."""
    from include.exams import rendering
    from include.render import pdf

    html_class = pdf._html_class(rendering.USER_AGENT, xhtml=True)

    def stages(layout: str) -> tuple[float, float, float, int]:
        template = layout_seconds = write = 0.0
        for _ in range(repeat):
            t0 = time.process_time()
            html = rendering.attempt_html(document, layout)
            t1 = time.process_time()
            doc = html_class(string=html, base_url=str(pdf.STATIC_DIR)).render(
                stylesheets=[pdf._stylesheet(rendering.STYLESHEET)],
                font_config=pdf._font_config(),
                pdf_variant="pdf/a-3b",
            )
            t2 = time.process_time()
            doc.write_pdf(pdf_variant="pdf/a-3b", pdf_identifier=b"0" * 32)
            t3 = time.process_time()
            template, layout_seconds, write = (
                template + t1 - t0,
                layout_seconds + t2 - t1,
                write + t3 - t2,
            )
            pages = len(doc.pages)
        return template / repeat, layout_seconds / repeat, write / repeat, pages

    rendering.render_attempt_pdf(document)  # warm the caches (fonts, stylesheets)
    return {layout: stages(layout) for layout in rendering.LAYOUTS}


def _render_and_measure(documents: list[dict], layout: str) -> float:
    """In a render worker: render the attempts, return this process's own peak RSS (MB)."""
    import resource

    from include.exams.rendering import render_attempt_chunk

    render_attempt_chunk(documents, layout)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_rss(documents: list[dict], layout: str) -> float:
    """Peak RSS of one spawned render worker, measured inside it (RUSAGE_CHILDREN would
    count the parent's image at fork time, before the worker's exec)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_render_and_measure, documents, layout).result()


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

    css = (STATIC_DIR / rendering.STYLESHEET).read_text(encoding="utf-8")
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


def end_to_end(layout: str, day: str, finished: int, quizzes: int) -> None:
    """One `dag.test()` run of the date with `attempt_layout=layout`; its figures."""
    from tests.airflow_runs import run_dag

    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    started = time.monotonic()
    result = run_dag(
        "exam_archive",
        conf={"date": day, "name_pattern": None, "category_ids": None},
        settings={"attempt_layout": layout},
    )
    wall = time.monotonic() - started
    print(
        f"\n(2) [{layout}] dag.test() end to end: {result.state}; {finished} attempts in "
        f"{wall:.1f} s = {finished / wall:.1f} attempts/s (incl. ~10 s of Airflow start-up)"
    )
    tasks = [t for t in (result.xcom("render_quiz_archive", i) for i in range(quizzes)) if t]
    render_seconds = sum(t["seconds"] for t in tasks)
    rendered = sum(t["attempts"] for t in tasks)
    print(
        f"    render tasks: {len(tasks)} mapped, {render_seconds:.1f} s in all = "
        f"{rendered / render_seconds:.1f} attempts/s while rendering"
    )
    print(
        f"    peak RSS: {max(t['task_peak_rss_mb'] for t in tasks):.0f} MB in the task process "
        "(with dag.test() every task of every run so far shares this process: an upper "
        "bound)"
    )
    cpu = sum(t["cpu_seconds"] for t in tasks)
    cores = os.cpu_count() or 1
    print(
        f"    CPU: {cpu:.1f} s for {rendered} attempts = {cpu / rendered:.3f} CPU s/attempt "
        f"(render workers + task) -> {cores / (cpu / rendered):.1f} attempts/s on {cores} "
        "idle cores (the wall figure above depends on what else the machine runs)"
    )
    for task_id in ("select_exam_attempts", "record_manifest", "check_archive_files"):
        print(f"    {task_id}: {result.duration(task_id):.1f} s")
    full = QUIZZES_AT_FULL_SCALE * ATTEMPTS_PER_QUIZ
    if finished < full:
        print(
            f"    extrapolated to {full} attempts: ~{full / (finished / wall) / 60:.1f} min at "
            f"the measured wall rate, ~{full * cpu / rendered / cores / 60:.1f} min of "
            f"rendering on {cores} idle cores"
        )
    print(
        "    load average after the run (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(
            *os.getloadavg()
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="1 = 5 000 attempts")
    parser.add_argument("--chromium-sample", type=int, default=10)
    parser.add_argument(
        "--layouts", default="table,compact", help="attempt layouts to run end to end"
    )
    args = parser.parse_args()
    quizzes = max(1, round(QUIZZES_AT_FULL_SCALE * args.scale))
    env = bench_environment()
    environment.apply(env)

    from include.sandbox import stack
    from include.sandbox.demo_data.exams import DEMO_DATE

    print(
        f"== exam_archive benchmark: {quizzes} quizzes x {ATTEMPTS_PER_QUIZ} attempts x "
        f"{QUESTIONS} questions on {DEMO_DATE}; {os.cpu_count()} CPU(s)"
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
    print(
        "load average (1, 5, 15 min) before the runs: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    )
    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    stack.migrate_airflow_db(env)

    # (1) profile one attempt of 30 questions (what the optimisation was based on)
    from datetime import UTC, datetime

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
    documents, _ = docs.quiz_documents(data, settings.institution, run)
    profile = profile_one_attempt(documents[0])
    print("\n(1) one attempt PDF, CPU seconds (template / layout / PDF writing = total; pages)")
    for label, (template, layout, write, pages) in profile.items():
        print(
            f"    {label:10s}: {template:.3f} / {layout:.3f} / {write:.3f} = "
            f"{template + layout + write:.3f} s; {pages} page(s)"
        )

    for layout in args.layouts.split(","):
        sample = documents[:100]
        print(
            f"    [{layout}] one render worker after {len(sample)} attempts: peak RSS "
            f"{worker_peak_rss(sample, layout):.0f} MB (measured inside the worker)"
        )

    # (2) the DAG end to end, once per layout
    finished = selection["counts"]["finished"]
    for layout in args.layouts.split(","):
        end_to_end(layout, DEMO_DATE.isoformat(), finished, len(selection["quizzes"]))

    # (3) headless Chromium on the same attempts' HTML
    sample = documents[: args.chromium_sample]
    chromium = chromium_seconds_per_attempt(sample)
    weasy = sum(profile["table"][:3])
    print("\n(3) headless Chromium --print-to-pdf, one browser per attempt, same HTML + CSS")
    if chromium is None:
        print("    chromium is not installed (apt-get install -y chromium): skipped")
    else:
        seconds, cpu, size = chromium
        print(
            f"    {len(sample)} attempts: Chromium {cpu:.2f} CPU s/attempt ({seconds:.2f} s wall, "
            f"{size // 1024} KB each) vs WeasyPrint {weasy:.2f} CPU s/attempt: Chromium needs "
            f"{cpu / weasy:.1f}x the CPU per attempt ({seconds / weasy:.1f}x in wall time)"
        )


if __name__ == "__main__":
    main()
