"""The tasks of `exam_archive`: Moodle's database, the store and the project DB around
the pure rules of `include.exams` (selection, documents, layout, gate, rendering).

Every task after `resolve_settings` receives that task's settings (`settings`) and
`resolve_archive_date`'s run (`run`: date, zone, window) as arguments.
"""

from __future__ import annotations

import logging
import os
import resource
import time

from airflow.sdk import get_current_context, task

from include.assets import EXAM_ARCHIVE
from include.config import ExamArchiveSettings
from include.connectors.hooks import moodle_db, pipelines_db
from include.dag_defaults import HEAVY_TIMEOUT, RENDER_TIMEOUT, mapped_results, run_moment
from include.exams import documents as docs
from include.exams import gate, layout, selection
from include.tasks.settings import settings_of

log = logging.getLogger(__name__)


def _settings(resolved: dict) -> ExamArchiveSettings:
    return settings_of(ExamArchiveSettings, resolved)


def _window(run: dict) -> dict:
    return {"start": run["start"], "end": run["end"]}


def _processes(settings: ExamArchiveSettings) -> int:
    return settings.render_processes or os.cpu_count() or 1


@task(retries=0)
def resolve_archive_date(settings: dict) -> dict:
    """The archived date (the `date` param, else the day before the run in the
    university's zone) and its window in unix seconds."""
    context = get_current_context()
    zone = _settings(settings).timezone
    run = selection.archive_run(run_moment(context), zone, context["params"].get("date"))
    log.info("archiving %s (%s): [%s, %s)", run["date"], zone, run["start"], run["end"])
    return run


@task
def select_exam_attempts(settings: dict, run: dict) -> dict:
    """Exam quizzes with attempts finished on the date, and the day's counts."""
    chosen = _settings(settings)
    moodle = moodle_db()
    try:
        attempts = moodle.read_frame("exam_day_attempts", _window(run))
        categories = moodle.read_frame("exam_categories")
    finally:
        moodle.close()
    columns = ["quiz_id", "quiz_name", "course_id", "course_shortname", "category_id"]
    exams = selection.select_exam_quizzes(
        attempts[columns].drop_duplicates("quiz_id"),
        categories,
        chosen.name_pattern,
        chosen.category_ids,
        chosen.combine,
    )
    exam_attempts = attempts[attempts["quiz_id"].isin(set(exams["quiz_id"]))]
    per_quiz = selection.finished_on(exam_attempts, run["start"], run["end"])
    per_quiz = per_quiz.groupby("quiz_id").size().to_dict()
    items = [
        {
            "quiz_id": int(q.quiz_id),
            "quiz_name": str(q.quiz_name),
            "course_shortname": str(q.course_shortname),
            "attempts": int(per_quiz[q.quiz_id]),
        }
        for q in exams.itertuples(index=False)
        if q.quiz_id in per_quiz
    ]
    counts = selection.day_counts(exam_attempts, run["start"], run["end"])
    counts["exam_quizzes"] = len(items)
    log.info("exams on %s: %s", run["date"], counts)
    return {"quizzes": items, "counts": counts}


@task
def plan_quizzes(selected: dict, settings: dict) -> list[dict]:
    """The day's quizzes in render tasks of at most `render_task_attempts` attempts: one
    mapped task (and one worker pool) per batch, not per quiz."""
    return selection.render_batches(selected["quizzes"], _settings(settings).render_task_attempts)


def read_quiz(moodle, quiz_id: int, run: dict) -> dict:
    """The frames of one quiz's attempts finished in the run's window (their questions
    and steps read by the attempts' question usages)."""
    attempts = moodle.read_frame("exam_quiz_attempts", {"quiz_id": quiz_id, **_window(run)})
    # a tuple is the client's `IN (...)` list; (None,) is `IN (NULL)`: no attempt, no row
    usages = {"usage_ids": tuple(int(u) for u in attempts["usage_id"]) or (None,)}
    return {
        "quiz": moodle.read_frame("exam_quiz", {"quiz_id": quiz_id}).iloc[0].to_dict(),
        "attempts": attempts,
        "question_attempts": moodle.read_frame("exam_question_attempts", usages),
        "steps": moodle.read_frame("exam_question_steps", usages),
        "categories": moodle.read_frame("exam_categories"),
    }


