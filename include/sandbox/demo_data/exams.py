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

DEMO_DATE = date(2026, 11, 23)  # the local date of the real attempts in sample-data.sql
TIMEZONE = "Europe/Moscow"
DEMO_RUNS = {"exam_archive": (0, {"date": DEMO_DATE.isoformat()})}
TEST_SIZES = {"exam_quizzes": 4, "exam_attempts_per_quiz": 4, "exam_questions": 5}
EXAM_CATEGORY_IDNUMBER = "exam-session-2026"

FACULTIES = (
    ("Инженерный факультет", "fac-eng", "Кафедра информационных систем", "ИС"),
    ("Экономический факультет", "fac-econ", "Кафедра экономической теории", "ЭК"),
)
COURSES = (  # shortname, fullname, faculty index
    ("BD-201", "Базы данных", 0),
    ("ECON-101", "Микроэкономика", 1),
    ("NET-301", "Компьютерные сети", 0),
)
EXAM_NAMES = (
    ("Экзамен: Базы данных", 100),
    ("Зачёт по микроэкономике", 10),
    ("Final exam: Computer Networks", 100),
)
LAST = (
    "Абрамов",
    "Белова",
    "Волков",
    "Гусева",
    "Давыдов",
    "Ершова",
    "Жуков",
    "Зайцева",
    "Ильин",
    "Киселёва",
    "Лебедев",
    "Морозова",
    "Никитин",
    "Орлова",
    "Павлов",
    "Романова",
)
FIRST = (
    "Алексей",
    "Мария",
    "Дмитрий",
    "Анна",
    "Ильяс",
    "Айгуль",
    "Тимур",
    "Елена",
    "Зарина",
    "Пётр",
    "Софья",
    "Руслан",
)
QUESTIONS = (
    (
        "truefalse",
        "Реляционная модель данных основана на понятии отношения?",
        "Верно",
        ("Верно", "Неверно"),
    ),
    (
        "shortanswer",
        "Назовите оператор SQL для выборки данных: ______",
        "SELECT",
        ("SELECT", "select", "FETCH"),
    ),
    (
        "multichoice",
        "Какой уровень изоляции самый строгий?: READ COMMITTED; SERIALIZABLE; "
        "READ UNCOMMITTED; REPEATABLE READ",
        "SERIALIZABLE",
        ("SERIALIZABLE", "READ COMMITTED"),
    ),
    ("truefalse", "Эластичность спроса всегда отрицательна?", "Неверно", ("Неверно", "Верно")),
    (
        "multichoice",
        "Какой протокол работает на транспортном уровне?: IP; TCP; HTTP; Ethernet",
        "TCP",
        ("TCP", "IP", "HTTP"),
    ),
    ("shortanswer", "Сколько бит в адресе IPv4? ______", "32", ("32", "64")),
)
ESSAY = ("essay", "Опишите нормальные формы отношений и приведите пример нарушения 3НФ.")


def _local(day: date, hour: int, minute: int, second: int = 0) -> int:
    moment = datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(TIMEZONE))
    return int(moment.timestamp())


