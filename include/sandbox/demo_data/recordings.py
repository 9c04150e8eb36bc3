"""Demo data of `kontur_recordings`: a category tree with prefix routes, courses with
sections, Kontur.Talk rooms and the recordings of the days before today.

Root categories carry the seed's route ids (ЕГЭ 735, ПО 727, СПО 728) and a
department category (700, prefix КАФ); each has sub-categories, so matching searches a
subtree. Titles vary case, `ё`/`е`, punctuation and prefix spelling; a few are
unmatched (no such course), ambiguous (two courses of one name in a subtree)
or bad (duration 0: rejected by the quality gate). Sizes: `recordings`,
`recording_rooms`, `recording_courses` (the bench asks for 2 000 / 300 / 1 500).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

ROUTES = {"ЕГЭ": 735, "ПО": 727, "СПО": 728, "КАФ": 700}
DEPARTMENTS_CATEGORY = 700
ROOTS = {735: "ЕГЭ", 727: "ПО", 728: "СПО", 700: "Кафедры"}
SUBJECTS = [
    "Математика",
    "Физика",
    "Информатика",
    "Химия",
    "Биология",
    "История России",
    "Обществознание",
    "Русский язык",
    "Литература",
    "Английский язык",
    "Экономика",
    "Право",
    "Основы программирования",
    "Базы данных",
    "Алгебра и начала анализа",
    "Начертательная геометрия",
    "Электротехника",
    "Философия",
    "Менеджмент",
    "Статистика",
]
SHORT = "MATH PHYS INF CHEM BIO HIST SOC RUS LIT ENG ECON LAW PROG DB ALG GEOM EL PHIL MGMT STAT"
DEMO_SETTINGS = {"prefix_routes": ROUTES, "default_prefix": "ПО"}
DEMO_RUNS = {"kontur_recordings": (0, {"publish_now": True, **DEMO_SETTINGS})}
TEST_SIZES = {"recordings": 40, "recording_rooms": 8, "recording_courses": 24}


def _context(cursor, level: int, instance: int, parent_path: str, parent_depth: int) -> tuple:
    cursor.execute(
        "INSERT INTO mdl_context (contextlevel, instanceid, path, depth, locked)"
        " VALUES (%s, %s, NULL, %s, 0)",
        (level, instance, parent_depth + 1),
    )
    cid = cursor.lastrowid
    path = f"{parent_path}/{cid}"
    cursor.execute("UPDATE mdl_context SET path = %s WHERE id = %s", (path, cid))
    return path, parent_depth + 1


def _category(cursor, cat_id, name, parent, parent_path, ctx_path, ctx_depth, now) -> tuple:
    cursor.execute("SELECT COALESCE(MAX(sortorder), 0) FROM mdl_course_categories")
    sortorder = (int(cursor.fetchone()[0]) // 10000 + 1) * 10000
    depth = parent_path.count("/") + 1
    cursor.execute(
        "INSERT INTO mdl_course_categories (id, name, idnumber, description, descriptionformat,"
        " parent, sortorder, coursecount, visible, visibleold, timemodified, depth, path)"
        " VALUES (%s, %s, NULL, '', 1, %s, %s, 0, 1, 1, %s, %s, '')",
        (cat_id, name, parent, sortorder, now, depth),
    )
    cat_id = cursor.lastrowid
    path = f"{parent_path}/{cat_id}"
    cursor.execute("UPDATE mdl_course_categories SET path = %s WHERE id = %s", (path, cat_id))
    context_path, context_depth = _context(cursor, 40, cat_id, ctx_path, ctx_depth)
    return cat_id, path, context_path, context_depth, sortorder


def seed(context) -> str:
    rng = random.Random(context.seed + 4)
    n_recordings = context.size("recordings", 400)
    n_rooms = context.size("recording_rooms", 60)
    n_courses = context.size("recording_courses", 300)
    now = int(time.time())
    cursor = context.moodle.cursor()
    cursor.execute(
        "SELECT id FROM mdl_course_categories WHERE id IN (%s, %s, %s, %s)", tuple(ROOTS)
    )
    taken = cursor.fetchall()
    if taken:
        raise RuntimeError(f"recordings demo: category ids {taken} are taken already")

    leaves = []  # (root_id, category_id, context_path, context_depth, sortorder)
    for root_id, root_name in ROOTS.items():
        root = _category(cursor, root_id, root_name, 0, "", "/1", 1, now)
        for n in (1, 2):
            sub = _category(
                cursor, None, f"{root_name}: поток {n}", root[0], root[1], root[2], root[3], now
            )
            leaves.append((root_id, sub[0], sub[2], sub[3], sub[4]))

    shorts = SHORT.split()
    courses = []  # (course_id, root_id, fullname, shortname)
    for i in range(n_courses):
        root_id, cat_id, ctx_path, ctx_depth, sortorder = leaves[i % len(leaves)]
        subject = i % len(SUBJECTS)
        cohort = i // len(SUBJECTS) + 1
        fullname = f"{SUBJECTS[subject]} {cohort}"
        shortname = f"{ROOTS[root_id][:3].upper()}-{shorts[subject]}-{cohort}-{i}"
        if i % 37 == 5:  # two courses of one name in a subtree: ambiguous on purpose
            fullname = "Физика (общая)"
        cursor.execute(
            "INSERT INTO mdl_course (category, sortorder, fullname, shortname, idnumber, summary,"
            " summaryformat, format, startdate, enddate, visible, timecreated, timemodified,"
            " cacherev) VALUES (%s, %s, %s, %s, '', '', 1, 'topics', %s, 0, 1, %s, %s, %s)",
            (cat_id, sortorder + i + 1, fullname, shortname, now - 86400 * 60, now, now, now),
        )
        course_id = cursor.lastrowid
        _context(cursor, 50, course_id, ctx_path, ctx_depth)
        sections = [(course_id, n, None, "", 1, "", 1, None, now) for n in range(5)]
        if i % 4 == 0:  # some courses already have the recordings section
            sections[3] = (course_id, 3, "Записи занятий", "", 1, "", 1, None, now)
        cursor.executemany(
            "INSERT INTO mdl_course_sections (course, section, name, summary, summaryformat,"
            " sequence, visible, availability, timemodified)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            sections,
        )
        courses.append((course_id, root_id, fullname, shortname))
    cursor.execute(
        "UPDATE mdl_course_categories c SET coursecount ="
        " (SELECT COUNT(*) FROM mdl_course WHERE category = c.id)"
    )

    rooms = [f"Аудитория {100 + n}" for n in range(n_rooms)]
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for n in range(n_recordings):
        course_id, root_id, fullname, shortname = courses[rng.randrange(len(courses))]
        prefix = {700: "КАФ"}.get(root_id, ROOTS[root_id])
        name = fullname if rng.random() < 0.6 else shortname
        variant = rng.randrange(6)
        if variant == 1:
            name = name.upper()
        elif variant == 2:
            name = name.replace("е", "ё", 1)
        elif variant == 3:
            name = f"{name}!"
        if root_id == 727 and rng.random() < 0.3:
            title = name  # no prefix: the default prefix (ПО in the demo) applies
        else:
            title = rng.choice([f"{prefix} {name}", f"{prefix}: {name}", f"[{prefix}] {name}"])
        if n % 23 == 7:
            title = f"{rng.choice(list(ROUTES))} Совещание кафедры {n}"  # unmatched
        # the three days before today, 09:00-20:00 UTC
        created = today - timedelta(days=n % 3, seconds=rng.randrange(4 * 3600, 15 * 3600))
        duration = 0 if n % 97 == 13 else rng.randrange(900, 5400)  # 0: rejected
        key = f"{rng.getrandbits(128):032x}"
        rows.append(
            (
                f"{rng.getrandbits(48):012x}",
                key,
                title,
                created,
                f"teacher{rng.randrange(1, 40)}@example.edu",
                rng.choice(rooms),
                rng.randrange(2, 60),
                rng.randrange(10**7, 10**9),
                duration,
            )
        )
    context.sandbox.cursor().executemany(
        "INSERT INTO kontur_recording (id, recording_key, title, created_date, created_by_email,"
        " room_name, participants_count, size_bytes, duration_seconds)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        rows,
    )
    return (
        f"{n_recordings} Kontur.Talk recordings in {n_rooms} rooms; {n_courses} courses under "
        "prefix routes "
        + ", ".join(f"{prefix} → category {category}" for prefix, category in ROUTES.items())
        + f" and category {DEPARTMENTS_CATEGORY}"
    )
