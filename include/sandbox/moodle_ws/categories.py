"""core_course_* category functions (course_archive, course_audit).

Shapes follow shared/moodle/ws-transcripts.txt (4.1) and 4.5/ws-transcripts.txt:
`core_course_get_categories` answers a list, `core_course_create_categories`
`[{"id","name"}]`; `core_course_delete_categories` deletes recursively only.
"""

from __future__ import annotations

import time

from include.sandbox.moodle_ws.contexts import (
    CONTEXT_COURSECAT,
    CONTEXT_SYSTEM,
    add_context,
    context_of,
)
from include.sandbox.moodle_ws.courses import delete_course_rows
from include.sandbox.moodle_ws.registry import (
    MoodleException,
    invalid_parameter,
    missing_record,
    wsfunction,
)

_CATEGORY_COLUMNS = (
    "id, name, idnumber, description, descriptionformat, parent, sortorder, coursecount,"
    " visible, visibleold, timemodified, depth, path, theme"
)
_CATEGORY_CRITERIA = {"id", "ids", "name", "parent", "idnumber", "visible", "theme"}


def _category_out(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "idnumber": row["idnumber"],
        "description": row["description"] or "",
        "descriptionformat": row["descriptionformat"],
        "parent": row["parent"],
        "sortorder": row["sortorder"],
        "coursecount": row["coursecount"],
        "visible": row["visible"],
        "visibleold": row["visibleold"],
        "timemodified": row["timemodified"],
        "depth": row["depth"],
        "path": row["path"],
        "theme": row["theme"] or "",
    }


@wsfunction("core_course_get_categories")
def get_categories(cursor, params: dict):
    where, args = [], []
    for criterion in params.get("criteria") or []:
        key, value = criterion.get("key"), criterion.get("value")
        if key not in _CATEGORY_CRITERIA:
            raise MoodleException(
                "core\\exception\\moodle_exception",
                "criteriaerror",
                "Missing permissions to search on a criterion.",
                f"You can not search on this criteria: {key}",
            )
        if key == "ids":
            ids = [int(v) for v in str(value).split(",") if v.strip()]
            where.append(f"id IN ({', '.join(['%s'] * len(ids))})")
            args.extend(ids)
        else:
            where.append(f"`{key}` = %s")
            args.append(value)
    sql = f"SELECT {_CATEGORY_COLUMNS} FROM mdl_course_categories"
    if where:
        sql += " WHERE " + " AND ".join(where)
    cursor.execute(sql + " ORDER BY sortorder", args)
    found = list(cursor.fetchall())
    if where and str(params.get("addsubcategories", "1")) == "1" and found:
        paths = [row["path"] for row in found]
        cursor.execute(
            f"SELECT {_CATEGORY_COLUMNS} FROM mdl_course_categories WHERE "
            + " OR ".join(["path LIKE %s"] * len(paths))
            + " ORDER BY sortorder",
            [f"{p}/%" for p in paths],
        )
        known = {row["id"] for row in found}
        found += [row for row in cursor.fetchall() if row["id"] not in known]
    return [_category_out(row) for row in found]


@wsfunction("core_course_create_categories")
def create_categories(cursor, params: dict):
    created = []
    now = int(time.time())
    for category in params.get("categories") or []:
        name = (category.get("name") or "").strip()
        if not name:
            raise invalid_parameter("Missing required key in single structure: name")
        idnumber = category.get("idnumber") or None
        if idnumber:
            cursor.execute("SELECT id FROM mdl_course_categories WHERE idnumber = %s", (idnumber,))
            if cursor.fetchone():
                raise MoodleException(
                    "core\\exception\\moodle_exception",
                    "categoryidnumbertaken",
                    "ID number is already used for another category",
                )
        parent = int(category.get("parent") or 0)
        if parent:
            cursor.execute(
                "SELECT id, path, depth FROM mdl_course_categories WHERE id = %s", (parent,)
            )
            parent_row = cursor.fetchone()
            if parent_row is None:
                raise missing_record("course_categories")
            parent_context = context_of(cursor, CONTEXT_COURSECAT, parent)
        else:
            parent_row = {"path": "", "depth": 0}
            parent_context = context_of(cursor, CONTEXT_SYSTEM, 0)
        cursor.execute("SELECT COALESCE(MAX(sortorder), 0) AS top FROM mdl_course_categories")
        sortorder = (int(cursor.fetchone()["top"]) // 10000 + 1) * 10000
        cursor.execute(
            "INSERT INTO mdl_course_categories (name, idnumber, description, descriptionformat,"
            " parent, sortorder, coursecount, visible, visibleold, timemodified, depth, path, theme)"
            " VALUES (%s, %s, %s, 1, %s, %s, 0, 1, 1, %s, %s, '', NULL)",
            (
                name,
                idnumber,
                category.get("description", ""),
                parent,
                sortorder,
                now,
                parent_row["depth"] + 1,
            ),
        )
        new_id = cursor.lastrowid
        cursor.execute(
            "UPDATE mdl_course_categories SET path = %s WHERE id = %s",
            (f"{parent_row['path']}/{new_id}", new_id),
        )
        add_context(cursor, CONTEXT_COURSECAT, new_id, parent_context)
        created.append({"id": new_id, "name": name})
    return created


@wsfunction("core_course_delete_categories")
def delete_categories(cursor, params: dict):
    """Recursive deletion only: the category, its subcategories, their courses, contexts."""
    for category in params.get("categories") or []:
        cursor.execute(
            "SELECT id, path FROM mdl_course_categories WHERE id = %s", (int(category["id"]),)
        )
        row = cursor.fetchone()
        if row is None:
            raise missing_record("course_categories")
        if str(category.get("recursive", "0")) in ("", "0"):
            raise MoodleException(
                "core\\exception\\moodle_exception",
                "notrecorded",
                "Deleting a category without recursive=1 was never recorded from a real Moodle",
            )
        cursor.execute(
            "SELECT id FROM mdl_course_categories WHERE id = %s OR path LIKE %s",
            (row["id"], f"{row['path']}/%"),
        )
        ids = [r["id"] for r in cursor.fetchall()]
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"SELECT id FROM mdl_course WHERE category IN ({marks})", ids)
        for course in cursor.fetchall():
            delete_course_rows(cursor, course["id"])
        for category_id in ids:
            context = context_of(cursor, CONTEXT_COURSECAT, category_id)
            if context:
                cursor.execute("DELETE FROM mdl_context WHERE id = %s", (context["id"],))
        cursor.execute(f"DELETE FROM mdl_course_categories WHERE id IN ({marks})", ids)
    return None
