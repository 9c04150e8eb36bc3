"""eios_sync's pure domain: quality rules, the plan for each movement, the guard,
batch isolation, history names and retention. No network, milliseconds."""

from __future__ import annotations

from datetime import datetime

import pytest

from include.config import EiosSyncSettings, SettingsError, parse_settings
from include.eios.batching import send_in_batches
from include.eios.guard import mass_graduation_guard
from include.eios.history import expired_files, history_file_name
from include.eios.plan import plan_sync
from include.eios.quality import split_rejects

NOW = datetime(2026, 11, 20, 12, 0, 0)
PATTERN = EiosSyncSettings().group_code_pattern


def item(sid="1", **extra) -> dict:
    base = {
        "student_id": sid,
        "login": f"s{sid}",
        "last_name": "Иванов",
        "first_name": "Иван",
        "middle_name": "",
        "email": f"s{sid}@example.edu",
        "faculty_id": "F1",
        "group_code": "ЭК-21",
        "status": "studying",
        "status_date": "2026-11-01",
        "changed_at": "2026-11-10T10:00:00",
    }
    return {**base, **extra}


def user(uid, sid, suspended=0, **extra) -> dict:
    base = {
        "id": uid,
        "username": f"s{sid}",
        "idnumber": sid,
        "firstname": "Иван",
        "lastname": "Иванов",
        "middlename": "",
        "email": f"s{sid}@example.edu",
        "auth": "manual",
        "suspended": suspended,
        "department": "Факультет",
    }
    return {**base, **extra}


def plan(items, users=(), members=(), on_leave="suspend", limit=0, lower=None, roster=None):
    return plan_sync(
        list(items),
        roster if roster is not None else {i["student_id"] for i in items},
        list(users),
        list(members),
        faculty_id="F1",
        faculty_name="Факультет",
        lower_bound=lower,
        username_template="{login}",
        auth="manual",
        on_leave=on_leave,
        limit=limit,
    )


def kinds(p) -> list[str]:
    return [a["kind"] for a in p.actions]


IN_GROUP = [
    {"cohortid": 7, "idnumber": "group:ЭК-21", "name": "ЭК-21", "userid": 10},
    {"cohortid": 7, "idnumber": "group:ЭК-21", "name": "ЭК-21", "userid": 11},
]


def test_quality_rules_reject_each_bad_row_with_a_reason():
    rows = [
        item("1"),
        item("2", email="bad@@x"),
        item("3", group_code="группа ?"),
        item("4", status="dropped"),
        item("5", faculty_id="F2"),
        item("6", changed_at="2027-01-01T00:00:00"),
        item("7", first_name=""),
        item("8"),
        item("8"),
        item("", login="x"),
        item("9", login="Bad Login"),
    ]
    accepted, rejects = split_rejects(rows, "F1", PATTERN, "{login}", NOW)
    assert [r["student_id"] for r in accepted] == ["1"]
    reasons = {r["student_id"]: r["reason"] for r in rejects}
    assert "e-mail" in reasons["2"] and "group_code" in reasons["3"]
    assert "status" in reasons["4"] and "scanned faculty" in reasons["5"]
    assert "future" in reasons["6"] and "first_name" in reasons["7"]
    assert "more than once" in reasons["8"] and "student_id missing" in reasons[""]
    assert "Moodle does not allow" in reasons["9"]


def test_new_student_is_created_and_added_to_a_new_cohort():
    p = plan([item("1")])
    assert kinds(p) == ["create_cohort", "create_user", "add_member"]
    create = p.actions[1]["payload"]
    assert create["idnumber"] == "1" and create["username"] == "s1" and create["auth"] == "manual"
    assert p.actions[0]["payload"]["idnumber"] == "group:ЭК-21"


def test_unchanged_student_plans_nothing():
    assert plan([item("1")], [user(10, "1")], IN_GROUP).actions == []


def test_rename_and_email_change_are_one_update():
    p = plan([item("1", last_name="Петров", email="new@example.edu")], [user(10, "1")], IN_GROUP)
    assert kinds(p) == ["update_user"]
    assert p.actions[0]["payload"] == {"id": 10, "lastname": "Петров", "email": "new@example.edu"}


def test_transfer_moves_between_cohorts():
    members = [
        *IN_GROUP,
        {"cohortid": 8, "idnumber": "group:ЭК-22", "name": "ЭК-22", "userid": None},
    ]
    p = plan([item("1", group_code="ЭК-22")], [user(10, "1")], members)
    assert kinds(p) == ["remove_member", "add_member"]
    assert p.actions[0]["payload"] == {"cohortid": 7, "userid": 10}


