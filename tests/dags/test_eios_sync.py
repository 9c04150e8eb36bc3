"""eios_sync end to end: real dag.test() runs against the sandbox (EIOS and Moodle web
services over HTTP) and the real MariaDB. One test per Must-show bullet of issue 3."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime, timedelta

import pytest

from tests.airflow_runs import assert_no_error_logs
from tests.airflow_runs import run_dag as _run_dag
from tests.db import query

pytestmark = pytest.mark.usefixtures("airflow_db")
READ_ONLY = ("_get_", "_search_", "_view_")


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setenv("PIPELINES_RETRY_DELAY_SECONDS", "0")


def run_dag(dag_id: str, settings: dict | None = None, conf: dict | None = None):
    """Every param given (defaults unless set): dag.test() in one process would otherwise
    carry a previous run's conf into the next run's params."""
    from tests.airflow_runs import dag_bag

    defaults = {name: param.value for name, param in dag_bag().dags[dag_id].params.items()}
    defaults = {name: ([] if name == "confirm_mass_graduation" else None) for name in defaults}
    return _run_dag(dag_id, settings=settings, conf={**defaults, **(conf or {})})


def now_text(minutes_ago: int = 1) -> str:
    moment = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def change(sid: str, **values) -> None:
    """Change one EIOS row, as the registrar's office would (changed_at = now)."""
    sets = ", ".join(f"{k} = %s" for k in values)
    query(
        "sandbox",
        f"UPDATE eios_student SET {sets}, changed_at = %s WHERE student_id = %s",
        *values.values(),
        now_text(),
        sid,
    )


def studying(faculty: str, group_prefix: str = "") -> list[str]:
    return [
        r[0]
        for r in query(
            "sandbox",
            "SELECT student_id FROM eios_student WHERE faculty_id = %s AND status = 'studying'"
            " AND group_code LIKE %s AND email NOT LIKE '%%@@%%' ORDER BY student_id",
            faculty,
            f"{group_prefix}%",
        )
    ]


def users() -> dict[str, dict]:
    rows = query(
        "moodle",
        "SELECT idnumber, id, username, auth, suspended, firstname, lastname, email, department"
        " FROM mdl_user WHERE idnumber LIKE '5_____' AND deleted = 0",
    )
    keys = ("id", "username", "auth", "suspended", "firstname", "lastname", "email", "department")
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}


def members() -> set[tuple[str, str]]:
    rows = query(
        "moodle",
        "SELECT c.idnumber, u.idnumber FROM mdl_cohort_members m"
        " JOIN mdl_cohort c ON c.id = m.cohortid JOIN mdl_user u ON u.id = m.userid",
    )
    return {(c, u) for c, u in rows}


def totals() -> tuple[int, int]:
    return (
        query("moodle", "SELECT COUNT(*) FROM mdl_user")[0][0],
        query("moodle", "SELECT COUNT(*) FROM mdl_cohort")[0][0],
    )


def write_calls(sandbox) -> dict[str, int]:
    return {
        k: n
        for k, n in sandbox.calls().items()
        if k.startswith("moodle:") and not any(p in k for p in READ_ONLY)
    }


def history(result) -> list[dict]:
    from airflow.sdk import ObjectStoragePath

    path = result.xcom("report_run")["outputs"]["history_csv"]
    with ObjectStoragePath(path).open("r") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))


def actions_of(rows: list[dict], sid: str) -> list[str]:
    return sorted(r["action"] for r in rows if r["student"] == sid)


def test_first_run_creates_everyone_second_run_makes_zero_write_calls(fresh_stack, sandbox):
    first = run_dag("eios_sync")
    assert_no_error_logs(first)
    feed = query("sandbox", "SELECT student_id, login, group_code, status, email FROM eios_student")
    now = users()
    cohort_members = members()
    studying_rows = [r for r in feed if r[3] == "studying" and "@@" not in r[4] and "?" not in r[2]]
    assert len(studying_rows) > 60
    for sid, login, group, _, _ in studying_rows:
        assert now[sid]["username"] == login and now[sid]["auth"] == "manual"
        assert (f"group:{group}", sid) in cohort_members
    rejected = {r[0] for r in feed if "@@" in r[4] or "?" in r[2]}
    assert rejected and not rejected & set(now)
    assert not {r[0] for r in feed if r[3] != "studying"} & set(now)  # leavers never created
    # batched: one core_user_create_users call per faculty (batch size 500)
    assert write_calls(sandbox)["moodle:core_user_create_users"] == 3
    assert len(first.task_states["apply_changes"]) == 3  # the faculties with actions

    sandbox.reset()
    second = run_dag("eios_sync")
    assert second.state == "success", second.task_states
    assert write_calls(sandbox) == {}
    assert [r for r in history(second) if r["result"] != "reported"] == []
    # issue 16: bounded by the work: no apply task, 14 task instances for any faculties
    assert second.task_states["apply_changes"] == ["skipped"]
    assert second.state_of("decide_held_faculties") == "skipped"  # nothing held
    assert second.state_of("apply_approved_faculties") == "skipped"
    assert sum(len(states) for states in second.task_states.values()) == 14


