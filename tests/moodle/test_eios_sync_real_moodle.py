"""eios_sync against a REAL Moodle (4.5 LTS; shared/real-moodle builds one), EIOS from the sandbox.

Not part of the default run: the module is marked `real_moodle`, which pyproject's addopts
deselect. Run it with the real Moodle's two connections (docs/eios_sync.md):

    REAL_MOODLE_WS='{"conn_type": "http", "host": "http://127.0.0.1:8300", "password": "<token>"}' \\
    REAL_MOODLE_DB='{"conn_type": "mysql", "host": "127.0.0.1", "port": 3466, "schema": "moodle",
                     "login": "moodle", "password": "…", "extra": {"charset": "utf8mb4"}}' \\
    KEEP_MARIADB=1 .venv/bin/python -m pytest -m real_moodle tests/moodle -q

`moodle_ws` and `moodle_db` then point at the real site for these runs only; the sandbox
serves EIOS, and the project DB and the store are the tests' own. Nothing is seeded into
the real Moodle: the sync itself creates this run's students and group cohorts, named with
a fresh tag (`rm<hex>`), so runs do not meet each other and other users of the site are
left alone (the real Moodle's own reset script removes them).
"""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from tests.airflow_runs import run_dag as _run_dag
from tests.db import query
from tests.moodle.conftest import moodle_rows

pytestmark = [pytest.mark.real_moodle, pytest.mark.usefixtures("airflow_db")]

FACULTY = "ECON"
BAD_EMAIL = "ivan..tochkin@students.example.edu"  # Moodle's validate_email() refuses it


def sandbox(sql: str, *args) -> list[tuple]:
    return query("sandbox", sql, *args)


def now_text(minutes_ago: int = 1) -> str:
    moment = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


COLUMNS = (
    "student_id, record_book, login, last_name, first_name, middle_name, email, faculty_id,"
    " specialty, group_code, course_year, study_form, status, status_date, changed_at"
)


def eios_student(sid: str, group: str, email: str, minutes_ago: int) -> tuple:
    return (
        sid,
        f"ЗК-{sid}",
        sid,
        "Тестова",
        "Анна",
        "",
        email,
        FACULTY,
        "38.03.01",
        group,
        1,
        "очная",
        "studying",
        "2026-09-01",
        now_text(minutes_ago),
    )


def run_dag(settings: dict):
    from tests.airflow_runs import dag_bag

    params = dag_bag().dags["eios_sync"].params
    conf = {name: ([] if name == "confirm_mass_graduation" else None) for name in params}
    return _run_dag("eios_sync", settings=settings, conf=conf)


def members(db: dict, tag: str) -> set[tuple[str, str]]:
    rows = moodle_rows(
        db,
        "SELECT c.idnumber, u.idnumber FROM mdl_cohort_members m"
        " JOIN mdl_cohort c ON c.id = m.cohortid JOIN mdl_user u ON u.id = m.userid"
        " WHERE c.idnumber LIKE %s",
        f"group:RM{tag}-%",
    )
    return set(rows)


def write_calls(result) -> int:
    applied = result.xcom("apply_changes", map_index=0)  # none: nothing to send
    return applied["ws_calls"] if applied else 0


def test_eios_sync_on_a_real_moodle(real_moodle):
    db = real_moodle
    tag = secrets.token_hex(3)
    group_a, group_b = f"RM{tag}-A", f"RM{tag}-B"
    ids = [f"rm{tag}{n}" for n in range(1, 7)]
    rows = [eios_student(sid, group_a, f"{sid}@students.example.edu", 30) for sid in ids[:4]]
    rows += [eios_student(sid, group_b, f"{sid}@students.example.edu", 30) for sid in ids[4:]]
    bad = f"rm{tag}9"
    rows.append(eios_student(bad, group_a, BAD_EMAIL, 30))
    sandbox("DELETE FROM eios_student WHERE faculty_id = %s", FACULTY)
    for row in rows:
        sandbox(f"INSERT INTO eios_student ({COLUMNS}) VALUES ({', '.join(['%s'] * 15)})", *row)
    settings = {"faculties": [FACULTY], "reject_share_max_pct": 20}  # 1 bad row of 7

    first = run_dag(settings)
    assert first.state == "success", first.task_states
    expected = {(f"group:{group_a}", sid) for sid in ids[:4]}
    expected |= {(f"group:{group_b}", sid) for sid in ids[4:]}
    assert members(db, tag) == expected  # the real mdl_cohort_members: exactly EIOS's groups
    created = moodle_rows(
        db, "SELECT idnumber, suspended FROM mdl_user WHERE idnumber LIKE %s", f"rm{tag}%"
    )
    assert sorted(created) == sorted((sid, 0) for sid in ids)
    stamp = first.xcom("resolve_settings")["run"]["stamp"]
    from include.storage import store_path

    rejects = list(
        csv.DictReader(
            io.StringIO(store_path("eios_sync", "rejects", stamp, f"{FACULTY}.csv").read_text())
        )
    )
    assert [(r["student_id"], r["email"]) for r in rejects] == [(bad, BAD_EMAIL)]
    assert "validate_email" in rejects[0]["reason"]

    moved, leaver = ids[0], ids[1]
    sandbox(
        "UPDATE eios_student SET group_code = %s, changed_at = %s WHERE student_id = %s",
        group_b,
        now_text(),
        moved,
    )
    sandbox(
        "UPDATE eios_student SET status = 'expelled', changed_at = %s WHERE student_id = %s",
        now_text(),
        leaver,
    )
    second = run_dag(settings)
    assert second.state == "success", second.task_states
    expected = (expected - {(f"group:{group_a}", moved)}) | {(f"group:{group_b}", moved)}
    assert members(db, tag) == expected  # the transfer moved the member
    suspended = moodle_rows(db, "SELECT suspended FROM mdl_user WHERE idnumber = %s", leaver)
    assert suspended == [(1,)]  # applied, as read back from Moodle
    assert write_calls(second) == 3  # remove, add, suspend: one call each

    third = run_dag(settings)
    assert third.state == "success", third.task_states
    assert write_calls(third) == 0  # unchanged: zero write calls
    assert third.xcom("plan_changes")[0]["planned"] == {}
    assert members(db, tag) == expected
