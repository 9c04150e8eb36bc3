"""
# course_audit

## Purpose
Checks each course against the regulation's minimum composition of an e-course
(Appendices B and C; specs/course-archive.md). Reads each course's sections and
activities from Moodle's database, decides its delivery model (`web_support`,
`blended`, `online`: the course custom field, else a setting), and reports per
course which required elements are present, missing or malformed (annotation over
400 characters, glossary under 10 teacher terms, learning outcomes missing in a
module, ...) with a score. Detection is by module type plus configurable name
patterns whose defaults are the regulation's element names.

## Schedule
Weekly (`@weekly`); manual for one category with `root_category_id`.

## Settings
Variable `course_audit` (`CourseAuditSettings`): `root_category_id`,
`default_delivery_model`, `delivery_model_field`, `annotation_max_chars`,
`glossary_min_entries`, `pass_score`, `name_patterns` (element -> regexes),
`required_elements` (model -> element codes), `include_hidden_courses`.
See docs/courses.md.

## Params
`root_category_id` (the category whose subtree is audited; default: the setting),
`default_delivery_model` (for courses without the custom field).

## Outputs
Per category: `course_audit/<date>/<category path>/audit.csv` (one row per course,
a column per element) and `audit.pdf` (summary table and per-course findings, in
Russian); the run report; a summary per course in the task log.

## Data quality
`check_structure` (a blocking gate): every staged activity has a module type, a
unique id, a staged course and a section number.
No input from another DAG (Moodle's database only), so no upstream-coverage gate.

## Re-run and backfill
Read-only in Moodle; a re-run for the same date rewrites the same files with the
same content (files are written only when their bytes change).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from include.dag_defaults import choices_display, default_args, run_failed_mail, run_moment

DAG_ID = "course_audit"
DELIVERY_MODELS = ("web_support", "blended", "online")  # CourseAuditSettings.default_delivery_model


def _settings():
    from include.config import CourseAuditSettings, load_settings

    return load_settings(CourseAuditSettings, DAG_ID, get_current_context()["params"])


def _audit_date() -> str:
    context = get_current_context()
    return run_moment(context).date().isoformat()


@dag(
    dag_id=DAG_ID,
    description="Check each course against the regulation's minimum e-course composition",
    doc_md=__doc__,
    schedule="@weekly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    on_failure_callback=run_failed_mail(),
    tags=["courses", "moodle"],
    params={
        "root_category_id": Param(
            None,
            type=["null", "integer"],
            minimum=0,
            description="Audit this category and its subcategories (0: all; default: the setting)",
        ),
        "default_delivery_model": Param(
            None,
            type=["null", "string"],
            enum=[None, *DELIVERY_MODELS],
            values_display=choices_display(DELIVERY_MODELS),
            description="Delivery model of courses without the custom field (default: the setting)",
        ),
    },
)
def course_audit():
    @task
    def check_settings() -> dict:
        return _settings().model_dump()

    @task
    def extract_structure(_settings_ok: dict) -> dict:
        from include.courses.audit_steps import extract_structure as extract

        return extract(_settings(), _audit_date())

    @task
    def check_structure(staged: dict) -> dict:
        from include.courses.audit_steps import check_structure as check

        print(check(staged))
        return staged

    @task
    def audit_courses(staged: dict) -> dict:
        from include.courses.audit_steps import audit_courses as run_audit

        return run_audit(staged, _settings(), _audit_date())

    @task
    def report_audit(result: dict) -> dict:
        from include.courses.audit_steps import report

        return report(get_current_context(), result)

    report_audit(audit_courses(check_structure(extract_structure(check_settings()))))


course_audit()