def test_each_movement_makes_exactly_its_moodle_change(fresh_stack, sandbox):
    settings = {"faculties": ["ECON"]}
    assert run_dag("eios_sync", settings=settings).state == "success"
    a, b, c, d, e, f, g, h = studying("ECON", "ЭК-211")[:8]
    before, users_before, cohorts_before = users(), members(), totals()
    change(a, last_name="Новикова")
    change(b, email="new.mail@students.example.edu")
    change(c, group_code="ЭК-221")
    change(d, status="expelled")
    change(e, status="academic_leave")
    change(f, status="graduated")
    query("sandbox", "DELETE FROM eios_student WHERE student_id = %s", g)
    query(
        "sandbox",
        "INSERT INTO eios_student (student_id, record_book, login, last_name, first_name,"
        " middle_name, email, faculty_id, specialty, group_code, course_year, study_form, status,"
        " status_date, changed_at) VALUES ('599999', 'ЗК-599999', 's599999', 'Новый', 'Студент',"
        " '', 's599999@students.example.edu', 'ECON', 'x', 'ЭК-211', 1, 'очная', 'studying',"
        " '2026-09-01', %s)",
        now_text(),
    )
    second = run_dag("eios_sync", settings=settings)
    assert second.state == "success", second.task_states
    rows = history(second)
    assert actions_of(rows, a) == ["update_user"] and actions_of(rows, b) == ["update_user"]
    assert actions_of(rows, c) == ["add_member", "remove_member"]
    for leaver in (d, e, f):
        assert actions_of(rows, leaver) == ["suspend"]
    assert actions_of(rows, g) == ["missing_in_eios"]
    assert actions_of(rows, "599999") == ["add_member", "create_user"]
    touched = {a, b, c, d, e, f, g, "599999"}
    assert {r["student"] for r in rows} == touched
    after = users()
    assert after[a]["lastname"] == "Новикова" and after[b]["email"].startswith("new.mail")
    assert {k: v for k, v in after.items() if k not in {a, b, d, e, f, "599999"}} == {
        k: v for k, v in before.items() if k not in {a, b, d, e, f}
    }  # nobody else changed, g (missing) included
    assert [after[x]["suspended"] for x in (d, e, f, g)] == [1, 1, 1, 0]
    now_members = members()
    assert ("group:ЭК-221", c) in now_members and ("group:ЭК-211", c) not in now_members
    assert {("group:ЭК-211", x) for x in (d, e, f)} <= now_members  # on_leave=suspend keeps
    assert now_members - {("group:ЭК-221", c), ("group:ЭК-211", "599999")} == users_before - {
        ("group:ЭК-211", c)
    }

    # reinstated (back to studying); on_leave=suspend_and_remove_from_cohort drops membership
    settings = {**settings, "on_leave": "suspend_and_remove_from_cohort"}
    change(d, status="studying")
    change(h, status="academic_leave")
    third = history(run_dag("eios_sync", settings=settings))
    assert actions_of(third, d) == ["unsuspend"] and actions_of(third, h) == [
        "remove_member",
        "suspend",
    ]
    change(h, status="studying")
    fourth = history(run_dag("eios_sync", settings=settings))
    assert actions_of(fourth, h) == ["add_member", "unsuspend"]
    final = users()
    assert final[d]["suspended"] == 0 and final[h]["suspended"] == 0
    assert ("group:ЭК-211", h) in members()
    users_total, cohorts_total = totals()
    assert users_total >= cohorts_before[0] + 1 and cohorts_total >= cohorts_before[1]


