"""Exam quizzes and attempts for `exam_archive`, on top of the real attempts in
`sample-data.sql` (quiz 7 "Экзамен по информатике 361": ten finished attempts on
2026-11-23, essays awaiting grading, two in progress).

On `DEMO_DATE` (local time, Europe/Moscow), per exam quiz: `exam_attempts_per_quiz`
finished attempts of `exam_questions` questions (true/false, short answer, multiple
choice, an essay in the first quiz: some graded by hand, some awaiting grading), and on
the first quiz the awkward cases: finished at 23:58 (archived), at 00:00:30 the next day
and at 23:59:50 the day before (not archived that day), a teacher's preview, attempts in
progress, overdue and abandoned, a student's second attempt, a student without idnumber.
A training quiz (not an exam), a quiz found only by its category, and attempts on the
day before (for two-date runs). `exam_quizzes` > 4 adds more exam quizzes (benchmark:
20 quizzes x 250 attempts x 30 questions). Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from include.sandbox.demo_data.exam_attempts import Attempts
from include.sandbox.demo_data.exam_quizzes import seed_quizzes
from include.sandbox.demo_data.rows import NextIds

DEMO_DATE = date(2026, 11, 23)  # the local date of the real attempts in sample-data.sql
TIMEZONE = "Europe/Moscow"
DEMO_RUNS = {"exam_archive": (0, {"date": DEMO_DATE.isoformat()})}
TEST_SIZES = {"exam_quizzes": 4, "exam_attempts_per_quiz": 4, "exam_questions": 5}


def _local(day: date, hour: int, minute: int, second: int = 0) -> int:
    moment = datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(TIMEZONE))
    return int(moment.timestamp())


def seed(context) -> str:
    rng = random.Random(context.seed + 5)
    cursor = context.moodle.cursor()
    ids = NextIds(cursor)
    n_quizzes = context.size("exam_quizzes", 4)
    per_quiz = context.size("exam_attempts_per_quiz", 12)
    n_questions = max(4, context.size("exam_questions", 8))
    now = _local(DEMO_DATE, 6, 0) - 86400 * 30
    # students: enough for the biggest quiz and the edge cases
    sizes = {"exam_quizzes": n_quizzes, "exam_questions": n_questions, "students": per_quiz + 4}
    courses, users, specs = seed_quizzes(cursor, ids, now, sizes)

    attempts = Attempts(ids, rng)
    day = DEMO_DATE
    for index, spec in enumerate(specs):
        base_users = users[:per_quiz] if spec["exam"] else users[: max(2, per_quiz // 2)]
        for number, user in enumerate(base_users):
            finish = (
                _local(day, 9, 0)
                + int(number * (9 * 3600) / max(1, len(base_users)))
                + rng.randint(0, 300)
            )
            start = finish - rng.randint(20 * 60, 90 * 60)
            graded = (
                None
                if not spec["essay"]
                else (None if number % 3 == 0 else (1.0 if number % 3 == 1 else 0.5))
            )
            attempts.add(spec, user, 1, start, finish, essay_graded=graded)
        if index == 1:  # the day before, for runs over two dates
            for number, user in enumerate(users[: max(2, per_quiz // 2)]):
                finish = _local(day - timedelta(days=1), 10, 0) + number * 600
                attempts.add(spec, user, 2, finish - 1800, finish)
    first = specs[0]
    extra = users[per_quiz:]
    # edge cases around local midnight, previews and unfinished attempts (first quiz)
    attempts.add(first, extra[0], 1, _local(day, 23, 10), _local(day, 23, 58, 30), essay_graded=1.0)
    attempts.add(
        first,
        extra[1],
        1,
        _local(day, 23, 40),
        _local(day + timedelta(days=1), 0, 0, 30),
        essay_graded=1.0,
    )
    attempts.add(
        first,
        extra[2],
        1,
        _local(day - timedelta(days=1), 23, 30),
        _local(day - timedelta(days=1), 23, 59, 50),
        essay_graded=0.5,
    )
    attempts.add(first, users[0], 2, _local(day, 19, 0), _local(day, 19, 45), essay_graded=1.0)
    attempts.add(
        first,
        (2, "manual", 1, 1, "admin"),
        1,
        _local(day, 12, 0),
        _local(day, 12, 20),
        preview=1,
        essay_graded=1.0,
    )
    attempts.add(first, extra[3], 1, _local(day, 15, 0), 0, state_name="inprogress")
    attempts.add(first, extra[0], 2, _local(day, 16, 0), 0, state_name="overdue")
    attempts.add(first, extra[1], 2, _local(day, 17, 0), 0, state_name="abandoned")

    attempts.write(cursor)
    finished = sum(1 for row in attempts.rows if row[7] == "finished")
    return (
        f"{len(specs)} quizzes ({n_quizzes} exams) in {len(courses)} courses, "
        f"{len(attempts.rows)} attempts ({finished} finished) of {n_questions} questions "
        f"around {DEMO_DATE} ({TIMEZONE})"
    )
