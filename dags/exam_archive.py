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

Tasks (include/tasks/exam_archive.py): `resolve_settings` → `resolve_archive_date` →
`select_exam_attempts` → `plan_quizzes` →
`render_quiz_archive` (dynamic task mapping, one task per batch of quizzes of at most
`render_task_attempts` attempts, a whole day by default; each task keeps one long-lived
pool of workers that import only the renderer, never Airflow, so it works alike under
the task runner, a Celery worker and `dag.test()`; each worker checks every PDF it makes)
→ `record_manifest` → `check_archive_files` (quality gate) → `report_exam_archive`.

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
that must finish within the night on few cores), `render_task_attempts` (attempts per
mapped render task, default 10 000; lower it to spread a day over several Celery
workers), `pdf_engine` (`weasyprint`, the default, or `typst`: the same fields as
PDF/A-3b from the Typst templates in include/render/typst/, 4-6x less CPU per
attempt PDF than WeasyPrint's compact layout; choose it for big session days on few
cores; summaries stay WeasyPrint's; see docs/exam_archive.md "Which PDF engine" and
"Speed": at 5 053 attempts 0.018-0.028 CPU s per attempt end to end with Typst against
0.062 with WeasyPrint compact; under the scheduler on 2 vCPUs, 71.7 attempts/s with
Typst and 33.0/s with WeasyPrint compact at load 1-3, 53.4 and 21.8/s at load 3-6). Read once per run by
`resolve_settings` (with the params below applied); later tasks use its result, so an
edit of the Variable during a run changes nothing in that run. A bad value fails
`resolve_settings` at once naming the field.

## Params
- `date` (date picker): archive this date instead of the previous day.
- `name_pattern`, `category_ids`, `render_task_attempts`: override the settings for
  this run.

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
page and contains the student's name; every manifest hash and store size matches what
its render worker made. Each PDF is checked once, with PDFium, by the worker that
rendered it; the gate lists the store and reads no PDF back. The rules are a Great
Expectations suite over one row per file, and each failed check names its files.
No input from another DAG (Moodle's database only), so no upstream-coverage gate.

## Re-run and backfill
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
from airflow.sdk import CronTriggerTimetable, dag

from include.config import ExamArchiveSettings
from include.dag_defaults import dag_args
from include.tasks.exam_archive import (
    check_archive_files,
    plan_quizzes,
    record_manifest,
    render_quiz_archive,
    report_exam_archive,
    resolve_archive_date,
    select_exam_attempts,
)
from include.tasks.settings import date_param, params_from, resolve_settings

DAG_ID = "exam_archive"
UNIVERSITY_TZ = "Europe/Moscow"


@dag(
    dag_id=DAG_ID,
    description="Archive one date's finished exam attempts as PDF/A, one file per attempt",
    doc_md=__doc__,
    schedule=CronTriggerTimetable("0 3 * * *", timezone=UNIVERSITY_TZ),
    tags=["exams", "moodle"],
    params={
        "date": date_param(
            "Archive the attempts finished on this date (default: the day before the run)"
        ),
        **params_from(
            ExamArchiveSettings, ["name_pattern", "category_ids", "render_task_attempts"]
        ),
    },
    **dag_args(start_date=pendulum.datetime(2026, 9, 1, tz=UNIVERSITY_TZ), max_active_runs=2),
)
def exam_archive():
    settings = resolve_settings(ExamArchiveSettings, DAG_ID)
    run = resolve_archive_date(settings)
    selected = select_exam_attempts(settings, run)
    quizzes = plan_quizzes(selected, settings)
    results = render_quiz_archive.partial(settings=settings, run=run).expand(item=quizzes)
    manifest = record_manifest(results, run)
    gate_result = check_archive_files(run, selected, results, manifest)
    report_exam_archive(run, selected, results, manifest, gate_result)


exam_archive()
