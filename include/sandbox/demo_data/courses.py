"""Demo data of `course_archive` and `course_audit`: a category tree of finished and
running courses, each with sections and activities, and a delivery-model custom field.

Finished courses (end date last semester) are what `course_archive` archives; the
audit fixtures are built so that each rule of the regulation's minimum composition
is passed by one course and failed by another (see docs/courses.md).
The fixtures are in course_audit_fixtures.py, the writing of Moodle's rows in
course_rows.py.
"""

from __future__ import annotations

import json
import random
import sys
import time

from include.sandbox.demo_data.course_audit_fixtures import (
    GOOD_SUMMARY,
    audit_fixtures,
    module_section,
)
from include.sandbox.demo_data.course_rows import (
    MODEL_FIELD_OPTIONS,
    MODEL_INDEX,
    CourseBuilder,
    create_module_tables,
)

TEST_SIZES = {"courses_finished": 4}
DEMO_RUNS = {
    "course_audit": (0, {}),
    # the sandbox's stand-in for admin/cli/backup.php (a real site sets backup_command)
    "course_archive": (
        0,
        {"backup_command": [sys.executable, "-m", "include.sandbox.moodle_backup"]},
    ),
}

DAY = 86400


def seed(context) -> str:
    rng = random.Random(context.seed + 7)
    now = int(time.time())
    cursor = context.moodle.cursor()
    create_module_tables(cursor)
    cursor.execute(
        "INSERT INTO mdl_customfield_field (shortname, name, type, description, descriptionformat, sortorder,"
        " categoryid, configdata, timecreated, timemodified) VALUES ('delivery_model',"
        " 'Модель реализации ЭО и ДОТ', 'select', '', 1, 0, 1, %s, %s, %s)",
        (
            json.dumps(
                {
                    "required": "0",
                    "uniquevalues": "0",
                    "options": MODEL_FIELD_OPTIONS,
                    "defaultvalue": "",
                    "locked": "0",
                    "visibility": "2",
                },
                ensure_ascii=False,
            ),
            now,
            now,
        ),
    )
    model_field = cursor.lastrowid
    build = CourseBuilder(cursor, now)
    faculty = build.category("Факультет систем управления", "fsu", None)
    asu = build.category("Кафедра АСУ", "fsu-asu", faculty)
    kibevs = build.category("Кафедра КИБЭВС", "fsu-kibevs", faculty)
    audit = build.category("Кафедра экспертизы курсов", "fsu-audit", faculty)
    humanities = build.category("Гуманитарный факультет", "gf", None)
    cursor.execute("SELECT id FROM mdl_user WHERE id > 2 AND deleted = 0 ORDER BY id LIMIT 12")
    users = [row[0] for row in cursor.fetchall()]

    finished_end = now - 150 * DAY  # ended last semester
    finished = context.size("courses_finished", 8)
    for n in range(finished):
        category = (asu, kibevs, humanities)[n % 3]
        build.course(
            category,
            f"ARCH-{n + 1:03d}",
            f"Завершённая дисциплина {n + 1}",
            GOOD_SUMMARY,
            finished_end - 120 * DAY,
            finished_end + n * 3600,
            rng.choice(list(MODEL_INDEX)),
            model_field,
            [module_section(1), ("Список литературы", [("page", "Список литературы")])],
            rng.sample(users, k=min(4, len(users))),
        )
    for n in range(2):  # running courses: not finished, never archived
        build.course(
            asu,
            f"RUN-{n + 1:03d}",
            f"Идущая дисциплина {n + 1}",
            GOOD_SUMMARY,
            now - 30 * DAY,
            now + 90 * DAY,
            "blended",
            model_field,
            [module_section(1)],
            users[:3],
        )
    for fixture in audit_fixtures():
        build.course(
            audit,
            fixture["shortname"],
            fixture["fullname"],
            fixture["summary"],
            now - 30 * DAY,
            now + 120 * DAY,
            fixture["model"],
            model_field,
            fixture["sections"],
            users[:2],
        )
    return (
        f"courses: {finished} finished courses in 3 departments, 2 running, "
        f"{len(audit_fixtures())} audit fixtures (category fsu-audit), delivery-model field"
    )
