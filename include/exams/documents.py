"""Marks, grades and the PDF contexts of an exam attempt and of a quiz's summary sheet.

Moodle's rules, as observed on a real 4.1 install (shared/moodle/README.md): a
question's mark is the `fraction` of its question attempt's **last** step (highest
`sequencenumber`) times its `maxmark`; a last step `needsgrading` means a teacher has
not graded it yet, and the attempt's `sumgrades` stays NULL until every question is
graded. The grade is `sumgrades / quiz.sumgrades * quiz.grade`.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

STATE_TEXT = {
    "gradedright": "Верно",
    "gradedwrong": "Неверно",
    "gradedpartial": "Частично верно",
    "gaveup": "Нет ответа",
    "mangrright": "Верно (оценено вручную)",
    "mangrwrong": "Неверно (оценено вручную)",
    "mangrpartial": "Частично верно (оценено вручную)",
    "mangaveup": "Нет ответа (оценено вручную)",
    "needsgrading": "Требует проверки преподавателем",
    "complete": "Ответ сохранён, не оценён",
    "invalid": "Неполный ответ",
    "todo": "Нет ответа",
    "finished": "Завершён",
}
PENDING_STATES = {"needsgrading"}


def last_steps(steps):
    """The last step (highest sequencenumber) of each question attempt, by its id."""
    ordered = steps.sort_values(["question_attempt_id", "sequencenumber"])
    return (
        ordered.groupby("question_attempt_id", sort=False).tail(1).set_index("question_attempt_id")
    )


def _number(value) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def fmt_decimal(value: float, places: int = 2) -> str:
    """Russian number style: comma decimal separator, half-up rounding."""
    places = max(0, int(places))
    quantum = Decimal(1).scaleb(-places)
    text = str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))
    return text.replace(".", ",")


def scale_grade(sumgrades, quiz_sumgrades, quiz_grade) -> float | None:
    """The attempt's grade on the quiz's scale (None while grading is not finished)."""
    total, maximum, scale = _number(sumgrades), _number(quiz_sumgrades), _number(quiz_grade)
    if total is None or not maximum:
        return None
    return total / maximum * (scale or 0.0)


def last_marks(last) -> dict:
    """`last_steps`' frame as question attempt id -> (state, fraction): one dict lookup per
    question instead of a pandas `.loc` (which was most of an attempt's context time)."""
    return dict(zip(last.index, zip(last["state"], last["fraction"], strict=True), strict=True))


def question_rows(question_attempts, steps_by_question, decimalpoints: int = 2) -> list[dict]:
    """One row per question of one attempt, in slot order, marked from its last step.
    `question_attempts`: a frame, or its records already in slot order;
    `steps_by_question`: `last_steps`' frame, or its `last_marks`."""
    marks = steps_by_question
    if not isinstance(marks, dict):
        marks = last_marks(marks)
    if not isinstance(question_attempts, list):
        question_attempts = question_attempts.sort_values("slot").to_dict("records")
    rows = []
    for qa in question_attempts:
        step = marks.get(qa["question_attempt_id"])
        state = str(step[0]) if step is not None else "todo"
        fraction = _number(step[1]) if step is not None else None
        maxmark = _number(qa["maxmark"]) or 0.0
        mark = None if fraction is None else fraction * maxmark
        pending = state in PENDING_STATES
        mark_text = (
            f"{fmt_decimal(mark, decimalpoints)} / {fmt_decimal(maxmark, decimalpoints)}"
            if mark is not None
            else f"— / {fmt_decimal(maxmark, decimalpoints)}"
        )
        rows.append(
            {
                "slot": int(qa["slot"]),
                "question": _text(qa["questionsummary"]),
                "response": _text(qa["responsesummary"]) or "(нет ответа)",
                "right_answer": _text(qa["rightanswer"]) or "—",
                "maxmark": maxmark,
                "mark": mark,
                "mark_text": mark_text,
                "state": state,
                "state_text": STATE_TEXT.get(state, state),
                "pending": pending,
            }
        )
    return rows


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def local_time(unix_seconds: int, timezone: str) -> str:
    return datetime.fromtimestamp(int(unix_seconds), ZoneInfo(timezone)).strftime(
        "%d.%m.%Y %H:%M:%S"
    )


def duration_text(start: int, finish: int) -> str:
    """'1 ч 05 мин 09 с'; '—' when Moodle's times do not give a positive duration."""
    seconds = int(finish) - int(start)
    if int(start) <= 0 or seconds < 0:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} ч {minutes:02d} мин {secs:02d} с" if hours else f"{minutes} мин {secs:02d} с"


def full_name(lastname, firstname) -> str:
    return " ".join(p for p in (_text(lastname), _text(firstname)) if p)


def category_label(category_id: int, categories) -> str:
    """'Faculty / Category' from the category's path (the faculty is the top of the path)."""
    names = dict(zip(categories["id"].astype(int), categories["name"], strict=True))
    paths = dict(zip(categories["id"].astype(int), categories["path"], strict=True))
    ids = [int(p) for p in str(paths.get(int(category_id), "")).strip("/").split("/") if p]
    labels = [str(names[i]) for i in ids if i in names]
    if not labels:
        return "—"
    return labels[0] if len(labels) == 1 else f"{labels[0]} / {labels[-1]}"


