"""core_course_* course functions (course_archive, course_audit); the category
functions are in categories.py.

Shapes follow shared/moodle/ws-transcripts.txt (4.1) and 4.5/ws-transcripts.txt:
`core_course_get_courses_by_field` `{"courses","warnings"}`,
`core_course_update_courses` `{"warnings": []}` with one warning per course it
could not update (Moodle catches the exception per course).
"""

from __future__ import annotations

import time

from include.sandbox.moodle_ws.contexts import (
    CONTEXT_COURSE,
    CONTEXT_COURSECAT,
    add_context,
    context_of,
)
from include.sandbox.moodle_ws.registry import (
    MoodleException,
    invalid_parameter,
    missing_record,
    wsfunction,
)

_COURSE_COLUMNS = (
    "c.id, c.fullname, c.shortname, c.category AS categoryid, cc.name AS categoryname, c.sortorder,"
    " c.summary, c.summaryformat, c.idnumber, c.format, c.showgrades, c.newsitems,"
    " c.startdate, c.enddate, c.maxbytes, c.showreports, c.visible, c.groupmode,"
    " c.groupmodeforce, c.defaultgroupingid, c.enablecompletion, c.completionnotify,"
    " c.lang, c.theme, c.marker, c.legacyfiles, c.calendartype, c.timecreated,"
    " c.timemodified, c.requested, c.cacherev"
)
_COURSE_FIELDS = {
    "id": "c.id",
    "shortname": "c.shortname",
    "idnumber": "c.idnumber",
    "category": "c.category",
}


@wsfunction("core_course_get_courses_by_field")
def get_courses_by_field(cursor, params: dict):
    field, value = params.get("field", ""), params.get("value", "")
    sql = (
        f"SELECT {_COURSE_COLUMNS} FROM mdl_course c"
        " LEFT JOIN mdl_course_categories cc ON cc.id = c.category WHERE c.id <> 1"
    )
    args: list = []
    if field == "ids":
        ids = [int(v) for v in str(value).split(",") if v.strip()]
        sql += f" AND c.id IN ({', '.join(['%s'] * len(ids)) or 'NULL'})"
        args.extend(ids)
    elif field in _COURSE_FIELDS:
        sql += f" AND {_COURSE_FIELDS[field]} = %s"
        args.append(value)
    elif field:
        raise invalid_parameter("Invalid field name")
    cursor.execute(sql + " ORDER BY c.sortorder", args)
    courses = []
    for row in cursor.fetchall():
        course = dict(row)
        course["displayname"] = course["fullname"]
        course["summary"] = course["summary"] or ""
        course["categoryname"] = course["categoryname"] or ""
        course.update(summaryfiles=[], overviewfiles=[], contacts=[], enrollmentmethods=["manual"])
        course.update(showactivitydates=False, showcompletionconditions=True, filters=[])
        course.update(courseimage="", customfields=[])
        course["theme"] = course["theme"] or ""
        if field in ("id", "ids", "shortname", "idnumber"):  # one course asked for
            course["courseformatoptions"] = [{"name": "hiddensections", "value": 1}]
        courses.append(course)
    return {"courses": courses, "warnings": []}


def _move_course(cursor, course: dict, category_id: int) -> None:
    cursor.execute("SELECT id FROM mdl_course_categories WHERE id = %s", (category_id,))
    if cursor.fetchone() is None:
        raise MoodleException(
            "core\\exception\\moodle_exception", "invalidcategoryid", "Category ID not found"
        )
    old_category = course["category"]
    cursor.execute(
        "SELECT COALESCE(MAX(sortorder), 0) AS top FROM mdl_course WHERE category = %s",
        (category_id,),
    )
    top = int(cursor.fetchone()["top"])
    cursor.execute("SELECT sortorder FROM mdl_course_categories WHERE id = %s", (category_id,))
    sortorder = max(top, int(cursor.fetchone()["sortorder"])) + 1
    cursor.execute(
        "UPDATE mdl_course SET category = %s, sortorder = %s WHERE id = %s",
        (category_id, sortorder, course["id"]),
    )
    for category, delta in ((old_category, -1), (category_id, 1)):
        cursor.execute(
            "UPDATE mdl_course_categories SET coursecount = GREATEST(coursecount + %s, 0)"
            " WHERE id = %s",
            (delta, category),
        )
    # the course context (and everything below it) moves under the new category's context
    course_context = context_of(cursor, CONTEXT_COURSE, course["id"])
    category_context = context_of(cursor, CONTEXT_COURSECAT, category_id)
    if course_context and category_context:
        old_path = course_context["path"]
        new_path = f"{category_context['path']}/{course_context['id']}"
        shift = category_context["depth"] + 1 - course_context["depth"]
        cursor.execute(
            "UPDATE mdl_context SET path = CONCAT(%s, SUBSTRING(path, %s)), depth = depth + %s"
            " WHERE path = %s OR path LIKE %s",
            (new_path, len(old_path) + 1, shift, old_path, f"{old_path}/%"),
        )


