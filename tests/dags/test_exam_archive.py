"""`exam_archive` end to end: real MariaDB with Moodle's schema, the real attempts of
sample-data.sql plus the exam demo data, real `dag.test()` runs, PDFs read back."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from include.sandbox.demo_data.exams import DEMO_DATE, TIMEZONE
from tests.airflow_runs import run_dag
from tests.db import query

os.environ.setdefault("PIPELINES_RETRY_DELAY_SECONDS", "0")  # before the DagBag parses

DAG_ID = "exam_archive"
MOSCOW = ZoneInfo(TIMEZONE)
# a scheduled run has no `date`; said explicitly because dag.test() in one process keeps
# the previous run's conf in the DAG's params
SCHEDULED = {"date": None}
REAL_QUIZ = "INF-101/7-экзамен-по-информатике-361"  # sample-data.sql, written by Moodle


def _text(path) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _folder(store, day: date):
    return store / f"exams/{day:%Y/%m/%d}"


def _manifest(store, day: date) -> dict[str, dict]:
    rows = json.loads((_folder(store, day) / "manifest.json").read_text(encoding="utf-8"))
    return {row["path"]: row for row in rows}


def _pdfs(store, day: date) -> dict[str, bytes]:
    base = _folder(store, day)
    return {str(p.relative_to(base)): p.read_bytes() for p in base.rglob("*.pdf")}


def _moodle_rows(sql: str, params: tuple = ()) -> list[tuple]:
    return query("moodle", sql, *params)


@pytest.fixture(scope="module")
def archived(mariadb, sandbox, airflow_db):
    """Fresh demo data; one manual run for the demo date (the `date` param)."""
    import shutil

    from include.sandbox import stack
    from include.sandbox.demo_data import test_sizes
    from include.sandbox.environment import LOCAL_DIR
    from include.storage import store_root
    from tests.conftest import PREFIX

    sandbox.reset()
    stack.reset_data(mariadb, sizes=test_sizes())
    shutil.rmtree(LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    result = run_dag(DAG_ID, conf={"date": DEMO_DATE.isoformat()})
    store = store_root()
    return {
        "result": result,
        "store": store,
        "pdfs": _pdfs(store, DEMO_DATE),
        "manifest": _manifest(store, DEMO_DATE),
    }


def _finished_attempts(day: date) -> list[tuple]:
    """Straight from Moodle: non-preview attempts of exam quizzes finished on the local day."""
    start = int(datetime.combine(day, datetime.min.time(), MOSCOW).timestamp())
    end = int(datetime.combine(day + timedelta(days=1), datetime.min.time(), MOSCOW).timestamp())
    return _moodle_rows(
        "SELECT qa.id, qa.userid, u.lastname, u.firstname FROM mdl_quiz_attempts qa"
        " JOIN mdl_quiz q ON q.id = qa.quiz JOIN mdl_user u ON u.id = qa.userid"
        " WHERE qa.state = 'finished' AND qa.preview = 0 AND qa.timefinish >= %s"
        " AND qa.timefinish < %s AND (q.name LIKE '%%кзамен%%' OR q.name LIKE '%%ачёт%%'"
        " OR q.name LIKE '%%exam%%')",
        (start, end),
    )


def test_manual_run_archives_one_pdf_per_finished_attempt(archived):
    from tests.airflow_runs import assert_no_error_logs

    result = archived["result"]
    assert_no_error_logs(result)
    expected = _finished_attempts(DEMO_DATE)
    attempts = {r["attempt_id"]: r for r in archived["manifest"].values() if r["kind"] == "attempt"}
    assert sorted(attempts) == sorted(row[0] for row in expected)
    # the real attempts Moodle wrote (quiz 7) are among them, essays awaiting grading
    real = [p for p in archived["manifest"] if p.startswith(REAL_QUIZ + "/")]
    assert len(real) == 11  # 10 finished attempts + the summary sheet
    report = result.xcom("report_exam_archive")
    counts = report["counts"]
    assert counts["archived"] == len(expected)
    # unfinished attempts are not archived but counted: sample-data's two in progress, ...
    assert counts["inprogress"] >= 3 and counts["overdue"] == 1 and counts["abandoned"] == 1
    assert counts["previews_ignored"] == 1


def test_midnight_previews_and_non_exams_are_left_out(archived):
    names = {
        row[0]: (row[1], row[2])
        for row in _moodle_rows(
            "SELECT qa.id, qa.timefinish, qa.preview FROM mdl_quiz_attempts qa"
            " JOIN mdl_quiz q ON q.id = qa.quiz WHERE q.name = 'Экзамен: Базы данных'"
        )
    }
    archived_ids = {r["attempt_id"] for r in archived["manifest"].values() if r["attempt_id"]}
    for attempt_id, (timefinish, preview) in names.items():
        finished = datetime.fromtimestamp(timefinish, MOSCOW) if timefinish else None
        on_day = finished is not None and finished.date() == DEMO_DATE
        assert (attempt_id in archived_ids) == (on_day and not preview), (attempt_id, finished)
    late = [t for t, p in names.values() if t and datetime.fromtimestamp(t, MOSCOW).hour == 23]
    assert late, "the demo data has an attempt finished at 23:58 local time"
    paths = " ".join(archived["manifest"])
    assert "тренировочный" not in paths  # not an exam by name
    assert "философии" not in paths  # only in the exam category, not selected by default


# the header every BD-201 attempt protocol carries
ATTEMPT_HEADER = (
    "Майкопский государственный технологический университет",
    "Инженерный факультет / Кафедра информационных систем",
    "Базы данных (BD-201)",
)


def _attempt_text_and_student(store, day, row: dict) -> tuple[str, tuple]:
    """An archived attempt PDF's text and its student's (lastname, firstname, idnumber)."""
    text = _text(_folder(store, day) / row["path"])
    user = _moodle_rows(
        "SELECT lastname, firstname, idnumber FROM mdl_user WHERE id = %s", (row["user_id"],)
    )[0]
    return text, user


def test_attempt_pdf_has_every_field_and_questions_in_slot_order(archived):
    store = archived["store"]
    row = next(
        r
        for r in archived["manifest"].values()
        if r["kind"] == "attempt" and r["path"].startswith("BD-201/8-") and r["grading_finished"]
    )
    text, user = _attempt_text_and_student(store, DEMO_DATE, row)
    for expected in (
        *ATTEMPT_HEADER,
        "Экзамен: Базы данных",
        f"{user[0]} {user[1]}",
        user[2],
        "ИС-2",
        "Попытка",
        "Начало",
        "Завершение",
        "Затраченное время",
        f"{row['grade']:.2f}".replace(".", ",") + " из 100,00",
    ):
        assert expected in text, expected
    # one row per question in slot order, marks "x / max" and states
    questions = [
        m.start()
        for m in re.finditer(r"(Реляционная|Назовите|Какой уровень|Эластичн|Опишите)", text)
    ]
    assert len(questions) == 5 and questions == sorted(questions)
    assert "Неверно" in text or "Верно" in text
    assert re.search(r"\d,\d\d / 1,00", text) and re.search(r"\d,\d\d / 2,00", text)
    # the grade is sumgrades scaled to the quiz's maximum
    sumgrades, quiz_sum, quiz_grade = _moodle_rows(
        "SELECT qa.sumgrades, q.sumgrades, q.grade FROM mdl_quiz_attempts qa"
        " JOIN mdl_quiz q ON q.id = qa.quiz WHERE qa.id = %s",
        (row["attempt_id"],),
    )[0]
    assert row["grade"] == pytest.approx(float(sumgrades) / float(quiz_sum) * float(quiz_grade))


def test_pending_manual_grading_is_shown_and_flagged(archived):
    pending = [
        r
        for r in archived["manifest"].values()
        if r["kind"] == "attempt" and not r["grading_finished"]
    ]
    assert pending and all(r["grade"] is None for r in pending)
    real = next(r for r in pending if r["path"].startswith(REAL_QUIZ))
    text = _text(_folder(archived["store"], DEMO_DATE) / real["path"])
    assert "Оценивание не завершено" in text
    assert "Требует проверки преподавателем" in text
    assert "Моё эссе номер" in text  # the student's essay, from Moodle's responsesummary
    assert archived["result"].xcom("report_exam_archive")["counts"]["grading_not_finished"] == len(
        pending
    )


def test_summary_sheet_lists_every_archived_attempt(archived):
    store = archived["store"]
    for quiz_folder in {p.rsplit("/", 1)[0] for p in archived["manifest"]}:
        text = _text(_folder(store, DEMO_DATE) / quiz_folder / "summary.pdf")
        assert "Ведомость" in text
        rows = [
            r
            for r in archived["manifest"].values()
            if r["kind"] == "attempt" and r["path"].startswith(quiz_folder + "/")
        ]
        assert f"Попыток в архиве {len(rows)}" in text
        for r in rows:
            last, first = _moodle_rows(
                "SELECT lastname, firstname FROM mdl_user WHERE id = %s", (r["user_id"],)
            )[0]
            assert f"{last} {first}" in text


def test_layout_manifest_and_pdfa(archived):
    import hashlib
    import io

    from pypdf import PdfReader

    store, manifest = archived["store"], archived["manifest"]
    folder = _folder(store, DEMO_DATE)
    assert (folder / "manifest.csv").read_text(encoding="utf-8").splitlines()[0] == (
        "path,kind,sha256,bytes,quiz_id,attempt_id,user_id,grade,grading_finished"
    )
    assert set(manifest) == set(archived["pdfs"])
    for path, row in manifest.items():
        data = archived["pdfs"][path]
        assert row["sha256"] == hashlib.sha256(data).hexdigest() and row["bytes"] == len(data)
        course, quiz, name = path.split("/")
        assert re.fullmatch(r"\d+-[\w.-]+", quiz)
        if row["kind"] == "attempt":
            assert re.fullmatch(r"[\w.-]+-\d+\.pdf", name)
    sample = folder / next(p for p in manifest if p.startswith(REAL_QUIZ + "/2"))
    reader = PdfReader(io.BytesIO(sample.read_bytes()))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp  # PDF/A-3b
    assert "Фамилия" in _text(sample) and "Экзамен по информатике" in _text(sample)


def test_quizzes_render_in_one_task_with_one_pool_checked_by_its_workers(archived):
    """The day's quizzes fit one render task (render_task_attempts), so one worker pool
    renders them all; each file's check comes back from the worker that made it."""
    states = archived["result"].task_states["render_quiz_archive"]
    quizzes = {p.split("/")[1] for p in archived["manifest"]}
    assert len(quizzes) >= 4 and len(states) == 1 and set(states) == {"success"}
    rendered = archived["result"].xcom("render_quiz_archive", 0)
    assert rendered["quizzes"] == len(quizzes) and rendered["render_pool_workers"] >= 2
    assert rendered["pdf_engine"] == "weasyprint"
    checks = {c["path"]: c for c in rendered["checks"]}
    prefix = f"exams/{DEMO_DATE:%Y/%m/%d}"
    assert set(checks) == {f"{prefix}/{p}" for p in archived["manifest"]}
    for path, row in archived["manifest"].items():
        check = checks[f"{prefix}/{path}"]
        assert check["sha256"] == row["sha256"] and not check["error"] and check["pages"] >= 1
        assert check["names_student"] == (row["kind"] == "attempt")
    gate = archived["result"].xcom("check_archive_files")
    assert gate["files_checked"] == len(checks) and gate["files_read_back"] == 0