def _folder(quiz: dict, run: dict) -> str:
    return layout.quiz_folder(
        run["date"], quiz["course_shortname"], quiz["quiz_id"], quiz["quiz_name"]
    )


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the render workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_rss_mb() -> float:
    """This task process's peak RSS. (The workers' is not taken from RUSAGE_CHILDREN: it
    counts the parent's image at fork time, before a spawned worker's exec.)"""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _rendered_quizzes(moodle, quizzes: list[dict], chosen: ExamArchiveSettings, run: dict):
    """`(key, documents, summary)` per quiz, read from Moodle one quiz at a time."""
    for item in quizzes:
        data = read_quiz(moodle, item["quiz_id"], run)
        documents, summary = docs.quiz_documents(data, chosen.institution, run)
        yield (data["quiz"], documents, summary), documents, summary


@task(map_index_template="{{ quiz_label }}", execution_timeout=RENDER_TIMEOUT, queue="render")
def render_quiz_archive(item: dict, settings: dict, run: dict) -> dict:
    """Render a batch of quizzes' attempt PDFs and summary sheets into the store in one
    long-lived worker pool; each PDF is checked by the worker that made it. Manifest rows
    and the gate's checks back."""
    from contextlib import nullcontext

    from include.exams.rendering import POOL_FROM, render_quizzes
    from include.render.worker_pool import isolated_process_pool, workers_peak_rss_mb
    from include.storage import store_path, write_bytes_if_changed

    get_current_context()["quiz_label"] = item["label"]
    chosen = _settings(settings)
    engine, processes = chosen.pdf_engine, _processes(chosen)
    started, cpu_started = time.monotonic(), _cpu_seconds()
    pooled = processes > 1 and item["attempts"] >= POOL_FROM[engine]
    rows, checks, written, workers, attempts, pending = [], [], 0, 0, 0, 0
    moodle = moodle_db()
    try:
        with isolated_process_pool(processes) if pooled else nullcontext() as pool:
            workers = processes if pool is not None else 0
            quizzes = _rendered_quizzes(moodle, item["quizzes"], chosen, run)
            for (quiz, documents, summary), pdfs, summary_pdf in render_quizzes(
                quizzes, pool, processes, chosen.attempt_layout, engine
            ):
                folder, names = _folder(quiz, run), layout.attempt_file_names(documents)
                files = [
                    (f"{folder}/{names[d['attempt_id']]}", "attempt", pdf, d)
                    for d, pdf in zip(documents, pdfs, strict=True)
                ]
                files.append((f"{folder}/{layout.SUMMARY_NAME}", "summary", summary_pdf, summary))
                for relative, kind, (pdf, check), document in files:
                    written += write_bytes_if_changed(store_path(relative), pdf)
                    row = layout.manifest_row(
                        relative, kind, check["sha256"], check["bytes"], document
                    )
                    rows.append(row)
                    checks.append({"path": relative, **check})
                attempts += len(documents)
                pending += sum(1 for d in documents if not d["grading_finished"])
            worker_rss = workers_peak_rss_mb(pool, processes)
    finally:
        moodle.close()
    seconds = time.monotonic() - started  # after the pool's shutdown: its CPU is counted
    result = {
        "quizzes": len(item["quizzes"]),
        "rows": rows,
        "checks": checks,
        "attempts": attempts,
        "grading_not_finished": pending,
        "written": written,
        "pdf_engine": engine,
        "render_pool_workers": workers,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(_cpu_seconds() - cpu_started, 2),
        "attempts_per_second": round(attempts / seconds, 2) if seconds else None,
        "task_peak_rss_mb": _peak_rss_mb(),
        "worker_peak_rss_mb": worker_rss,
    }
    log.info(
        "%s: %s", item["label"], {k: v for k, v in result.items() if k not in ("rows", "checks")}
    )
    return result