@pytest.mark.parametrize("status", ["expelled", "academic_leave", "graduated"])
def test_leaving_suspends_and_keeps_membership_by_default(status):
    others = [item("2")]
    p = plan([item("1", status=status), *others], [user(10, "1"), user(11, "2")], IN_GROUP)
    assert kinds(p) == ["suspend"] and p.actions[0]["payload"] == {"id": 10, "suspended": 1}


def test_on_leave_can_also_remove_the_membership_but_not_for_graduates():
    users = [user(10, "1"), user(11, "2")]
    p = plan(
        [item("1", status="expelled"), item("2")], users, IN_GROUP, "suspend_and_remove_from_cohort"
    )
    assert kinds(p) == ["suspend", "remove_member"]


def test_reinstated_is_unsuspended_and_re_added():
    p = plan([item("1")], [user(10, "1", suspended=1)], [])
    assert kinds(p) == ["create_cohort", "unsuspend", "add_member"]


def test_missing_from_eios_changes_nothing_and_is_reported():
    p = plan([item("1")], [user(10, "1"), user(11, "2")], IN_GROUP)
    assert p.actions == [] and [m["student_id"] for m in p.missing] == ["2"]


def test_fully_graduated_group_cohort_is_archived_with_the_year():
    rows = [item("1", status="graduated"), item("2", status="graduated")]
    users = [user(10, "1", suspended=1), user(11, "2", suspended=1)]
    p = plan(rows, users, IN_GROUP)
    assert kinds(p) == ["archive_cohort"]
    payload = p.actions[0]["payload"]
    assert payload["name"] == "ЭК-21 (выпуск 2026)" and payload["visible"] == 0
    assert payload["idnumber"] == "group:ЭК-21:graduated-2026"


def test_limit_takes_oldest_first_and_the_watermark_points_at_the_rest():
    rows = [item(str(n), changed_at=f"2026-11-0{n}T00:00:00") for n in range(1, 6)]
    p = plan(rows, limit=2)
    created = [a["student_id"] for a in p.actions if a["kind"] == "create_user"]
    assert created == ["1", "2"] and p.deferred_students == 3
    assert p.watermark == "2026-11-03T00:00:00"
    later = plan(rows, lower=datetime(2026, 11, 3))
    assert [a["student_id"] for a in later.actions if a["kind"] == "create_user"] == ["3", "4", "5"]


def test_guard_holds_at_the_threshold_and_always_for_an_empty_feed():
    args = {"threshold_pct": 30, "min_active": 20, "confirmed": False}
    assert mass_graduation_guard("F", leaving=24, active=30, feed_size=30, **args).held
    assert not mass_graduation_guard("F", leaving=8, active=30, feed_size=30, **args).held
    assert not mass_graduation_guard("F", leaving=5, active=5, feed_size=5, **args).held
    assert mass_graduation_guard("F", leaving=0, active=3, feed_size=0, **args).held
    confirmed = {**args, "confirmed": True}
    assert not mass_graduation_guard("F", leaving=24, active=30, feed_size=30, **confirmed).held


class Rejected(Exception):
    pass


def test_a_rejected_batch_is_split_until_the_bad_rows_stand_alone():
    bad = {3, 6}

    def send(batch):
        if any(i in bad for i in batch):
            raise Rejected("Invalid parameter value detected")
        return {}

    outcome = send_in_batches(list(range(8)), send, 4, lambda exc: "split")
    assert [i for i, e in enumerate(outcome.errors) if e] == [3, 6]
    assert outcome.calls == 2 + 2 * 2 + 2 * 2  # 2 batches, each split twice down to the bad row


def test_an_unavailable_system_fails_the_batch_rows_and_keeps_going():
    def send(batch):
        if 0 in batch:
            raise Rejected("HTTP 503")
        return {2: "warning"} if 5 in batch else {}

    outcome = send_in_batches(list(range(6)), send, 3, lambda exc: "fail")
    assert outcome.errors == ["HTTP 503"] * 3 + [None, None, "warning"]


def test_history_names_and_retention():
    assert history_file_name(datetime(2026, 11, 20, 2, 30, 5)) == "2026-11-20_02-30-05.csv"
    names = ["2026-10-01_00-00-00.csv", "2026-11-15_00-00-00.csv", "notes.txt"]
    assert expired_files(names, NOW, 30) == ["2026-10-01_00-00-00.csv"]


@pytest.mark.parametrize(
    "bad",
    [
        {"mass_graduation_threshold_pct": 0},
        {"on_leave": "delete"},
        {"username_template": "{password}"},
        {"group_code_pattern": "(["},
        {"per_faculty_limit": -1},
    ],
)
def test_a_bad_setting_names_the_field(bad):
    with pytest.raises(SettingsError, match=next(iter(bad))):
        parse_settings(EiosSyncSettings, bad)