def test_gate_fails_on_a_corrupted_or_missing_file_naming_it(archived):
    from airflow.sdk.exceptions import AirflowFailException

    from include.config import ExamArchiveSettings
    from include.exams import selection
    from include.tasks import exam_archive as tasks

    settings = ExamArchiveSettings().model_dump(mode="json")
    run = selection.archive_run(datetime.now(MOSCOW), TIMEZONE, DEMO_DATE.isoformat())
    selected = tasks.select_exam_attempts.function(settings, run)
    rendered = [archived["result"].xcom("render_quiz_archive", 0)]
    folder = _folder(archived["store"], DEMO_DATE)
    victims = sorted(p for p in archived["manifest"] if p.startswith(REAL_QUIZ + "/2"))[:2]
    corrupted, missing = folder / victims[0], folder / victims[1]
    original, kept = corrupted.read_bytes(), missing.read_bytes()
    check = tasks.check_archive_files.function
    try:
        corrupted.write_bytes(original[: len(original) // 3])
        missing.unlink()
        with pytest.raises(AirflowFailException) as failure:
            check(run, selected, rendered, None)
        message, prefix = str(failure.value), f"exams/{DEMO_DATE:%Y/%m/%d}"
        assert (
            f"size in the store differs from the rendered PDF (1 unexpected): {prefix}/{victims[0]}"
        ) in message
        assert f"missing (a finished attempt has no PDF) (1 unexpected): {prefix}/{victims[1]}" in (
            message
        )
        with pytest.raises(AirflowFailException, match="not rendered and checked by this run"):
            check(run, selected, [], None)  # files no worker checked never pass
    finally:
        corrupted.write_bytes(original)
        missing.write_bytes(kept)
    assert check(run, selected, rendered, None)["failures"] == 0


def test_batches_split_the_day_into_render_tasks(archived):
    # (after the tests that read the first run's XComs: a run of the same date replaces them)
    result = run_dag(
        DAG_ID, conf={"date": DEMO_DATE.isoformat()}, settings={"render_task_attempts": 20}
    )
    assert result.state == "success", result.task_states
    batches = result.xcom("plan_quizzes")
    assert len(result.task_states["render_quiz_archive"]) == len(batches) >= 2
    assert all(b["attempts"] <= 20 or len(b["quizzes"]) == 1 for b in batches)
    assert _pdfs(archived["store"], DEMO_DATE) == archived["pdfs"]  # the same files


def test_rerun_is_byte_identical_and_picks_up_final_grades(archived):
    store = archived["store"]
    pending = next(
        r
        for r in archived["manifest"].values()
        if r["kind"] == "attempt"
        and r["path"].startswith("BD-201/8-")
        and not r["grading_finished"]
    )
    # a re-run of the same date (the scheduled run of the next day at 03:00 local time)
    logical = datetime(2026, 11, 24, 3, 0, tzinfo=MOSCOW)
    again = run_dag(DAG_ID, logical_date=logical, conf=SCHEDULED)
    assert again.state == "success", again.task_states
    assert _pdfs(store, DEMO_DATE) == archived["pdfs"]
    assert _manifest(store, DEMO_DATE) == archived["manifest"]
    # the teacher grades the essay: a new last step; Moodle sets sumgrades
    question_attempt, maxmark, sumgrades = _moodle_rows(
        "SELECT qat.id, qat.maxmark, (SELECT SUM(s.fraction * q2.maxmark)"
        "  FROM mdl_question_attempts q2 JOIN mdl_question_attempt_steps s"
        "  ON s.questionattemptid = q2.id AND s.sequencenumber = 2"
        "  WHERE q2.questionusageid = qat.questionusageid AND s.fraction IS NOT NULL)"
        " FROM mdl_quiz_attempts qa JOIN mdl_question_attempts qat"
        " ON qat.questionusageid = qa.uniqueid AND qat.behaviour = 'manualgraded'"
        " WHERE qa.id = %s",
        (pending["attempt_id"],),
    )[0]
    _moodle_rows(
        "INSERT INTO mdl_question_attempt_steps (questionattemptid, sequencenumber, state,"
        " fraction, timecreated, userid) VALUES (%s, 3, 'mangrright', 1.0, 1795500000, 2)",
        (question_attempt,),
    )
    _moodle_rows(
        "UPDATE mdl_quiz_attempts SET sumgrades = %s WHERE id = %s",
        (float(sumgrades) + float(maxmark), pending["attempt_id"]),
    )
    graded = run_dag(DAG_ID, conf={"date": DEMO_DATE.isoformat()})
    assert graded.state == "success", graded.task_states
    after = _manifest(store, DEMO_DATE)
    row = after[pending["path"]]
    assert row["grading_finished"] is True and row["grade"] is not None
    assert row["sha256"] != pending["sha256"]
    text = _text(_folder(store, DEMO_DATE) / pending["path"])
    assert "Оценивание не завершено" not in text and "Верно (оценено вручную)" in text
    changed = {p for p in after if after[p]["sha256"] != archived["manifest"][p]["sha256"]}
    assert changed == {pending["path"], pending["path"].rsplit("/", 1)[0] + "/summary.pdf"}


def test_compact_layout_keeps_every_field_of_a_question_row(archived):
    day_before = DEMO_DATE - timedelta(days=1)
    result = run_dag(
        DAG_ID,
        conf={"date": day_before.isoformat(), "name_pattern": None, "category_ids": None},
        settings={"attempt_layout": "compact"},
    )
    assert result.state == "success", result.task_states
    row = next(r for r in _manifest(archived["store"], day_before).values() if r["attempt_id"])
    text = _text(_folder(archived["store"], day_before) / row["path"])
    questions = _moodle_rows(
        "SELECT qat.slot, qat.questionsummary, qat.rightanswer FROM mdl_quiz_attempts qa"
        " JOIN mdl_question_attempts qat ON qat.questionusageid = qa.uniqueid"
        " WHERE qa.id = %s ORDER BY qat.slot",
        (row["attempt_id"],),
    )
    positions = []
    for slot, summary, right in questions:  # number, question, right answer, in slot order
        position = text.find(f"{slot}. {' '.join(summary.split())}")
        assert position >= 0, (slot, summary)
        assert f"правильный ответ: {right or '—'}" in text
        positions.append(position)
    assert positions == sorted(positions)
    assert "ответ студента:" in text and re.search(r"балл: \d,\d\d / \d,\d\d", text)
    assert "Протокол экзамена" in text and "Затраченное время" in text


def test_scheduled_runs_archive_the_previous_local_day_once_each(archived):
    """What `airflow backfill create` does: one run per schedule point, each for its date."""
    store = archived["store"]
    day_before = DEMO_DATE - timedelta(days=1)
    logical = datetime(2026, 11, 23, 3, 0, tzinfo=MOSCOW)  # archives the 22nd
    result = run_dag(DAG_ID, logical_date=logical, conf=SCHEDULED)
    assert result.state == "success", result.task_states
    manifest = _manifest(store, day_before)
    expected = _finished_attempts(day_before)
    assert sorted(r["attempt_id"] for r in manifest.values() if r["attempt_id"]) == sorted(
        row[0] for row in expected
    )
    # the 23:59:50 attempt of the 22nd is archived under the 22nd, not the 23rd
    assert len(expected) >= 2
    assert {r["attempt_id"] for r in manifest.values()}.isdisjoint(
        {r["attempt_id"] for r in _manifest(store, DEMO_DATE).values() if r["attempt_id"]}
    )


def test_schedule_params_and_doc(archived):
    from tests.airflow_runs import dag_bag

    dag = dag_bag().dags[DAG_ID]
    assert dag.timetable.expression == "0 3 * * *"  # daily at 03:00 ...
    assert str(dag.timetable.timezone) == TIMEZONE  # ... in the university's time zone
    schema = dag.params.get_param("date").schema
    assert schema["type"] == ["null", "string"] and schema["format"] == "date"
    for words in ("previous", "backfill", "date picker", "Europe/Moscow"):
        assert words in dag.doc_md


def test_a_bad_setting_fails_the_run_naming_the_field(archived):
    result = run_dag(
        DAG_ID, conf={"date": DEMO_DATE.isoformat()}, settings={"timezone": "Mars/Base"}
    )
    assert result.state == "failed"
    assert result.state_of("resolve_settings") == "failed"
    assert result.state_of("resolve_archive_date") == "upstream_failed"
    assert result.state_of("render_quiz_archive") in ("upstream_failed", "")


def test_settings_are_read_once_per_run(archived, monkeypatch):
    """Only resolve_settings reads the Variable: an edit during a run changes nothing."""
    from airflow.sdk import Variable

    from include.tasks import exam_archive as tasks

    def refuse(*args, **kwargs):
        raise AssertionError("a task re-read the Variable")

    monkeypatch.setattr(Variable, "get", refuse)
    settings = {"timezone": TIMEZONE, "name_pattern": "экзамен"}
    from include.config import ExamArchiveSettings

    resolved = ExamArchiveSettings(**settings).model_dump(mode="json")
    run = {"date": DEMO_DATE.isoformat(), "timezone": TIMEZONE,
           **dict(zip(("start", "end"), _window(DEMO_DATE), strict=True))}  # fmt: skip
    assert tasks.select_exam_attempts.function(resolved, run)["quizzes"]


def _window(day: date) -> tuple[int, int]:
    from include.exams.selection import day_window

    return day_window(day, TIMEZONE)


def test_typst_engine_archives_the_same_fields_as_pdfa_byte_identically(archived):
    """`pdf_engine: typst`: every attempt PDF made by Typst, the gate passed on the
    workers' checks, the same fields as WeasyPrint's file, PDF/A-3b; a re-run changes no
    byte; summaries stay WeasyPrint's."""
    import io

    from pypdf import PdfReader

    store, day = archived["store"], DEMO_DATE
    typst = {"pdf_engine": "typst"}
    before = _manifest(store, day)  # WeasyPrint's, as the tests above left it
    result = run_dag(DAG_ID, conf={"date": day.isoformat()}, settings=typst)
    assert result.state == "success", result.task_states
    assert result.xcom("render_quiz_archive", 0)["pdf_engine"] == "typst"
    manifest, pdfs = _manifest(store, day), _pdfs(store, day)
    assert set(manifest) == set(before)
    for path, row in manifest.items():
        reader = PdfReader(io.BytesIO(pdfs[path]))
        producer = str(reader.metadata.get("/Creator", "")) + str(reader.metadata.get("/Producer"))
        assert ("Typst" in producer) == (row["kind"] == "attempt"), (path, producer)
        for column in ("attempt_id", "user_id", "grade", "grading_finished"):
            assert row[column] == before[path][column], (path, column)
    row = next(
        r for r in manifest.values() if r["kind"] == "attempt" and r["path"].startswith("BD-201/8-")
    )
    text, user = _attempt_text_and_student(store, day, row)
    for expected in (
        *ATTEMPT_HEADER,
        f"{user[0]} {user[1]}",
        user[2],
        "Затраченное время",
    ):
        assert expected in text, expected
    xmp = PdfReader(io.BytesIO(pdfs[row["path"]])).trailer["/Root"]["/Metadata"].get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp and b"<pdfaid:conformance>B" in xmp
    again = run_dag(DAG_ID, conf={"date": day.isoformat()}, settings=typst)
    assert again.state == "success", again.task_states
    assert _pdfs(store, day) == pdfs and _manifest(store, day) == manifest
    assert again.xcom("render_quiz_archive", 0)["written"] == 0
