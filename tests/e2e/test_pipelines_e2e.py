"""Every pipeline under the real scheduler and task runner, triggered over REST with
params, its settings an Airflow Variable set over REST, its outputs read back from
Moodle's schema, the project DB and the store. Sizes: tests/e2e/conftest.py."""

from __future__ import annotations

import math

from include.sandbox.demo import demo_runs
from include.sandbox.demo_data.recordings import DEMO_SETTINGS as RECORDING_SETTINGS
from tests.dags.test_eios_sync import change, members, studying, users
from tests.db import query
from tests.e2e.conftest import PAGE_SIZES

WS_BATCH = 10  # users or members per web-service call: 90 students take several calls


def _report(dag_id: str, run_id: str) -> tuple[str, str]:
    rows = query(
        "pipelines",
        "SELECT status, summary FROM pipeline_run_report WHERE dag_id = %s AND run_id = %s",
        dag_id,
        run_id,
    )
    assert rows, f"no pipeline_run_report row for {dag_id} {run_id}"
    return rows[0]


def test_eios_sync_pages_batches_holds_a_mass_graduation_until_a_person_approves_it(
    api, sandbox, succeeded
):
    settings = {
        "faculties": ["ECON", "LAW", "TECH"],
        "ws_batch_size": WS_BATCH,
        "eios_page_size": PAGE_SIZES["eios_page_size"],
    }
    api.set_variable("eios_sync", settings)
    sandbox.reset()
    first = api.run("eios_sync", {"dry_run": False})
    succeeded(first)
    assert len(first.mapped("apply_changes")) == 3  # only the faculties with actions
    created = users()
    calls = sandbox.calls()
    feed_pages = sum(n for k, n in calls.items() if k.startswith("eios:/faculties/"))
    assert feed_pages > 3 * 2, calls  # page_size 7 over ~30 students a faculty
    assert calls.get("moodle:core_user_create_users", 0) >= math.ceil(len(created) / WS_BATCH)
    assert len(created) >= 60 and members()
    assert _report("eios_sync", first.run_id)[0] == "success"

    econ = [sid for sid, u in created.items() if u["department"] == "Экономический факультет"]
    graduates = sorted(econ)[: math.ceil(len(econ) * 0.8)]
    for sid in graduates:
        change(sid, status="graduated", status_date="2026-06-30")
    law = studying("LAW")
    change(law[0], status="graduated")
    # the guard holds ECON: the run waits for a person in Required actions
    run_id = api.trigger("eios_sync", {"dry_run": False})
    asked = api.wait_for_hitl("eios_sync", run_id, "decide_held_faculties")
    assert asked["options"] == ["ECON"] and not asked["defaults"]
    now = users()
    assert all(now[sid]["suspended"] == 0 for sid in graduates)  # the held faculty waits
    assert now[law[0]]["suspended"] == 1  # the others went on
    pending = query("pipelines", "SELECT faculty_id FROM eios_held_action WHERE status = 'pending'")
    assert {r[0] for r in pending} == {"ECON"}

    api.answer_hitl("eios_sync", run_id, "decide_held_faculties", ["ECON"])
    approved = api.wait_for_run("eios_sync", run_id)
    succeeded(approved)  # applied in the same run
    assert all(users()[sid]["suspended"] == 1 for sid in graduates)
    assert _report("eios_sync", run_id)[0] == "success"
    assert "approved by admin at " in _report("eios_sync", run_id)[1]

    # scripted: the param applies without asking (nothing is held now: nothing to ask)
    confirmed = api.run("eios_sync", {"dry_run": False, "confirm_mass_graduation": ["ECON"]})
    succeeded(confirmed)
    assert confirmed.states("decide_held_faculties") == {"skipped"}
    assert confirmed.mapped("apply_changes") == []  # nothing left to send: no apply task
    assert len(confirmed.task_instances) == 14  # issue 16: bounded by the work


def test_kontur_recordings_pages_the_api_and_publishes_into_moodle(api, sandbox, succeeded):
    api.set_variable("kontur_recordings", {**RECORDING_SETTINGS, "page_size": 7})
    sandbox.reset()
    before = query("moodle", "SELECT COUNT(*) FROM mdl_url")[0][0]
    run = api.run("kontur_recordings", {"publish_now": True})
    succeeded(run)
    listed = sum(n for k, n in sandbox.calls().items() if k.startswith("kontur:"))
    assert listed >= 40 // 7, sandbox.calls()  # several pages of 7
    published = query("pipelines", "SELECT COUNT(*) FROM kontur_publication")[0][0]
    assert published >= 20
    assert query("moodle", "SELECT COUNT(*) FROM mdl_url")[0][0] >= before + published
    assert _report("kontur_recordings", run.run_id)[0] == "success"
    again = api.run("kontur_recordings", {"publish_now": True})  # nothing new: no duplicate
    succeeded(again)
    assert query("pipelines", "SELECT COUNT(*) FROM kontur_publication")[0][0] == published


def test_vouchers_ingest_in_mapped_batches_then_acts_and_payments(api, succeeded):
    runs = demo_runs()
    # the shared Variable (the calendar and the paging bound all three agree on), then
    # the ingest's own: a shared field there would fail its resolve_settings
    api.set_variable(
        "vouchers", {"extra_holidays": [], "extra_working_days": [], "max_pages": 1000}
    )
    api.set_variable(
        "voucher_ingest", {"provider_batch_size": 1, "lms_page_size": PAGE_SIZES["lms_page_size"]}
    )
    ingest = api.run("voucher_ingest", runs["voucher_ingest"][1])
    succeeded(ingest)
    assert len(ingest.mapped("ingest_marks")) == 3  # one provider per mapped task
    busiest = query("pipelines", "SELECT MAX(marks) FROM voucher_ingested_day")[0][0]
    assert busiest > PAGE_SIZES["lms_page_size"]  # a provider-day over several pages
    acts = api.run("voucher_acts", {"billing_basis": "attendance", **runs["voucher_acts"][1]})
    succeeded(acts)
    period = runs["voucher_acts"][1]["period"]
    statuses = dict(
        query(
            "pipelines",
            "SELECT status, COUNT(*) FROM voucher_act WHERE period = %s GROUP BY status",
            period,
        )
    )
    assert sum(statuses.values()) == 3, statuses
    payments = api.run("voucher_payments", {})
    succeeded(payments)


def test_course_audit_and_course_archive(api, succeeded):
    runs = demo_runs()
    audit = api.run("course_audit", runs["course_audit"][1])
    succeeded(audit)
    assert _report("course_audit", audit.run_id)[0] == "success"
    archive = api.run("course_archive", runs["course_archive"][1])
    succeeded(archive)
    backed_up = query("pipelines", "SELECT COUNT(*) FROM course_backup")[0][0]
    assert backed_up >= 1
