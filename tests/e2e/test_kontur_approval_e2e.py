"""`kontur_recordings`' journal clearing under the real scheduler: the run waits in
`decide_clear_journal` (Required actions) and is answered over the REST API as the UI
answers it. Approve clears, Reject clears nothing, no answer within
`approval_timeout_minutes` clears nothing and the run goes on (the decision ends
skipped). dag.test() cannot answer an approval, so these cases live here.

The journal is seeded with a few rows of its own (no publication: `auto_publish` off, no
`publish_now`); at the end the journal, the staged recordings and the watermark are as
the fresh stack had them, so the publication test in test_pipelines_e2e.py that runs
after this file sees what it expects.
"""

from __future__ import annotations

from datetime import date

import pytest

from include.sandbox.demo_data.recordings import DEMO_SETTINGS
from tests.db import query

DAG_ID = "kontur_recordings"
DECISION = "decide_clear_journal"
SETTINGS = {**DEMO_SETTINGS, "auto_publish": False}
SEEDED = 3


def _journal() -> int:
    return query("pipelines", "SELECT COUNT(*) FROM kontur_publication")[0][0]


def _summary(run_id: str) -> str:
    rows = query(
        "pipelines",
        "SELECT summary FROM pipeline_run_report WHERE dag_id = %s AND run_id = %s",
        DAG_ID,
        run_id,
    )
    assert rows, f"no pipeline_run_report row for {DAG_ID} {run_id}"
    return rows[0][0]


@pytest.fixture(scope="module")
def seeded_journal(api):
    """SEEDED journal rows in two courses of the sandbox's Moodle (cmids that no
    activity has: clearing the journal never touches Moodle)."""
    assert _journal() == 0, "the fresh stack's journal is not empty"
    courses = [
        r[0] for r in query("moodle", "SELECT id FROM mdl_course WHERE category > 0 LIMIT 2")
    ]
    for n in range(SEEDED):
        query(
            "pipelines",
            "INSERT INTO kontur_publication (recording_key, course_id, cmid, section_number,"
            " activity_name, title, viewer_url, local_date, adopted, published_at, run_id)"
            " VALUES (%s, %s, %s, 2, %s, %s, %s, %s, 0, NOW(), 'e2e-approval')",
            f"e2e-approval-{n}",
            courses[n % 2],
            900000 + n,
            f"Запись занятия: e2e {n}",
            f"e2e {n}",
            f"https://talk.example/recordings/e2e-{n}",
            date.today(),
        )
    api.set_variable(DAG_ID, SETTINGS)
    yield courses
    # as the fresh stack had it: the next file's first poll reaches back
    # initial_lookback_days (over several pages), not 24 h past these runs' watermark
    query("pipelines", "DELETE FROM kontur_watermark")
    query("pipelines", "DELETE FROM kontur_recording")
    query("pipelines", "DELETE FROM kontur_publication WHERE run_id = 'e2e-approval'")


def test_the_decision_shows_what_would_be_cleared_and_reject_clears_nothing(
    api, seeded_journal, succeeded
):
    run_id = api.trigger(DAG_ID, {"clear_journal": True})
    detail = api.wait_for_hitl(DAG_ID, run_id, DECISION)
    assert detail["options"] == ["Approve", "Reject"] and detail["defaults"] is None
    assert f"{SEEDED} journal rows" in detail["body"] and "in 2 courses" in detail["body"]
    assert all(f"(id {course})" in detail["body"] for course in seeded_journal)
    assert "no answer within 2 hours" in detail["body"]
    answered = api.answer_hitl(DAG_ID, run_id, DECISION, ["Reject"])
    assert answered["chosen_options"] == ["Reject"]
    run = api.wait_for_run(DAG_ID, run_id)
    succeeded(run)
    assert run.states(DECISION) == {"success"} and run.states("clear_journal") == {"success"}
    assert _journal() == SEEDED
    assert "clear journal: rejected by admin at" in _summary(run_id)


def test_no_answer_within_the_response_timeout_clears_nothing(api, seeded_journal, succeeded):
    api.set_variable(DAG_ID, {**SETTINGS, "approval_timeout_minutes": 0.1})  # 6 s
    try:
        run_id = api.trigger(DAG_ID, {"clear_journal": True})
        api.wait_for_hitl(DAG_ID, run_id, DECISION)
        run = api.wait_for_run(DAG_ID, run_id)  # the scheduler's sweep: every 15 s
    finally:
        api.set_variable(DAG_ID, SETTINGS)
    succeeded(run)
    assert run.states(DECISION) == {"skipped"} and run.states("clear_journal") == {"success"}
    assert run.states("publish_recordings") == {"success"}  # the run went on
    assert _journal() == SEEDED
    assert "clear journal: no answer within 0.1 minutes: nothing cleared" in _summary(run_id)


def test_approve_clears_the_journal_and_the_report_names_who_and_when(
    api, seeded_journal, succeeded
):
    run_id = api.trigger(DAG_ID, {"clear_journal": True})
    api.wait_for_hitl(DAG_ID, run_id, DECISION)
    answered = api.answer_hitl(DAG_ID, run_id, DECISION, ["Approve"])
    assert answered["responded_by"]["name"] == "admin"
    run = api.wait_for_run(DAG_ID, run_id)
    succeeded(run)
    assert _journal() == 0
    cleared = api.xcom(DAG_ID, run_id, "clear_journal")
    assert cleared["cleared"] == SEEDED and cleared["approved_by"] == "admin"
    assert cleared["approved_at"]
    summary = _summary(run_id)
    assert f"clear journal: {SEEDED} rows cleared, approved by admin at" in summary


def test_a_run_that_asks_nothing_never_waits(api, seeded_journal, succeeded):
    run = api.run(DAG_ID, {})
    succeeded(run)
    assert run.states(DECISION) == {"skipped"} and run.states("decide_clear_sections") == {
        "skipped"
    }
