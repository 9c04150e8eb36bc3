"""The exam demo's structure: faculties' categories, courses, students and the quizzes
with their questions (include/sandbox/demo_data/exams.py adds the attempts)."""

from __future__ import annotations

from include.sandbox.demo_data.rows import NextIds, insert_rows

EXAM_CATEGORY_IDNUMBER = "exam-session-2026"
CATEGORY_COLUMNS = (
    "id",
    "name",
    "idnumber",
    "description",
    "parent",
    "sortorder",
    "depth",
    "path",
    "timemodified",
)

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


def _add_context(cursor, ids: NextIds, level: int, instance: int, parent_path: str) -> int:
    """A context row below the context at `parent_path` (`/1/…`); its id."""
    context = ids.take("mdl_context")
    depth = parent_path.count("/") + 1
    insert_rows(
        cursor,
        "mdl_context",
        ("id", "contextlevel", "instanceid", "path", "depth"),
        [(context, level, instance, f"{parent_path}/{context}", depth)],
    )
    return context


def seed_quizzes(cursor, ids: NextIds, now: int, sizes: dict) -> tuple[list, list, list]:
    """The exam categories, courses (two groups each), students and quizzes with their
    questions; (courses, users, quiz specs) for the attempts. `sizes`: exam_quizzes,
    exam_questions, students."""
    n_quizzes, n_questions = sizes["exam_quizzes"], sizes["exam_questions"]
    cursor.execute("SELECT id FROM mdl_modules WHERE name = 'quiz'")
    quiz_module = int(cursor.fetchone()[0])

    # categories (faculty / department, and the exam-session category) with their contexts
    department_ids = []
    for name, idnumber, department, _ in FACULTIES:
        fac = ids.take("mdl_course_categories")
        dep = ids.take("mdl_course_categories")
        insert_rows(
            cursor,
            "mdl_course_categories",
            CATEGORY_COLUMNS,
            [
                (fac, name, idnumber, "", 0, fac * 10000, 1, f"/{fac}", now),
                (dep, department, f"{idnumber}-dep", "", fac, dep * 10000, 2, f"/{fac}/{dep}", now),
            ],
        )
        department_ids.append(dep)
    session = ids.take("mdl_course_categories")
    insert_rows(
        cursor,
        "mdl_course_categories",
        CATEGORY_COLUMNS,
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
        insert_rows(
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
        context = _add_context(cursor, ids, 50, course, "/1")
        groups = []
        for number in (1, 2):
            group = ids.take("mdl_groups")
            prefix = (
                "ФЛ"
                if shortname.startswith("PHIL")
                else FACULTIES[0 if category != department_ids[1] else 1][3]
            )
            groups.append((group, f"{prefix}-2{number}"))
        insert_rows(
            cursor,
            "mdl_groups",
            ("id", "courseid", "idnumber", "name", "description", "timecreated"),
            [(g, course, "", name, "", now) for g, name in groups],
        )
        courses.append({"id": course, "shortname": shortname, "context": context, "groups": groups})

    # students: enough for the biggest quiz; one without idnumber
    n_students = sizes["students"]
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
    insert_rows(
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
    insert_rows(
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
        insert_rows(
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
        insert_rows(
            cursor,
            "mdl_course_modules",
            ("id", "course", "module", "instance", "section", "added"),
            [(cm, spec["course"]["id"], quiz_module, quiz, 0, now)],
        )
        ctx = _add_context(cursor, ids, 70, cm, f"/1/{spec['course']['context']}")
        spec["context"] = ctx
        first_question = ids.take("mdl_question", len(questions))
        spec["question_ids"] = list(range(first_question, first_question + len(questions)))
        insert_rows(
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
    return courses, users, specs
