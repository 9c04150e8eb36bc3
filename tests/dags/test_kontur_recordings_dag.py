"""`kontur_recordings` end to end with dag.test() against the sandbox and the real MariaDB.

The tests share one fresh stack and run in file order, as a university's day would:
a morning poll (no publication), the first run after publish_at (publication), a later
run (nothing more), then journal clearing, dry runs, the archive and clearing sections.

A clearing waits for a person in Required actions (`decide_clear_…`), which dag.test()
cannot answer: here a run that asks nothing, or asks in a dry run, never waits (the
decisions are skipped), and the clearing bodies are called with an answer shaped as the
decision returns it. Approve, Reject and a timeout under the real scheduler:
tests/e2e/test_kontur_approval_e2e.py.
"""

from __future__ import annotations

import csv
import html
import os
from datetime import UTC, datetime, timedelta

import pytest

from include.sandbox.stack import connect
from tests.airflow_runs import assert_no_error_logs, run_dag

# Retried tasks must not wait in tests; set before any DAG is parsed in this session.
os.environ["PIPELINES_RETRY_DELAY_SECONDS"] = "0"

DAG_ID = "kontur_recordings"
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
MORNING = TODAY + timedelta(hours=7)  # 10:00 in Moscow
EVENING = TODAY + timedelta(hours=15, minutes=15)  # 18:15 in Moscow: first run after 18:10
LATER = TODAY + timedelta(hours=15, minutes=30)
SETTINGS = {
    "auto_publish": True,
    "publish_at": "18:10",
    "timezone": "Europe/Moscow",
    "prefix_routes": {"ЕГЭ": 735, "ПО": 727, "СПО": 728},
    "default_prefix": "ПО",
    "default_category_id": 700,
    "min_section": 2,
}


@pytest.fixture(scope="module")
def stack(mariadb, sandbox, airflow_db):
    from include.sandbox import stack as local_stack
    from include.sandbox.demo_data import test_sizes

    sandbox.reset()
    local_stack.reset_data(mariadb, sizes=test_sizes())
    return sandbox


DEFAULT_CONF = {
    "publish_now": False,
    "dry_run": False,
    "clear_journal": False,
    "build_archive": False,
    "clear_sections": False,
    "prefix_routes": None,
    "default_prefix": None,
}


def _run(logical_date, settings=None, **conf):
    """dag.test() with every param given: a cached DAG keeps the previous run's conf."""
    return run_dag(
        DAG_ID, logical_date, conf={**DEFAULT_CONF, **conf}, settings=settings or SETTINGS
    )


def _past(moment: datetime) -> datetime:
    """A creation time no later than a minute ago (the quality gate rejects the future)."""
    return min(moment, datetime.now(UTC) - timedelta(minutes=1)).replace(tzinfo=None)


def _one(sql: str, *args, which: str = "pipelines"):
    connection = connect(which)
    cursor = connection.cursor()
    cursor.execute(sql, args)
    row = cursor.fetchone()
    connection.close()
    return row


def _execute(sql: str, *args, which: str = "pipelines") -> None:
    connection = connect(which)
    connection.cursor().execute(sql, args)
    connection.commit()
    connection.close()


def _activities() -> int:
    return _one(
        "SELECT COUNT(*) FROM mdl_course_modules WHERE idnumber LIKE 'ktalk:%%'"
        " AND idnumber <> 'ktalk:abc123'",
        which="moodle",
    )[0]


def test_the_dag_runs_every_15_minutes_and_documents_settings_and_params():
    from tests.airflow_runs import dag_bag

    dag = dag_bag().dags[DAG_ID]
    assert dag.schedule == "*/15 * * * *"
    for word in ("publish_now", "dry_run", "clear_journal", "publish_at", "Required actions"):
        assert word in dag.doc_md
    assert {"publish_now", "dry_run", "clear_journal", "clear_sections"} <= set(dag.params)
    assert not any(name.startswith("confirm") for name in dag.params)  # no typed string
    for cleared in ("clear_journal", "clear_sections"):
        decision = dag.get_task(f"decide_{cleared}")
        assert decision.options == ["Approve", "Reject"] and decision.defaults is None
        assert decision.notifiers and decision.retries == 0
        assert dag.get_task(cleared).upstream_task_ids >= {decision.task_id, f"plan_{cleared}"}


def test_a_bad_setting_fails_the_run_at_once_naming_the_field(stack):
    result = _run(MORNING - timedelta(days=3), {**SETTINGS, "min_section": 1})
    assert result.state == "failed"
    assert result.state_of("resolve_settings") == "failed"
    assert result.state_of("poll_recordings") in ("upstream_failed", "None")


