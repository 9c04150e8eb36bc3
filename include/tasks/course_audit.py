"""The tasks of `course_audit`: read the course structure from Moodle's database, stage it
in the store, check it, apply the rules of `include.courses.audit`, write a CSV and a PDF
report per category.

Every task after `resolve_settings` receives that task's settings (`settings`) as an
argument; the audit date is the run's date.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict

from airflow.sdk import get_current_context, task

from include.config import CourseAuditSettings
from include.connectors.hooks import moodle_db
from include.courses import archive, audit
from include.dag_defaults import run_moment
from include.tasks.settings import settings_of

log = logging.getLogger(__name__)
STAGED = ("categories", "courses", "modules")
RESULT_FIELDS = ("course_id", "shortname", "delivery_model", "score", "passed", "missing",
                 "malformed")  # fmt: skip


def _settings(resolved: dict) -> CourseAuditSettings:
    return settings_of(CourseAuditSettings, resolved)


def _audit_date() -> str:
    return run_moment(get_current_context()).date().isoformat()


@task
def extract_structure(settings: dict) -> dict:
    """Stage the categories, courses and activities of the subtree as JSON in the store."""
    from include import storage

    chosen, audit_date = _settings(settings), _audit_date()
    moodle = moodle_db()
    try:
        categories = moodle.read_frame("course_categories")
        courses = moodle.read_frame(
            "course_audit_courses", {"model_field": chosen.delivery_model_field}
        )
        modules = moodle.read_frame("course_audit_modules")
    finally:
        moodle.close()
    courses = courses[
        courses.category.isin(archive.subtree_ids(categories, chosen.root_category_id))
    ]
    if not chosen.include_hidden_courses:
        courses = courses[courses.visible == 1]
    modules = modules[modules.course.isin(set(courses.id))]
    staged = {"audit_date": audit_date}
    for name, frame in zip(STAGED, (categories, courses, modules), strict=True):
        path = storage.store_path("course_audit", audit_date, "staging", f"{name}.json")
        storage.write_bytes_if_changed(
            path, frame.to_json(orient="records", force_ascii=False).encode()
        )
        staged[name] = str(path)
    log.info("staged %d course(s), %d activities", len(courses), len(modules))
    return staged


def _read(path: str):
    import pandas as pd

    from include.storage import stored_path

    with stored_path(path).open("r") as handle:
        return pd.DataFrame(json.load(handle))


@task
def check_structure(staged: dict) -> dict:
    """The quality gate: every activity has a type, a unique id, a staged course and a
    section number. Passes the staged files on."""
    import great_expectations as gx

    from include.quality import check_frame, require

    courses, modules = _read(staged["courses"]), _read(staged["modules"])
    if modules.empty:
        log.info("no activities staged")
        return staged
    expect = gx.expectations
    report = check_frame(modules, [
        expect.ExpectColumnValuesToNotBeNull(column="modname"),
        expect.ExpectColumnValuesToBeUnique(column="cmid"),
        expect.ExpectColumnValuesToBeInSet(column="course", value_set=[int(i) for i in courses.id]),
        expect.ExpectColumnValuesToBeBetween(column="section", min_value=0),
    ], "course_audit_structure")  # fmt: skip
    log.info("%s", require(report).summary())
    return staged


def _rules(chosen: CourseAuditSettings) -> audit.AuditRules:
    return audit.AuditRules(
        annotation_max_chars=chosen.annotation_max_chars,
        glossary_min_entries=chosen.glossary_min_entries,
        pass_score=chosen.pass_score,
        name_patterns=chosen.name_patterns,
        required_elements=chosen.required_elements,
    )


def _audit_each(courses, modules, chosen: CourseAuditSettings) -> dict[int, list[dict]]:
    """Category id -> the audit result of each of its courses (logged one line each)."""
    by_course = defaultdict(list)
    for m in modules.to_dict("records"):
        by_course[int(m["course"])].append(m)
    rules = _rules(chosen)
    results: dict[int, list[dict]] = defaultdict(list)
    for course in courses.to_dict("records"):
        config = json.loads(course.get("model_field_config") or "{}")
        model, source = audit.resolve_model(
            course.get("model_value"), config.get("options"), chosen.default_delivery_model
        )
        result = audit.audit_course(course, by_course.get(int(course["id"]), []), model, rules)
        result["model_source"] = source
        results[int(course["category"])].append(result)
        missing = f", missing {result['missing']}" if result["missing"] else ""
        malformed = f", malformed {result['malformed']}" if result["malformed"] else ""
        log.info("%s: %s, score %s%s%s", result["shortname"], model, result["score"], missing,
                 malformed)  # fmt: skip
    return results


def _title_path(categories, category_id: int, titles: dict[int, str]) -> str:
    """`Faculty / Department`, the category names as Moodle shows them."""
    row = categories[categories.id == category_id]
    if row.empty:
        return titles.get(category_id, str(category_id))
    ids = [int(p) for p in str(row.iloc[0]["path"]).split("/") if p]
    return " / ".join(titles.get(i, str(i)) for i in ids)


@task
def render_course_audit(settings: dict, staged: dict) -> dict:
    """Findings per course; a CSV and a PDF report per category; returns the summary."""
    from include import storage
    from include.render.pdf import render_pdf

    chosen, audit_date = _settings(settings), staged["audit_date"]
    categories, courses, modules = (_read(staged[k]) for k in STAGED)
    names = archive.category_paths(categories) if not categories.empty else {}
    titles = {int(r.id): str(r.name) for r in categories.itertuples()}
    by_category = _audit_each(courses, modules, chosen)
    outputs, summary_rows = {}, []
    for category_id, results in sorted(by_category.items()):
        path = names.get(category_id, str(category_id))
        folder = storage.store_path("course_audit", audit_date, path, "audit.csv").parent
        storage.write_csv(folder / "audit.csv", audit.CSV_HEADER, audit.csv_rows(results))
        pdf = render_pdf(
            "course_audit_report.html",
            {
                "category": titles.get(category_id, str(category_id)),
                "category_path": _title_path(categories, category_id, titles),
                "audit_date": audit_date,
                "results": results,
                "models": audit.MODEL_TITLES,
                "statuses": audit.STATUS_TITLES,
                "pass_score": chosen.pass_score,
            },
            "course_audit.css",
        )
        storage.write_bytes_if_changed(folder / "audit.pdf", pdf)
        outputs[path] = str(folder)
        passed = sum(1 for r in results if r["passed"])
        summary_rows.append({"category": path, "courses": len(results), "passed": passed})
        log.info("category %s: %d course(s), %d passed; %s", path, len(results), passed, folder)
    every = [r for results in by_category.values() for r in results]
    return {
        "courses": len(every),
        "passed": sum(1 for r in every if r["passed"]),
        "failed": [r["shortname"] for r in every if not r["passed"]],
        "categories": summary_rows,
        "outputs": outputs,
        "results": [{k: r[k] for k in RESULT_FIELDS} for r in every],
    }


@task
def report_audit(result: dict | None) -> dict:
    """The run's report row: courses audited, how many meet the minimum composition."""
    from include.reporting import plural, record_run_report, verb

    result = result or {"courses": 0, "passed": 0, "failed": [], "categories": [], "outputs": {}}
    courses = plural(result["courses"], "course")
    categories = plural(len(result["categories"]), "category")
    meet = verb(result["passed"], "meets", "meet")
    summary = (
        f"audited {courses} in {categories}: {result['passed']} {meet} the minimum composition"
    )
    if result["failed"]:
        summary += "; below it: " + ", ".join(result["failed"][:20])
    counts = {
        "courses": result["courses"],
        "passed": result["passed"],
        "failed": len(result["failed"]),
    }
    status = "success" if result["categories"] or result["courses"] == 0 else "failed"
    return record_run_report(get_current_context(), summary, counts, result["outputs"], status)