@task(trigger_rule="none_failed", outlets=[EXAM_ARCHIVE])
def record_manifest(results, run: dict) -> dict:
    """Write the date's manifest, remove PDFs of the date no longer archived, record the
    files in the project DB (the date's rows replaced as a whole); emit the asset event."""
    from include.assets import emit, exam_archive_extra
    from include.storage import relative_name, store_path, write_bytes_if_changed

    results = mapped_results(results)
    rows = [row for result in results if result for row in result["rows"]]
    prefix = layout.date_folder(run["date"])
    csv_bytes, json_bytes = layout.manifest_bytes(rows, prefix)
    csv_path = store_path(prefix, f"{layout.MANIFEST_NAME}.csv")
    json_path = store_path(prefix, f"{layout.MANIFEST_NAME}.json")
    write_bytes_if_changed(csv_path, csv_bytes)
    write_bytes_if_changed(json_path, json_bytes)
    keep = {row["path"] for row in rows}
    pruned = []
    for pdf in sorted(csv_path.parent.rglob("*.pdf"), key=str):
        relative = f"{prefix}/{relative_name(pdf, csv_path.parent)}"
        if relative not in keep:
            pdf.unlink()
            pruned.append(relative)
    if pruned:
        log.info("removed %d PDF(s) no longer archived for %s", len(pruned), run["date"])
    state = pipelines_db()
    try:
        with state.transaction() as cursor:
            cursor.execute(state.query("exam_archive_clear_date"), {"archive_date": run["date"]})
            insert = state.query("exam_archive_insert_file")
            for start in range(0, len(rows), 1000):  # MySQLdb makes each chunk one INSERT
                chunk = rows[start : start + 1000]
                cursor.executemany(insert, [{**row, "archive_date": run["date"]} for row in chunk])
    finally:
        state.close()
    manifest = {
        "manifest_csv": str(csv_path),
        "manifest_json": str(json_path),
        "files": len(rows),
        "pruned": len(pruned),
    }
    quizzes = sum(r["quizzes"] for r in results if r)
    emit(EXAM_ARCHIVE, exam_archive_extra(run, manifest, quizzes))
    return manifest


def _expected_files(run: dict, quizzes: list[dict]) -> dict:
    """Attempt PDF path -> student's name, recomputed from Moodle's attempts (the quiz and
    its attempts only, not their questions), one quiz at a time."""
    expected: dict[str, str] = {}
    moodle = moodle_db()
    try:
        for item in quizzes:
            params = {"quiz_id": item["quiz_id"], **_window(run)}
            quiz = moodle.read_frame("exam_quiz", {"quiz_id": item["quiz_id"]}).iloc[0].to_dict()
            people = docs.attempt_people(moodle.read_frame("exam_quiz_attempts", params))
            folder, names = _folder(quiz, run), layout.attempt_file_names(people)
            for person in people:
                expected[f"{folder}/{names[person['attempt_id']]}"] = person["student_name"]
    finally:
        moodle.close()
    return expected


