"""
# exam_archive

## Purpose
Archives the exam results of one date as PDF/A (specs/exam-archive.md; the seed's
"Массовое формирование и сохранение результатов экзаменов в PDF-формате по выбранной
дате"). An exam is a quiz whose name matches a pattern (экзамен, зачёт / зачет, exam)
and/or whose course is in configured categories. Every attempt **finished** on the date
(in the university's time zone; previews never count) gets one PDF: institution,
faculty / category, course, quiz, student (full name, idnumber, group), attempt number,
start, finish, time taken, grade scaled to the quiz's maximum, and one row per question
in slot order (question, response, right answer, mark / max from the last step of the
question attempt, state). A question awaiting manual grading is shown as such and the
attempt is marked "оценивание не завершено" in its PDF, the summary and the manifest.
Each quiz also gets a summary sheet ("ведомость") of every archived attempt.

Tasks: `resolve_archive_date` → `select_exam_attempts` → `plan_quizzes` →
`render_quiz_archive` (dynamic task mapping, one task per quiz; a quiz of 24
attempts or more renders in one process pool per task, whose workers import only the
renderer, never Airflow, so it works alike under the task runner, a Celery worker and
`dag.test()`) → `record_manifest` → `check_archive_files` (quality gate) →
`report_exam_archive`.

## Schedule
Daily at 03:00 in the university's time zone (`Europe/Moscow`, the DAG's cron
timetable); each scheduled run archives the previous local day. Attempts finished up to
23:59:59 local time belong to that day, whatever the server's time zone.

## Settings
Variable `exam_archive` (`ExamArchiveSettings`, JSON): `timezone` (IANA, default
`Europe/Moscow`: what "a date" means; keep it equal to the schedule's zone),
`name_pattern` (case-insensitive regex, default `экзамен|зач[её]т|exam`; `''` = names not
used), `category_ids` (category ids, subcategories included), `combine` (`or` / `and`),
`institution` (printed on every PDF), `render_processes` (PDF workers per mapped task;
0 = one per CPU), `attempt_layout` (`table`, the default: one six-column table row per
question; `compact`: one numbered line per question with the same six fields, about
2.5x less CPU per PDF and 1.8x the attempts per second end to end, for session days
that must finish within the night on few cores). A bad value fails the run at once
naming the field.

## Params
- `date` (date picker): archive this date instead of the previous day.
- `name_pattern`, `category_ids`: override the settings for this run.

Manual run for a date: trigger with `{"date": "2026-11-23"}` in the form, or
`airflow dags trigger exam_archive --conf '{"date": "2026-11-23"}'`.

## Outputs
In the archive store (`PIPELINES_STORE_URL`):
`exams/YYYY/MM/DD/<course shortname>/<quiz id>-<quiz slug>/<idnumber or user id>-<attempt>.pdf`,
`summary.pdf` per quiz, and `exams/YYYY/MM/DD/manifest.csv` / `manifest.json` (path,
kind, sha256, bytes, quiz_id, attempt_id, user_id, grade, grading_finished). The table
`exam_archive_file` (pipelines DB) holds the same rows; the run report counts archived,
awaiting grading, in-progress / overdue / abandoned and preview attempts.
Asset `exam_archive` (include/assets.py): one event per date archived, its extra the
date, files, quizzes, pruned PDFs, the date's store folder and manifest.

## Data quality
`check_archive_files` blocks the run unless there is exactly one PDF per finished
attempt (recomputed from Moodle), no more, no less; every PDF opens, has at least one
page and contains the student's name; every manifest hash matches its file. The files
are read back with PDFium; the rules are a Great Expectations suite over one row per
file, and each failed check names its files.

## Re-run and backfill
No input from another DAG (Moodle's database only), so no upstream-coverage gate.
Idempotent: a re-run for a date rewrites the same paths; unchanged attempts give
byte-identical PDFs (dates and the PDF identifier come from the data, never the clock)
and identical manifest hashes; attempts graded since then get their final grade;
PDFs of the date that are no longer archived are removed. A range of dates is an
ordinary backfill, one run (one date) per schedule point:
`airflow backfill create --dag-id exam_archive --from-date 2026-11-02 --to-date 2026-11-08`
(the run at 03:00 on the 2nd archives the 1st, and so on; see docs/exam_archive.md).
A date without exam attempts (a Sunday) succeeds with an empty manifest.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task

from include.assets import EXAM_ARCHIVE
from include.dag_defaults import (
    HEAVY_TIMEOUT,
    RENDER_TIMEOUT,
    default_args,
    mapped_results,
    run_failed_mail,
    run_moment,
)

DAG_ID = "exam_archive"
UNIVERSITY_TZ = "Europe/Moscow"


def _settings():
    from include.config import ExamArchiveSettings, load_settings

    return load_settings(ExamArchiveSettings, DAG_ID, get_current_context()["params"])


@dag(
    dag_id=DAG_ID,
    description="Archive one date's finished exam attempts as PDF/A, one file per attempt",
    doc_md=__doc__,
    schedule=CronTriggerTimetable("0 3 * * *", timezone=UNIVERSITY_TZ),
    start_date=pendulum.datetime(2026, 9, 1, tz=UNIVERSITY_TZ),
    catchup=False,
    max_active_runs=2,
    default_args=default_args(),
    on_failure_callback=run_failed_mail(),
    tags=["exams", "moodle"],
    params={
        "date": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Archive the attempts finished on this date (default: the day before the run)",
        ),
        "name_pattern": Param(
            None,
            type=["null", "string"],
            description="Regular expression on quiz names for this run (default: the setting)",
        ),
        "category_ids": Param(
            None,
            type=["null", "array"],
            items={"type": "integer"},
            description="Course category ids whose quizzes are exams (default: the setting)",
        ),
    },
)
def exam_archive():
    @task(retries=0)
    def resolve_archive_date() -> dict:
        from include.exams.archive_steps import resolve_run

        context = get_current_context()
        logical = run_moment(context)
        return resolve_run(_settings(), logical, context["params"].get("date"))

    @task
    def select_exam_attempts(run: dict) -> dict:
        from include.exams.archive_steps import select_attempts

        return select_attempts(_settings(), run)

    @task
    def plan_quizzes(selected: dict) -> list[dict]:
        return selected["quizzes"]

    @task(map_index_template="{{ quiz_label }}", execution_timeout=RENDER_TIMEOUT, queue="render")
    def render_quiz_archive(item: dict, run: dict) -> dict:
        from include.exams.archive_steps import archive_quiz

        context = get_current_context()
        context["quiz_label"] = f"{item['course_shortname']} / {item['quiz_id']}"
        return archive_quiz(item, _settings(), run)

    @task(trigger_rule="none_failed", outlets=[EXAM_ARCHIVE])
    def record_manifest(results, run: dict) -> dict:
        from include.assets import emit, exam_archive_extra
        from include.exams.archive_steps import record_manifest as record

        results = mapped_results(results)
        manifest = record(results, run)
        emit(EXAM_ARCHIVE, exam_archive_extra(run, manifest, sum(1 for r in results if r)))
        return manifest

    @task(retries=0, trigger_rule="none_failed", execution_timeout=HEAVY_TIMEOUT)
    def check_archive_files(run: dict, selected: dict, _manifest: dict) -> dict:
        from include.exams.archive_steps import check_archive

        return check_archive(_settings(), run, selected["quizzes"])

    @task(retries=0, trigger_rule="all_done")
    def report_exam_archive(run, selected, results, manifest, gate_result):
        from include.exams.archive_steps import report

        return report(get_current_context(), run, selected, results, manifest, gate_result)

    run = resolve_archive_date()
    selected = select_exam_attempts(run)
    quizzes = plan_quizzes(selected)
    results = render_quiz_archive.partial(run=run).expand(item=quizzes)
    manifest = record_manifest(results, run)
    gate_result = check_archive_files(run, selected, manifest)
    report_exam_archive(run, selected, results, manifest, gate_result)


exam_archive()
