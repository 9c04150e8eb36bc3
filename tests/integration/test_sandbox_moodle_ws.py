"""The Moodle web-service stand-in answers as the recorded real Moodle does
(shared/moodle/ws-transcripts.txt), through the project's own MoodleWsHook."""

from __future__ import annotations

import pytest

from include.connectors.moodle_ws import MoodleWsError, MoodleWsHook, MoodleWsUnavailable
from tests.db import one


@pytest.fixture
def moodle(fresh_stack):
    return MoodleWsHook(backoff_seconds=0)


def _count(sql: str, *args) -> int:
    return one("moodle", sql, *args)[0]


def _user(username: str, idnumber: str, email: str | None = None) -> dict:
    return {
        "username": username,
        "firstname": "Иван",
        "lastname": "Иванов",
        "email": email or f"{username}@example.edu",
        "idnumber": idnumber,
        "auth": "manual",
        "createpassword": 1,
    }


def test_a_bad_token_is_moodles_invalidtoken(fresh_stack, monkeypatch):
    hook = MoodleWsHook(backoff_seconds=0)
    hook._token = "not-the-token"
    with pytest.raises(MoodleWsError) as caught:
        hook.call("core_webservice_get_site_info")
    assert caught.value.errorcode == "invalidtoken"


def test_create_users_is_all_or_nothing_per_call(moodle):
    created = moodle.call("core_user_create_users", {"users": [_user("s9001", "9001")]})
    assert [u["username"] for u in created] == ["s9001"]
    with pytest.raises(MoodleWsError) as caught:
        moodle.call(
            "core_user_create_users",
            {"users": [_user("s9002", "9002"), _user("s9003", "9003", email="bad-email")]},
        )
    assert caught.value.errorcode == "invalidparameter"
    assert caught.value.message == "Invalid parameter value detected"
    assert _count("SELECT COUNT(*) FROM mdl_user WHERE username IN ('s9002', 's9003')") == 0
    with pytest.raises(MoodleWsError):  # a duplicate username fails the whole call too
        moodle.call("core_user_create_users", {"users": [_user("s9001", "9001")]})


def test_cohort_members_warn_per_member_and_add_the_valid_ones(moodle):
    moodle.call(
        "core_cohort_create_cohorts",
        {
            "cohorts": [
                {
                    "categorytype": {"type": "system", "value": ""},
                    "name": "ИВТ-21",
                    "idnumber": "group:ИВТ-21",
                }
            ]
        },
    )
    moodle.call("core_user_create_users", {"users": [_user("s9101", "9101")]})

    def member(username):
        return {
            "cohorttype": {"type": "idnumber", "value": "group:ИВТ-21"},
            "usertype": {"type": "username", "value": username},
        }

    first = moodle.call("core_cohort_add_cohort_members", {"members": [member("s9101")]})
    assert first == {"warnings": []}
    again = moodle.call(
        "core_cohort_add_cohort_members", {"members": [member("s9101"), member("nosuchuser")]}
    )
    assert [w["warningcode"] for w in again["warnings"]] == ["3", "2"]
    assert (
        _count(
            "SELECT COUNT(*) FROM mdl_cohort_members m JOIN mdl_cohort c ON c.id = m.cohortid"
            " WHERE c.idnumber = 'group:ИВТ-21'"
        )
        == 1
    )


def test_suspend_and_remove_member_answer_like_moodle(moodle):
    user_id = moodle.call("core_user_create_users", {"users": [_user("s9201", "9201")]})[0]["id"]
    assert moodle.call("core_user_update_users", {"users": [{"id": user_id, "suspended": 1}]}) == {
        "warnings": []
    }
    assert _count("SELECT suspended FROM mdl_user WHERE id = %s", user_id) == 1
    assert (
        moodle.call(
            "core_cohort_delete_cohort_members", {"members": [{"cohortid": 1, "userid": user_id}]}
        )
        is None
    )


def test_an_unknown_function_is_moodles_invalidrecord(moodle):
    with pytest.raises(MoodleWsError) as caught:
        moodle.call("core_no_such_function")
    assert caught.value.errorcode == "invalidrecord"


def test_5xx_is_retried_then_succeeds(moodle, sandbox):
    sandbox.arm("moodle", "core_webservice_get_site_info", "http503", times=2)
    assert moodle.call("core_webservice_get_site_info")["username"] == "admin"
    assert moodle.calls["core_webservice_get_site_info"] == 3


def test_persistent_5xx_fails_with_the_systems_message(moodle, sandbox):
    sandbox.arm("moodle", "core_user_get_users_by_field", "http502", times=10)
    with pytest.raises(MoodleWsUnavailable, match="HTTP 502"):
        moodle.call("core_user_get_users_by_field", {"field": "idnumber", "values": ["1001"]})
    assert moodle.calls["core_user_get_users_by_field"] == moodle.attempts
