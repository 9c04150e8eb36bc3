"""The steps of `course_audit`: read the course structure from Moodle's database, check
it, apply the rules of `audit.py`, write a CSV and a PDF report per category.

Each function is one task's body; the DAG file only wires them.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict

from include.config import CourseAuditSettings
from include.courses import archive, audit

log = logging.getLogger(__name__)


def _folder(audit_date: str):
    from include import storage

    return storage.store_path("course_audit", audit_date, "x").parent


def extract_structure(settings: CourseAuditSettings, audit_date: str) -> dict:
    """Stage the categories, courses and activities of the subtree as JSON in the store."""
    from include import storage
    from include.courses.hooks import moodle_db

    moodle = moodle_db()
    try:
        categories = moodle.read_frame("course_categories")
        courses = moodle.read_frame(
            "course_audit_courses", {"model_field": settings.delivery_model_field}
        )
        modules = moodle.read_frame("course_audit_modules")
    finally:
        moodle.close()
    subtree = archive.subtree_ids(categories, settings.root_category_id)
    courses = courses[courses.category.isin(subtree)]
    if not settings.include_hidden_courses:
        courses = courses[courses.visible == 1]
    modules = modules[modules.course.isin(set(courses.id))]
    staged = {}
    for name, frame in (("categories", categories), ("courses", courses), ("modules", modules)):
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


def check_structure(staged: dict) -> str:
    """The quality gate: every activity has a type and belongs to a staged course."""
    import great_expectations as gx

    from include.quality import check_frame, require

    courses, modules = _read(staged["courses"]), _read(staged["modules"])
    if modules.empty:
        return "no activities staged"
    report = check_frame(
        modules,
        [
            gx.expectations.ExpectColumnValuesToNotBeNull(column="modname"),
            gx.expectations.ExpectColumnValuesToBeUnique(column="cmid"),
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="course", value_set=[int(i) for i in courses.id]
            ),
            gx.expectations.ExpectColumnValuesToBeBetween(column="section", min_value=0),
        ],
        "course_audit_structure",
    )
    return require(report).summary()


def _rules(settings: CourseAuditSettings) -> audit.AuditRules:
    return audit.AuditRules(
        annotation_max_chars=settings.annotation_max_chars,
        glossary_min_entries=settings.glossary_min_entries,
        pass_score=settings.pass_score,
        name_patterns=settings.name_patterns,
        required_elements=settings.required_elements,
    )


def audit_courses(staged: dict, settings: CourseAuditSettings, audit_date: str) -> dict:
    """Findings per course; a CSV and a PDF report per category; returns the summary."""
    from include import storage
    from include.render.pdf import render_pdf

    categories, courses, modules = (_read(staged[k]) for k in ("categories", "courses", "modules"))
    names = archive.category_paths(categories) if not categories.empty else {}
    titles = {int(r.id): str(r.name) for r in categories.itertuples()}
    by_course = defaultdict(list)
    for m in modules.to_dict("records"):
        by_course[int(m["course"])].append(m)
    rules = _rules(settings)
    results_by_category: dict[int, list[dict]] = defaultdict(list)
    for course in courses.to_dict("records"):
        config = (
            json.loads(course.get("model_field_config") or "{}")
            if course.get("model_field_config")
            else {}
        )
        model, source = audit.resolve_model(
            course.get("model_value"), config.get("options"), settings.default_delivery_model
        )
        result = audit.audit_course(course, by_course.get(int(course["id"]), []), model, rules)
        result["model_source"] = source
        results_by_category[int(course["category"])].append(result)
        log.info(
            "%s: %s, score %s%s%s",
            result["shortname"],
            model,
            result["score"],
            f", missing {result['missing']}" if result["missing"] else "",
            f", malformed {result['malformed']}" if result["malformed"] else "",
        )
    outputs, summary_rows = {}, []
    for category_id, results in sorted(results_by_category.items()):
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
                "pass_score": settings.pass_score,
            },
            "course_audit.css",
        )
        storage.write_bytes_if_changed(folder / "audit.pdf", pdf)
        outputs[path] = str(folder)
        passed = sum(1 for r in results if r["passed"])
        summary_rows.append({"category": path, "courses": len(results), "passed": passed})
        log.info("category %s: %d course(s), %d passed; %s", path, len(results), passed, folder)
    every = [r for results in results_by_category.values() for r in results]
    return {
        "courses": len(every),
        "passed": sum(1 for r in every if r["passed"]),
        "failed": [r["shortname"] for r in every if not r["passed"]],
        "categories": summary_rows,
        "outputs": outputs,
        "results": [
            {
                k: r[k]
                for k in (
                    "course_id",
                    "shortname",
                    "delivery_model",
                    "score",
                    "passed",
                    "missing",
                    "malformed",
                )
            }
            for r in every
        ],
    }


def _title_path(categories, category_id: int, titles: dict[int, str]) -> str:
    """`Faculty / Department`, the category names as Moodle shows them."""
    row = categories[categories.id == category_id]
    if row.empty:
        return titles.get(category_id, str(category_id))
    ids = [int(p) for p in str(row.iloc[0]["path"]).split("/") if p]
    return " / ".join(titles.get(i, str(i)) for i in ids)


def report(context, result: dict | None) -> dict:
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
    return record_run_report(context, summary, counts, result["outputs"], status)
