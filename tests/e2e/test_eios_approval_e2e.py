"""eios_sync's held faculties answered in Airflow's "Required actions", under the real
scheduler and task runner: the run waits in `decide_held_faculties` (awaiting_input),
the answer comes over REST (`PATCH …/hitlDetails`, as the UI sends it), the chosen
faculties' held actions are applied in the same run and the others stay held; with no
answer the response timeout keeps every faculty held and the run ends failed."""

from __future__ import annotations

import json
import math

import pytest

from tests.dags.test_eios_sync import change, users
from tests.db import query
from tests.e2e.conftest import E2E_SIZES, PAGE_SIZES

DAG_ID = "eios_sync"
TASK = "decide_held_faculties"
SETTINGS = {
    "faculties": ["ECON", "LAW", "TECH"],
    "ws_batch_size": 10,
    "eios_page_size": PAGE_SIZES["eios_page_size"],
}
DEPARTMENT = {"ECON": "Экономический факультет", "LAW": "Юридический факультет"}


@pytest.fixture(scope="module", autouse=True)
def fresh_data(e2e_stack, mariadb):
    """The module's own data, and the session's fresh data back for the next module."""
    from include.sandbox import stack

    stack.reset_data(mariadb, sizes=E2E_SIZES)
    yield
    stack.reset_data(mariadb, sizes=E2E_SIZES)


def _report(run_id: str) -> tuple[str, str, dict]:
    (status, summary, counts) = query(
        "pipelines",
        "SELECT status, summary, counts FROM pipeline_run_report WHERE dag_id = %s AND run_id = %s",
        DAG_ID,
        run_id,
    )[0]
    return status, summary, json.loads(counts) if isinstance(counts, str) else counts


def _graduate(faculty: str) -> list[str]:
    """80 % of a faculty's students graduate in EIOS: the guard holds the faculty."""
    students = sorted(s for s, u in users().items() if u["department"] == DEPARTMENT[faculty])
    graduates = students[: math.ceil(len(students) * 0.8)]
    for sid in graduates:
        change(sid, status="graduated", status_date="2026-06-30")
    return graduates


def _pending() -> set[str]:
    rows = query("pipelines", "SELECT faculty_id FROM eios_held_action WHERE status = 'pending'")
    return {r[0] for r in rows}


def test_a_person_releases_one_held_faculty_and_the_other_stays_held(api, sandbox, succeeded):
    api.set_variable(DAG_ID, SETTINGS)
    sandbox.reset()
    first = api.run(DAG_ID, {"dry_run": False})
    succeeded(first)
    assert first.states(TASK) == {"skipped"}  # nothing held: nobody is asked
    econ, law = _graduate("ECON"), _graduate("LAW")

    run_id = api.trigger(DAG_ID, {"dry_run": False})
    asked = api.wait_for_hitl(DAG_ID, run_id, TASK)
    assert sorted(asked["options"]) == ["ECON", "LAW"]
    assert asked["multiple"] is True and not asked["defaults"]
    assert "/lms-pipelines/eios/confirm?faculty=ECON" in asked["body"]
    assert "| **LAW**" in asked["body"]
    assert all(users()[sid]["suspended"] == 0 for sid in econ + law)  # nothing yet

    api.answer_hitl(DAG_ID, run_id, TASK, ["ECON"])
    outcome = api.wait_for_run(DAG_ID, run_id)
    succeeded(outcome)
    now = users()
    assert all(now[sid]["suspended"] == 1 for sid in econ)  # applied in the same run
    assert all(now[sid]["suspended"] == 0 for sid in law)  # kept held for the next run
    assert _pending() == {"LAW"}
    status, summary, counts = _report(run_id)
    assert status == "held" and "approved by admin at " in summary
    assert counts["approved_by"] == "admin" and counts["released"] == ["ECON"]
    assert counts["kept_held"] == ["LAW"]
    answered = api.get(
        f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{TASK}/-1/hitlDetails"
    )
    assert answered["chosen_options"] == ["ECON"] and answered["responded_at"]


def test_no_answer_within_the_response_timeout_keeps_everything_held(api, sandbox):
    api.set_variable(DAG_ID, {**SETTINGS, "approval_timeout_hours": 0.005})  # 18 s
    sandbox.reset()
    assert _pending() == {"LAW"}  # from the test before
    run_id = api.trigger(DAG_ID, {"dry_run": False})
    asked = api.wait_for_hitl(DAG_ID, run_id, TASK)
    assert asked["options"] == ["LAW"] and not asked["defaults"]
    outcome = api.wait_for_run(DAG_ID, run_id)
    assert outcome.state == "failed", outcome
    assert outcome.states(TASK) == {"failed"}  # no default: the timeout answers nothing
    assert outcome.states("verify_nothing_held") == {"failed"}
    assert outcome.states("apply_approved_faculties") == {"success"}
    assert _pending() == {"LAW"}
    status, summary, counts = _report(run_id)
    assert status == "held" and counts["approval"] == "no answer"
    assert "NO ANSWER" in summary
    api.set_variable(DAG_ID, SETTINGS)