def _held_rows(status: str = "pending") -> list[tuple]:
    return query(
        "pipelines",
        "SELECT faculty_id, kind, student_id FROM eios_held_action WHERE status = %s",
        status,
    )


def answer_with(monkeypatch, chosen: list[str] | None) -> list[dict]:
    """dag.test() cannot answer a human-in-the-loop task (it would wait): the question is
    built as in a run, then answered at once with `chosen` by "registrar" (None: the
    response timeout passed). Returns the questions asked."""
    from include.tasks.eios_approval import DecideHeldFaculties

    asked: list[dict] = []

    def execute(self, context):
        self._ask_about(context)
        asked.append(
            {
                "options": list(self.options),
                "body": self.body,
                "multiple": self.multiple,
                "defaults": self.defaults,
                "timeout": self.response_timeout,
            }
        )
        if chosen is None:
            event = {"error": "no response", "error_type": "timeout"}
        else:
            event = {
                "chosen_options": chosen,
                "params_input": {},
                "responded_at": datetime.now(UTC),
                "responded_by_user": {"id": "7", "name": "registrar"},
            }
        return self.execute_complete(context, event)

    monkeypatch.setattr(DecideHeldFaculties, "execute", execute)
    return asked


def _history_rows(path: str) -> list[dict]:
    from airflow.sdk import ObjectStoragePath

    return list(csv.DictReader(io.StringIO(ObjectStoragePath(path).read_text())))


def test_the_guard_holds_a_mass_graduation_until_a_person_releases_it(
    fresh_stack, sandbox, monkeypatch
):
    settings = {"faculties": ["ECON", "LAW"]}
    assert run_dag("eios_sync", settings=settings).state == "success"
    econ = [sid for sid, u in users().items() if u["department"] == "Экономический факультет"]
    law = studying("LAW")
    graduates = sorted(econ)[: math.ceil(len(econ) * 0.8)]
    group_221 = [
        r[0]
        for r in query("sandbox", "SELECT student_id FROM eios_student WHERE group_code = 'ЭК-221'")
    ]
    for sid in sorted(set(graduates) | set(group_221)):
        change(sid, status="graduated", status_date="2026-06-30")
    stays = sorted(set(econ) - set(graduates) - set(group_221))[0]
    change(stays, last_name="Переименованная")
    change(law[0], status="graduated")

    asked = answer_with(monkeypatch, None)  # nobody answers: the question times out
    held = run_dag("eios_sync", settings=settings)
    assert held.state == "failed" and held.state_of("verify_nothing_held") == "failed"
    assert held.state_of("decide_held_faculties") == "failed"  # no default: a timeout fails
    assert held.state_of("apply_changes") == "success"
    assert asked[-1]["options"] == ["ECON"]  # one option per held faculty, no default
    assert asked[-1]["multiple"] and asked[-1]["defaults"] is None
    assert asked[-1]["timeout"] == timedelta(hours=20)
    body = asked[-1]["body"]
    assert "| **ECON**" in body and "/lms-pipelines/eios/confirm?faculty=ECON" in body
    assert "LAW" not in body
    now = users()
    assert all(now[sid]["suspended"] == 0 for sid in graduates)  # no suspension in ECON
    assert now[stays]["lastname"] == "Переименованная"  # its updates still apply
    assert now[law[0]]["suspended"] == 1  # the other faculty fully synced
    pending = _held_rows()
    suspensions = [r for r in pending if r[1] == "suspend"]
    assert {r[2] for r in suspensions} == {s for s in set(graduates) | set(group_221) if s in now}
    assert ("ECON", "archive_cohort", "") in pending
    report = held.xcom("report_run")
    assert report["status"] == "held" and report["counts"]["held"] == len(pending)
    assert report["counts"]["approval"] == "no answer"
    again = run_dag("eios_sync", settings=settings)  # held again: no duplicate held rows
    assert again.state == "failed" and len(_held_rows()) == len(pending)

    # a person chooses ECON in Required actions: applied in the same run
    answer_with(monkeypatch, ["ECON"])
    confirmed = run_dag("eios_sync", settings=settings)
    assert confirmed.state == "success", confirmed.task_states
    assert confirmed.state_of("apply_approved_faculties") == "success"
    report = confirmed.xcom("report_run")
    assert report["counts"]["approved_by"] == "registrar"
    assert report["counts"]["released"] == ["ECON"] and report["counts"].get("held", 0) == 0
    assert "approved by registrar at " in report["summary"]
    history = _history_rows(report["outputs"]["history_csv"])
    released = [r for r in history if r["faculty"] == "ECON" and "approved by" in r["result"]]
    assert {r["action"] for r in released} >= {"suspend", "archive_cohort"}
    assert all(r["result"].startswith("applied (approved by registrar at ") for r in released)
    now = users()
    assert all(now[sid]["suspended"] == 1 for sid in graduates)
    archived = query(
        "moodle", "SELECT name, idnumber, visible, id FROM mdl_cohort WHERE name LIKE 'ЭК-221%%'"
    )
    assert archived == [(archived[0][0], "group:ЭК-221:graduated-2026", 0, archived[0][3])]
    assert archived[0][0] == "ЭК-221 (выпуск 2026)"
    assert (
        query(
            "moodle", "SELECT COUNT(*) FROM mdl_cohort_members WHERE cohortid = %s", archived[0][3]
        )[0][0]
        > 0
    )  # kept with its members
    assert _held_rows() == [] and len(_held_rows("released")) == len(pending)

    # an empty feed for a faculty with active students is always held
    query("sandbox", "DELETE FROM eios_student WHERE faculty_id = 'LAW'")
    before = users()
    answer_with(monkeypatch, [])  # asked, nothing chosen: a decision to keep it held
    empty = run_dag("eios_sync", settings={**settings, "mass_graduation_threshold_pct": 100})
    assert empty.state == "success", empty.task_states  # decided, not failed
    assert empty.xcom("report_run")["status"] == "held"
    assert empty.xcom("report_run")["counts"]["kept_held"] == ["LAW"]
    assert ("LAW", "empty_feed", "") in _held_rows()
    assert users() == before

    # scripted: the param releases a faculty without asking
    scripted = run_dag(
        "eios_sync",
        settings={**settings, "mass_graduation_threshold_pct": 100},
        conf={"confirm_mass_graduation": ["LAW"]},
    )
    assert scripted.state_of("decide_held_faculties") == "skipped", scripted.task_states
    assert ("LAW", "empty_feed", "") not in _held_rows()


