"""`airflow backfill create` over a range of dates for `exam_archive`, carried out by a
real `airflow standalone` (scheduler, LocalExecutor, API server; SQLite metadata DB):
each date of the range is archived once, and a second backfill of the same range with
`--reprocess-behavior completed` changes nothing and duplicates nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_fixed

from include.sandbox.demo_data.exams import DEMO_DATE
from tests.dags.test_exam_archive import MOSCOW, _finished_attempts, _manifest, _pdfs

DAG_ID = "exam_archive"
# schedule points 03:00 Moscow time on the 21st, 22nd and 23rd: they archive the 20th-22nd
FROM_DATE, TO_DATE = "2026-11-21", "2026-11-23"
ARCHIVED_DATES = [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)]
WAIT_SECONDS = 900


class SqliteBusy(RuntimeError):
    """The CLI met "database is locked": SQLite has one writer, and the running scheduler
    may hold it longer than the CLI's 5 s wait (what a user of SQLite re-runs too)."""


@retry(retry=retry_if_exception_type(SqliteBusy), stop=stop_after_attempt(4), wait=wait_fixed(2))
def _airflow(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode and "database is locked" in done.stderr:
        raise SqliteBusy(done.stderr[-300:])
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _metadata(env: dict, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db", timeout=30) as db:
        return list(db.execute(sql, params))


def _wait_for_backfill(env: dict, backfill_id: int, log: Path) -> list[tuple]:
    """Until the scheduler marks the backfill complete; its runs (logical date, state)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done = _metadata(env, "SELECT completed_at FROM backfill WHERE id = ?", (backfill_id,))
        if done and done[0][0]:
            return _metadata(
                env,
                "SELECT logical_date, state, run_type FROM dag_run WHERE dag_id = ? "
                "ORDER BY logical_date",
                (DAG_ID,),
            )
        time.sleep(3)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    pytest.fail(f"backfill {backfill_id} did not complete in {WAIT_SECONDS} s; log tail:\n{tail}")


def _move_one_day_earlier(day: date, count: int) -> list[int]:
    """Move `count` exam attempts finished on `day` to the day before (so two dates of the
    range have attempts); returns their ids."""
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
def standalone(mariadb, sandbox, airflow_db):
    """Fresh demo data and store; `airflow standalone` on its own Airflow home and port."""
    import shutil

    from include.sandbox import environment, stack
    from include.sandbox.demo_data import test_sizes
    from include.storage import store_root
    from tests.conftest import PREFIX, TEST_ENV

    sandbox.reset()
    stack.reset_data(mariadb, sizes=test_sizes())
    moved = _move_one_day_earlier(ARCHIVED_DATES[2], 2)
    shutil.rmtree(environment.LOCAL_DIR / f"store-{PREFIX}", ignore_errors=True)
    home = environment.LOCAL_DIR / f"airflow-{PREFIX}-standalone"
    shutil.rmtree(home, ignore_errors=True)
    port = stack.free_port()
    env = {
        **os.environ,
        **TEST_ENV,
        **environment.airflow_settings(home),
        "PIPELINES_STORE_URL": TEST_ENV["PIPELINES_STORE_URL"],
        "PIPELINES_RETRY_DELAY_SECONDS": "0",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        # only the backfill's runs: no scheduled run of today competes with them
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    }
    stack.migrate_airflow_db(env)
    _airflow(env, "dags", "reserialize")
    pid_file, log = home / "standalone.pid", home / "standalone.log"
    env = stack.start_airflow_standalone(env, port, pid_file, log)
    try:
        stack.wait_for_airflow_api(port)
        yield {"env": env, "log": log, "store": store_root(), "moved": moved}
    finally:
        stack.stop_process_group(pid_file)


def _archived_ids(store, day: date) -> list[int]:
    return sorted(r["attempt_id"] for r in _manifest(store, day).values() if r["attempt_id"])


def test_backfill_archives_each_date_of_the_range_once(standalone):
    env, store = standalone["env"], standalone["store"]
    out = _airflow(
        env, "backfill", "create", "--dag-id", DAG_ID, "--from-date", FROM_DATE,
        "--to-date", TO_DATE,
    )  # fmt: skip
    assert "backfill" in out.lower()
    runs = _wait_for_backfill(env, 1, standalone["log"])
    assert [(state, kind) for _, state, kind in runs] == [("success", "backfill")] * 3, runs
    logical = [datetime.fromisoformat(str(r[0])).astimezone(MOSCOW) for r in runs]
    assert [(d.date(), d.hour) for d in logical] == [
        (day + timedelta(days=1), 3) for day in ARCHIVED_DATES
    ]
    for day in ARCHIVED_DATES:  # each date: exactly its own finished attempts
        assert _archived_ids(store, day) == sorted(r[0] for r in _finished_attempts(day)), day
    assert set(standalone["moved"]) <= set(_archived_ids(store, ARCHIVED_DATES[1]))
    assert _archived_ids(store, ARCHIVED_DATES[2])  # the 22nd has its own attempts
    assert not (store / f"exams/{DEMO_DATE:%Y/%m/%d}").exists()  # outside the range


def test_backfilling_the_range_again_changes_and_duplicates_nothing(standalone):
    from include.sandbox.stack import connect

    env, store = standalone["env"], standalone["store"]
    before = {day: (_pdfs(store, day), _manifest(store, day)) for day in ARCHIVED_DATES}
    _airflow(
        env, "backfill", "create", "--dag-id", DAG_ID, "--from-date", FROM_DATE,
        "--to-date", TO_DATE, "--reprocess-behavior", "completed",
    )  # fmt: skip
    runs = _wait_for_backfill(env, 2, standalone["log"])
    assert [state for _, state, _ in runs] == ["success"] * 3, runs  # the same 3 runs, re-run
    for day in ARCHIVED_DATES:
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
    for day in ARCHIVED_DATES[1:]:
        total, distinct = counts[day.isoformat()]
        assert total == distinct == len(before[day][1])
