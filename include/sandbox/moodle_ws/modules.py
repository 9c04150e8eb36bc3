"""core_course_get_contents and core_course_delete_modules (kontur_recordings).

Answers as the recorded real Moodle 4.1 does (shared/moodle/ws-transcripts.txt):
`get_contents` lists a course's sections in order with their modules in the
section's `sequence` order (a URL module carries its external URL in
`contents`); `delete_modules` removes each course module with its instance
row, context and its id in the section's `sequence`, bumps the course's
`cacherev`, and returns null; an unknown id is `invalidcoursemodule`.
"""

from __future__ import annotations

import time

from include.sandbox.moodle_ws.registry import (
    MoodleException,
    invalid_parameter,
    missing_record,
    wsfunction,
)

BASE_URL = "http://127.0.0.1/moodle"
# Instance tables the fixture holds (a module's name is read from its own table).
_INSTANCE_TABLES = {"url", "page", "quiz"}


def _module_names(cursor, modules: list[dict]) -> dict[tuple[str, int], dict]:
    found: dict[tuple[str, int], dict] = {}
    for modname in _INSTANCE_TABLES:
        ids = [m["instance"] for m in modules if m["modname"] == modname]
        if not ids:
            continue
        extra = ", externalurl" if modname == "url" else ""
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"SELECT id, name{extra} FROM mdl_{modname} WHERE id IN ({marks})", ids)
        for row in cursor.fetchall():
            found[(modname, row["id"])] = row
    return found


@wsfunction("core_course_get_contents")
def get_contents(cursor, params: dict):
    try:
        course_id = int(params.get("courseid", ""))
    except ValueError:
        raise invalid_parameter("courseid: Invalid parameter value detected") from None
    cursor.execute("SELECT id FROM mdl_course WHERE id = %s", (course_id,))
    if cursor.fetchone() is None:
        raise missing_record("course")
    cursor.execute(
        "SELECT id, section, name, summary, summaryformat, sequence, visible"
        " FROM mdl_course_sections WHERE course = %s ORDER BY section",
        (course_id,),
    )
    sections = list(cursor.fetchall())
    cursor.execute(
        "SELECT cm.id, cm.instance, cm.visible, cm.visibleoncoursepage, cm.indent,"
        " cm.completion, cm.downloadcontent, m.name AS modname, ctx.id AS contextid"
        " FROM mdl_course_modules cm JOIN mdl_modules m ON m.id = cm.module"
        " LEFT JOIN mdl_context ctx ON ctx.contextlevel = 70 AND ctx.instanceid = cm.id"
        " WHERE cm.course = %s AND cm.deletioninprogress = 0",
        (course_id,),
    )
    modules = {row["id"]: row for row in cursor.fetchall()}
    names = _module_names(cursor, list(modules.values()))
    answer = []
    for section in sections:
        listed = []
        for cmid in [int(x) for x in (section["sequence"] or "").split(",") if x.strip()]:
            module = modules.get(cmid)
            if module is None:
                continue
            instance = names.get((module["modname"], module["instance"]), {})
            entry = {
                "id": cmid,
                "url": f"{BASE_URL}/mod/{module['modname']}/view.php?id={cmid}",
                "name": instance.get("name", module["modname"].capitalize()),
                "instance": module["instance"],
                "contextid": module["contextid"],
                "visible": module["visible"],
                "uservisible": True,
                "visibleoncoursepage": module["visibleoncoursepage"],
                "modicon": f"{BASE_URL}/theme/image.php/boost/{module['modname']}/1/monologo",
                "modname": module["modname"],
                "purpose": "content",
                "branded": False,
                "groupmode": 0,
                "activitybadge": [],
                "modplural": module["modname"].capitalize() + "s",
                "availability": None,
                "indent": module["indent"],
                "onclick": "",
                "afterlink": None,
                "customdata": '""',
                "noviewlink": False,
                "completion": module["completion"],
                "downloadcontent": module["downloadcontent"],
                "dates": [],
            }
            if module["modname"] == "url":
                entry["contents"] = [
                    {
                        "type": "url",
                        "filename": instance.get("name", ""),
                        "filepath": None,
                        "filesize": 0,
                        "fileurl": instance.get("externalurl", ""),
                        "timecreated": None,
                        "timemodified": None,
                        "sortorder": None,
                        "userid": None,
                        "author": None,
                        "license": None,
                    }
                ]
            listed.append(entry)
        number = section["section"]
        answer.append(
            {
                "id": section["id"],
                "name": section["name"] or ("General" if number == 0 else f"Topic {number}"),
                "visible": section["visible"],
                "summary": section["summary"] or "",
                "summaryformat": section["summaryformat"],
                "section": number,
                "hiddenbynumsections": 0,
                "uservisible": True,
                "component": None,
                "itemid": None,
                "modules": listed,
            }
        )
    return answer


def _delete_one(cursor, cmid: int) -> None:
    cursor.execute(
        "SELECT cm.id, cm.course, cm.section, cm.instance, m.name AS modname"
        " FROM mdl_course_modules cm JOIN mdl_modules m ON m.id = cm.module"
        " WHERE cm.id = %s FOR UPDATE",
        (cmid,),
    )
    module = cursor.fetchone()
    if module is None:
        raise MoodleException(
            "dml_missing_record_exception", "invalidcoursemodule", "Invalid course module ID"
        )
    if module["modname"] in _INSTANCE_TABLES:
        cursor.execute(f"DELETE FROM mdl_{module['modname']} WHERE id = %s", (module["instance"],))
    cursor.execute("DELETE FROM mdl_context WHERE contextlevel = 70 AND instanceid = %s", (cmid,))
    cursor.execute("DELETE FROM mdl_course_modules WHERE id = %s", (cmid,))
    cursor.execute(
        "SELECT id, sequence FROM mdl_course_sections WHERE id = %s FOR UPDATE",
        (module["section"],),
    )
    section = cursor.fetchone()
    if section is not None:
        kept = [x for x in (section["sequence"] or "").split(",") if x.strip() and int(x) != cmid]
        cursor.execute(
            "UPDATE mdl_course_sections SET sequence = %s WHERE id = %s",
            (",".join(kept), section["id"]),
        )
    now = int(time.time())
    cursor.execute(
        "UPDATE mdl_course SET cacherev = CASE WHEN cacherev < %s THEN %s ELSE cacherev + 1 END"
        " WHERE id = %s",
        (now, now, module["course"]),
    )


@wsfunction("core_course_delete_modules")
def delete_modules(cursor, params: dict):
    cmids = params.get("cmids") or []
    if isinstance(cmids, dict):
        cmids = list(cmids.values())
    try:
        ids = [int(x) for x in cmids]
    except (TypeError, ValueError):
        raise invalid_parameter("cmids: Invalid parameter value detected") from None
    for cmid in ids:  # one transaction: all or nothing, as Moodle's own call
        _delete_one(cursor, cmid)
    return None