def attempt_people(attempts) -> list[dict]:
    """Who made each attempt (what names its file and what its PDF must name), from the
    attempts frame alone: the gate's expectation, without the questions."""
    return [
        {
            "attempt_id": int(row.attempt_id),
            "user_id": int(row.user_id),
            "attempt": int(row.attempt),
            "student_name": full_name(row.lastname, row.firstname),
            "student_idnumber": _text(row.idnumber),
        }
        for row in attempts.sort_values("attempt_id").itertuples(index=False)
    ]


def attempt_documents(
    quiz: dict,
    attempts,
    question_attempts,
    steps,
    *,
    archive_date: str,
    timezone: str,
    institution: str,
    category: str,
) -> list[dict]:
    """The PDF context of every attempt of one quiz (sorted by attempt id)."""
    by_question = last_marks(last_steps(steps))
    places = int(quiz.get("decimalpoints", 2) or 0)
    grouped: dict = {}  # attempt id -> its question attempts' records in slot order
    ordered = question_attempts.sort_values(["attempt_id", "slot"], kind="stable")
    for record in ordered.to_dict("records"):
        grouped.setdefault(record["attempt_id"], []).append(record)
    documents = []
    for row in attempts.sort_values("attempt_id").itertuples(index=False):
        questions = question_rows(grouped.get(row.attempt_id, []), by_question, places)
        pending = sum(1 for q in questions if q["pending"])
        grading_finished = pending == 0 and _number(row.sumgrades) is not None
        grade = scale_grade(row.sumgrades, quiz["quiz_sumgrades"], quiz["quiz_grade"])
        if not grading_finished:
            grade = None
        maximum = _number(quiz["quiz_grade"]) or 0.0
        grade_text = (
            f"{fmt_decimal(grade, places)} из {fmt_decimal(maximum, places)}"
            if grade is not None
            else f"не выставлена (оценивание не завершено), максимум {fmt_decimal(maximum, places)}"
        )
        documents.append(
            {
                "attempt_id": int(row.attempt_id),
                "user_id": int(row.user_id),
                "attempt": int(row.attempt),
                "quiz_id": int(quiz["quiz_id"]),
                "quiz_name": str(quiz["quiz_name"]),
                "course_shortname": str(quiz["course_shortname"]),
                "course_fullname": str(quiz["course_fullname"]),
                "category": category,
                "institution": institution,
                "archive_date": archive_date,
                "timezone": timezone,
                "student_name": full_name(row.lastname, row.firstname),
                "student_idnumber": _text(row.idnumber),
                "group": _text(row.group_names),
                "timestart": int(row.timestart),
                "timefinish": int(row.timefinish),
                "started": local_time(row.timestart, timezone) if int(row.timestart) else "—",
                "finished": local_time(row.timefinish, timezone),
                "time_taken": duration_text(row.timestart, row.timefinish),
                "grade": None if grade is None else round(grade, 5),
                "grade_text": grade_text,
                "grading_finished": grading_finished,
                "pending_count": pending,
                "questions": questions,
            }
        )
    return documents


def summary_document(quiz: dict, documents: list[dict], **common) -> dict:
    """The summary sheet ("ведомость") of one quiz and date: one row per archived attempt,
    ordered by student name then attempt."""
    rows = [
        {
            "student_name": d["student_name"],
            "student_idnumber": d["student_idnumber"],
            "user_id": d["user_id"],
            "group": d["group"],
            "attempt": d["attempt"],
            "attempt_id": d["attempt_id"],
            "finished": d["finished"],
            "grade_text": d["grade_text"] if d["grading_finished"] else "—",
            "grading_finished": d["grading_finished"],
            "status_text": "оценено" if d["grading_finished"] else "оценивание не завершено",
        }
        for d in sorted(documents, key=lambda d: (d["student_name"], d["attempt"], d["attempt_id"]))
    ]
    return {
        "quiz_id": int(quiz["quiz_id"]),
        "quiz_name": str(quiz["quiz_name"]),
        "course_shortname": str(quiz["course_shortname"]),
        "course_fullname": str(quiz["course_fullname"]),
        "rows": rows,
        "pending_count": sum(1 for r in rows if not r["grading_finished"]),
        **common,
    }


def quiz_documents(data: dict, institution: str, run: dict) -> tuple[list[dict], dict]:
    """The attempt documents and the summary sheet of one quiz, from the frames read from
    Moodle (`quiz`, `attempts`, `question_attempts`, `steps`, `categories`) and the run's
    date and zone (`date`, `timezone`)."""
    quiz = data["quiz"]
    common = {
        "archive_date": run["date"],
        "timezone": run["timezone"],
        "institution": institution,
        "category": category_label(int(quiz["category_id"]), data["categories"]),
    }
    documents = attempt_documents(
        quiz, data["attempts"], data["question_attempts"], data["steps"], **common
    )
    return documents, summary_document(quiz, documents, **common)