class _Ids:
    """Next free ids per table: rows go after what Moodle (and other generators) wrote."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        self.next: dict[str, int] = {}

    def take(self, table: str, count: int = 1) -> int:
        if table not in self.next:
            self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            self.next[table] = int(self.cursor.fetchone()[0])
        first = self.next[table]
        self.next[table] += count
        return first


def _insert(cursor, table: str, columns: tuple, rows: list) -> None:
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])


def seed(context) -> str:
    rng = random.Random(context.seed + 5)
    cursor = context.moodle.cursor()
    ids = _Ids(cursor)
    n_quizzes = context.size("exam_quizzes", 4)
    per_quiz = context.size("exam_attempts_per_quiz", 12)
    n_questions = max(4, context.size("exam_questions", 8))
    now = _local(DEMO_DATE, 6, 0) - 86400 * 30
    cursor.execute("SELECT id FROM mdl_modules WHERE name = 'quiz'")
    quiz_module = int(cursor.fetchone()[0])

    # categories (faculty / department, and the exam-session category) with their contexts
    department_ids = []
    for name, idnumber, department, _ in FACULTIES:
        fac = ids.take("mdl_course_categories")
        dep = ids.take("mdl_course_categories")
        _insert(
            cursor,
            "mdl_course_categories",
            (
                "id",
                "name",
                "idnumber",
                "description",
                "parent",
                "sortorder",
                "depth",
                "path",
                "timemodified",
            ),
            [
                (fac, name, idnumber, "", 0, fac * 10000, 1, f"/{fac}", now),
                (dep, department, f"{idnumber}-dep", "", fac, dep * 10000, 2, f"/{fac}/{dep}", now),
            ],
        )
        department_ids.append(dep)
    session = ids.take("mdl_course_categories")
    _insert(
        cursor,
        "mdl_course_categories",
        (
            "id",
            "name",
            "idnumber",
            "description",
            "parent",
            "sortorder",
            "depth",
            "path",
            "timemodified",
        ),
        [
            (
                session,
                "Сессия 2026: экзамены",
                EXAM_CATEGORY_IDNUMBER,
                "",
                0,
                session * 10000,
                1,
                f"/{session}",
                now,
            )
        ],
    )

    # courses with a context each, and two groups per course
    courses = []
    course_specs = [(s, f, department_ids[i]) for s, f, i in COURSES]
    course_specs.append(("PHIL-100", "Философия", session))
    for shortname, fullname, category in course_specs:
        course = ids.take("mdl_course")
        _insert(
            cursor,
            "mdl_course",
            (
                "id",
                "category",
                "sortorder",
                "fullname",
                "shortname",
                "summary",
                "format",
                "startdate",
                "timecreated",
                "timemodified",
                "cacherev",
            ),
            [
                (
                    course,
                    category,
                    course * 10,
                    fullname,
                    shortname,
                    "",
                    "topics",
                    now,
                    now,
                    now,
                    now,
                )
            ],
        )
        context = ids.take("mdl_context")
        _insert(
            cursor,
            "mdl_context",
            ("id", "contextlevel", "instanceid", "path", "depth"),
            [(context, 50, course, f"/1/{context}", 2)],
        )
        groups = []
        for number in (1, 2):
            group = ids.take("mdl_groups")
            prefix = (
                "ФЛ"
                if shortname.startswith("PHIL")
                else FACULTIES[0 if category != department_ids[1] else 1][3]
            )
            groups.append((group, f"{prefix}-2{number}"))
        _insert(
            cursor,
            "mdl_groups",
            ("id", "courseid", "idnumber", "name", "description", "timecreated"),
            [(g, course, "", name, "", now) for g, name in groups],
        )
        courses.append({"id": course, "shortname": shortname, "context": context, "groups": groups})

    # students: enough for the biggest quiz; one without idnumber
    n_students = per_quiz + 4
    first_user = ids.take("mdl_user", n_students)
    users = []
    for index in range(n_students):
        uid = first_user + index
        idnumber = "" if index == 2 else f"S{260000 + uid:06d}"
        users.append(
            (
                uid,
                "manual",
                1,
                1,
                f"exam.student{uid}",
                "not-a-real-hash",
                idnumber,
                FIRST[index % len(FIRST)],
                f"{LAST[index % len(LAST)]}{'' if index < len(LAST) else index // len(LAST)}",
                f"exam.student{uid}@example.edu",
                "",
                "",
                "ru",
                now,
                now,
            )
        )
    _insert(
        cursor,
        "mdl_user",
        (
            "id",
            "auth",
            "confirmed",
            "mnethostid",
            "username",
            "password",
            "idnumber",
            "firstname",
            "lastname",
            "email",
            "institution",
            "department",
            "lang",
            "timecreated",
            "timemodified",
        ),
        users,
    )
    members = []
    for course in courses:
        for index, user in enumerate(users):
            group = course["groups"][index % 2][0]
            members.append((ids.take("mdl_groups_members"), group, user[0], now, "", 0))
    _insert(
        cursor,
        "mdl_groups_members",
        ("id", "groupid", "userid", "timeadded", "component", "itemid"),
        members,
    )

    # quizzes: exams (cycling over the courses), a training quiz, a category-only quiz
    specs = []
    for number in range(n_quizzes):
        name, grade = EXAM_NAMES[number % len(EXAM_NAMES)]
        if number >= len(EXAM_NAMES):
            name = f"{name} (поток {number // len(EXAM_NAMES) + 1})"
        specs.append(
            {
                "name": name,
                "grade": grade,
                "course": courses[number % 3],
                "exam": True,
                "essay": number == 0,
            }
        )
    specs.append(
        {
            "name": "Тренировочный тест по базам данных",
            "grade": 10,
            "course": courses[0],
            "exam": False,
            "essay": False,
        }
    )
    specs.append(
        {
            "name": "Итоговое тестирование по философии",
            "grade": 100,
            "course": courses[3],
            "exam": False,
            "essay": False,
        }
    )

    state = {"attempts": 0, "qas": [], "steps": [], "usages": [], "attempt_rows": []}
    for spec in specs:
        quiz = ids.take("mdl_quiz")
        spec["id"] = quiz
        questions = [
            QUESTIONS[i % len(QUESTIONS)] for i in range(n_questions - (1 if spec["essay"] else 0))
        ]
        if spec["essay"]:
            questions.append(ESSAY)
        spec["questions"] = questions
        maxmarks = [2.0 if q[0] == "essay" else 1.0 for q in questions]
        spec["maxmarks"] = maxmarks
        _insert(
            cursor,
            "mdl_quiz",
            (
                "id",
                "course",
                "name",
                "intro",
                "preferredbehaviour",
                "grademethod",
                "decimalpoints",
                "sumgrades",
                "grade",
                "timecreated",
                "timemodified",
            ),
            [
                (
                    quiz,
                    spec["course"]["id"],
                    spec["name"],
                    "",
                    "deferredfeedback",
                    1,
                    2,
                    sum(maxmarks),
                    spec["grade"],
                    now,
                    now,
                )
            ],
        )
        cm = ids.take("mdl_course_modules")
        _insert(
            cursor,
            "mdl_course_modules",
            ("id", "course", "module", "instance", "section", "added"),
            [(cm, spec["course"]["id"], quiz_module, quiz, 0, now)],
        )
        ctx = ids.take("mdl_context")
        _insert(
            cursor,
            "mdl_context",
            ("id", "contextlevel", "instanceid", "path", "depth"),
            [(ctx, 70, cm, f"/1/{spec['course']['context']}/{ctx}", 3)],
        )
        spec["context"] = ctx
        first_question = ids.take("mdl_question", len(questions))
        spec["question_ids"] = list(range(first_question, first_question + len(questions)))
        _insert(
            cursor,
            "mdl_question",
            (
                "id",
                "name",
                "questiontext",
                "generalfeedback",
                "qtype",
                "defaultmark",
                "stamp",
                "timecreated",
                "timemodified",
            ),
            [
                (
                    first_question + i,
                    f"В{i + 1}",
                    q[1],
                    "",
                    q[0],
                    maxmarks[i],
                    f"exam-demo+{quiz}+{i}",
                    now,
                    now,
                )
                for i, q in enumerate(questions)
            ],
        )

    def attempt(
        spec, user, number, start, finish, state_name="finished", preview=0, essay_graded=None
    ):
        attempt_id = ids.take("mdl_quiz_attempts")
        usage = ids.take("mdl_question_usages")
        state["usages"].append((usage, spec["context"], "mod_quiz", "deferredfeedback"))
        total = 0.0
        needs_grading = False
        slots = list(range(1, len(spec["questions"]) + 1))
        rng.shuffle(slots)  # rows are not stored in slot order
        for slot in slots:
            kind, text, right, answers = (spec["questions"][slot - 1] + (None, None))[:4]
            maxmark = spec["maxmarks"][slot - 1]
            qa = ids.take("mdl_question_attempts")
            if kind == "essay":
                response = f"Ответ студента {user[0]}: 1НФ, 2НФ, 3НФ; транзитивная зависимость."
                right_answer = None
            else:
                response = rng.choice(answers)
                right_answer = right
            if state_name != "finished":
                response = None
            state["qas"].append(
                (
                    qa,
                    usage,
                    slot,
                    "manualgraded" if kind == "essay" else "deferredfeedback",
                    spec["question_ids"][slot - 1],
                    1,
                    maxmark,
                    0,
                    1,
                    0,
                    text,
                    right_answer,
                    response,
                    finish or start,
                )
            )
            steps = [(qa, 0, "todo", None, start, user[0])]
            if state_name == "finished":
                steps.append((qa, 1, "complete", None, finish - 5, user[0]))
                if kind == "essay":
                    steps.append((qa, 2, "needsgrading", None, finish, user[0]))
                    if essay_graded is None:
                        needs_grading = True
                    else:
                        state_text = "mangrright" if essay_graded == 1 else "mangrpartial"
                        steps.append((qa, 3, state_text, essay_graded, finish + 3600, 2))
                        total += essay_graded * maxmark
                else:
                    fraction = (
                        1.0
                        if response == right
                        else (0.0 if kind != "shortanswer" or response != right.lower() else 0.5)
                    )
                    label = {1.0: "gradedright", 0.0: "gradedwrong"}.get(fraction, "gradedpartial")
                    steps.append((qa, 2, label, fraction, finish, user[0]))
                    total += fraction * maxmark
            state["steps"].extend(steps)
        sumgrades = None if (needs_grading or state_name != "finished") else round(total, 5)
        state["attempt_rows"].append(
            (
                attempt_id,
                spec["id"],
                user[0],
                number,
                usage,
                "1,0",
                preview,
                state_name,
                start,
                finish,
                finish or start,
                sumgrades,
            )
        )
        return attempt_id

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
            attempt(spec, user, 1, start, finish, essay_graded=graded)
        if index == 1:  # the day before, for runs over two dates
            for number, user in enumerate(users[: max(2, per_quiz // 2)]):
                finish = _local(day - timedelta(days=1), 10, 0) + number * 600
                attempt(spec, user, 2, finish - 1800, finish)
    first = specs[0]
    extra = users[per_quiz:]
    # edge cases around local midnight, previews and unfinished attempts (first quiz)
    attempt(first, extra[0], 1, _local(day, 23, 10), _local(day, 23, 58, 30), essay_graded=1.0)
    attempt(
        first,
        extra[1],
        1,
        _local(day, 23, 40),
        _local(day + timedelta(days=1), 0, 0, 30),
        essay_graded=1.0,
    )
    attempt(
        first,
        extra[2],
        1,
        _local(day - timedelta(days=1), 23, 30),
        _local(day - timedelta(days=1), 23, 59, 50),
        essay_graded=0.5,
    )
    attempt(first, users[0], 2, _local(day, 19, 0), _local(day, 19, 45), essay_graded=1.0)
    attempt(
        first,
        (2, "manual", 1, 1, "admin"),
        1,
        _local(day, 12, 0),
        _local(day, 12, 20),
        preview=1,
        essay_graded=1.0,
    )
    attempt(first, extra[3], 1, _local(day, 15, 0), 0, state_name="inprogress")
    attempt(first, extra[0], 2, _local(day, 16, 0), 0, state_name="overdue")
    attempt(first, extra[1], 2, _local(day, 17, 0), 0, state_name="abandoned")

    _insert(
        cursor,
        "mdl_question_usages",
        ("id", "contextid", "component", "preferredbehaviour"),
        state["usages"],
    )
    _insert(
        cursor,
        "mdl_quiz_attempts",
        (
            "id",
            "quiz",
            "userid",
            "attempt",
            "uniqueid",
            "layout",
            "preview",
            "state",
            "timestart",
            "timefinish",
            "timemodified",
            "sumgrades",
        ),
        state["attempt_rows"],
    )
    _insert(
        cursor,
        "mdl_question_attempts",
        (
            "id",
            "questionusageid",
            "slot",
            "behaviour",
            "questionid",
            "variant",
            "maxmark",
            "minfraction",
            "maxfraction",
            "flagged",
            "questionsummary",
            "rightanswer",
            "responsesummary",
            "timemodified",
        ),
        state["qas"],
    )
    first_step = ids.take("mdl_question_attempt_steps", len(state["steps"]))
    _insert(
        cursor,
        "mdl_question_attempt_steps",
        ("id", "questionattemptid", "sequencenumber", "state", "fraction", "timecreated", "userid"),
        [(first_step + i, *row) for i, row in enumerate(state["steps"])],
    )
    finished = sum(1 for row in state["attempt_rows"] if row[7] == "finished")
    return (
        f"{len(specs)} quizzes ({n_quizzes} exams) in {len(courses)} courses, "
        f"{len(state['attempt_rows'])} attempts ({finished} finished) of {n_questions} questions "
        f"around {DEMO_DATE} ({TIMEZONE})"
    )
