"""The demo university in the EIOS stand-in: faculties, groups and students.

Sizes: `eios_faculties` (default 4) and `eios_students` (default 600, spread
over the faculties in groups of about 25); the benchmark asks for 40 000 in 20.
Deterministic for a seed. Two rows are bad on purpose, as real feeds are:
one malformed e-mail and one malformed group code (quality-gate rejects).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

DEMO_RUNS = {"eios_sync": (1, {})}
TEST_SIZES = {"eios_faculties": 3, "eios_students": 90}

FACULTY_NAMES = (
    ("ECON", "Экономический факультет", "ЭК"),
    ("LAW", "Юридический факультет", "ЮР"),
    ("TECH", "Инженерный факультет", "ИН"),
    ("MED", "Медицинский институт", "МД"),
    ("AGRO", "Аграрный факультет", "АГ"),
    ("PED", "Педагогический факультет", "ПД"),
    ("PHIL", "Филологический факультет", "ФЛ"),
    ("HIST", "Исторический факультет", "ИС"),
    ("MATH", "Факультет математики", "МТ"),
    ("CHEM", "Химический факультет", "ХМ"),
)
LAST_NAMES = ("Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Соколов", "Лебедев")
FIRST_NAMES = ("Алексей", "Мария", "Дмитрий", "Анна", "Ильяс", "Айгуль", "Тимур", "Елена", "Зарина")
MIDDLE_NAMES = ("Сергеевич", "Ивановна", "Русланович", "Маратовна", "", "Олегович")
STUDY_FORMS = ("очная", "заочная", "очно-заочная")
FIRST_STUDENT_ID = 500001
GROUP_SIZE = 25


def faculties(count: int) -> list[tuple[str, str, str]]:
    """(id, name, group prefix) for `count` faculties (names repeat with a number past 10)."""
    rows = []
    for index in range(count):
        fid, name, prefix = FACULTY_NAMES[index % len(FACULTY_NAMES)]
        if index >= len(FACULTY_NAMES):
            round_ = index // len(FACULTY_NAMES) + 1
            fid, name, prefix = f"{fid}{round_}", f"{name} №{round_}", f"{prefix}{round_}"
        rows.append((fid, name, prefix))
    return rows


def student_rows(faculty_count: int, student_count: int, seed: int, today: datetime) -> list[tuple]:
    """The feed's rows (deterministic for a seed and a day)."""
    rng = random.Random(seed)
    facs = faculties(faculty_count)
    anchor = today.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    rows = []
    for number in range(student_count):
        fid, _, prefix = facs[number % faculty_count]
        in_faculty = number // faculty_count
        group = (
            f"{prefix}-{21 + (in_faculty // GROUP_SIZE) % 4}{1 + in_faculty // (GROUP_SIZE * 4)}"
        )
        student_id = str(FIRST_STUDENT_ID + number)
        last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
        if first.endswith("а") or first in ("Айгуль",):
            last = last + "а"
        status = rng.choices(("studying", "academic_leave", "expelled"), weights=(94, 3, 3), k=1)[0]
        changed_at = anchor - timedelta(minutes=rng.randrange(0, 90 * 24 * 60))
        login = f"s{student_id}"
        email = f"{login}@students.example.edu"
        if number == 1:
            email = "broken@@students.example.edu"  # quality gate: malformed e-mail
        elif number == 2 and faculty_count > 2:
            group = "группа ?"  # quality gate: group code breaks the pattern
        rows.append(
            (
                student_id,
                f"ЗК-{student_id}",
                login,
                last,
                first,
                rng.choice(MIDDLE_NAMES),
                email,
                fid,
                "Направление подготовки",
                group,
                1 + (in_faculty // GROUP_SIZE) % 4,
                rng.choice(STUDY_FORMS),
                status,
                (changed_at.date()),
                changed_at.replace(tzinfo=None),
            )
        )
    return rows


def seed(context) -> str:
    faculty_count = max(1, context.size("eios_faculties", 4))
    student_count = context.size("eios_students", 600)
    cursor = context.sandbox.cursor()
    facs = faculties(faculty_count)
    cursor.executemany(
        "INSERT INTO eios_faculty (id, name) VALUES (%s, %s)", [(f, n) for f, n, _ in facs]
    )
    rows = student_rows(faculty_count, student_count, context.seed, datetime.now(UTC))
    for start in range(0, len(rows), 2000):
        cursor.executemany(
            "INSERT INTO eios_student (student_id, record_book, login, last_name, first_name,"
            " middle_name, email, faculty_id, specialty, group_code, course_year, study_form,"
            " status, status_date, changed_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows[start : start + 2000],
        )
    return f"EIOS: {student_count} students in {faculty_count} faculties"
