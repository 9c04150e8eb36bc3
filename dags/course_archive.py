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

## Schedule
Manual at the end of a semester (params below), or scheduled: `@monthly`.

## Settings
Variable `course_archive` (`CourseArchiveSettings`): `root_category_id`,
`backup_runner` (`local`), `backup_command` (argv of Moodle's CLI backup),
`backup_timeout_seconds`, `staging_dir`, `max_backups_per_run` (throttle),
`retention_months` (12: one calendar year), `archive_parent_category_id`,
`archive_category_name`, `archive_category_idnumber`, `academic_year_start_month`,
`store_prefix`. See docs/courses.md.

## Params
`end_before` (date picker; default: the run's date), `root_category_id`,
`max_backups_per_run`, `dry_run` (list the plan, change nothing).

## Outputs
`.mbz` files and `manifest.csv`/`manifest.json` per academic year in the store; the
`course_backup` table (pipelines DB); courses moved and hidden in Moodle; the run report.

## Data quality
`check_plan` (unique courses and paths) blocks; `verify_backups` checks every copy
by SHA-256 against the manifest and opens it as a Moodle backup of that course.
Nothing moves without a verified backup; a failed or corrupt backup leaves the
course where it was, is named in the report, and fails the run.
No input from another DAG (Moodle and its own `course_backup` table only), so
no upstream-coverage gate.

## Re-run and backfill
Idempotent and resumable: archived courses are skipped, a verified copy is not made
again, a re-run continues with the courses not yet archived (the throttle's rest).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from include.dag_defaults import LONG_TIMEOUT, default_args, run_failed_mail, run_moment

DAG_ID = "course_archive"


def _settings():
    from include.config import CourseArchiveSettings, load_settings

    return load_settings(CourseArchiveSettings, DAG_ID, get_current_context()["params"])


def _end_before():
    from datetime import date

    context = get_current_context()
    chosen = context["params"].get("end_before")
    if chosen:
        return date.fromisoformat(chosen)
    return run_moment(context).date()


@dag(
    dag_id=DAG_ID,
    description="Back up finished courses to the archive store, then move and hide them",
    doc_md=__doc__,
    schedule="@monthly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    on_failure_callback=run_failed_mail(),
    tags=["courses", "moodle"],
    params={
        "end_before": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Archive courses whose end date is before this day (default: the run's date)",
        ),
        "root_category_id": Param(
            None,
            type=["null", "integer"],
            minimum=0,
            description="Category whose subtree is archived (0: all; default: the setting)",
        ),
        "max_backups_per_run": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            description="Throttle: at most this many backups in this run (default: the setting)",
        ),
        "dry_run": Param(
            False, type=["boolean", "null"], description="List the plan; change nothing"
        ),
    },
)
def course_archive():
    @task
    def check_settings() -> dict:
        return _settings().model_dump()

    @task
    def select_courses(_settings_ok: dict) -> dict:
        from include.courses.archive_steps import select_courses as select

        return select(_settings(), _end_before())

    @task
    def check_plan(selection: dict) -> list[dict]:
        from include.courses.archive_steps import check_plan as check

        plan = selection["plan"]
        print(check(plan))
        if get_current_context()["params"]["dry_run"]:
            print(f"dry run: {len(plan)} course(s) would be archived; nothing changes")
            return []
        return plan

    @task(retries=1, map_index_template="{{ course_shortname }}", execution_timeout=LONG_TIMEOUT)
    def backup_course(item: dict) -> dict:
        from include.courses.archive_steps import backup_course as backup

        context = get_current_context()
        context["course_shortname"] = item["shortname"]
        return backup(item, _settings(), context["run_id"])

    @task(trigger_rule="all_done")
    def record_manifest(plan: list[dict]) -> list[str]:
        from include.courses.archive_steps import record_manifests

        return record_manifests(_settings(), {i["academic_year"] for i in plan})

    @task(trigger_rule="all_done")
    def verify_backups(plan: list[dict], _manifests) -> dict:
        from include.courses.archive_steps import verify_backups as verify

        return verify(plan, _settings())

    @task(pool="moodle_ws")
    def move_courses(plan: list[dict], verification: dict) -> dict:
        from include.courses.archive_steps import move_courses as move

        return move(plan, verification["verified"], _settings())

    @task(trigger_rule="all_done")
    def prune_backups(_moved) -> dict:
        from include.courses.archive_steps import prune_backups as prune

        context = get_current_context()
        today = run_moment(context).date()
        return prune(_settings(), today, context["params"]["dry_run"])

    @task(trigger_rule="all_done")
    def report_archive(selection: dict, verification: dict, moved: dict, pruned: dict):
        from include.courses.archive_steps import report

        _settings()  # a bad setting fails the report too, and so the run
        report(get_current_context(), selection, verification, moved, pruned)

    settings = check_settings()
    selection = select_courses(settings)
    plan = check_plan(selection)
    backups = backup_course.expand(item=plan)
    manifests = record_manifest(plan)
    backups >> manifests
    verification = verify_backups(plan, manifests)
    moved = move_courses(plan, verification)
    pruned = prune_backups(moved)
    report_archive(selection, verification, moved, pruned)


course_archive()
