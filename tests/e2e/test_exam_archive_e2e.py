"""`exam_archive` under the real scheduler and task runner, triggered over REST: a manual
run for a date whose quizzes render in one process pool whose workers check each file
(the gate reads none back), the same with `pdf_engine: typst`, and a backfill over 3
dates through `POST /api/v2/backfills`, backfilled again with `reprocess_behavior:
completed` without a byte changing or a row duplicated."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from include.exams import gate
from include.exams.rendering import POOL_FROM
from include.sandbox.demo_data.exams import DEMO_DATE
from include.sandbox.stack import connect
from tests.dags.test_exam_archive import MOSCOW, _finished_attempts, _manifest, _pdfs

DAG_ID = "exam_archive"
# schedule points 03:00 Moscow time on the 21st, 22nd and 23rd: they archive the 20th-22nd
FROM_DATE, TO_DATE = "2026-11-21T00:00:00Z", "2026-11-23T23:00:00Z"
BACKFILLED = [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]


def _move_one_day_earlier(day: date, count: int) -> list[int]:
    """Move `count` attempts finished on `day` to the day before (two backfilled dates then
    have attempts); their ids."""
    from tests.dags.test_exam_archive import _moodle_rows

    ids = sorted(row[0] for row in _finished_attempts(day))[:count]
    for attempt_id in ids:
        _moodle_rows(
            "UPDATE mdl_quiz_attempts SET timestart = timestart - 86400,"
            " timefinish = timefinish - 86400, timemodified = timemodified - 86400"
            " WHERE id = %s",
            (attempt_id,),
        )
    return ids


@pytest.fixture(scope="module")
def exams(e2e_stack):
    from include.storage import store_root

    moved = _move_one_day_earlier(BACKFILLED[2], 2)
    return {"api": e2e_stack["api"], "store": store_root(), "moved": moved}


def _archived_ids(store, day: date) -> list[int]:
    return sorted(r["attempt_id"] for r in _manifest(store, day).values() if r["attempt_id"])


def test_a_manual_run_for_a_date_renders_and_checks_in_one_pool(exams, succeeded):
    api, store = exams["api"], exams["store"]
    api.set_variable(DAG_ID, {})
    run = api.run(DAG_ID, {"date": DEMO_DATE.isoformat()})
    succeeded(run)
    (task,) = run.mapped("render_quiz_archive")  # the day fits one task: one pool for all
    assert task["state"] == "success"
    result = api.xcom(DAG_ID, run.run_id, "render_quiz_archive", task["map_index"])
    quizzes = {p.split("/")[1] for p in _manifest(store, DEMO_DATE)}
    assert result["quizzes"] == len(quizzes) >= 4, result["quizzes"]
    assert result["attempts"] >= POOL_FROM["weasyprint"] and result["render_pool_workers"] >= 2
    checked = api.xcom(DAG_ID, run.run_id, "check_archive_files")
    assert checked["files_checked"] >= 40 and checked["files_read_back"] == 0, checked
    assert _archived_ids(store, DEMO_DATE) == sorted(r[0] for r in _finished_attempts(DEMO_DATE))
    for path, pdf in _pdfs(store, DEMO_DATE).items():  # real PDFs, read back
        facts = gate.inspect_pdf(pdf)
        assert not facts["error"] and facts["pages"] >= 1, path
        assert _manifest(store, DEMO_DATE)[path]["sha256"] == facts["sha256"], path


def test_typst_renders_the_attempts_under_the_task_runner(exams, succeeded):
    """`pdf_engine: typst` in the Variable: the attempt PDFs are Typst's, made under the task
    runner (inline: a day this small does not pay for starting a pool); a second run
    changes no byte."""
    api, store = exams["api"], exams["store"]
    api.set_variable(DAG_ID, {"pdf_engine": "typst"})
    try:
        runs = [api.run(DAG_ID, {"date": DEMO_DATE.isoformat()}) for _ in range(2)]
    finally:
        api.set_variable(DAG_ID, {})
    for run in runs:
        succeeded(run)
    first, second = (api.xcom(DAG_ID, r.run_id, "render_quiz_archive", 0) for r in runs)
    assert first["pdf_engine"] == "typst" and first["written"] > 0 and second["written"] == 0
    assert first["attempts"] < POOL_FROM["typst"] and first["render_pool_workers"] == 0
    pdfs, manifest = _pdfs(store, DEMO_DATE), _manifest(store, DEMO_DATE)
    attempts = [p for p, r in manifest.items() if r["kind"] == "attempt"]
    assert attempts and all(b"Typst" in pdfs[p] for p in attempts)
    assert not any(b"Typst" in pdfs[p] for p in manifest if p not in attempts)  # summaries


def test_a_backfill_over_three_dates_through_the_rest_api(exams, succeeded):
    api, store = exams["api"], exams["store"]
    backfill = api.backfill(DAG_ID, FROM_DATE, TO_DATE, max_active_runs=2)
    api.wait_for_backfill(backfill["id"])
    runs = [r for r in api.runs(DAG_ID) if r["run_type"] == "backfill"]
    assert [r["state"] for r in runs] == ["success"] * 3, runs
    logical = [datetime.fromisoformat(r["logical_date"]).astimezone(MOSCOW) for r in runs]
    assert [(d.date(), d.hour) for d in logical] == [
        (day + timedelta(days=1), 3) for day in BACKFILLED
    ]
    for day in BACKFILLED:  # each date: exactly its own finished attempts
        assert _archived_ids(store, day) == sorted(r[0] for r in _finished_attempts(day)), day
    assert set(exams["moved"]) <= set(_archived_ids(store, BACKFILLED[1]))
    assert _archived_ids(store, BACKFILLED[2])
    assert not _archived_ids(store, BACKFILLED[0])  # a day without exams: empty manifest

    before = {day: (_pdfs(store, day), _manifest(store, day)) for day in BACKFILLED}
    again = api.backfill(DAG_ID, FROM_DATE, TO_DATE, reprocess_behavior="completed")
    api.wait_for_backfill(again["id"])
    runs = [r for r in api.runs(DAG_ID) if r["run_type"] == "backfill"]
    assert [r["state"] for r in runs] == ["success"] * 3, runs  # the same 3 runs, re-run
    for day in BACKFILLED:
        assert (_pdfs(store, day), _manifest(store, day)) == before[day], day
    connection = connect("pipelines")
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT archive_date, COUNT(*), COUNT(DISTINCT path) FROM exam_archive_file"
            " GROUP BY archive_date"
        )
        counts = {str(day): (total, distinct) for day, total, distinct in cursor.fetchall()}
    finally:
        connection.close()
    for day in BACKFILLED[1:]:
        total, distinct = counts[day.isoformat()]
        assert total == distinct == len(before[day][1])
