"""
# course_archive

## Purpose
Long-term storage of finished courses (regulation 6.7, 6.8; specs/course-archive.md).
Selects the courses of a category subtree that ended before a cutoff and are not yet
archived; backs each up with user data through Moodle's `admin/cli/backup.php` (a
configured runner); copies the `.mbz` into the archive store under
`courses/<academic year>/<category path>/<shortname>-<id>.mbz`; writes a SHA-256
manifest; verifies the stored copy against it; only then moves the course into the
academic year's archive category ("Архив 2025/2026", created if missing) and hides
it through Moodle's web services. Backups past the retention are deleted.

Tasks (include/tasks/course_archive.py): `resolve_settings` → `select_courses` →
`check_plan` → `backup_course` (mapped, one per course) → `record_manifest` →
`verify_backups` → `move_courses` → `prune_backups` → `report_archive`.

## Schedule
Manual at the end of a semester (params below), or scheduled: `@monthly`.

## Settings
Variable `course_archive` (`CourseArchiveSettings`): `root_category_id`,
`backup_runner` (`local`), `backup_command` (argv of Moodle's CLI backup),
`backup_timeout_seconds`, `staging_dir`, `max_backups_per_run` (throttle),
`retention_months` (12: one calendar year), `archive_parent_category_id`,
`archive_category_name`, `archive_category_idnumber`, `academic_year_start_month`,
`store_prefix`. See docs/courses.md. Read once per run by `resolve_settings` (params
applied); later tasks use its result, so an edit of the Variable during a run changes
nothing in that run. A bad value fails `resolve_settings` at once, naming the field.

## Params
`end_before` (date picker; default: the run's date), `root_category_id`,
`max_backups_per_run` (override the settings for this run), `dry_run` (list the
plan, change nothing).

## Outputs
`.mbz` files and `manifest.csv`/`manifest.json` per academic year in the store; the
`course_backup` table (pipelines DB); courses moved and hidden in Moodle; the run report.

## Data quality
`check_plan` (unique courses and paths) blocks; `verify_backups` checks every copy
by SHA-256 against the manifest and opens it as a Moodle backup of that course (one
streamed pass per file: a backup is copied and verified in 1 MiB chunks, never held in
memory whole).
Nothing moves without a verified backup; a failed or corrupt backup leaves the
course where it was, is named in the report, and fails the run.
No input from another DAG (Moodle and its own `course_backup` table only), so
no upstream-coverage gate.

## Re-run and backfill
Idempotent and resumable: archived courses are skipped, a verified copy is not made
again, a re-run continues with the courses not yet archived (the throttle's rest).
"""

from __future__ import annotations

from airflow.sdk import dag

from include.config import CourseArchiveSettings
from include.dag_defaults import dag_args
from include.tasks.course_archive import (
    backup_course,
    check_plan,
    move_courses,
    prune_backups,
    record_manifest,
    report_archive,
    select_courses,
    verify_backups,
)
from include.tasks.settings import date_param, flag_param, params_from, resolve_settings

DAG_ID = "course_archive"


@dag(
    dag_id=DAG_ID,
    description="Back up finished courses to the archive store, then move and hide them",
    doc_md=__doc__,
    schedule="@monthly",
    tags=["courses", "moodle"],
    params={
        "end_before": date_param(
            "Archive courses whose end date is before this day (default: the run's date)"
        ),
        **params_from(CourseArchiveSettings, ["root_category_id", "max_backups_per_run"]),
        "dry_run": flag_param("List the plan; change nothing"),
    },
    **dag_args(),
)
def course_archive():
    settings = resolve_settings(CourseArchiveSettings, DAG_ID)
    selection = select_courses(settings)
    plan = check_plan(selection)
    backups = backup_course.partial(settings=settings).expand(item=plan)
    manifests = record_manifest(settings, plan)
    backups >> manifests
    verification = verify_backups(settings, plan, manifests)
    moved = move_courses(settings, plan, verification)
    pruned = prune_backups(settings, moved)
    report_archive(settings, selection, verification, moved, pruned)


course_archive()