@task(retries=2, trigger_rule="none_failed", execution_timeout=HEAVY_TIMEOUT)
def check_archive_files(run: dict, selected: dict, results, _manifest: dict) -> dict:
    """The quality gate: expected attempt PDFs (recomputed from Moodle), the files found in
    the store and the manifest must agree; every file opens, has pages, names the student,
    and its size in the store is the size its worker rendered. The facts about each file
    come from the worker that made it (render_quiz_archive's `checks`): the store is
    listed, no PDF is read back. Moodle's errors are retried; a failed check fails the
    task at once (no retry)."""
    import json

    from airflow.sdk.exceptions import AirflowFailException

    from include.quality import DataQualityError, check_frame, require
    from include.storage import relative_name, store_path

    expected = _expected_files(run, selected["quizzes"])
    prefix = layout.date_folder(run["date"])
    manifest_path = store_path(prefix, f"{layout.MANIFEST_NAME}.json")
    base = manifest_path.parent
    manifest = {}
    if manifest_path.exists():
        with manifest_path.open("r") as handle:
            manifest = {f"{prefix}/{r['path']}": r["sha256"] for r in json.load(handle)}
    found = {f"{prefix}/{relative_name(p, base)}": p.stat().st_size for p in base.rglob("*.pdf")}
    checks = {c["path"]: c for r in mapped_results(results) if r for c in r["checks"]}
    for path, check in checks.items():
        if check["error"]:  # the parser's own words, next to the gate's verdict below
            log.warning("%s does not open: %s", path, check["error"])
    frame = gate.files_frame(expected, found, manifest, checks)
    report = check_frame(
        frame, gate.file_expectations(), f"exam_archive_files_{run['date']}", name_column="path"
    )
    summary = {
        "expected": len(expected),
        "found": int((frame["found"] & (frame["kind"] == gate.ATTEMPT_KIND)).sum()),
        "files_checked": int(frame["checked"].sum()),
        "files_read_back": 0,
        "failures": len(report.failures),
    }
    try:
        require(report)
    except DataQualityError as exc:
        raise AirflowFailException(str(exc)) from exc
    log.info(
        "quality gate passed: %d of %d expected attempt PDFs found, %d checked by their workers",
        summary["found"], summary["expected"], summary["files_checked"],
    )  # fmt: skip
    return summary


@task(retries=0, trigger_rule="all_done")
def report_exam_archive(run, selected, results, manifest, gate_result) -> dict:
    """The run's report row; a failed gate or quiz is reported, then fails the run."""
    from airflow.sdk.exceptions import AirflowFailException

    from include.reporting import plural, record_run_report

    selected = selected or {"quizzes": [], "counts": {}}
    results = [r for r in mapped_results(results) if r]
    counts = dict(selected["counts"])
    counts["archived"] = sum(r["attempts"] for r in results)
    counts["grading_not_finished"] = sum(r["grading_not_finished"] for r in results)
    counts["files_written"] = sum(r["written"] for r in results)
    counts["summaries"] = sum(r["quizzes"] for r in results)
    if results:
        counts["task_peak_rss_mb"] = max(r["task_peak_rss_mb"] for r in results)
    problems = []
    if counts["summaries"] < len(selected["quizzes"]):
        missing = len(selected["quizzes"]) - counts["summaries"]
        problems.append(f"{plural(missing, 'quiz', 'quizzes')} not archived")
    if manifest is None:
        problems.append("manifest not written")
    if gate_result is None:
        problems.append("quality gate failed (see check_archive_files)")
    unfinished = sum(counts.get(s, 0) for s in selection.UNFINISHED_STATES)
    summary = (
        f"{run['date'] if run else '?'}: {plural(counts['archived'], 'attempt PDF')} in "
        f"{plural(counts['summaries'], 'quiz', 'quizzes')}; {counts['grading_not_finished']} "
        f"awaiting manual grading; {plural(unfinished, 'unfinished attempt')} not archived"
    )
    if problems:
        summary += "; FAILED: " + "; ".join(problems)
    outputs = {}
    if manifest:
        outputs = {
            "archive": str(manifest["manifest_csv"]).rsplit("/", 1)[0],
            "manifest_csv": manifest["manifest_csv"],
            "manifest_json": manifest["manifest_json"],
        }
    status = "failed" if problems else "success"
    row = record_run_report(get_current_context(), summary, counts, outputs, status=status)
    if problems:
        raise AirflowFailException(summary)
    return row
