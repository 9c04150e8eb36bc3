"""Stand-in for Moodle's `admin/cli/backup.php`: a real `.mbz`-like archive of one course.

    python -m include.sandbox.moodle_backup --courseid=N --destination=DIR

Writes `backup-moodle2-course-<id>-<shortname>-<YYYYMMDD-HHMM>.mbz` (a gzip tar,
as Moodle's default backup format is) with `moodle_backup.xml` (the information
block Moodle writes: original course id, names, the `users` setting), the
course, its sections and activities, enrolled users and quiz attempts (the
students' work), read from the Moodle database of `moodle_db`. It prints what
Moodle's CLI prints and exits 0; on an error, Moodle's message and exit 1.

Faults for tests, by course id, in `SANDBOX_BACKUP_FAULTS` (JSON):
`{"12": "fail"}` (Moodle's error, exit 1), `{"12": "corrupt"}` (says it
completed but the archive is truncated), `{"12": "slow"}` (sleeps 30 s).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

FAULTS_ENV = "SANDBOX_BACKUP_FAULTS"


def _xml(tag: str, fields: dict) -> str:
    body = "".join(
        f"<{k}>{escape(str(v if v is not None else ''))}</{k}>" for k, v in fields.items()
    )
    return f"<{tag}>{body}</{tag}>"


def _rows(cursor, sql: str, args) -> list[dict]:
    cursor.execute(sql, args)
    return list(cursor.fetchall())


def build_archive(cursor, course: dict, now: datetime) -> bytes:
    """The archive's bytes: moodle_backup.xml plus the course's data as XML files."""
    course_id = course["id"]
    sections = _rows(
        cursor,
        "SELECT id, section, name, summary, sequence, visible FROM mdl_course_sections"
        " WHERE course = %s ORDER BY section",
        (course_id,),
    )
    modules = _rows(
        cursor,
        "SELECT cm.id, m.name AS modname, cm.instance, cm.section, cm.visible"
        " FROM mdl_course_modules cm JOIN mdl_modules m ON m.id = cm.module"
        " WHERE cm.course = %s ORDER BY cm.id",
        (course_id,),
    )
    users = _rows(
        cursor,
        "SELECT DISTINCT u.id, u.username, u.firstname, u.lastname FROM mdl_user u"
        " JOIN mdl_user_enrolments ue ON ue.userid = u.id"
        " JOIN mdl_enrol e ON e.id = ue.enrolid WHERE e.courseid = %s ORDER BY u.id",
        (course_id,),
    )
    attempts = _rows(
        cursor,
        "SELECT qa.id, qa.quiz, qa.userid, qa.attempt, qa.state, qa.sumgrades, qa.timefinish"
        " FROM mdl_quiz_attempts qa JOIN mdl_quiz q ON q.id = qa.quiz WHERE q.course = %s"
        " ORDER BY qa.id",
        (course_id,),
    )
    stamp = int(now.timestamp())
    information = (
        "<information>"
        f"<name>{escape(course['filename'])}</name>"
        "<moodle_version>2024100706</moodle_version><moodle_release>4.5.6 (Build: 20250811)"
        "</moodle_release><backup_version>2024100700</backup_version>"
        f"<backup_date>{stamp}</backup_date>"
        f"<original_course_id>{course_id}</original_course_id>"
        f"<original_course_format>{escape(course['format'])}</original_course_format>"
        f"<original_course_fullname>{escape(course['fullname'])}</original_course_fullname>"
        f"<original_course_shortname>{escape(course['shortname'])}</original_course_shortname>"
        f"<original_course_startdate>{course['startdate']}</original_course_startdate>"
        f"<original_course_enddate>{course['enddate']}</original_course_enddate>"
        "<details><detail><type>course</type><format>moodle2</format><interactive>1</interactive>"
        "<mode>10</mode><execution>1</execution></detail></details>"
        "<settings>"
        "<setting><level>root</level><name>users</name><value>1</value></setting>"
        "<setting><level>root</level><name>anonymize</name><value>0</value></setting>"
        "<setting><level>root</level><name>activities</name><value>1</value></setting>"
        "</settings></information>"
    )
    files = {
        "moodle_backup.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n<moodle_backup>{information}</moodle_backup>\n',
        "course/course.xml": _xml(
            "course",
            {
                k: course[k]
                for k in ("id", "shortname", "fullname", "summary", "startdate", "enddate")
            },
        ),
        "users.xml": "<users>" + "".join(_xml("user", u) for u in users) + "</users>",
    }
    for section in sections:
        files[f"sections/section_{section['id']}/section.xml"] = _xml("section", section)
    for module in modules:
        files[f"activities/{module['modname']}_{module['id']}/module.xml"] = _xml("module", module)
    files["activities/quiz_attempts.xml"] = (  # the students' answers (regulation 6.7.1)
        "<attempts>" + "".join(_xml("attempt", a) for a in attempts) + "</attempts>"
    )
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in sorted(files.items()):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), stamp
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def backup_filename(course_id: int, shortname: str, now: datetime) -> str:
    """Moodle's default name (backup_plan_dbops::get_default_backup_filename, users included)."""
    short = re.sub(r"[^\w\-]+", "_", shortname.lower()).strip("_")
    return f"backup-moodle2-course-{course_id}-{short}-{now:%Y%m%d-%H%M}.mbz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Perform backup of the given course.")
    parser.add_argument("--courseid", type=int)
    parser.add_argument("--courseshortname")
    parser.add_argument("--destination", default="")
    options = parser.parse_args(argv)
    destination = Path(options.destination) if options.destination else None
    if destination is not None and not (destination.is_dir() and os.access(destination, os.W_OK)):
        print("Destination directory does not exists or not writable.", file=sys.stderr)
        return 1
    from MySQLdb.cursors import DictCursor

    from include.sandbox.stack import connect

    connection = connect("moodle")
    try:
        cursor = connection.cursor(DictCursor)
        column, value = (
            ("id", options.courseid) if options.courseid else ("shortname", options.courseshortname)
        )
        cursor.execute(
            "SELECT id, shortname, fullname, summary, format, startdate, enddate FROM mdl_course"
            f" WHERE {column} = %s",
            (value,),
        )
        course = cursor.fetchone()
        if course is None:
            print("Default exception handler: Can't find data record in database table course.")
            print("Error code: invalidrecord")
            return 1
        fault = json.loads(os.environ.get(FAULTS_ENV) or "{}").get(str(course["id"]))
        print("== Performing backup... ==")
        if fault == "fail":
            print("!!! Error writing to database !!!")
            print("Error code: dmlwriteexception")
            return 1
        if fault == "slow":
            time.sleep(30)
        now = datetime.now(UTC)
        course["filename"] = backup_filename(course["id"], course["shortname"], now)
        data = build_archive(cursor, course, now)
    finally:
        connection.close()
    if fault == "corrupt":
        data = data[: len(data) // 2]
    if destination is None:
        print("Backup completed, the new file is listed in the backup area of the given course")
        return 0
    target = destination / course["filename"]
    print(f"Writing {target}")
    target.write_bytes(data)
    print("Backup completed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
