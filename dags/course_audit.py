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

Tasks (include/tasks/course_audit.py): `resolve_settings` → `extract_structure` →
`check_structure` → `render_course_audit` → `report_audit`.

## Schedule
Weekly (`@weekly`); manual for one category with `root_category_id`.

## Settings
Variable `course_audit` (`CourseAuditSettings`): `root_category_id`,
`default_delivery_model`, `delivery_model_field`, `annotation_max_chars`,
`glossary_min_entries`, `pass_score`, `name_patterns` (element -> regexes),
`required_elements` (model -> element codes), `include_hidden_courses`.
See docs/courses.md. Read once per run by `resolve_settings` (params applied); later
tasks use its result. A bad value fails `resolve_settings` at once, naming the field.

## Params
`root_category_id` (the category whose subtree is audited; default: the setting),
`default_delivery_model` (for courses without the custom field); both override the
settings for this run.

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

from airflow.sdk import dag

from include.config import CourseAuditSettings
from include.dag_defaults import dag_args
from include.tasks.course_audit import (
    check_structure,
    extract_structure,
    render_course_audit,
    report_audit,
)
from include.tasks.settings import params_from, resolve_settings

DAG_ID = "course_audit"


@dag(
    dag_id=DAG_ID,
    description="Check each course against the regulation's minimum e-course composition",
    doc_md=__doc__,
    schedule="@weekly",
    tags=["courses", "moodle"],
    params=params_from(CourseAuditSettings, ["root_category_id", "default_delivery_model"]),
    **dag_args(),
)
def course_audit():
    settings = resolve_settings(CourseAuditSettings, DAG_ID)
    staged = check_structure(extract_structure(settings))
    report_audit(render_course_audit(settings, staged))


course_audit()