def test_limit_watermark_scan_from_and_rescan(fresh_stack, sandbox):
    feed = query(
        "sandbox",
        "SELECT student_id, changed_at FROM eios_student WHERE faculty_id = 'ECON'"
        " AND status = 'studying' ORDER BY changed_at, student_id",
    )
    settings = {"faculties": ["ECON"], "per_faculty_limit": 10}
    first = run_dag("eios_sync", settings=settings)
    assert set(users()) == {r[0] for r in feed[:10]}  # oldest first
    run_dag("eios_sync", settings=settings)
    assert set(users()) == {r[0] for r in feed[:20]}  # continues from the watermark
    assert first.state == "success"

    tech = query(
        "sandbox",
        "SELECT student_id, changed_at FROM eios_student WHERE faculty_id = 'TECH'"
        " AND status = 'studying' AND group_code NOT LIKE '%%?%%' ORDER BY changed_at",
    )
    cut = tech[len(tech) // 2][1]
    settings = {"faculties": ["TECH"], "scan_from": cut.date().isoformat()}
    run_dag("eios_sync", settings=settings)
    created = {sid for sid, u in users().items() if u["department"] == "Инженерный факультет"}
    assert created == {sid for sid, at in tech if at.date() >= cut.date()}
    sandbox.reset()
    rescan = run_dag("eios_sync", settings=settings, conf={"rescan_from": "2020-01-01"})
    assert rescan.state == "success"
    created = [u for u in users().values() if u["department"] == "Инженерный факультет"]
    assert len(created) == len(tech)  # the older ones too, nobody twice
    assert write_calls(sandbox)["moodle:core_user_create_users"] == 1
    sandbox.reset()
    run_dag("eios_sync", settings=settings, conf={"rescan_from": "2020-01-01"})
    assert write_calls(sandbox) == {}


def test_history_csv_dry_run_and_retention(fresh_stack, sandbox, store_root):
    from include.storage import store_path

    old = store_path("eios_sync", "history", "2020-01-01_00-00-00.csv")
    recent_name = (datetime.now(UTC) - timedelta(days=5)).strftime("%Y-%m-%d_%H-%M-%S.csv")
    recent = store_path("eios_sync", "history", recent_name)
    old_work = store_path("eios_sync", "work", "2020-01-01_00-00-00_manual_x", "ECON", "a.json")
    for path in (old, recent, old_work):
        path.write_text("time,faculty,student,username,action,old,new,result\n")
    dry = run_dag("eios_sync", settings={"faculties": ["ECON"], "dry_run": True})
    assert dry.state == "success"
    assert write_calls(sandbox) == {} and users() == {}
    rows = history(dry)
    assert rows and {r["result"] for r in rows} == {"planned"}
    assert list(rows[0]) == [
        "time",
        "faculty",
        "student",
        "username",
        "action",
        "old",
        "new",
        "result",
    ]
    name = dry.xcom("report_run")["outputs"]["history_csv"].rsplit("/", 1)[-1]
    assert datetime.strptime(name, "%Y-%m-%d_%H-%M-%S.csv")
    assert not old.exists() and recent.exists()
    assert not old_work.parent.parent.exists()  # staged extracts go with the history
    assert query("pipelines", "SELECT COUNT(*) FROM eios_watermark")[0][0] == 0


def test_quality_gate_rejects_rows_and_fails_a_faculty_above_the_share(fresh_stack, sandbox):
    from airflow.sdk import ObjectStoragePath

    law = studying("LAW")
    for sid in law[:8]:
        query("sandbox", "UPDATE eios_student SET email = 'x@@y' WHERE student_id = %s", sid)
    result = run_dag("eios_sync", settings={"faculties": ["ECON", "LAW"]})
    assert result.state == "failed"
    assert result.state_of("check_quality") == "success"  # one gate: each faculty on its own
    gate = {c["id"]: c for c in result.xcom("check_quality")}
    assert "more than 5 % rejected" in gate["LAW"]["quality_error"]
    assert "quality_error" not in gate["ECON"]
    assert result.state_of("verify_nothing_held") == "failed"
    assert not set(law) & set(users())  # LAW not synced in this run
    report = result.xcom("report_run")
    assert report["counts"]["faculties_not_synced"] == ["LAW"]
    assert "NOT SYNCED (see check_quality): LAW" in report["summary"]
    assert any(u["department"] == "Экономический факультет" for u in users().values())
    stamp = result.xcom("resolve_settings")["run"]["stamp"]
    from include.storage import store_path

    rejects = ObjectStoragePath(str(store_path("eios_sync", "rejects", stamp, "LAW.csv")))
    rows = list(csv.DictReader(io.StringIO(rejects.read_text())))
    assert len(rows) == 9 and all(r["reason"] for r in rows)
    assert sum("e-mail" in r["reason"] for r in rows) == 9


def test_batches_isolate_bad_rows_retry_failures_and_rerun_completes(fresh_stack, sandbox):
    settings = {"faculties": ["ECON"], "ws_batch_size": 8}
    econ = studying("ECON")
    blocked = econ[5]
    query(  # someone else in Moodle already has this student's username
        "moodle",
        "INSERT INTO mdl_user (auth, confirmed, mnethostid, username, idnumber, firstname,"
        " lastname, email) VALUES ('manual', 1, 1, %s, '', 'Other', 'Person', 'o@example.com')",
        f"s{blocked}",
    )
    sandbox.arm("moodle", "core_cohort_add_cohort_members", "http500", times=2)
    first = run_dag("eios_sync", settings=settings)
    assert first.state == "failed" and first.state_of("verify_nothing_held") == "failed"
    rows = history(first)
    failed = [r for r in rows if r["result"].startswith("failed")]
    assert {(r["student"], r["action"]) for r in failed} == {
        (blocked, "create_user"),
        (blocked, "add_member"),
    }
    assert f"Username already exists: s{blocked}" in failed[0]["result"] + failed[1]["result"]
    now = users()
    assert set(econ) - set(now) == {blocked}  # every good row of the rejected batch created
    calls = write_calls(sandbox)
    batches = math.ceil(len(econ) / 8)
    assert calls["moodle:core_user_create_users"] == batches + 2 * 3  # bisected 8 → 4 → 2 → 1
    assert {
        ("group:" + g, s)
        for s, g in query(
            "sandbox", "SELECT student_id, group_code FROM eios_student WHERE faculty_id = 'ECON'"
        )
        if s in now
    } <= members()  # 5xx retried, members all added

    renamed = econ[:3]
    for sid in renamed:
        change(sid, last_name="Ошибкина")
    sandbox.arm("moodle", "core_user_update_users", "exception", times=50)
    second = run_dag("eios_sync", settings=settings)
    rows = history(second)
    assert {r["student"] for r in rows if r["result"].startswith("failed")} >= set(renamed)
    assert all(
        "generalexceptionmessage" in r["result"] for r in rows if r["action"] == "update_user"
    )
    assert all(users()[sid]["lastname"] != "Ошибкина" for sid in renamed)

    sandbox.reset()
    query(
        "moodle", "UPDATE mdl_user SET username = 'other.person' WHERE username = %s", f"s{blocked}"
    )
    third = run_dag("eios_sync", settings=settings)
    assert third.state == "success", third.task_states
    now = users()
    assert all(now[sid]["lastname"] == "Ошибкина" for sid in renamed)
    assert blocked in now and set(econ) <= set(now)
    ids = query(
        "moodle",
        "SELECT idnumber, COUNT(*) FROM mdl_user WHERE idnumber <> ''"
        " GROUP BY idnumber HAVING COUNT(*) > 1",
    )
    assert ids == []  # no duplicates


def _rejects(result, faculty: str) -> list[dict]:
    from airflow.sdk import ObjectStoragePath

    from include.storage import store_path

    stamp = result.xcom("resolve_settings")["run"]["stamp"]
    path = ObjectStoragePath(str(store_path("eios_sync", "rejects", stamp, f"{faculty}.csv")))
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_rows_moodle_would_refuse_are_rejected_before_any_call(fresh_stack, sandbox):
    econ = studying("ECON")
    bad, twin_a, twin_b = econ[0], econ[1], econ[2]
    query(
        "sandbox",
        "UPDATE eios_student SET email = 'ivan..tochkin@students.example.edu' WHERE student_id = %s",
        bad,
    )
    for sid in (twin_a, twin_b):
        query(
            "sandbox",
            "UPDATE eios_student SET email = 'Twin@Example.edu' WHERE student_id = %s",
            sid,
        )
    settings = {"faculties": ["ECON"], "reject_share_max_pct": 50}
    result = run_dag("eios_sync", settings=settings)
    assert result.state == "success", result.task_states
    reasons = {r["student_id"]: r["reason"] for r in _rejects(result, "ECON")}
    assert "validate_email" in reasons[bad]
    assert "shared with another student" in reasons[twin_a] == reasons[twin_b]
    assert not {bad, twin_a, twin_b} & set(users())  # never sent
    assert set(econ) - {bad, twin_a, twin_b} <= set(users())
    assert not [r for r in history(result) if r["result"].startswith("failed")]

    # the setting says shared e-mails are allowed but the site does not allow them: the
    # first twin is created, Moodle refuses the second, and the CSV says so (not applied)
    query(
        "sandbox",
        "UPDATE eios_student SET changed_at = %s WHERE student_id IN (%s, %s)",
        now_text(),
        twin_a,
        twin_b,
    )
    again = run_dag("eios_sync", settings={**settings, "allow_accounts_same_email": True})
    assert again.state == "failed"
    results = {r["student"]: r["result"] for r in history(again) if r["action"] == "create_user"}
    assert sorted(results.values())[0] == "applied"
    assert "Email address already exists" in sorted(results.values())[1]
    assert len({twin_a, twin_b} & set(users())) == 1


def test_calls_are_sized_by_form_fields_and_a_cut_call_shows_as_failed_rows(
    fresh_stack, sandbox, monkeypatch
):
    econ = studying("ECON")
    # the stand-in's PHP keeps max_input_vars + 1 fields: 3 REST fields and all but the
    # last member (4 fields each) of one add-members call for the faculty; the last is
    # dropped whole, silently (a member cut in half would be refused, not lost)
    limit = 4 * len(econ) - 2
    monkeypatch.setenv("SANDBOX_MOODLE_MAX_INPUT_VARS", str(limit))
    # the setting wrong (higher than the server's): PHP cuts calls silently
    wrong = {"faculties": ["ECON"], "ws_batch_size": 2000, "ws_max_input_vars": 100000}
    cut = run_dag("eios_sync", settings=wrong)
    assert cut.state == "failed" and cut.state_of("apply_changes") == "success"
    rows = [r for r in history(cut) if r["action"] == "add_member"]
    lost = {r["student"] for r in rows if r["result"].startswith("failed: not applied")}
    assert lost  # the cut tail: Moodle answered no warning, the read-back found no member
    now = members()
    for r in rows:  # nothing recorded as applied that Moodle does not hold, and vice versa
        assert (r["result"] == "applied") == ((r["new"], r["student"]) in now), r
    assert not any((r["new"], r["student"]) in now for r in rows if r["student"] in lost)

    # the setting right: every call under the budget, the rest completes
    sandbox.reset()
    right = run_dag("eios_sync", settings={**wrong, "ws_max_input_vars": limit})
    assert right.state == "success", right.task_states
    in_groups = {s for _, s in members()}
    assert set(econ) <= in_groups
    assert write_calls(sandbox) == {"moodle:core_cohort_add_cohort_members": 1}  # the lost one


def test_a_transfer_between_faculties_moves_once_and_a_rerun_changes_nothing(fresh_stack, sandbox):
    """Issue 14: `expelled` in the old faculty's feed and `studying` in the new one on the
    same day used to flip the student every run (suspended, then unsuspended)."""
    settings = {"faculties": ["ECON", "LAW"]}
    assert run_dag("eios_sync", settings=settings).state == "success"
    moved, tied = studying("ECON", "ЭК-211")[:2]
    law_group = query(
        "sandbox", "SELECT MIN(group_code) FROM eios_student WHERE faculty_id = 'LAW'"
    )[0][0]
    law_name = query("sandbox", "SELECT name FROM eios_faculty WHERE id = 'LAW'")[0][0]
    old_at = now_text(3)
    for sid, new_at in ((moved, now_text(1)), (tied, old_at)):
        query(  # the old faculty: expelled (two minutes before / at the same second)
            "sandbox",
            "UPDATE eios_student SET status = 'expelled', changed_at = %s WHERE student_id = %s",
            old_at,
            sid,
        )
        query(  # the new faculty: the same student, studying in a LAW group
            "sandbox",
            "INSERT INTO eios_student (student_id, record_book, login, last_name, first_name,"
            " middle_name, email, faculty_id, specialty, group_code, course_year, study_form,"
            " status, status_date, changed_at) SELECT student_id, record_book, login, last_name,"
            " first_name, middle_name, email, 'LAW', specialty, %s, course_year, study_form,"
            " 'studying', status_date, %s FROM eios_student WHERE student_id = %s",
            law_group,
            new_at,
            sid,
        )
    sandbox.reset()
    moving = run_dag("eios_sync", settings=settings)
    assert moving.state == "success", moving.task_states
    rows = history(moving)
    for sid in (moved, tied):  # the later row wins; on the tie, studying wins
        assert actions_of(rows, sid) == ["add_member", "remove_member", "update_user"], sid
        assert {r["faculty"] for r in rows if r["student"] == sid} == {"LAW"}
        assert users()[sid]["suspended"] == 0 and users()[sid]["department"] == law_name
        assert {c for c, s in members() if s == sid} == {f"group:{law_group}"}
    plans = moving.xcom("plan_changes")
    assert {p["id"]: p["superseded"] for p in plans} == {"ECON": 2, "LAW": 0}
    for _ in range(2):  # and it stays: no flip back, no write at all
        sandbox.reset()
        again = run_dag("eios_sync", settings=settings)
        assert again.state == "success", again.task_states
        assert write_calls(sandbox) == {}
        assert users()[moved]["suspended"] == 0 and users()[tied]["department"] == law_name


def test_a_faculty_whose_eios_feed_fails_is_not_synced_and_stops_no_other(fresh_stack, sandbox):
    sandbox.arm("eios", "/faculties/LAW/students", "not_json", times=100)
    result = run_dag("eios_sync", settings={"faculties": ["ECON", "LAW"]})
    assert result.state == "failed" and result.state_of("extract_students") == "success"
    extracted = {e["id"]: e for e in result.xcom("extract_students")}
    assert "not JSON" in extracted["LAW"]["extract_error"]
    report = result.xcom("report_run")
    assert report["counts"]["faculties_not_synced"] == ["LAW"]
    assert result.state_of("verify_nothing_held") == "failed"
    assert any(u["department"] == "Экономический факультет" for u in users().values())
    sandbox.reset()
    again = run_dag("eios_sync", settings={"faculties": ["ECON", "LAW"]})
    assert again.state == "success", again.task_states
    assert any(u["department"] == "Юридический факультет" for u in users().values())
