"""Property-based tests (hypothesis): hostile rows in the EIOS students feed, through the
real task functions (include/tasks/eios_sync.py) against the sandbox's EIOS and Moodle
stand-ins and the real MariaDB.

Each example arms the sandbox to append raw JSON items (good and hostile rows mixed) to
the first page of a faculty's feed (`extra_items`: the typed sandbox table cannot hold a
string where an integer goes), runs the tasks the DAG runs, from extract_students to
record_faculty_state and the history CSV, and asserts: no crash, every bad row rejected
with a field and a reason (in the rejects file and once per key in `feed_reject`), the
good rows created in Moodle, nothing written outside the store's eios_sync folder, and
the faculty's watermark where the good rows put it.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.db import query
from tests.integration.test_feed_hostile_rows import (
    CONTROL_TEXT,
    HUGE,
    _project_entries,
    _set,
    _store_files,
    _without,
)

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FACULTY, FACULTY_NAME = "HYP", "Факультет гипотез"
PATH = f"/faculties/{FACULTY}/students"
OTHER = "HYQ"  # the fixed example's faculty: its own watermark
# names Moodle keeps as text (no tag, no '<'): SQL- and path-looking, quotes, non-ASCII
WEIRD_BUT_VALID_NAMES = [
    "'; DROP TABLE mdl_user; --",
    "../../etc/passwd",
    "C:\\Windows\\system32",
    "ЕГЭ — 数学 Ünïcödé",
    "  Анна   Мария  ",
    '"O\'Brien" & co',
    "Ж" * 100,
]
START = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(days=1)
_serial = itertools.count(1)
_example = itertools.count(1)


def _pipelines(sql: str, *args) -> list:
    return query("pipelines", sql, *args)


@pytest.fixture(scope="module")
def stack(mariadb, sandbox):
    from include.sandbox import stack as local_stack
    from include.sandbox.demo_data import test_sizes

    sandbox.reset()
    local_stack.reset_data(mariadb, sizes=test_sizes())
    for faculty, name in ((FACULTY, FACULTY_NAME), (OTHER, "Факультет примеров")):
        query("sandbox", "INSERT INTO eios_faculty (id, name) VALUES (%s, %s)", faculty, name)
    yield sandbox
    sandbox.reset()


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setenv("PIPELINES_RETRY_DELAY_SECONDS", "0")


def _good_row(last_name: str, at: datetime, faculty: str = FACULTY) -> dict:
    n = next(_serial)
    sid = f"8{n:05d}"
    return {
        "student_id": sid,
        "record_book": f"ЗК-{sid}",
        "login": f"h{sid}",
        "last_name": last_name,
        "first_name": "Гипотеза",
        "middle_name": None,
        "email": f"h{sid}@students.example.edu",
        "faculty_id": faculty,
        "specialty": "Проверка свойств",
        "group_code": "ГИП-1",
        "course_year": 1,
        "study_form": "очная",
        "status": "studying",
        "status_date": "2026-09-01",
        "changed_at": at.strftime("%Y-%m-%dT%H:%M:%S"),
        "added_later_by_eios": {"ignored": True},
    }


MUTATIONS = {
    "missing student_id": _without("student_id"),
    "missing last_name": _without("last_name"),
    "missing status": _without("status"),
    "missing changed_at": _without("changed_at"),
    "missing group_code": _without("group_code"),
    "student_id a float": _set(student_id=1.5),
    "student_id a bool": _set(student_id=True),
    "student_id huge": _set(student_id="9" * 5000),
    "student_id path": _set(student_id="../../etc/passwd"),
    "student_id empty": _set(student_id=""),
    "first_name a number": _set(first_name=123),
    "last_name null": _set(last_name=None),
    "last_name empty": _set(last_name="   "),
    "last_name huge": _set(last_name=HUGE),
    "last_name html": _set(last_name="<script>alert('x')</script>"),
    **{f"first_name control {n}": _set(first_name=f"Имя{c}") for n, c in enumerate(CONTROL_TEXT)},
    "email a list": _set(email=["a@example.edu"]),
    "email huge": _set(email="a" * 5000 + "@example.edu"),
    "email non-ascii": _set(email="иван@пример.рф"),
    "email two ats": _set(email="x@@example.edu"),
    "group_code sql": _set(group_code="'; DROP TABLE eios_student; --"),
    "group_code null": _set(group_code=None),
    "course_year text": _set(course_year="third"),
    "course_year bool": _set(course_year=True),
    "course_year huge": _set(course_year=10**9),
    "status unknown": _set(status="dropped_out"),
    "status a number": _set(status=1),
    "status_date far past": _set(status_date="0001-01-01"),
    "status_date text": _set(status_date="вчера"),
    "changed_at far past": _set(changed_at="0001-01-01T00:00:00"),
    "changed_at far future": _set(changed_at="9999-12-31T23:59:59"),
    "changed_at zoned before year 1": _set(changed_at="0001-01-01T00:00:00+05:00"),
    "changed_at zoned past year 9999": _set(changed_at="9999-12-31T23:00:00-05:00"),
    "changed_at a number": _set(changed_at=1700000000),
    "changed_at text": _set(changed_at="<b>today</b>"),
    "faculty_id another": _set(faculty_id="ECON"),
    "row a string": lambda row: "'; DROP TABLE mdl_user; --",
    "row null": lambda row: None,
    "row a list": lambda row: [row["student_id"]],
    "row a number": lambda row: 42,
}


@st.composite
def bad_rows(draw):
    name = draw(st.sampled_from(sorted(MUTATIONS)))
    return name, MUTATIONS[name](_good_row("Плохая", START))


def _config(settings_model, run_id: str, stamp: datetime) -> dict:
    return {
        "settings": settings_model.model_dump(mode="json"),
        "run": {
            "run_id": run_id,
            "key": run_id,
            "stamp": stamp.strftime("%Y-%m-%d_%H-%M-%S"),
            "time": stamp.strftime("%Y-%m-%d %H:%M:%S"),
        },
        "confirm": [],
        "rescan_from": None,
    }


def _run_tasks(config: dict) -> dict:
    """The DAG's task functions in the DAG's order, for the one faculty."""
    from include.tasks import eios_sync as tasks
    from include.tasks.eios_state import write_history

    extracted = tasks.extract_students.function(config)
    checked = tasks.check_quality.function(config, extracted)
    tasks.check_accepted_rows.function(config, checked)  # the GX suite passes what is left
    planned = tasks.plan_changes.function(config, checked)
    applied = [
        tasks.apply_changes.function(guarded, config)
        for guarded in tasks.check_mass_graduation.function(config, planned)
    ]
    finished = tasks.record_faculty_state.function(config, applied)
    history = write_history(config["run"])  # what report_run writes first
    return {"checked": checked[0], "finished": finished, "history": history}


expected_watermark: list[str] = []  # across examples: the good rows only ever move it


@EXAMPLES
@given(
    names=st.lists(st.sampled_from(WEIRD_BUT_VALID_NAMES), max_size=4),
    bad=st.lists(bad_rows(), min_size=1, max_size=5),
    duplicate=st.booleans(),
    order=st.randoms(use_true_random=False),
)
def test_hostile_eios_rows_are_rejected_and_the_good_ones_synced(
    stack, store_root, names, bad, duplicate, order
):
    from include.config import EiosSyncSettings
    from include.eios.feed import FEED, student_key

    number = next(_example)
    base = START + timedelta(minutes=number)
    good = [_good_row(name, base + timedelta(seconds=i)) for i, name in enumerate(names)]
    bad = list(bad)
    if duplicate and good:  # one student twice in one feed: both rejected (which is true?)
        twin = good.pop(0)
        bad += [("duplicate", twin), ("duplicate", twin | {"last_name": "Другая"})]
    rows = good + [row for _, row in bad]
    order.shuffle(rows)
    stack.reset()
    stack.arm("eios", PATH, "extra_items", items=rows)
    stamp = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(seconds=number)
    run_id = f"hypothesis_eios_{number}"
    settings_model = EiosSyncSettings(faculties=[FACULTY], reject_share_max_pct=100)
    config = _config(settings_model, run_id, stamp)
    before_project = _project_entries()
    before_store = _store_files(store_root)

    result = _run_tasks(config)

    checked = result["checked"]
    assert checked["rows"] == len(rows)
    assert checked["accepted_rows"] == len(good)
    # every bad row is in the rejects file with its key, field and reason
    from airflow.sdk import ObjectStoragePath

    text = ObjectStoragePath(checked["rejects"]).read_text()
    by_key = {r["key"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    for name, row in bad:
        key = student_key(FACULTY, row)
        assert key in by_key, (name, key)
        assert by_key[key]["field"] and by_key[key]["reason"], name
    # … and once per key, open, in feed_reject
    recorded = _pipelines(
        "SELECT record_key, COUNT(*) FROM feed_reject WHERE feed = %s AND scope = %s"
        " AND resolved_at IS NULL GROUP BY record_key",
        FEED,
        FACULTY,
    )
    assert {k for k, _ in recorded} == {student_key(FACULTY, row) for _, row in bad}
    assert all(n == 1 for _, n in recorded)
    # the good rows are in Moodle, in their group cohort; no bad row is
    users = {
        r[0]: r[1:]
        for r in query(
            "moodle",
            "SELECT idnumber, lastname, department, suspended FROM mdl_user"
            " WHERE idnumber LIKE '8_____'",
        )
    }
    for row in good:
        lastname, department, suspended = users[row["student_id"]]
        assert lastname == " ".join(row["last_name"].split()) and department == FACULTY_NAME
        assert suspended == 0
    for _, row in bad:
        assert not isinstance(row, dict) or row.get("student_id") not in users
    outcomes = result["finished"][0]["outcomes"]
    assert outcomes.get("failed", 0) == 0, outcomes
    # the watermark: where the good rows put it; bad rows never move or hold it
    if good:
        expected_watermark.append(max(row["changed_at"] for row in good))
    marks = _pipelines("SELECT watermark FROM eios_watermark WHERE faculty_id = %s", FACULTY)
    if expected_watermark:
        assert marks[0][0].strftime("%Y-%m-%dT%H:%M:%S") == max(expected_watermark)
    else:
        assert marks == []
    # nothing written outside the store's eios_sync folder
    assert _project_entries() == before_project
    new_files = _store_files(store_root) - before_store
    assert new_files and all(f.startswith(f"eios_sync{os.sep}") for f in new_files)


def test_a_rejected_row_is_reported_until_eios_fixes_it_and_never_blocks_the_rest(stack):
    """The shape of issue 14 for EIOS: a row with a year as text is rejected once, the
    other rows are created and the watermark moves past it; the run's summary names the
    open reject until EIOS sends the row valid."""
    from include.config import EiosSyncSettings
    from include.eios.feed import FEED, student_key
    from include.tasks.eios_state import open_feed_rejects

    at = START + timedelta(hours=2)
    broken = _good_row("Сломанная", at, OTHER) | {"course_year": "второй"}
    later = _good_row("Поздняя", at + timedelta(seconds=30), OTHER)
    settings_model = EiosSyncSettings(faculties=[OTHER], reject_share_max_pct=100)
    key = student_key(OTHER, broken)
    path = f"/faculties/{OTHER}/students"
    for attempt in (1, 2):
        stack.reset()
        stack.arm("eios", path, "extra_items", items=[broken, later])
        config = _config(settings_model, f"issue14_eios_{attempt}", at + timedelta(hours=attempt))
        result = _run_tasks(config)
        assert result["checked"]["open_feed_rejects"] >= 1
    assert _pipelines(
        "SELECT field, COUNT(*) FROM feed_reject WHERE feed = %s AND record_key = %s"
        " GROUP BY field",
        FEED,
        key,
    ) == [("course_year", 1)]
    assert query("moodle", "SELECT COUNT(*) FROM mdl_user WHERE idnumber = %s",
                 later["student_id"])[0][0] == 1  # fmt: skip
    (mark,) = _pipelines("SELECT watermark FROM eios_watermark WHERE faculty_id = %s", OTHER)[0]
    assert mark.strftime("%Y-%m-%dT%H:%M:%S") >= later["changed_at"]
    assert open_feed_rejects()[FEED] >= 1  # report_run's summary line names them
    # EIOS fixes the row: resolved, created
    stack.reset()
    stack.arm("eios", path, "extra_items", items=[broken | {"course_year": 2}, later])
    _run_tasks(_config(settings_model, "issue14_eios_3", at + timedelta(hours=3)))
    assert _pipelines(
        "SELECT resolved_at IS NOT NULL FROM feed_reject WHERE feed = %s AND record_key = %s",
        FEED,
        key,
    ) == [(1,)]
    assert query("moodle", "SELECT COUNT(*) FROM mdl_user WHERE idnumber = %s",
                 broken["student_id"])[0][0] == 1  # fmt: skip


def test_a_whole_answer_that_is_not_json_or_of_the_wrong_shape_fails_with_its_text(stack):
    from include.connectors.eios import EiosHook, EiosUnavailable
    from include.connectors.paging import FeedShapeError

    stack.reset()
    stack.arm("eios", PATH, "not_json", times=2)
    with pytest.raises(EiosUnavailable, match="not JSON: <html><body>Service temporarily"):
        EiosHook(backoff_seconds=0, attempts=2).students(FACULTY)
    stack.arm("eios", PATH, "wrong_shape")
    with pytest.raises(FeedShapeError, match=r"page 1 is not a JSON object .*'not', 'the'"):
        EiosHook(backoff_seconds=0).students(FACULTY)
    stack.arm("eios", "/faculties", "wrong_shape")
    with pytest.raises(FeedShapeError, match=r"EIOS faculties: not a JSON list .*'not', 'the'"):
        EiosHook(backoff_seconds=0).faculties()
    stack.reset()


def test_the_students_feed_stops_at_the_settings_max_pages(stack, store_root):
    from include.config import EiosSyncSettings
    from include.connectors.paging import PagingError
    from include.tasks import eios_sync as tasks

    stack.reset()
    settings_model = EiosSyncSettings(eios_page_size=1, eios_max_pages=2)
    config = _config(settings_model, "paging_eios", datetime.now(UTC).replace(tzinfo=None))
    with pytest.raises(PagingError, match="max_pages = 2"):  # every faculty failed: the task
        tasks.extract_students.function(config, [{"id": "ECON", "name": "x", "lower_bound": None}])
    stack.arm("eios", "/faculties/ECON/students", "repeat_token")
    with pytest.raises(PagingError, match="again"):
        tasks.extract_faculty(
            {"id": "ECON", "name": "x", "lower_bound": None},
            _config(EiosSyncSettings(eios_page_size=1), "paging_eios_2", datetime.now(UTC)),
        )