@wsfunction("core_course_update_courses")
def update_courses(cursor, params: dict):
    warnings = []
    now = int(time.time())
    for update in params.get("courses") or []:
        if "id" not in update:
            raise invalid_parameter("Missing required key in single structure: id")
        course_id = int(update["id"])
        try:
            cursor.execute(
                "SELECT id, category, visible FROM mdl_course WHERE id = %s", (course_id,)
            )
            course = cursor.fetchone()
            if course is None:
                raise missing_record("course")
            if "categoryid" in update and int(update["categoryid"]) != course["category"]:
                _move_course(cursor, course, int(update["categoryid"]))
            if "visible" in update:
                visible = int(update["visible"])
                cursor.execute(
                    "UPDATE mdl_course SET visible = %s, visibleold = %s WHERE id = %s",
                    (visible, visible, course_id),
                )
            for column in ("fullname", "shortname", "idnumber", "summary"):
                if column in update:
                    cursor.execute(
                        f"UPDATE mdl_course SET `{column}` = %s WHERE id = %s",
                        (update[column], course_id),
                    )
            cursor.execute(
                "UPDATE mdl_course SET timemodified = %s, cacherev = GREATEST(cacherev + 1, %s)"
                " WHERE id = %s",
                (now, now, course_id),
            )
        except MoodleException as exc:
            warnings.append(
                {
                    "item": "course",
                    "itemid": course_id,
                    "warningcode": exc.body["errorcode"],
                    "message": exc.body["message"],
                }
            )
    return {"warnings": warnings}


@wsfunction("core_course_create_courses")
def create_courses(cursor, params: dict):
    """A course with its context and sections 0-4 (topics format), as Moodle creates it."""
    created = []
    now = int(time.time())
    for course in params.get("courses") or []:
        for key in ("fullname", "shortname", "categoryid"):
            if key not in course:
                raise invalid_parameter(f"Missing required key in single structure: {key}")
        cursor.execute("SELECT id FROM mdl_course WHERE shortname = %s", (course["shortname"],))
        if cursor.fetchone():
            raise MoodleException(
                "core\\exception\\moodle_exception",
                "shortnametaken",
                f"Short name is already used for another course ({course['shortname']})",
            )
        category_id = int(course["categoryid"])
        category_context = context_of(cursor, CONTEXT_COURSECAT, category_id)
        if category_context is None:
            raise missing_record("course_categories")
        cursor.execute(
            "INSERT INTO mdl_course (category, sortorder, fullname, shortname, idnumber, summary,"
            " summaryformat, format, startdate, visible, timecreated, timemodified, cacherev)"
            " VALUES (%s, 0, %s, %s, %s, %s, 1, 'topics', %s, 1, %s, %s, %s)",
            (
                category_id,
                course["fullname"],
                course["shortname"],
                course.get("idnumber", ""),
                course.get("summary", ""),
                now,
                now,
                now,
                now,
            ),
        )
        course_id = cursor.lastrowid
        add_context(cursor, CONTEXT_COURSE, course_id, category_context)
        for number in range(5):
            cursor.execute(
                "INSERT INTO mdl_course_sections (course, section, summary, summaryformat,"
                " sequence, visible, timemodified) VALUES (%s, %s, '', 1, '', 1, %s)",
                (course_id, number, now),
            )
        cursor.execute(
            "UPDATE mdl_course_categories SET coursecount = coursecount + 1 WHERE id = %s",
            (category_id,),
        )
        created.append({"id": course_id, "shortname": course["shortname"]})
    return created


def delete_course_rows(cursor, course_id: int) -> None:
    """A course's rows and its context (core_course_delete_courses, core_course_delete_categories)."""
    context = context_of(cursor, CONTEXT_COURSE, course_id)
    if context:
        cursor.execute(
            "DELETE FROM mdl_context WHERE path = %s OR path LIKE %s",
            (context["path"], f"{context['path']}/%"),
        )
    cursor.execute("DELETE FROM mdl_course_modules WHERE course = %s", (course_id,))
    cursor.execute("DELETE FROM mdl_course_sections WHERE course = %s", (course_id,))
    cursor.execute("SELECT category FROM mdl_course WHERE id = %s", (course_id,))
    row = cursor.fetchone()
    cursor.execute("DELETE FROM mdl_course WHERE id = %s", (course_id,))
    if row:
        cursor.execute(
            "UPDATE mdl_course_categories SET coursecount = GREATEST(coursecount - 1, 0)"
            " WHERE id = %s",
            (row["category"],),
        )


@wsfunction("core_course_delete_courses")
def delete_courses(cursor, params: dict):
    """A course that cannot be deleted is a warning; the others are deleted (Moodle 4.5)."""
    warnings = []
    for course_id in [int(i) for i in params.get("courseids") or []]:
        cursor.execute("SELECT id FROM mdl_course WHERE id = %s AND id <> 1", (course_id,))
        if cursor.fetchone() is None:
            warnings.append(
                {
                    "item": "course",
                    "itemid": course_id,
                    "warningcode": "unknowncourseidnumber",
                    "message": "Unknown course ID " + str(course_id),
                }
            )
            continue
        delete_course_rows(cursor, course_id)
    return {"warnings": warnings}
