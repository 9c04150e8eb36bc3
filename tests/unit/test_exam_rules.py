"""The pure rules of `exam_archive`: dates, selection, marks, grades, paths, the gate."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from include.exams import documents, gate, layout, selection

MSK = "Europe/Moscow"


def test_scheduled_run_archives_the_previous_local_day():
    # 03:00 Moscow on the 24th is 00:00 UTC: the run archives the 23rd
    logical = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert selection.target_date(logical, MSK) == date(2026, 11, 23)
    # a UTC reading of the same instant would be wrong near midnight: 23:30 UTC = 02:30 MSK
    assert selection.target_date(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), MSK) == date(
        2026, 11, 23
    )
    assert selection.target_date(logical, MSK, "2026-11-01") == date(2026, 11, 1)


def test_day_window_is_local_midnight_to_midnight():
    start, end = selection.day_window(date(2026, 11, 23), MSK)
    assert datetime.fromtimestamp(start, UTC) == datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    assert end - start == 86400
    # a DST day has 23 hours (Europe/Berlin, last Sunday of March)
    start, end = selection.day_window(date(2026, 3, 29), "Europe/Berlin")
    assert end - start == 23 * 3600


def _quizzes():
    return pd.DataFrame(
        [
            (1, "Экзамен по информатике", 2, "INF", 10),
            (2, "Итоговый ЗАЧЁТ", 3, "ECO", 11),
            (3, "зачет (пересдача)", 3, "ECO", 11),
            (4, "Final EXAM", 4, "NET", 12),
            (5, "Тренировочный тест", 2, "INF", 10),
            (6, "Итоговое тестирование", 5, "PHIL", 13),
        ],
        columns=["quiz_id", "quiz_name", "course_id", "course_shortname", "category_id"],
    )


_CATEGORIES = pd.DataFrame(
    [(9, "Факультет", "/9"), (10, "Кафедра", "/9/10"), (13, "Сессия", "/13"), (11, "X", "/11")],
    columns=["id", "name", "path"],
)
_CATEGORIES["parent"] = 0
PATTERN = r"экзамен|зач[её]т|exam"


def test_exam_selection_by_name_pattern_and_or_categories():
    by_name = selection.select_exam_quizzes(_quizzes(), _CATEGORIES, PATTERN, [], "or")
    assert sorted(by_name["quiz_id"]) == [1, 2, 3, 4]
    either = selection.select_exam_quizzes(_quizzes(), _CATEGORIES, PATTERN, [13], "or")
    assert sorted(either["quiz_id"]) == [1, 2, 3, 4, 6]
    # a parent category includes its subcategories (quiz 5 is in /9/10)
    both = selection.select_exam_quizzes(_quizzes(), _CATEGORIES, PATTERN, [9], "and")
    assert sorted(both["quiz_id"]) == [1]
    only_categories = selection.select_exam_quizzes(_quizzes(), _CATEGORIES, "", [13], "or")
    assert list(only_categories["quiz_id"]) == [6]
    assert selection.select_exam_quizzes(_quizzes(), _CATEGORIES, "", [], "or").empty


def test_a_day_without_attempts_selects_no_quiz_and_keeps_the_columns():
    empty = _quizzes().iloc[0:0]
    for categories in ([], [13]):
        chosen = selection.select_exam_quizzes(empty, _CATEGORIES, PATTERN, categories, "or")
        assert chosen.empty and list(chosen.columns) == list(empty.columns)


def test_only_finished_non_preview_attempts_of_the_day_count():
    start, end = selection.day_window(date(2026, 11, 23), MSK)
    rows = [
        (1, "finished", 0, start - 3600, start - 1),  # 23:59:59 the day before
        (2, "finished", 0, start, start),  # 00:00:00: this day
        (3, "finished", 0, end - 60, end - 1),  # 23:59:59: this day
        (4, "finished", 0, end - 60, end),  # 00:00:00 the next day
        (5, "finished", 1, start + 10, start + 20),  # a preview
        (6, "inprogress", 0, start + 10, 0),
        (7, "overdue", 0, start + 10, 0),
        (8, "abandoned", 0, start + 10, 0),
    ]
    frame = pd.DataFrame(
        rows, columns=["attempt_id", "state", "preview", "timestart", "timefinish"]
    )
    assert list(selection.finished_on(frame, start, end)["attempt_id"]) == [2, 3]
    counts = selection.day_counts(frame, start, end)
    assert counts == {
        "finished": 2,
        "previews_ignored": 1,
        "inprogress": 1,
        "overdue": 1,
        "abandoned": 1,
    }


def test_marks_come_from_the_last_step_in_slot_order():
    steps = pd.DataFrame(
        [  # stored out of order, as Moodle's ids are; the essay was graded after needsgrading
            (11, 2, "gradedpartial", 0.8),
            (11, 0, "todo", None),
            (11, 1, "complete", None),
            (12, 3, "mangrright", 1.0),
            (12, 2, "needsgrading", None),
            (13, 2, "needsgrading", None),
        ],
        columns=["question_attempt_id", "sequencenumber", "state", "fraction"],
    )
    questions = pd.DataFrame(
        [
            (1, 13, 3, 2.0, "Эссе", "текст", None),
            (1, 11, 1, 1.0, "Земноводное?", "toad", "frog"),
            (1, 12, 2, 2.0, "Эссе 2", "ответ", None),
        ],
        columns=[
            "attempt_id",
            "question_attempt_id",
            "slot",
            "maxmark",
            "questionsummary",
            "responsesummary",
            "rightanswer",
        ],
    )
    rows = documents.question_rows(questions, documents.last_steps(steps))
    assert [r["slot"] for r in rows] == [1, 2, 3]
    assert rows[0]["mark_text"] == "0,80 / 1,00" and rows[0]["state"] == "gradedpartial"
    assert rows[1]["mark"] == 2.0 and rows[1]["state"] == "mangrright"
    assert rows[2]["pending"] and rows[2]["mark_text"] == "— / 2,00"
    assert rows[2]["right_answer"] == "—"


def test_grade_scaled_to_the_quiz_maximum():
    assert documents.scale_grade(3.8, 4.0, 100.0) == pytest.approx(95.0)
    assert documents.scale_grade(3, 4, 10) == pytest.approx(7.5)
    assert documents.scale_grade(None, 4, 100) is None  # grading not finished
    assert documents.fmt_decimal(7.125, 2) == "7,13"


def test_duration_and_names():
    assert documents.duration_text(1000, 1000 + 3909) == "1 ч 05 мин 09 с"
    assert documents.duration_text(1000, 1000 + 125) == "2 мин 05 с"
    assert documents.duration_text(2000, 1000) == "—"  # Moodle's times out of order
    assert documents.full_name("Петрова", "Ёлка") == "Петрова Ёлка"
    categories = pd.DataFrame(
        [(2, "Инженерный факультет", "/2"), (5, "Кафедра ИС", "/2/5")],
        columns=["id", "name", "path"],
    )
    assert documents.category_label(5, categories) == "Инженерный факультет / Кафедра ИС"


def test_archive_paths():
    folder = layout.quiz_folder("2026-11-23", "INF/101", 7, "Экзамен: Базы данных!")
    assert folder == "exams/2026/11/23/INF-101/7-экзамен-базы-данных"
    docs = [
        {"attempt_id": 1, "user_id": 5, "attempt": 1, "student_idnumber": "S1"},
        {"attempt_id": 2, "user_id": 6, "attempt": 1, "student_idnumber": ""},
        {"attempt_id": 3, "user_id": 5, "attempt": 2, "student_idnumber": "S1"},
        {"attempt_id": 4, "user_id": 7, "attempt": 1, "student_idnumber": "DUP"},
        {"attempt_id": 5, "user_id": 8, "attempt": 1, "student_idnumber": "DUP"},
    ]
    assert layout.attempt_file_names(docs) == {
        1: "S1-1.pdf",
        2: "6-1.pdf",
        3: "S1-2.pdf",
        4: "7-1.pdf",
        5: "8-1.pdf",
    }


def _gate(expected, found, manifest, facts) -> list[str]:
    from include.quality import check_frame

    frame = gate.files_frame(expected, found, manifest, facts)
    return check_frame(frame, gate.file_expectations(), "files", name_column="path").failures


def test_gate_names_each_bad_file():
    good = {"sha256": "a", "bytes": 1, "pages": 1, "names_student": True, "error": ""}
    facts = {
        "d/ok.pdf": good,
        "d/bad.pdf": {**good, "pages": 0, "names_student": False, "error": "PdfiumError: x"},
        "d/other.pdf": {**good, "names_student": False},
        "d/short.pdf": {**good, "bytes": 2},
        "d/hash.pdf": {**good, "sha256": "b"},
        "d/extra.pdf": good,
        "d/q/summary.pdf": good,
        "d/blank.pdf": {**good, "pages": 0},
    }
    expected = {
        "d/ok.pdf": "Иванов Иван",
        "d/bad.pdf": "Иванов Иван",
        "d/other.pdf": "Иванов Иван",
        "d/hash.pdf": "Иванов Иван",
        "d/missing.pdf": "Сидоров Сидор",
        "d/blank.pdf": "Иванов Иван",
        "d/short.pdf": "Иванов Иван",
        "d/stray.pdf": "Иванов Иван",
    }
    found = {p: 1 for p in facts} | {"d/stray.pdf": 1}  # path -> size in the store
    manifest = {p: "a" for p in expected} | {"d/extra.pdf": "a", "d/gone.pdf": "a"}
    failures = _gate(expected, found, manifest, facts)
    assert sorted(failures) == sorted(
        [
            "missing (a finished attempt has no PDF) (1 unexpected): d/missing.pdf",
            "unexpected PDF (no finished attempt of this date) (1 unexpected): d/extra.pdf",
            "not in the manifest (1 unexpected): d/q/summary.pdf",
            "listed in the manifest but missing (1 unexpected): d/gone.pdf",
            "does not open as a PDF (2 unexpected): d/bad.pdf, d/stray.pdf",
            "has no pages (1 unexpected): d/blank.pdf",
            "SHA-256 differs from the manifest (1 unexpected): d/hash.pdf",
            "the student's name is not in the PDF text (1 unexpected): d/other.pdf",
            "size in the store differs from the rendered PDF (1 unexpected): d/short.pdf",
            "not rendered and checked by this run (1 unexpected): d/stray.pdf",
        ]
    )
    assert _gate({"d/ok.pdf": "Иванов Иван"}, {"d/ok.pdf": 1}, {"d/ok.pdf": "a"}, facts) == []


def test_gate_reads_real_pdf_bytes():
    from include.exams.rendering import render_attempt_pdf

    document = {
        "archive_date": "2026-11-23",
        "timezone": "Europe/Moscow",
        "institution": "Университет",
        "category": "Факультет / Кафедра",
        "course_fullname": "Курс",
        "course_shortname": "C-1",
        "quiz_name": "Экзамен\x0b по истории",  # a control character XML forbids
        "quiz_id": 1,
        "attempt_id": 7,
        "attempt": 1,
        "student_name": "Иванова Мария",
        "student_idnumber": "S1",
        "user_id": 5,
        "group": "И-1",
        "started": "23.11.2026 09:00:00",
        "finished": "23.11.2026 10:00:00",
        "time_taken": "1 ч 00 мин 00 с",
        "grade_text": "50,00 из 100,00",
        "grading_finished": True,
        "pending_count": 0,
        "questions": [
            {
                "slot": 1,
                "question": "Год <начала> & конца?",
                "response": "1914",
                "right_answer": "1914",
                "mark_text": "1,00 / 1,00",
                "state_text": "Верно",
                "pending": False,
            }
        ],
    }
    for attempt_layout in ("table", "compact"):
        facts = gate.inspect_pdf(render_attempt_pdf(document, attempt_layout))
        assert facts["error"] == "" and facts["pages"] == 1
        assert "иванова мария" in facts["text"] and "год <начала> & конца?" in facts["text"]
        assert "экзамен по истории" in facts["text"]
    broken = gate.inspect_pdf(b"%PDF-1.7 not really")
    assert broken["error"] and broken["pages"] == 0


def test_a_bad_setting_names_the_field():
    from include.config import ExamArchiveSettings, SettingsError, parse_settings

    with pytest.raises(SettingsError, match="timezone: .*Mars/Base"):
        parse_settings(ExamArchiveSettings, '{"timezone": "Mars/Base"}')
    with pytest.raises(SettingsError, match="name_pattern: .*not a regular expression"):
        parse_settings(ExamArchiveSettings, {}, {"name_pattern": "экзамен("})
    assert parse_settings(ExamArchiveSettings, None, {"category_ids": [5]}).category_ids == [5]