def test_morning_poll_stores_every_recording_once_and_does_not_publish(stack):
    total = _one("SELECT COUNT(*) FROM kontur_recording", which="sandbox")[0]
    bad = _one(
        "SELECT COUNT(*) FROM kontur_recording WHERE duration_seconds <= 0", which="sandbox"
    )[0]
    result = _run(MORNING, {**SETTINGS, "page_size": 7})
    assert_no_error_logs(result)
    # nothing asked: the decisions are skipped, the run never waits, nothing is cleared
    assert result.state == "success"
    assert result.state_of("decide_clear_journal") == "skipped"
    assert result.state_of("decide_clear_sections") == "skipped"
    assert result.xcom("clear_journal")["requested"] is False
    polled = result.xcom("poll_recordings")
    assert polled["pages"] == -(-total // 7) and polled["entities"] == total
    assert _one("SELECT COUNT(*) FROM kontur_recording")[0] == total - bad
    checked = result.xcom("check_recordings")
    assert checked["rejected"] == bad >= 1
    with open(checked["rejects_path"].removeprefix("file://"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(row["field"], row["reason"]) for row in rows} == {("duration", "duration not > 0")}
    decision = result.xcom("decide_publication")
    assert decision["publish"] is False and "before publish_at 18:10" in decision["reason"]
    assert _activities() == 0
    watermark = _one("SELECT watermark FROM kontur_watermark")[0]
    assert watermark == MORNING.replace(tzinfo=None)


def test_a_failed_upsert_leaves_the_watermark_and_the_next_poll_stores_each_once(stack):
    _execute(
        "INSERT INTO kontur_recording (id, recording_key, title, created_date, duration_seconds)"
        " VALUES ('late-1', 'late-key-1', 'ПО Информатика 1', %s, 1200)",
        _past(MORNING - timedelta(hours=1)),
        which="sandbox",
    )
    _execute("RENAME TABLE kontur_recording TO kontur_recording_away")
    assert _one("SHOW TABLES LIKE 'kontur_recording_away'") is not None
    try:
        failed = _run(MORNING + timedelta(minutes=15))
    finally:
        _execute("RENAME TABLE kontur_recording_away TO kontur_recording")
    assert failed.state == "failed" and failed.state_of("stage_recordings") == "failed"
    assert failed.state_of("record_watermark") == "upstream_failed"
    assert _one("SELECT watermark FROM kontur_watermark")[0] == MORNING.replace(tzinfo=None)
    again = _run(MORNING + timedelta(minutes=30))
    assert again.state == "success"
    # the window [watermark − 24 h, now) re-read every recording: each is stored once
    assert again.xcom("poll_recordings")["entities"] > 1
    keys = _one("SELECT COUNT(*), COUNT(DISTINCT recording_key) FROM kontur_recording")
    assert keys[0] == keys[1]
    assert _one("SELECT COUNT(*) FROM kontur_recording WHERE recording_key = 'late-key-1'")[0] == 1


def test_the_first_run_after_publish_at_publishes_matched_recordings_and_reports_the_rest(stack):
    result = _run(EVENING)
    assert result.state == "success", result.task_states
    decision = result.xcom("decide_publication")
    assert (
        decision["publish"] is True
        and decision["local_date"] == (EVENING + timedelta(hours=3)).date().isoformat()
    )
    planned = result.xcom("plan_publication")
    published = result.xcom("publish_recordings")
    assert published["published"] == planned["counts"]["publish"] > 0
    assert planned["counts"].get("unmatched", 0) >= 1 and planned["unmatched_path"]
    with open(planned["unmatched_path"].removeprefix("file://"), encoding="utf-8") as handle:
        reasons = [row["reason"] for row in csv.DictReader(handle)]
    assert any("Совещание кафедры" in r for r in reasons)
    assert _activities() == published["published"]
    # every activity sits in a section numbered >= min_section, as its journal row says
    wrong = _one(
        "SELECT COUNT(*) FROM mdl_course_modules cm JOIN mdl_course_sections cs ON cs.id = cm.section"
        " WHERE cm.idnumber LIKE 'ktalk:%%' AND cm.idnumber <> 'ktalk:abc123' AND cs.section < 2",
        which="moodle",
    )[0]
    assert wrong == 0
    assert _one("SELECT COUNT(*) FROM kontur_publication")[0] == published["published"]
    archive = result.xcom("publish_archive_pages")
    assert archive["created"] == published["courses"]
    report = _one(
        "SELECT summary FROM pipeline_run_report WHERE dag_id = %s AND run_id = %s",
        DAG_ID,
        result.run_id,
    )
    assert "published" in report[0]


def test_a_later_run_the_same_day_publishes_nothing(stack):
    before = _activities()
    result = _run(LATER)
    assert result.state == "success"
    assert result.xcom("decide_publication")["reason"].startswith("already published on")
    assert _activities() == before


def test_a_title_changed_only_in_case_and_whitespace_makes_no_write(stack):
    key, course_id = _one("SELECT recording_key, course_id FROM kontur_publication LIMIT 1")
    (title,) = _one(
        "SELECT title FROM kontur_recording WHERE recording_key = %s", key, which="sandbox"
    )
    mangled = "  " + "\u00a0 ".join(title.upper().split()) + "\t "
    _execute(
        "UPDATE kontur_recording SET title = %s WHERE recording_key = %s",
        mangled,
        key,
        which="sandbox",
    )
    before = _activities()
    result = _run(LATER + timedelta(minutes=5), publish_now=True)
    assert result.state == "success", result.task_states
    published = result.xcom("publish_recordings")
    assert published["published"] == published["adopted"] == published["statements"] == 0
    assert result.xcom("publish_archive_pages")["pages"] == 0
    assert _activities() == before
    assert _one("SELECT course_id FROM kontur_publication WHERE recording_key = %s", key) == (
        course_id,
    )
    # the mangled title routes to the same course as the clean one
    from include.recordings.routing import route_title

    clean, messy = (route_title(t, SETTINGS["prefix_routes"], "ПО", 700) for t in (title, mangled))
    assert clean.category_id == messy.category_id
    assert " ".join(clean.rest.casefold().split()) == " ".join(messy.rest.casefold().split())


def test_auto_publish_off_never_publishes_and_publish_now_does(stack):
    off = {**SETTINGS, "auto_publish": False}
    (fullname,) = _one(
        "SELECT c.fullname FROM mdl_course c JOIN mdl_course_categories cc ON cc.id = c.category"
        " WHERE cc.path LIKE '/728/%%' GROUP BY c.fullname HAVING COUNT(*) = 1 LIMIT 1",
        which="moodle",
    )
    _execute(
        "INSERT INTO kontur_recording (id, recording_key, title, created_date, duration_seconds)"
        " VALUES ('new-1', 'new-key-1', %s, %s, 1200)",
        f"СПО: {fullname.upper()}",
        _past(LATER + timedelta(minutes=20)),
        which="sandbox",
    )
    next_day = EVENING + timedelta(days=1)
    quiet = _run(next_day, off)
    assert quiet.xcom("decide_publication")["reason"] == "auto_publish is off"
    before = _activities()
    dry = _run(next_day + timedelta(minutes=15), off, publish_now=True, dry_run=True)
    assert dry.xcom("publish_recordings")["dry_run"] is True
    assert dry.xcom("publish_recordings")["would_publish"] >= 1
    assert _activities() == before
    now = _run(next_day + timedelta(minutes=30), off, publish_now=True)
    assert now.xcom("publish_recordings")["published"] >= 1
    assert _activities() > before
    assert _one("SELECT COUNT(*) FROM kontur_publication WHERE recording_key = 'new-key-1'")[0] == 1


def _resolved(settings: dict | None = None) -> dict:
    from include.config import KonturRecordingsSettings

    return KonturRecordingsSettings(**(settings or SETTINGS)).model_dump(mode="json")


def test_a_dry_run_asking_to_clear_never_waits_and_clears_nothing(stack):
    journal = _one("SELECT COUNT(*) FROM kontur_publication")[0]
    result = _run(
        EVENING + timedelta(days=1, minutes=45),
        {**SETTINGS, "clear_after_days": 1},
        clear_journal=True,
        clear_sections=True,
        dry_run=True,
    )
    assert result.state == "success", result.task_states
    assert result.state_of("decide_clear_journal") == "skipped"
    assert result.state_of("decide_clear_sections") == "skipped"
    assert result.xcom("clear_journal")["outcome"] == f"dry run: would clear {journal} rows"
    assert result.xcom("clear_sections")["cleared"] == 0
    assert _one("SELECT COUNT(*) FROM kontur_publication")[0] == journal
    assert "clear journal: dry run" in result.summary


def test_clearing_the_journal_asks_with_the_counts_and_clears_only_on_approve(stack):
    from include.tasks import kontur_recordings as tasks

    journal = _one("SELECT COUNT(*) FROM kontur_publication")[0]
    courses = _one("SELECT COUNT(DISTINCT course_id) FROM kontur_publication")[0]
    plan = tasks.plan_clear_journal.function(_resolved(), {}, params={"clear_journal": True})
    assert plan["ask"] is True and plan["rows"] == journal and plan["courses"] == courses
    assert f"{journal} journal rows" in plan["body"] and f"in {courses} courses" in plan["body"]
    assert "no answer within 2 hours" in plan["body"] and "(id " in plan["body"]
    rejected = {"approved": False, "answer": "Reject", "by": "admin", "at": "2026-01-02 10:00 UTC"}
    for answer, said in ((None, "no answer within 2 hours"), (rejected, "rejected by admin")):
        kept = tasks.clear_journal.function(_resolved(), plan, answer)
        assert kept["cleared"] == 0 and said in kept["outcome"]
        assert _one("SELECT COUNT(*) FROM kontur_publication")[0] == journal
    approved = rejected | {"approved": True, "answer": "Approve"}
    cleared = tasks.clear_journal.function(_resolved(), plan, approved)
    assert cleared["cleared"] == journal and cleared["approved_by"] == "admin"
    assert _one("SELECT COUNT(*) FROM kontur_publication")[0] == 0


def test_after_clearing_the_journal_a_second_publication_creates_nothing(stack):
    before = _activities()
    assert _one("SELECT COUNT(*) FROM kontur_publication")[0] == 0  # cleared just before
    result = _run(EVENING + timedelta(days=1, hours=1), publish_now=True)
    assert result.state == "success"
    published = result.xcom("publish_recordings")
    assert published["published"] == 0 and published["adopted"] > 0
    assert _activities() == before
    assert _one("SELECT COUNT(*) FROM kontur_publication")[0] == published["adopted"]


def test_archive_rebuild_updates_in_place_and_cleared_sections_stay_listed(stack):
    pages = "SELECT COUNT(*) FROM mdl_course_modules WHERE idnumber = 'ktalk-archive'"
    before_pages = _one(pages, which="moodle")[0]
    rebuilt = _run(EVENING + timedelta(days=1, hours=2), build_archive=True)
    archive = rebuilt.xcom("publish_archive_pages")
    assert (
        archive["created"] == 0 and archive["pages"] == before_pages - 1
    )  # the fixture's own page
    assert _one(pages, which="moodle")[0] == before_pages
    course_id, cmid, url, title = _one(
        "SELECT course_id, cmid, viewer_url, title FROM kontur_publication ORDER BY local_date LIMIT 1"
    )
    from include.tasks import kontur_recordings as tasks

    older = _resolved({**SETTINGS, "clear_after_days": 1})
    plan = tasks.plan_clear_sections.function(
        older, {}, params={"clear_sections": True}, logical_date=EVENING + timedelta(days=3)
    )
    assert plan["ask"] is True and plan["due"] >= 1
    assert "core_course_delete_modules" in plan["body"] and "(id " in plan["body"]
    answer = {"approved": True, "answer": "Approve", "by": "admin", "at": "2026-01-04 10:00 UTC"}
    cleared = tasks.clear_sections.function(older, plan, answer)
    assert cleared["cleared"] == plan["due"] and "approved by admin" in cleared["outcome"]
    assert (
        _one("SELECT COUNT(*) FROM mdl_course_modules WHERE id = %s", cmid, which="moodle")[0] == 0
    )
    content = _one(
        "SELECT p.content FROM mdl_page p JOIN mdl_course_modules cm ON cm.instance = p.id"
        " JOIN mdl_modules m ON m.id = cm.module AND m.name = 'page'"
        " WHERE cm.course = %s AND cm.idnumber = 'ktalk-archive'",
        course_id,
        which="moodle",
    )[0]
    assert url in content and html.escape(title) in content
    assert _one("SELECT cleared_at FROM kontur_publication WHERE cmid = %s", cmid)[0] is not None
    # every course's page lists every recording published into it (title, date, link)
    journal = connect("pipelines").cursor()
    journal.execute("SELECT course_id, title, local_date, viewer_url FROM kontur_publication")
    for course, rec_title, local_date, link in journal.fetchall():
        page = _one(
            "SELECT p.content FROM mdl_page p JOIN mdl_course_modules cm ON cm.instance = p.id"
            " JOIN mdl_modules m ON m.id = cm.module AND m.name = 'page'"
            " WHERE cm.course = %s AND cm.idnumber = 'ktalk-archive'",
            course,
            which="moodle",
        )[0]
        assert link in page and str(local_date) in page
        assert html.escape(rec_title) in page
